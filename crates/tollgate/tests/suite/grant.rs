//! The administrator's one-time re-enrollment grant, on every store: for a user who lost every
//! authenticator and has no recovery code. With the password and a one-time PIN it replaces
//! the tokens once; a used grant, an expired one and a guessed one fail. And `THREATS.md`'s
//! password holder: the password alone, without the grant, reaches no enrollment; the grant
//! does not stand in for the authenticator at a password reset.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use common::{JOHN, World, backings, world};
use tollgate::login::{AdminAction, AuditEvent, Config, Input, MessageId, Screen};
use tollgate::{Error, LoginKey, MAX_GRANT_LIFETIME, View};

/// A later login of John's, "I no longer have my authenticator", then `code` where a recovery
/// code goes (wherever the login is: a locked account's is not there).
fn lost_token_with(world: &World, code: &str) -> View {
    let key = world.past_the_password();
    let view = world
        .service
        .submit(&key, Input::LostToken, tollgate::Client::default())
        .unwrap();
    world
        .service
        .submit(
            &view.login,
            Input::RecoveryCode(code.to_owned()),
            tollgate::Client::default(),
        )
        .unwrap()
}

fn pin(world: &World, key: &LoginKey) -> View {
    let pin = world.outbox.last_pin().unwrap();
    world
        .service
        .submit(key, Input::Pin(pin), tollgate::Client::default())
        .unwrap()
}

#[test]
fn a_grant_replaces_the_tokens_once_and_not_once_expired() {
    for backing in backings("tollgate_grant") {
        let world = world(backing.store.clone(), Config::default(), 31);
        world.enroll();
        let admin = world.service.admin("alice");
        let grant = admin.grant_reenrollment(JOHN, 3600).unwrap();
        let summary = admin.account(JOHN).unwrap();
        assert_eq!(
            summary.grant_expires_at,
            Some(world.service.now().as_secs() + 3600)
        );
        assert!(world.audit.events().iter().any(|e| matches!(
            e,
            AuditEvent::Administrator { admin, action: AdminAction::ReenrollmentGranted, .. }
                if admin == "alice"
        )));
        // The grant, then the PIN: the tokens are revoked and enrollment starts.
        let view = lost_token_with(&world, &grant.to_lowercase());
        assert!(
            matches!(view.screen, Screen::EnterPin { .. }),
            "{}",
            backing.name
        );
        let view = pin(&world, &view.login);
        assert!(
            matches!(view.screen, Screen::ChooseEnrollment { .. }),
            "{:?}",
            view.screen
        );
        assert!(world.account().state().tokens().is_empty());
        assert!(world.account().state().grant().is_none());
        assert!(
            world
                .audit
                .events()
                .iter()
                .any(|e| matches!(e, AuditEvent::GrantUsed { .. }))
        );
        // Enrolled again, the same grant a second time: refused, and counted.
        world.enroll();
        let refused = world.codes_refused();
        let view = lost_token_with(&world, &grant);
        assert_eq!(
            view.notice.map(|n| n.id),
            Some(MessageId::WrongRecoveryCode)
        );
        assert_eq!(world.codes_refused(), refused + 1);
        // A new grant, typed after it expired: refused, spent, and the token stays.
        let late = admin.grant_reenrollment(JOHN, 60).unwrap();
        world.clock.advance(61);
        let view = lost_token_with(&world, &late);
        assert_eq!(view.notice.map(|n| n.id), Some(MessageId::GrantExpired));
        assert_eq!(world.account().state().tokens().len(), 1);
        assert!(world.account().state().grant().is_none());
    }
}

/// The password holder (THREATS.md) without the grant: a thousand guesses at it are refused
/// and counted toward the hard limit (which locks the second factor); the grant does not
/// open a password reset either (there, only a recovery code stands in for the authenticator).
#[test]
fn a_grant_is_not_guessed_and_does_not_reset_a_password() {
    for backing in backings("tollgate_grant_guess") {
        let world = world(backing.store.clone(), Config::default(), 32);
        world.enroll();
        let grant = world
            .service
            .admin("alice")
            .grant_reenrollment(JOHN, 3600)
            .unwrap();
        let mut reached_pin = 0;
        for guess in 0..120 {
            world.clock.advance(600);
            let view = lost_token_with(&world, &format!("{guess:024}"));
            reached_pin += usize::from(matches!(view.screen, Screen::EnterPin { .. }));
        }
        assert_eq!(reached_pin, 0);
        assert!(world.codes_refused() <= 100, "{}", world.codes_refused());
        assert_eq!(world.account().state().tokens().len(), 1);
        // A reset with the grant where the authenticator's code or a recovery code goes.
        let view = world.service.start().unwrap();
        let view = world
            .service
            .submit(
                &view.login,
                Input::UserId(JOHN.into()),
                tollgate::Client::default(),
            )
            .unwrap();
        let view = world
            .service
            .submit(
                &view.login,
                Input::ForgotPassword,
                tollgate::Client::default(),
            )
            .unwrap();
        let view = world
            .service
            .submit(
                &view.login,
                Input::RecoveryCode(grant.to_string()),
                tollgate::Client::default(),
            )
            .unwrap();
        assert!(
            matches!(view.screen, Screen::ResetStart { .. }),
            "{:?}",
            view.screen
        );
    }
}

#[test]
fn a_grant_lasts_a_second_to_a_week() {
    let backing = backings("tollgate_grant_lifetime").remove(0);
    let world = world(backing.store, Config::default(), 33);
    world.enroll();
    let admin = world.service.admin("alice");
    for seconds in [0, MAX_GRANT_LIFETIME + 1] {
        assert!(matches!(
            admin.grant_reenrollment(JOHN, seconds),
            Err(Error::GrantLifetime { .. })
        ));
    }
    assert!(admin.grant_reenrollment(JOHN, MAX_GRANT_LIFETIME).is_ok());
    assert!(matches!(
        admin.grant_reenrollment("nobody@example.com", 60),
        Err(Error::UnknownUser)
    ));
}
