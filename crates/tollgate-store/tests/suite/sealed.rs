//! Secrets at rest: known-answer vectors for the sealed formats (computed independently, see
//! `tests/data/sealed_v1.txt`; format 2's are in `sealed_v2.rs`, format 3's in `rotation.rs`),
//! tampered vectors that must fail, and hostile rows that must be refused without a panic.
//!
//! Format 2 ([`AccountRow`]) seals a whole account state; format 1 sealed two columns of schema
//! version 1, which the migrations read ([`tollgate_store::legacy`]).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::vectors;

use std::collections::HashMap;

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_login::UserId;
use tollgate_store::legacy::{StoredAccount, StoredPending, StoredToken};
use tollgate_store::{AccountRow, SealingKey, StoreError as Error};
use vectors::{key, read, ring, unhex};

fn vectors() -> HashMap<String, String> {
    read(include_str!("../data/sealed_v1.txt"))
}

/// A row holding the vectors' sealed token secret and activation code.
fn row(v: &HashMap<String, String>) -> StoredAccount {
    StoredAccount {
        password_failures: 0,
        code_failures: 0,
        lockouts: 0,
        locked_until: None,
        token: Some(StoredToken {
            serial: v["serial"].clone(),
            sealed_secret: unhex(&v["token_secret_sealed"]),
            algorithm: "SHA256".into(),
            digits: 6,
            period: 30,
            t0: 0,
            last_step: None,
            drift: 0,
        }),
        pending: Some(StoredPending {
            serial: v["serial"].clone(),
            sealed_activation_code: unhex(&v["activation_code_sealed"]),
            policy: None,
            expires_at: 1_700_000_600,
            kind: "desktop".into(),
        }),
    }
}

#[test]
fn the_independent_vectors_open() {
    let v = vectors();
    let user: UserId = v["user"].parse().unwrap();
    let (state, pending) = row(&v).open(&user, &key(&v)).unwrap();
    let token = state.tokens().iter().next().unwrap();
    assert_eq!(
        token.secret.expose_secret(),
        v["token_secret_plaintext"].as_bytes()
    );
    assert_eq!(token.serial.to_string(), v["serial"]);
    // The pending activation opens too, and is handed back apart: the migration drops it.
    assert!(state.pending().is_none());
    let pending = pending.unwrap();
    assert_eq!(
        pending.activation_code().expose_grouped().as_str(),
        v["activation_code_plaintext"]
    );
}

#[test]
fn every_tampered_byte_and_every_wrong_binding_is_refused() {
    let v = vectors();
    let user: UserId = v["user"].parse().unwrap();
    let good = row(&v);
    let sealed_len = good.token.as_ref().unwrap().sealed_secret.len();
    for i in 0..sealed_len {
        let mut bad = good.clone();
        bad.token.as_mut().unwrap().sealed_secret[i] ^= 0x01;
        let refused = bad.open(&user, &key(&v)).unwrap_err();
        assert!(
            matches!(refused, Error::Integrity(_)),
            "byte {i}: {refused}"
        );
    }
    for cut in 0..sealed_len {
        let mut bad = good.clone();
        bad.token.as_mut().unwrap().sealed_secret.truncate(cut);
        assert!(matches!(
            bad.open(&user, &key(&v)),
            Err(Error::Integrity(_))
        ));
    }
    // Another user, another serial number, another key: none opens it.
    let eve: UserId = "eve@example.com".parse().unwrap();
    assert!(matches!(
        good.open(&eve, &key(&v)),
        Err(Error::Integrity(_))
    ));
    let mut moved = good.clone();
    moved.token.as_mut().unwrap().serial = "12211-49352".into();
    assert!(moved.open(&user, &key(&v)).is_err());
    assert!(matches!(
        good.open(&user, &SealingKey::new([0; 32])),
        Err(Error::Integrity(_))
    ));
    // The activation code's blob in the token secret's place: the label differs.
    let mut swapped = good.clone();
    swapped.token.as_mut().unwrap().sealed_secret = good
        .pending
        .as_ref()
        .unwrap()
        .sealed_activation_code
        .clone();
    assert!(matches!(
        swapped.open(&user, &key(&v)),
        Err(Error::Integrity(_))
    ));
}

#[test]
fn sealing_round_trips_and_never_repeats_a_nonce() {
    let v = vectors();
    let user: UserId = v["user"].parse().unwrap();
    let (state, _) = row(&v).open(&user, &key(&v)).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let a = AccountRow::seal(&state, &user, 3, &ring(&v), &mut rng);
    let b = AccountRow::seal(&state, &user, 3, &ring(&v), &mut rng);
    assert_ne!(a.sealed, b.sealed);
    assert_eq!(a.serials, vec![v["serial"].clone()]);
    let again = AccountRow::open(&a.sealed, &user, 3, &ring(&v)).unwrap();
    assert_eq!(
        again.tokens().iter().next().unwrap().secret.expose_secret(),
        v["token_secret_plaintext"].as_bytes()
    );
    assert!(
        !format!("{:?}", key(&v)).contains("0001"),
        "a key's Debug shows nothing"
    );
}

