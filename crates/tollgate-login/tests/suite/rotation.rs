//! Rotating the state key and the PIN key while logins are in progress: a login stored under
//! the old keys goes on once the service holds the new ones (each as the current key of a ring
//! that still holds the old), is sealed under the new state key at its next step, and is
//! refused once the old key is dropped. A stored login of the previous version's format
//! (`tl2:`, no key id; its tag computed here independently with `hmac`) still opens.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::sim;

use hmac::{Hmac, KeyInit, Mac as _};
use sha2::Sha256;
use sim::{JOHN, PASSWORD, sim};
use tollgate_login::{
    DriveError, Driver, Input, LoginMachine, PinKey, PinKeys, Refusal, RingKey as _, Screen,
    SealedLogin, StateKey, StateKeys,
};

/// The simulator's own keys (`sim::Sim::new`).
fn old_keys() -> (StateKey, PinKey) {
    (StateKey::new([0x42; 32]), PinKey::new([0x24; 32]))
}

fn new_keys() -> (StateKey, PinKey) {
    (StateKey::new([0x43; 32]), PinKey::new([0x25; 32]))
}

fn driver(sim: &sim::Sim, state: StateKeys, pin: PinKeys) -> Driver {
    Driver::new(
        LoginMachine::new(sim.driver.machine().config().clone(), pin),
        state,
    )
}

#[test]
fn a_login_stored_under_the_old_keys_goes_on_and_is_sealed_under_the_new_one() {
    let mut sim = sim();
    let (old_state, old_pin) = old_keys();
    let (new_state, new_pin) = new_keys();
    let (mut login, output) = sim.log_in(JOHN, PASSWORD);
    assert!(matches!(output.screen, Screen::EnterPin { .. }));
    assert_eq!(sim.row(&login).key_id(), Some(old_state.id()));
    let pin = sim.last_pin();
    // The rotation: the new keys current, the old ones kept to read what they protected.
    sim.driver = driver(
        &sim,
        StateKeys::new(new_state.clone()).with_old(old_state),
        PinKeys::new(new_pin).with_old(old_pin),
    );
    // The PIN was hashed under the old PIN key; it is still the PIN.
    let output = sim.submit(&mut login, Input::Pin(pin));
    assert!(
        matches!(output.screen, Screen::ChooseEnrollment { .. }),
        "{:?}",
        output.screen
    );
    assert_eq!(sim.row(&login).key_id(), Some(new_state.id()));
    // With the old key dropped, the login (now under the new key) still goes on.
    sim.driver = driver(&sim, StateKeys::new(new_state), PinKeys::new(new_keys().1));
    assert!(sim.try_submit(&mut login, Input::Tick).is_ok());
}

#[test]
fn once_the_old_keys_are_dropped_a_login_under_them_is_refused() {
    let mut sim = sim();
    let (mut login, _) = sim.log_in(JOHN, PASSWORD);
    let pin = sim.last_pin();
    let (new_state, new_pin) = new_keys();
    sim.driver = driver(&sim, StateKeys::new(new_state), PinKeys::new(new_pin));
    assert!(matches!(
        sim.try_submit(&mut login, Input::Pin(pin)),
        Err(DriveError::Refused(Refusal::Unverified))
    ));
}

#[test]
fn a_pin_hashed_under_the_old_pin_key_is_refused_once_that_key_is_dropped() {
    let mut sim = sim();
    let (old_state, _) = old_keys();
    let (_, new_pin) = new_keys();
    let (mut login, _) = sim.log_in(JOHN, PASSWORD);
    let pin = sim.last_pin();
    // The state key stays; only the PIN key is replaced, without the old one.
    sim.driver = driver(&sim, StateKeys::new(old_state), PinKeys::new(new_pin));
    let output = sim.submit(&mut login, Input::Pin(pin));
    assert!(
        matches!(output.screen, Screen::EnterPin { .. }),
        "the right PIN under a dropped key: {:?}",
        output.screen
    );
}

#[test]
fn a_stored_login_of_the_previous_format_opens_under_an_old_key() {
    let mut sim = sim();
    let (old_state, old_pin) = old_keys();
    let (new_state, new_pin) = new_keys();
    let (mut login, _) = sim.log_in(JOHN, PASSWORD);
    let pin = sim.last_pin();
    // The row as the version before key ids wrote it: `tl2:<tag>:<json>`, the tag an
    // HMAC-SHA-256 over "tollgate stored login v2\0", the digest, the version and the JSON.
    let row = sim.row(&login);
    let json = row.text.splitn(4, ':').nth(3).unwrap().to_owned();
    // And its PIN record without the PIN key's id, as that version wrote it.
    let field = format!(",\"key\":\"{}\"", old_pin.id());
    assert!(json.contains(&field), "{json}");
    let json = json.replacen(&field, "", 1);
    let digest = login.key.digest();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[0x42; 32]).unwrap();
    mac.update(b"tollgate stored login v2\0");
    mac.update(digest.as_bytes());
    mac.update(&row.version.to_be_bytes());
    mac.update(json.as_bytes());
    let tag: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let previous = SealedLogin {
        text: format!("tl2:{tag}:{json}"),
        ..row.clone()
    };
    assert_eq!(previous.key_id(), None);
    sim.put_row(digest, previous.clone());
    let ring = StateKeys::new(new_state.clone()).with_old(old_state);
    assert!(previous.open(&ring, &digest).is_ok());
    // Tampered: one character of the JSON.
    let mut tampered = previous.clone();
    tampered.text = tampered.text.replacen("\"stage\"", "\"Stage\"", 1);
    assert!(tampered.open(&ring, &digest).is_err());
    // Nor under a ring without its key.
    assert!(
        previous
            .open(&StateKeys::new(new_state.clone()), &digest)
            .is_err()
    );
    sim.driver = driver(&sim, ring, PinKeys::new(new_pin).with_old(old_pin));
    let output = sim.submit(&mut login, Input::Pin(pin));
    assert!(matches!(output.screen, Screen::ChooseEnrollment { .. }));
    assert_eq!(sim.row(&login).key_id(), Some(new_state.id()));
}

#[test]
fn a_row_naming_another_key_of_the_ring_is_refused() {
    let mut sim = sim();
    let (old_state, _) = old_keys();
    let (new_state, _) = new_keys();
    let (login, _) = sim.log_in(JOHN, PASSWORD);
    let row = sim.row(&login);
    // The key id swapped for the other key's: the tag covers the id.
    let swapped = SealedLogin {
        text: row
            .text
            .replacen(&old_state.id().to_string(), &new_state.id().to_string(), 1),
        ..row.clone()
    };
    let ring = StateKeys::new(new_state).with_old(old_state);
    assert!(row.open(&ring, &login.key.digest()).is_ok());
    assert!(swapped.open(&ring, &login.key.digest()).is_err());
}
