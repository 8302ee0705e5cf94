//! The service under load and abuse (`THREATS.md`: the password holder, the stranger who knows a
//! User ID, the operator of a cluster), on the memory store, a SQLite file and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use common::{Backing, backings, node};
use tollgate::login::{Config, Input, MessageId, PinKey, Screen, StateKey};
use tollgate::{Client, Error};

/// Operator of a cluster: a PIN sent by one node is checked by whichever node takes the next
/// request. With the service's one PIN key on every node it is accepted there; a node that drew
/// its own key (the builder's default) refuses it as a wrong PIN, which is why the key must be
/// shared.
#[test]
fn a_pin_sent_by_one_node_is_accepted_by_another_with_the_same_pin_key_on_every_store() {
    for Backing { name, store, .. } in backings("tollgate_abuse_pin_key") {
        let state_key = StateKey::new([2; 32]);
        let keys = Some((PinKey::new([1; 32]), state_key.clone()));
        let first = node(store.clone(), Config::default(), 1, keys.clone());
        first
            .service
            .register_user(
                common::JOHN,
                common::PASSWORD,
                Some("+1 613 270 1234"),
                None,
            )
            .unwrap();
        let second = node(store.clone(), Config::default(), 2, keys);
        let own_key = node(
            store.clone(),
            Config::default(),
            3,
            Some((PinKey::new([9; 32]), state_key)),
        );

        let login = first.past_the_password();
        let pin = first.outbox.last_pin().unwrap();
        let view = second
            .service
            .submit(&login, Input::Pin(pin), Client::default())
            .unwrap();
        assert!(
            matches!(view.screen, Screen::ChooseEnrollment { .. }),
            "{name}: {:?}",
            view.screen
        );

        let login = first.past_the_password();
        let pin = first.outbox.last_pin().unwrap();
        let view = own_key
            .service
            .submit(&login, Input::Pin(pin), Client::default())
            .unwrap();
        assert_eq!(
            view.notice.as_ref().map(|m| m.id),
            Some(MessageId::WrongPin),
            "{name}"
        );
    }
}

/// Stranger who knows a User ID (NIST SP 800-63B-4 §3.2.2; OWASP device cookies): wrong
/// passwords from browsers the account does not know cool those browsers down, and the owner's
/// browser, which logged in before and kept its device cookie, still gets in. Before, the
/// cool-down held everyone: the owner's right password got "wrong password" until it ran out.
#[test]
fn a_strangers_wrong_passwords_do_not_keep_the_owner_out_of_a_known_browser_on_every_store() {
    for Backing { name, store, .. } in backings("tollgate_abuse_devices") {
        let world = common::world(store, Config::default(), 4);
        let token = world.enroll_desktop_on_device();
        let (totp, device) = (token.0, token.1.unwrap());

        // The stranger: twenty wrong passwords from new browsers, four cool-downs' worth.
        let mut refused_without_check = 0;
        for _ in 0..20 {
            let view = world.service.start().unwrap();
            let view = world
                .service
                .submit(
                    &view.login,
                    Input::UserId(common::JOHN.into()),
                    Client::default(),
                )
                .unwrap();
            let before = world.account().state().password_failures();
            world
                .service
                .submit(
                    &view.login,
                    Input::Password("wrong".to_owned().into()),
                    Client::default(),
                )
                .unwrap();
            refused_without_check +=
                u32::from(world.account().state().password_failures() == before);
        }
        assert_eq!(world.account().state().password_failures(), 5, "{name}");
        assert_eq!(
            refused_without_check, 15,
            "{name}: checked only until the cool-down"
        );

        // The owner on a new browser waits like everyone else...
        let view = world.service.start().unwrap();
        let view = world
            .service
            .submit(
                &view.login,
                Input::UserId(common::JOHN.into()),
                Client::default(),
            )
            .unwrap();
        let view = world
            .service
            .submit(
                &view.login,
                Input::Password(common::PASSWORD.to_owned().into()),
                Client::default(),
            )
            .unwrap();
        assert_eq!(
            view.notice.as_ref().map(|m| m.id),
            Some(MessageId::WrongPassword),
            "{name}"
        );
        // ...and on the browser that logged in before, logs in.
        let view = world.service.start().unwrap();
        let view = world
            .service
            .submit(
                &view.login,
                Input::UserId(common::JOHN.into()),
                Client::default(),
            )
            .unwrap();
        let password = Input::Password(common::PASSWORD.to_owned().into());
        let view = world
            .service
            .submit(
                &view.login,
                password,
                Client {
                    address: None,
                    device: Some(device),
                },
            )
            .unwrap();
        assert!(
            matches!(view.screen, Screen::EnterTokenCode { .. }),
            "{name}: {:?}",
            view.screen
        );
        let code = totp.generate(world.service.now()).unwrap().to_string();
        let view = world
            .service
            .submit(&view.login, Input::TokenCode(code), Client::default())
            .unwrap();
        assert!(view.authenticated().is_some(), "{name}");
        assert!(
            view.device.is_none(),
            "{name}: a known device is not given a new cookie"
        );
    }
}

/// Credential sprayer (`THREATS.md`; NIST SP 800-63B-4 §3.2.2, limiting by network address):
/// one network guessing passwords across many User IDs, on two nodes of one store. Past the
/// limit its passwords are refused unchecked, on both nodes; another network is not held, and
/// neither is the owner's known device behind the same address. Before, the only limit was per
/// account: one address could try five passwords on every User ID it knew, cool-down after
/// cool-down.
#[test]
fn a_network_past_its_limit_is_refused_unchecked_on_every_node_of_every_store() {
    for Backing { name, store, .. } in backings("tollgate_abuse_clients") {
        let keys = Some((PinKey::new([1; 32]), StateKey::new([2; 32])));
        let first = common::world(store.clone(), Config::default(), 5);
        let second = node(store.clone(), Config::default(), 6, keys);
        let (_, device) = first.enroll_desktop_on_device();
        let sprayer = Client {
            address: Some("203.0.113.7".parse().unwrap()),
            device: None,
        };
        let guess = |world: &common::World, user: &str, client: Client, password: &str| {
            let view = world.service.start().unwrap();
            let view = world
                .service
                .submit(&view.login, Input::UserId(user.into()), Client::default())
                .unwrap();
            world.service.submit(
                &view.login,
                Input::Password(password.to_owned().into()),
                client,
            )
        };
        // 50 wrong passwords, on 50 User IDs, half on each node: all checked.
        for i in 0..50 {
            let world = if i % 2 == 0 { &first } else { &second };
            guess(world, &format!("user{i}@example.com"), sprayer, "wrong").unwrap();
        }
        // The 51st is refused unchecked, on either node.
        for world in [&first, &second] {
            let refused = guess(world, "user99@example.com", sprayer, "wrong").unwrap_err();
            assert!(
                matches!(refused, Error::Throttled { .. }),
                "{name}: {refused}"
            );
        }
        // Another network is not held.
        let elsewhere = Client {
            address: Some("198.51.100.1".parse().unwrap()),
            device: None,
        };
        guess(&first, "user1@example.com", elsewhere, "wrong").unwrap();
        // The owner, behind the sprayer's address, on the device that logged in before.
        let owner = Client { device, ..sprayer };
        let view = guess(&first, common::JOHN, owner, common::PASSWORD).unwrap();
        assert!(
            matches!(view.screen, Screen::EnterTokenCode { .. }),
            "{name}: {:?}",
            view.screen
        );
        // An hour later the network may try again.
        first.clock.advance(3600);
        second.clock.advance(3600);
        guess(&second, "user98@example.com", sprayer, "wrong").unwrap();
    }
}
