//! The service under load and abuse (`THREATS.md`: the password holder, the stranger who knows a
//! User ID, the operator of a cluster), on the memory store, a SQLite file and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod common;

use common::{Backing, backings, node};
use tollgate::login::{Config, Input, MessageId, PinKey, Screen, StateKey};

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
        let view = second.service.submit(&login, Input::Pin(pin)).unwrap();
        assert!(
            matches!(view.screen, Screen::ChooseEnrollment { .. }),
            "{name}: {:?}",
            view.screen
        );

        let login = first.past_the_password();
        let pin = first.outbox.last_pin().unwrap();
        let view = own_key.service.submit(&login, Input::Pin(pin)).unwrap();
        assert_eq!(
            view.notice.as_ref().map(|m| m.id),
            Some(MessageId::WrongPin),
            "{name}"
        );
    }
}
