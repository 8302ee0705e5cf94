//! Key rotation at rest: format 3 of [`AccountRow`] names its sealing key, so that a
//! [`SealingKeys`] ring (one current key, old ones beside it) opens rows sealed under any of
//! them and seals under the current one.
//!
//! Known-answer vector: `tests/data/sealed_v3.txt`, computed independently by
//! `tests/data/sealed_v3.py` (PyCryptodome, hashlib). The format 2 vector (before key ids) is
//! the data the previous version wrote: it opens under a ring where its key is an old one.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::vectors;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_login::{RingKey as _, UserId};
use tollgate_store::{AccountRow, SealingKey, SealingKeys, StoreError};
use vectors::{key, read, unhex};

/// What the state holds, secrets included (its `Debug` redacts them; `AccountState` has no
/// `PartialEq`).
fn holds(state: &tollgate_login::AccountState) -> String {
    let secret: Vec<_> = state
        .tokens()
        .iter()
        .map(|t| t.secret.expose_base32().to_string())
        .collect();
    format!("{state:?} {secret:?}")
}

fn other_key() -> SealingKey {
    SealingKey::new([0xa5; 32])
}

#[test]
fn the_independent_format_3_vector_opens_and_names_its_key() {
    let v = read(include_str!("../data/sealed_v3.txt"));
    let user: UserId = v["user"].parse().unwrap();
    let version: u64 = v["version"].parse().unwrap();
    let sealed = unhex(&v["sealed"]);
    let key = key(&v);
    assert_eq!(key.id().to_string(), v["key_id"], "the key id derivation");
    assert_eq!(AccountRow::key_id(&sealed), Some(key.id()));
    // As the current key, and as an old key beside another current one.
    let current = AccountRow::open(&sealed, &user, version, &SealingKeys::new(key.clone()));
    let old = AccountRow::open(
        &sealed,
        &user,
        version,
        &SealingKeys::new(other_key()).with_old(key.clone()),
    );
    let state = current.unwrap();
    assert_eq!(holds(&old.unwrap()), holds(&state));
    assert_eq!(
        (state.password_failures(), state.second_factor_failures()),
        (1, 42)
    );
    // Written before online registration: its pending activation has none arrived and
    // none refused, and the user's OK finds nothing to finish with.
    let pending = state.pending().unwrap();
    assert!(pending.registered.is_none());
    assert_eq!(pending.online_failures, 0);
    // Written before the password reset: no reset failures.
    assert_eq!(state.reset_failures(), 0);
    assert!(!state.password_expired());
    assert!(state.recovery_codes().is_empty());
    assert_eq!(
        state.tokens().iter().next().unwrap().serial.to_string(),
        "48244-13456",
        "the vector's token"
    );
}

/// A state with an online registration filed seals and opens with it (the fields the earlier
/// format lacked), and the registration code does not show in the sealed row.
#[test]
fn an_online_registration_round_trips_sealed() {
    let v = read(include_str!("../data/sealed_v3.txt"));
    let user: UserId = v["user"].parse().unwrap();
    let keys = SealingKeys::new(key(&v));
    let state = AccountRow::open(&unhex(&v["sealed"]), &user, 7, &keys).unwrap();
    let state = vectors::edited(&state, |document| {
        document["pending"]["registered"] =
            serde_json::json!({"code": "65436-07987", "at": 1_700_000_100});
        document["pending"]["online_failures"] = 4.into();
        document["reset_failures"] = 6.into();
        document["password_expired"] = true.into();
        document["recovery_codes"] = serde_json::json!(["ab".repeat(32)]);
    });
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let row = AccountRow::seal(&state, &user, 8, &keys, &mut rng);
    assert!(!String::from_utf8_lossy(&row.sealed).contains("65436"));
    let opened = AccountRow::open(&row.sealed, &user, 8, &keys).unwrap();
    assert_eq!(opened.reset_failures(), 6);
    assert!(opened.password_expired());
    assert_eq!(opened.recovery_codes().len(), 1);
    let pending = opened.pending().unwrap();
    let registered = pending.registered.as_ref().unwrap();
    assert_eq!(registered.code.to_string(), "65436-07987");
    assert_eq!(registered.at.as_secs(), 1_700_000_100);
    assert_eq!(pending.online_failures, 4);
}

#[test]
fn every_tampered_byte_of_format_3_and_a_missing_key_are_refused() {
    let v = read(include_str!("../data/sealed_v3.txt"));
    let user: UserId = v["user"].parse().unwrap();
    let version: u64 = v["version"].parse().unwrap();
    let good = unhex(&v["sealed"]);
    let ring = SealingKeys::new(key(&v));
    let mut refused = 0;
    for i in 0..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0x01;
        refused += usize::from(matches!(
            AccountRow::open(&bad, &user, version, &ring),
            Err(StoreError::Integrity(_))
        ));
    }
    // Every byte: the format, the key id (another key, or a key the ring lacks), the nonce,
    // the ciphertext and the tag.
    assert_eq!(refused, good.len());
    // Without its key, the error names the key it needs and the ones held.
    let Err(StoreError::Integrity(why)) =
        AccountRow::open(&good, &user, version, &SealingKeys::new(other_key()))
    else {
        panic!("opened under a ring without its key");
    };
    assert!(why.contains(&v["key_id"]), "{why}");
    assert!(why.contains(&other_key().id().to_string()), "{why}");
    // Nor under the right key for another version or user.
    assert!(AccountRow::open(&good, &user, version + 1, &ring).is_err());
    let eve: UserId = "eve@example.com".parse().unwrap();
    assert!(AccountRow::open(&good, &eve, version, &ring).is_err());
}

#[test]
fn a_format_2_row_opens_under_an_old_key_and_reseals_under_the_current_one() {
    let v = read(include_str!("../data/sealed_v2.txt"));
    let user: UserId = v["user"].parse().unwrap();
    let version: u64 = v["version"].parse().unwrap();
    let written_before = unhex(&v["sealed"]);
    assert_eq!(AccountRow::key_id(&written_before), None);
    let ring = SealingKeys::new(other_key()).with_old(key(&v));
    let state = AccountRow::open(&written_before, &user, version, &ring).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let resealed = AccountRow::seal(&state, &user, version + 1, &ring, &mut rng);
    assert_eq!(AccountRow::key_id(&resealed.sealed), Some(other_key().id()));
    // Once every row is resealed, the old key can go.
    let only_new = SealingKeys::new(other_key());
    assert_eq!(
        holds(&AccountRow::open(&resealed.sealed, &user, version + 1, &only_new).unwrap()),
        holds(&state)
    );
    assert!(AccountRow::open(&written_before, &user, version, &only_new).is_err());
}

#[test]
fn a_key_in_a_debug_shows_its_id_and_never_its_bytes() {
    let ring = SealingKeys::new(SealingKey::new([0x42; 32])).with_old(other_key());
    let shown = format!("{ring:?} {:?}", SealingKey::new([0x42; 32]));
    assert!(
        !shown.contains("42, 42") && !shown.contains("4242"),
        "{shown}"
    );
    assert!(shown.contains(&other_key().id().to_string()), "{shown}");
}
