//! Secrets at rest: known-answer vectors for the sealed format (computed independently, see
//! `tests/data/sealed_v1.txt`), tampered vectors that must fail, and hostile rows that must be
//! refused without a panic.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::collections::HashMap;

use proptest::prelude::*;
use tollgate::Error;
use tollgate::login::UserId;
use tollgate::store::{SealingKey, StoredAccount, StoredPending, StoredToken};

fn vectors() -> HashMap<String, String> {
    include_str!("data/sealed_v1.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l.split_once(" = ").unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn key(v: &HashMap<String, String>) -> SealingKey {
    SealingKey::new(unhex(&v["key"]).try_into().unwrap())
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
    let state = row(&v).open(&user, &key(&v)).unwrap();
    let token = state.token.unwrap();
    assert_eq!(
        token.secret.expose_secret(),
        v["token_secret_plaintext"].as_bytes()
    );
    assert_eq!(token.serial.to_string(), v["serial"]);
    let pending = state.pending.unwrap();
    assert_eq!(
        pending
            .activation
            .activation_code()
            .expose_grouped()
            .as_str(),
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
    let state = row(&v).open(&user, &key(&v)).unwrap();
    let a = StoredAccount::seal(&state, &user, &key(&v)).unwrap();
    let b = StoredAccount::seal(&state, &user, &key(&v)).unwrap();
    assert_ne!(
        a.token.as_ref().unwrap().sealed_secret,
        b.token.as_ref().unwrap().sealed_secret
    );
    let again = a.open(&user, &key(&v)).unwrap();
    assert_eq!(
        again.token.unwrap().secret.expose_secret(),
        v["token_secret_plaintext"].as_bytes()
    );
    assert!(
        !format!("{:?}", key(&v)).contains("0001"),
        "a key's Debug shows nothing"
    );
}

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(512);
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x5ea1);
    }
    config
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
        if let Ok(state) = opened {
            let resealed = StoredAccount::seal(&state, &user, &key(&v)).unwrap();
            prop_assert!(resealed.open(&user, &key(&v)).is_ok());
        }
    }
}
