//! Format 2 of a sealed account state ([`AccountRow`], the format before key ids, which every
//! store written by the previous version holds): the independent vector of
//! `tests/data/sealed_v2.txt` (`sealed_v2.py`) opens field by field, and every tampered byte and
//! wrong binding is refused.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::vectors;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_login::UserId;
use tollgate_store::{AccountRow, SealingKey, SealingKeys, StoreError as Error};
use vectors::{read, ring, unhex};

/// The state of the format 2 vector, field by field.
#[test]
fn the_independent_format_2_vector_opens() {
    let v = read(include_str!("../data/sealed_v2.txt"));
    let user: UserId = v["user"].parse().unwrap();
    let version: u64 = v["version"].parse().unwrap();
    let state = AccountRow::open(&unhex(&v["sealed"]), &user, version, &ring(&v)).unwrap();
    assert_eq!(
        (
            state.password_failures(),
            state.second_factor_failures(),
            state.lockouts()
        ),
        (1, 42, 3)
    );
    assert_eq!(state.locked_until().unwrap().as_secs(), 1_700_000_600);
    let token = state.tokens().first().unwrap();
    assert_eq!(token.secret.expose_secret(), b"12345678901234567890");
    assert_eq!(token.serial.to_string(), "48244-13456");
    assert_eq!(token.last_step.unwrap().get(), 56_666_666);
    assert_eq!(token.drift, -1);
    let pending = state.pending().unwrap();
    assert_eq!(pending.activation.serial().to_string(), "12345-67897");
    assert_eq!(
        pending
            .activation
            .activation_code()
            .expose_grouped()
            .as_str(),
        "1745-7712-6942-8698"
    );
    assert_eq!(
        pending.login.as_bytes(),
        &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    );
    let mobile = pending.mobile.as_ref().unwrap();
    assert_eq!(mobile.password.expose_secret().as_str(), "67709540");
    assert!(mobile.uri.starts_with("igmobileotp://"));
    let open = pending.open.as_ref().unwrap();
    assert_eq!(open.secret.expose_secret(), b"12345678901234567890");
    assert_eq!(open.params.algorithm(), tollgate_otp::Algorithm::Sha1);
    // Written before known devices and the strangers' own cool-down: read as none of either,
    // and written back with them at the next change.
    assert!(state.devices().is_empty());
    assert_eq!(state.password_lockouts(), 0);
    assert!(state.password_locked_until().is_none());
    let next = vectors::edited(&state, |document| {
        document["password_lockouts"] = 2.into();
        document["devices"] = serde_json::json!([{
            "digest": "07".repeat(32), "last_login": 1_700_000_000, "failures": 1,
            "locked_until": null,
        }]);
    });
    assert_eq!(next.devices()[0].digest, [7; 32]);
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let sealed = AccountRow::seal(&next, &user, version + 1, &ring(&v), &mut rng);
    let reread = AccountRow::open(&sealed.sealed, &user, version + 1, &ring(&v)).unwrap();
    assert_eq!(reread.devices(), next.devices());
    assert_eq!(reread.password_lockouts(), 2);
}

/// Written before several authenticators (one `token`, no name, kind or date): read as the
/// account's one authenticator, undated; a second one added beside it is written and read
/// back, the oldest first.
#[test]
fn a_token_written_before_several_authenticators_is_the_first_of_them() {
    let v = read(include_str!("../data/sealed_v2.txt"));
    let user: UserId = v["user"].parse().unwrap();
    let version: u64 = v["version"].parse().unwrap();
    let state = AccountRow::open(&unhex(&v["sealed"]), &user, version, &ring(&v)).unwrap();
    assert_eq!(state.tokens().len(), 1);
    let old = &state.tokens()[0];
    assert_eq!((old.kind, &old.name, old.enrolled_at), (None, &None, None));
    let next = vectors::edited(&state, |document| {
        let mut added = document["token"].clone();
        added["serial"] = "12211-49352".into();
        added["kind"] = "Mobile".into();
        added["name"] = "Work phone".into();
        added["enrolled_at"] = 1_700_000_100.into();
        document["more_tokens"] = serde_json::json!([added]);
        document["pending"] = serde_json::Value::Null;
    });
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let sealed = AccountRow::seal(&next, &user, version + 1, &ring(&v), &mut rng);
    assert_eq!(sealed.serials, ["48244-13456", "12211-49352"]);
    let reread = AccountRow::open(&sealed.sealed, &user, version + 1, &ring(&v)).unwrap();
    let serials: Vec<_> = reread
        .tokens()
        .iter()
        .map(|t| t.serial.to_string())
        .collect();
    assert_eq!(serials, ["48244-13456", "12211-49352"]);
    assert_eq!(
        reread.tokens()[1].name.as_ref().unwrap().as_str(),
        "Work phone"
    );
    assert_eq!(reread.tokens()[1].enrolled_at, next.tokens()[1].enrolled_at);
    assert_eq!(reread.tokens()[0].kind, None);
}

/// Every byte of the format 2 vector changed, every cut, another user, another version (an
/// older state put back), another key: all refused.
#[test]
fn every_tampered_byte_of_format_2_and_every_wrong_binding_is_refused() {
    let v = read(include_str!("../data/sealed_v2.txt"));
    let user: UserId = v["user"].parse().unwrap();
    let version: u64 = v["version"].parse().unwrap();
    let good = unhex(&v["sealed"]);
    let refused = |sealed: &[u8], user: &UserId, version: u64, key: &SealingKeys| {
        matches!(
            AccountRow::open(sealed, user, version, key),
            Err(Error::Integrity(_))
        )
    };
    let mut refusals = 0;
    for i in 0..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0x01;
        refusals += usize::from(refused(&bad, &user, version, &ring(&v)));
        refusals += usize::from(refused(&good[..i], &user, version, &ring(&v)));
    }
    assert_eq!(refusals, 2 * good.len());
    let eve: UserId = "eve@example.com".parse().unwrap();
    assert!(refused(&good, &eve, version, &ring(&v)));
    assert!(refused(&good, &user, version + 1, &ring(&v)));
    assert!(refused(&good, &user, version - 1, &ring(&v)));
    assert!(refused(
        &good,
        &user,
        version,
        &SealingKeys::new(SealingKey::new([0; 32]))
    ));
}
