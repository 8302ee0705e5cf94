//! The administrator's actions on every store: each one audited under the administrator's name
//! and told to the user; unlock clears what wrong codes locked (the only way besides the
//! factor's own success); a revoked token's codes are refused and the next login enrolls anew;
//! a temporary password logs in to nothing but the page that replaces it; a deleted user is an
//! unknown one.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use common::{JOHN, PASSWORD, World, backings, world};
use tollgate::login::{
    AdminAction, AuditEvent, Config, EnrollmentKind, Input, MessageId, Notification, Screen,
};
use tollgate::{Delivered, Error, LoginKey, View};

const TEMPORARY: &str = "blue whale at noon";
const OWN: &str = "tangerine lighthouse on a hill";

fn submit(world: &World, key: &LoginKey, input: Input<zeroize::Zeroizing<String>>) -> View {
    world
        .service
        .submit(key, input, tollgate::Client::default())
        .unwrap()
}

/// User ID and `password`.
fn log_in(world: &World, password: &str) -> View {
    let view = world.service.start().unwrap();
    let view = submit(world, &view.login, Input::UserId(JOHN.into()));
    submit(
        world,
        &view.login,
        Input::Password(password.to_owned().into()),
    )
}

/// The token's code of the next step (the last one may be spent).
fn next_code(world: &World, token: &tollgate::otp::Totp) -> String {
    world.clock.advance(30);
    token.generate(world.service.now()).unwrap().to_string()
}

/// Whether John was told of `action`, and the audit names the administrator.
fn recorded(world: &World, action: AdminAction) -> bool {
    let told = world.outbox.messages().iter().any(|m| {
        matches!(m, Delivered::Notice { notification: Notification::Administrator(a), .. } if *a == action)
    });
    let audited = world.audit.events().iter().any(|e| {
        matches!(e, AuditEvent::Administrator { admin, action: a, .. } if admin == "alice" && *a == action)
    });
    told && audited
}

/// Password holder (THREATS.md): the second factor locked at a hard limit of 20 wrong codes
/// stays locked whatever they do, for a day; the administrator's unlock alone opens it.
#[test]
fn only_an_unlock_opens_a_second_factor_locked_at_the_hard_limit() {
    let config = Config::default().with_second_factor_limit(20).unwrap();
    for backing in backings("tollgate_admin_unlock") {
        let world = world(backing.store.clone(), config.clone(), 11);
        let token = world.enroll();
        let mut refused = 0;
        for hour in 0..24 {
            let view = log_in(&world, PASSWORD);
            if matches!(view.screen, Screen::EnterTokenCode { .. }) {
                let mut key = view.login;
                for guess in 0..12 {
                    let typed = format!("{:06}", hour * 100 + guess);
                    key = submit(&world, &key, Input::TokenCode(typed)).login;
                }
            }
            refused = world.codes_refused();
            world.clock.advance(3600);
        }
        assert!(refused <= 20, "{}: {refused} codes checked", backing.name);
        let view = log_in(&world, PASSWORD);
        assert!(
            matches!(view.screen, Screen::SecondFactorLocked { .. }),
            "{:?}",
            view.screen
        );
        world.service.admin("alice").unlock(JOHN).unwrap();
        assert!(recorded(&world, AdminAction::Unlocked), "{}", backing.name);
        let summary = world.service.admin("alice").account(JOHN).unwrap();
        assert_eq!(
            (summary.second_factor_failures, summary.second_factor_locked),
            (0, false)
        );
        let view = log_in(&world, PASSWORD);
        let code = token.generate(world.service.now()).unwrap().to_string();
        let view = submit(&world, &view.login, Input::TokenCode(code));
        assert!(
            view.authenticated().is_some(),
            "{}: {:?}",
            backing.name,
            view.screen
        );
    }
}

