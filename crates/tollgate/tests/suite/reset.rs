//! "Password locked or forgotten?" through the service, on every store: the new password is
//! checked against the rules (the shipped blocklist, the user's identifiers), hashed and stored;
//! the old one stops working, the new one logs in, the lockout is lifted and the user is told.
//! Registration keeps to the same rules.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use common::{JOHN, PASSWORD, World, backings, world};
use tollgate::login::{Config, Input, MessageId, Notification, PasswordRefusal, Screen};
use tollgate::{Delivered, Error, LoginKey, View};

const NEW: &str = "tangerine lighthouse on a hill";

fn submit(world: &World, key: &LoginKey, input: Input<zeroize::Zeroizing<String>>) -> View {
    world
        .service
        .submit(key, input, tollgate::Client::default())
        .unwrap()
}

/// A fresh login's password step for John.
fn at_the_password(world: &World) -> LoginKey {
    let view = world.service.start().unwrap();
    submit(world, &view.login, Input::UserId(JOHN.into())).login
}

#[test]
fn a_reset_sets_a_password_the_rules_allow_and_only_that_one_logs_in() {
    for backing in backings("tollgate_reset") {
        let world = world(backing.store.clone(), Config::default(), 5);
        let token = world.enroll();
        // A stranger's wrong passwords lock John's password.
        for _ in 0..5 {
            let key = at_the_password(&world);
            submit(&world, &key, Input::Password("wrong".to_owned().into()));
        }
        assert!(world.account().state().password_locked_until().is_some());
        let key = at_the_password(&world);
        let view = submit(&world, &key, Input::ForgotPassword);
        assert!(
            matches!(view.screen, Screen::ResetStart { .. }),
            "{}",
            backing.name
        );
        world.clock.advance(30);
        let code = token.generate(world.service.now()).unwrap().to_string();
        let view = submit(&world, &view.login, Input::TokenCode(code));
        assert!(
            matches!(view.screen, Screen::ResetPin { .. }),
            "{:?}",
            view.screen
        );
        let pin = world.outbox.last_pin().unwrap();
        let mut view = submit(&world, &view.login, Input::Pin(pin));
        assert!(
            matches!(view.screen, Screen::NewPassword { .. }),
            "{:?}",
            view.screen
        );
        // Refused, each for its rule: the page says which.
        for (typed, id) in [
            ("short", MessageId::PasswordTooShort),
            ("password123", MessageId::PasswordCommon),
            ("i am john.smith@example.com", MessageId::PasswordPersonal),
            ("call 6132701234 now", MessageId::PasswordPersonal),
        ] {
            view = submit(
                &world,
                &view.login,
                Input::NewPassword(typed.to_owned().into()),
            );
            assert_eq!(view.notice.as_ref().map(|n| n.id), Some(id), "{typed}");
            assert!(matches!(view.screen, Screen::NewPassword { .. }));
        }
        let view = submit(
            &world,
            &view.login,
            Input::NewPassword(NEW.to_owned().into()),
        );
        assert!(
            matches!(view.screen, Screen::PasswordChanged { .. }),
            "{:?}",
            view.screen
        );
        assert_eq!(world.account().state().password_locked_until(), None);
        assert!(world.outbox.messages().iter().any(|m| matches!(
            m,
            Delivered::Notice {
                notification: Notification::PasswordChanged,
                ..
            }
        )));
        // The old password is wrong now; the new one goes on to the token's code.
        let view = submit(&world, &view.login, Input::Continue);
        assert!(matches!(view.screen, Screen::EnterPassword { .. }));
        let old = submit(
            &world,
            &view.login,
            Input::Password(PASSWORD.to_owned().into()),
        );
        assert_eq!(old.notice.map(|n| n.id), Some(MessageId::WrongPassword));
        let new = submit(&world, &old.login, Input::Password(NEW.to_owned().into()));
        assert!(
            matches!(new.screen, Screen::EnterTokenCode { .. }),
            "{}",
            backing.name
        );
    }
}

/// A new password typed anywhere but the reset's last step is neither checked nor stored.
#[test]
fn a_new_password_out_of_place_changes_nothing() {
    let world = world(
        std::sync::Arc::new(tollgate::MemoryStore::new()),
        Config::default(),
        6,
    );
    let key = at_the_password(&world);
    let view = submit(&world, &key, Input::NewPassword(NEW.to_owned().into()));
    assert!(matches!(view.screen, Screen::EnterPassword { .. }));
    let view = submit(
        &world,
        &view.login,
        Input::Password(PASSWORD.to_owned().into()),
    );
    assert!(
        matches!(view.screen, Screen::EnterPin { .. }),
        "{:?}",
        view.screen
    );
}

#[test]
fn registration_keeps_to_the_rules() {
    let world = world(
        std::sync::Arc::new(tollgate::MemoryStore::new()),
        Config::default(),
        7,
    );
    let register = |id: &str, password: &str| {
        world
            .service
            .register_user(id, password, Some("+1 613 555 0100"), None)
    };
    assert!(matches!(
        register("ann@example.com", "iloveyou1"),
        Err(Error::PasswordRefused(PasswordRefusal::Common))
    ));
    assert!(matches!(
        register("ann@example.com", "ann@example.com-2024"),
        Err(Error::PasswordRefused(PasswordRefusal::Personal))
    ));
    assert!(matches!(
        register("ann@example.com", "seven"),
        Err(Error::PasswordRefused(PasswordRefusal::TooShort(8)))
    ));
    assert!(register("ann@example.com", NEW).is_ok());
}