/// Format 2, written from its description in `tests/data/sealed_v2.txt`.
fn seal_like_the_service(
    key: &SealingKey,
    user: &UserId,
    version: u64,
    plaintext: &[u8],
) -> Vec<u8> {
    use chacha20poly1305::aead::{Aead, Payload};
    use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
    let mut aad = b"tollgate account state v2\0".to_vec();
    aad.extend_from_slice(user.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(&version.to_be_bytes());
    let nonce = [0x24u8; 24];
    let cipher = XChaCha20Poly1305::new(&(*key.expose_bytes()).into());
    let mut out = vec![2];
    out.extend_from_slice(&nonce);
    out.extend(
        cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .unwrap(),
    );
    out
}

#[test]
fn the_test_s_own_sealing_is_the_format() {
    let v = read(include_str!("../data/sealed_v2.txt"));
    let user: UserId = v["user"].parse().unwrap();
    let sealed = seal_like_the_service(&key(&v), &user, 7, v["plaintext"].as_bytes());
    assert!(AccountRow::open(&sealed, &user, 7, &ring(&v)).is_ok());
}

fn config() -> ProptestConfig {
    tollgate_test_kit::proptest_config(512, 0x5ea1)
}

proptest! {
    #![proptest_config(config())]

    /// Whatever a row holds (a corrupted or hostile database), opening it returns a value or
    /// an error, never a panic; and a row that opens seals back to one that opens the same.
    #[test]
    fn any_row_is_opened_or_refused(
        counters in proptest::array::uniform3(prop_oneof![any::<i64>(), 0_i64..10]),
        locked_until in any::<Option<i64>>(),
        serial in "[0-9-]{0,14}",
        sealed in proptest::collection::vec(any::<u8>(), 0..80),
        algorithm in "(SHA1|SHA256|SHA512|MD5|)",
        numbers in proptest::array::uniform5(prop_oneof![any::<i64>(), -2_i64..100]),
        last_step in any::<Option<i64>>(),
        policy in proptest::option::of("\\PC{0,40}"),
        kind in "(mobile|desktop|tablet)",
        genuine in any::<bool>(),
    ) {
        let v = vectors();
        let user: UserId = v["user"].parse().unwrap();
        // Half the rows carry the genuine sealed values, so that what lies around them (the
        // numbers, the algorithm, the policy, the kind) is what decides.
        let (serial, token_blob, code_blob) = if genuine {
            (
                v["serial"].clone(),
                unhex(&v["token_secret_sealed"]),
                unhex(&v["activation_code_sealed"]),
            )
        } else {
            (serial, sealed.clone(), sealed)
        };
        let row = StoredAccount {
            password_failures: counters[0],
            code_failures: counters[1],
            lockouts: counters[2],
            locked_until,
            token: Some(StoredToken {
                serial: serial.clone(),
                sealed_secret: token_blob,
                algorithm,
                digits: numbers[0],
                period: numbers[1],
                t0: numbers[2],
                last_step,
                drift: numbers[3],
            }),
            pending: Some(StoredPending {
                serial,
                sealed_activation_code: code_blob,
                policy,
                expires_at: numbers[4],
                kind,
            }),
        };
        let opened = row.open(&user, &key(&v));
        // With genuine sealed values and sensible numbers, the row must open.
        if genuine
            && counters.iter().all(|c| (0..10).contains(c))
            && locked_until.is_none_or(|t| t >= 0)
            && last_step.is_none_or(|t| t >= 0)
            && matches!(row.token.as_ref().unwrap().algorithm.as_str(), "SHA1" | "SHA256" | "SHA512")
            && (6..=8).contains(&numbers[0])
            && (1..100).contains(&numbers[1])
            && (0..100).contains(&numbers[2])
            && (-2..100).contains(&numbers[3])
            && (0..100).contains(&numbers[4])
            && row.pending.as_ref().unwrap().kind != "tablet"
            && row.pending.as_ref().unwrap().policy.is_none()
        {
            prop_assert!(opened.is_ok(), "{:?}", opened.err());
        }
        if let Ok((state, _)) = opened {
            let mut rng = ChaCha20Rng::seed_from_u64(2);
            let resealed = AccountRow::seal(&state, &user, 1, &ring(&v), &mut rng);
            prop_assert!(AccountRow::open(&resealed.sealed, &user, 1, &ring(&v)).is_ok());
        }
    }

    /// Whatever bytes a state column holds, opening them is refused, never a panic.
    #[test]
    fn any_sealed_state_is_refused(
        sealed in proptest::collection::vec(any::<u8>(), 0..200),
        version in any::<u64>(),
    ) {
        let v = read(include_str!("../data/sealed_v2.txt"));
        let user: UserId = v["user"].parse().unwrap();
        prop_assert!(matches!(
            AccountRow::open(&sealed, &user, version, &ring(&v)),
            Err(Error::Integrity(_))
        ));
    }

    /// A hostile plaintext, sealed as the service would (by the test's own XChaCha20-Poly1305,
    /// so that the JSON inside is what is attacked): the vector's own plaintext cut, spliced and
    /// mutated. Opening is a state or an integrity error, never a panic.
    #[test]
    fn any_plaintext_inside_a_good_seal_is_opened_or_refused(
        cut in 0usize..800,
        splice in "\\PC{0,12}",
        at in 0usize..800,
    ) {
        let v = read(include_str!("../data/sealed_v2.txt"));
        let user: UserId = v["user"].parse().unwrap();
        let plain = v["plaintext"].as_bytes();
        let (head, tail) = plain.split_at(at.min(plain.len()));
        let mut hostile = head.to_vec();
        hostile.extend_from_slice(splice.as_bytes());
        hostile.extend_from_slice(&tail[cut.min(tail.len())..]);
        let sealed = seal_like_the_service(&key(&v), &user, 7, &hostile);
        let opened = AccountRow::open(&sealed, &user, 7, &ring(&v));
        prop_assert!(opened.is_ok() || matches!(opened, Err(Error::Integrity(_))));
        if hostile == plain {
            prop_assert!(opened.is_ok());
        }
    }
}