#[test]
fn a_revoked_token_is_refused_and_the_next_login_enrolls_anew() {
    for backing in backings("tollgate_admin_revoke") {
        let world = world(backing.store.clone(), Config::default(), 12);
        let token = world.enroll();
        world.service.admin("alice").revoke_token(JOHN).unwrap();
        assert!(recorded(&world, AdminAction::TokenRevoked));
        assert_eq!(
            world
                .service
                .admin("alice")
                .account(JOHN)
                .unwrap()
                .authenticators,
            []
        );
        // The password now leads to a one-time PIN, as at a first login, and the old token's
        // code is no second factor.
        let view = log_in(&world, PASSWORD);
        assert!(
            matches!(view.screen, Screen::EnterPin { .. }),
            "{:?}",
            view.screen
        );
        let code = next_code(&world, &token);
        let wrong = submit(&world, &view.login, Input::Pin(code));
        assert_eq!(wrong.notice.map(|n| n.id), Some(MessageId::WrongPin));
        let pin = world.outbox.last_pin().unwrap();
        let view = submit(&world, &wrong.login, Input::Pin(pin));
        let view = submit(
            &world,
            &view.login,
            Input::ChooseEnrollment(EnrollmentKind::Desktop),
        );
        assert!(
            matches!(view.screen, Screen::DesktopActivation(_)),
            "{}",
            backing.name
        );
    }
}

/// A temporary password gets through both factors to the page that replaces it, and to nothing
/// else: no input there authenticates.
#[test]
fn a_temporary_password_must_be_replaced_before_the_login_is_authenticated() {
    for backing in backings("tollgate_admin_temporary") {
        let world = world(backing.store.clone(), Config::default(), 13);
        let token = world.enroll();
        assert!(matches!(
            world
                .service
                .admin("alice")
                .set_temporary_password(JOHN, "password1"),
            Err(Error::PasswordRefused(_))
        ));
        world
            .service
            .admin("alice")
            .set_temporary_password(JOHN, TEMPORARY)
            .unwrap();
        assert!(recorded(&world, AdminAction::TemporaryPasswordSet));
        let old = log_in(&world, PASSWORD);
        assert_eq!(old.notice.map(|n| n.id), Some(MessageId::WrongPassword));
        let view = log_in(&world, TEMPORARY);
        let code = next_code(&world, &token);
        let mut view = submit(&world, &view.login, Input::TokenCode(code.clone()));
        assert!(
            matches!(view.screen, Screen::NewPassword { .. }),
            "{:?}",
            view.screen
        );
        assert_eq!(
            view.notice.as_ref().map(|n| n.id),
            Some(MessageId::PasswordChangeRequired)
        );
        for input in [Input::Continue, Input::Tick, Input::TokenCode(code)] {
            view = submit(&world, &view.login, input);
            assert!(view.authenticated().is_none(), "{}", backing.name);
            assert!(
                matches!(view.screen, Screen::NewPassword { .. }),
                "{:?}",
                view.screen
            );
        }
        let view = submit(
            &world,
            &view.login,
            Input::NewPassword(OWN.to_owned().into()),
        );
        assert!(
            matches!(view.screen, Screen::PasswordChanged { .. }),
            "{:?}",
            view.screen
        );
        assert!(
            !world
                .service
                .admin("alice")
                .account(JOHN)
                .unwrap()
                .password_expired
        );
        let view = log_in(&world, OWN);
        let code = next_code(&world, &token);
        let view = submit(&world, &view.login, Input::TokenCode(code));
        assert!(
            view.authenticated().is_some(),
            "{}: {:?}",
            backing.name,
            view.screen
        );
    }
}

#[test]
fn a_deleted_user_is_an_unknown_one() {
    for backing in backings("tollgate_admin_delete") {
        let world = world(backing.store.clone(), Config::default(), 14);
        world.enroll();
        let admin = world.service.admin("alice");
        admin.delete_user(JOHN).unwrap();
        assert!(recorded(&world, AdminAction::UserDeleted));
        assert!(matches!(admin.account(JOHN), Err(Error::UnknownUser)));
        assert!(matches!(admin.unlock(JOHN), Err(Error::UnknownUser)));
        assert!(matches!(admin.delete_user(JOHN), Err(Error::UnknownUser)));
        let view = log_in(&world, PASSWORD);
        assert_eq!(view.notice.map(|n| n.id), Some(MessageId::WrongPassword));
        // The User ID can be registered again, from nothing.
        world
            .service
            .register_user(JOHN, OWN, Some("+1 613 270 1234"), None)
            .unwrap();
        let view = log_in(&world, OWN);
        assert!(
            matches!(view.screen, Screen::EnterPin { .. }),
            "{}",
            backing.name
        );
    }
}

/// A new mobile number is a new authenticator for PINs: the old number and address are told as
/// well as the new ones, and the next PIN goes to the new number.
#[test]
fn new_contacts_are_told_at_the_old_addresses_too() {
    for backing in backings("tollgate_admin_contacts") {
        let world = world(backing.store.clone(), Config::default(), 15);
        world
            .service
            .admin("alice")
            .change_contacts(JOHN, Some("+44 20 7946 0958"), Some("john@new.example"))
            .unwrap();
        assert!(
            recorded(&world, AdminAction::ContactsChanged),
            "{}",
            backing.name
        );
        let told: Vec<String> = world
            .outbox
            .messages()
            .iter()
            .filter_map(|m| match m {
                Delivered::Notice { to, .. } => Some(address(to)),
                _ => None,
            })
            .collect();
        for at in ["+442079460958", "john@new.example", "+16132701234", JOHN] {
            assert!(told.iter().any(|t| t == at), "{at} in {told:?}");
        }
        let summary = world.service.admin("alice").account(JOHN).unwrap();
        assert_eq!(summary.email.as_deref(), Some("john@new.example"));
        let view = log_in(&world, PASSWORD);
        assert!(matches!(view.screen, Screen::EnterPin { .. }));
        let last = world
            .outbox
            .messages()
            .into_iter()
            .rev()
            .find_map(|m| match m {
                Delivered::Pin { to, .. } => Some(address(&to)),
                _ => None,
            });
        assert!(last.unwrap().contains("0958"), "{}", backing.name);
        let admin = world.service.admin("alice");
        assert!(matches!(
            admin.change_contacts(JOHN, Some("not a number"), None),
            Err(Error::Input(_))
        ));
    }
}

fn address(to: &tollgate::login::Destination) -> String {
    match to {
        tollgate::login::Destination::Sms(phone) => phone.as_str().to_owned(),
        tollgate::login::Destination::Email(email) => email.as_str().to_owned(),
    }
}

/// "Phishing-resistant only" set by an administrator, on every store: refused for an account
/// without a passkey; once John has one, his token's codes stop logging in, and the
/// administrator's "off" brings them back. Each change audited under her name and told to John.
#[cfg(feature = "passkeys")]
#[test]
fn an_administrator_makes_an_account_phishing_resistant_only() {
    use tollgate_test_kit::authenticator::{Kind, SoftPasskey};
    const ORIGIN: &str = "https://login.example.com";
    let rp = tollgate::passkey::RelyingParty::new("example.com", [ORIGIN]).unwrap();
    let config = Config::default().with_passkeys(rp);
    for backing in backings("tollgate_admin_passkeys") {
        let world = world(backing.store.clone(), config.clone(), 13);
        let token = world.enroll();
        let admin = world.service.admin("alice");
        assert!(matches!(
            admin.set_phishing_resistant_only(JOHN, true),
            Err(Error::NoPasskey)
        ));

        // John adds a passkey right after a whole login with his token.
        let view = log_in(&world, PASSWORD);
        let view = submit(
            &world,
            &view.login,
            Input::TokenCode(next_code(&world, &token)),
        );
        assert!(
            view.authenticated().is_some(),
            "{}: {:?}",
            backing.name,
            view.screen
        );
        let view = submit(&world, &view.login, Input::BeginPasskey);
        let Screen::CreatePasskey { options, .. } = &view.screen else {
            panic!("{}: {:?}", backing.name, view.screen);
        };
        let mut passkey = SoftPasskey::new(Kind::Es256, 1, ORIGIN);
        let view = submit(
            &world,
            &view.login,
            Input::Passkey(passkey.register(options)),
        );
        assert_eq!(view.notice.map(|n| n.id), Some(MessageId::PasskeyAdded));
        assert_eq!(
            world.account().state().passkeys().len(),
            1,
            "{}",
            backing.name
        );

        admin.set_phishing_resistant_only(JOHN, true).unwrap();
        assert!(recorded(&world, AdminAction::PhishingResistantOnly(true)));
        let view = log_in(&world, PASSWORD);
        let view = submit(
            &world,
            &view.login,
            Input::TokenCode(next_code(&world, &token)),
        );
        assert!(view.authenticated().is_none(), "{}", backing.name);
        assert_eq!(view.notice.map(|n| n.id), Some(MessageId::PasskeyRequired));

        admin.set_phishing_resistant_only(JOHN, false).unwrap();
        assert!(recorded(&world, AdminAction::PhishingResistantOnly(false)));
        let view = log_in(&world, PASSWORD);
        let view = submit(
            &world,
            &view.login,
            Input::TokenCode(next_code(&world, &token)),
        );
        assert!(view.authenticated().is_some(), "{}", backing.name);
    }
}
