//! The plain promises of a store, one call at a time.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::{Activation, ActivationLifetime, ActivationPassword, SerialNumber};
use tollgate_login::{Account, AccountState, AccountUpdate, Commit, LoginId, UserId};
use tollgate_otp::{Algorithm, Secret, UnixTime};

use super::{Check, ensure, err, stand_in_hash};
use crate::{Store, StoreError, UserRecord};

/// The plain promises: users are unique, account updates are compare-and-set and bump the
/// version, a state (with every secret of a token and a pending activation) round-trips,
/// serial numbers are unique across accounts, stored logins are compare-and-set too and expire,
/// and a [`Commit`] applies whole or not at all.
///
/// # Errors
/// The first promise broken.
pub fn basics(store: &dyn Store, seed: u64) -> Check {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let record = |id: &str| -> Check<UserRecord> {
        Ok(UserRecord {
            id: id.parse().map_err(err("User ID"))?,
            password: stand_in_hash(),
            account: Account::new(
                0,
                Some("+16132701234".parse().map_err(err("mobile"))?),
                None,
                AccountState::default(),
            ),
        })
    };
    let alice = record("alice@example.com")?;
    let bob = record("bob@example.com")?;
    store
        .insert_user(alice.clone())
        .map_err(err("insert alice"))?;
    store.insert_user(bob.clone()).map_err(err("insert bob"))?;
    ensure(
        matches!(
            store.insert_user(alice.clone()),
            Err(StoreError::DuplicateUser)
        ),
        || "a second user with the same ID was not refused as DuplicateUser".into(),
    )?;
    let loaded = store
        .user(&alice.id)
        .map_err(err("load alice"))?
        .ok_or("alice is not there")?;
    ensure(loaded.password == alice.password, || {
        "the password hash changed".into()
    })?;
    ensure(
        loaded.account.mobile().map(|m| m.as_str()) == Some("+16132701234"),
        || "the mobile number changed".into(),
    )?;
    let nobody: UserId = "nobody@example.com".parse().map_err(err("User ID"))?;
    ensure(
        store.user(&nobody).map_err(err("load nobody"))?.is_none(),
        || "an unknown user was found".into(),
    )?;
    super::passwords::passwords(store, &alice.id, &bob, &nobody)?;
    super::passwords::contacts(store, &alice.id, &bob.id)?;

    let document = full_state(&mut rng)?;
    let state = state_of(&document)?;
    accounts(store, &alice.id, &bob.id, &nobody, &document)?;
    super::logins::logins(store)?;
    super::logins::stand_ins(store, &bob.id, &nobody)?;
    super::clients::clients(store)?;
    super::audit::audit(store)?;
    super::commits::all_or_nothing(store, &alice.id, &state)?;
    let alice_now = store
        .user(&alice.id)
        .map_err(err("load alice"))?
        .ok_or("alice is gone")?;
    super::passwords::deletion(store, &alice_now, &bob.id)
}

/// A state with every field set: counters, locks, known devices, send times, recovery codes,
/// a grant, two tokens (one named) and a pending mobile activation with its QR, password,
/// open-path secret and an online registration. Written as the account's stored form (its
/// encoding's JSON), since a store may not build an account's state any other way.
fn full_state(rng: &mut ChaCha20Rng) -> Check<serde_json::Value> {
    let activation = Activation::issue(
        SerialNumber::generate(rng),
        None,
        UnixTime::from_secs(1_700_000_000),
        ActivationLifetime::TEN_MINUTES,
        rng,
    );
    let params = serde_json::json!({"algorithm": "SHA1", "digits": 6, "period": 30, "t0": 0});
    let base32 = |secret: &Secret| secret.expose_base32().to_string();
    let login = serde_json::to_value(LoginId::from_bytes([9; 16])).map_err(err("login"))?;
    Ok(serde_json::json!({
        "password_failures": 2,
        "second_factor_failures": 3,
        "lockouts": 1,
        "locked_until": 1_700_000_600,
        "password_lockouts": 4,
        "password_locked_until": 1_700_000_900,
        "sms_sent": [1_699_999_000],
        "email_sent": [1_699_999_100, 1_699_999_200],
        "reset_failures": 5,
        "password_expired": true,
        "recovery_codes": ["5c".repeat(32), "c5".repeat(32)],
        "devices": [
            {"digest": "d1".repeat(32), "last_login": 1_699_000_000, "failures": 3,
             "locked_until": 1_700_000_060},
            {"digest": "d2".repeat(32), "last_login": 1_699_500_000, "failures": 0,
             "locked_until": null},
        ],
        "token": {
            "serial": SerialNumber::generate(rng).to_string(),
            "secret": base32(&Secret::from_array([7u8; 32])),
            "params": params,
            "last_step": 56_666_666,
            "drift": -2,
            "kind": "Desktop",
            "enrolled_at": 1_690_000_000,
        },
        "more_tokens": [{
            "serial": SerialNumber::generate(rng).to_string(),
            "secret": base32(&Secret::from_array([8u8; 20])),
            "params": params,
            "last_step": null,
            "drift": 1,
            "kind": "Mobile",
            "name": "Téléphone de travail",
            "enrolled_at": 1_695_000_000,
        }],
        "pending": {
            "serial": activation.serial().to_string(),
            "activation_code": activation.activation_code().expose_grouped().to_string(),
            "policy": null,
            "expires_at": activation.expires_at().as_secs(),
            "kind": "Mobile",
            "login": login,
            "mobile": {
                "uri": "igmobileotp://?action=secactivate&enc=AAAA&v=1&mac=BBBB",
                "password": ActivationPassword::generate(rng).expose_secret().to_string(),
            },
            "open": {"secret": base32(&Secret::generate(Algorithm::Sha1, rng)), "params": params},
            "registered": {"code": "12211-49352", "at": 1_700_000_030},
            "online_failures": 3,
        },
        "grant": {"hash": "5a".repeat(32), "expires_at": 1_700_086_400},
        "last_login": 1_699_990_000,
    }))
}

/// The state a document in the account's stored form holds (checked to be every field of it:
/// what the encoding writes back is the document).
fn state_of(document: &serde_json::Value) -> Check<AccountState> {
    let bytes = serde_json::to_vec(document).map_err(err("the document"))?;
    let state = AccountState::decode(&bytes).map_err(err("the document"))?;
    let encoded = state.encode();
    let back: serde_json::Value =
        serde_json::from_slice(encoded.get(1..).unwrap_or_default()).map_err(err("encoded"))?;
    ensure(&back == document, || {
        format!("the state does not hold every field of its document: {back}")
    })?;
    Ok(state)
}

/// `document` with only the fields `keep` (a state holding only those).
fn only(document: &serde_json::Value, keep: &[&str]) -> Check<AccountState> {
    let mut part = serde_json::json!({
        "password_failures": 0, "second_factor_failures": 0, "lockouts": 0,
        "locked_until": null, "token": null, "pending": null,
    });
    for field in keep {
        part[*field] = document[*field].clone();
    }
    let bytes = serde_json::to_vec(&part).map_err(err("a part"))?;
    AccountState::decode(&bytes).map_err(err("a part"))
}

fn update(store: &dyn Store, user: &UserId, update: &AccountUpdate) -> Check<bool> {
    store
        .commit(&Commit {
            account: Some((user, update)),
            replaces: None,
            login: None,
            stand_in: None,
        })
        .map_err(err("update"))
}

fn accounts(
    store: &dyn Store,
    alice: &UserId,
    bob: &UserId,
    nobody: &UserId,
    document: &serde_json::Value,
) -> Check {
    let state = &state_of(document)?;
    // Alice's version now (the password and contacts changes may have moved it on).
    let base = store
        .user(alice)
        .map_err(err("load alice"))?
        .ok_or("alice is gone")?
        .account
        .version();
    let change = AccountUpdate {
        expected_version: base,
        state: state.clone(),
    };
    ensure(update(store, alice, &change)?, || {
        "an update at the stored version was refused".into()
    })?;
    ensure(!update(store, alice, &change)?, || {
        "an update at a stale version was applied".into()
    })?;
    let loaded = store
        .user(alice)
        .map_err(err("reload"))?
        .ok_or("alice is gone")?
        .account;
    ensure(loaded.version() == base + 1, || {
        format!("version is {} after one update", loaded.version())
    })?;
    same_state(loaded.state(), state)?;

    // Bob cannot take alice's token serial number, nor her pending one.
    for taken in [
        only(document, &["token", "more_tokens"])?,
        only(document, &["pending"])?,
    ] {
        let change = AccountUpdate {
            expected_version: 0,
            state: taken,
        };
        ensure(!update(store, bob, &change)?, || {
            "a second account was given a serial number already in use".into()
        })?;
    }
    let change = AccountUpdate {
        expected_version: 0,
        state: AccountState::default(),
    };
    ensure(!update(store, nobody, &change)?, || {
        "an update to an unknown user was applied".into()
    })?;
    // Once alice lets her serial numbers go, bob may have them.
    let released = AccountUpdate {
        expected_version: base + 1,
        state: AccountState::default(),
    };
    ensure(update(store, alice, &released)?, || {
        "alice's release was refused".into()
    })?;
    let taken = AccountUpdate {
        expected_version: 0,
        state: only(document, &["token", "more_tokens"])?,
    };
    ensure(update(store, bob, &taken)?, || {
        "a serial number that was let go could not be taken".into()
    })?;
    let back = AccountUpdate {
        expected_version: base + 2,
        state: state.clone(),
    };
    ensure(!update(store, alice, &back)?, || {
        "alice took back a serial number bob holds now".into()
    })?;
    let released = AccountUpdate {
        expected_version: 1,
        state: AccountState::default(),
    };
    ensure(update(store, bob, &released)?, || {
        "bob's release was refused".into()
    })
}

/// Two states are the same, secrets included: their encodings are (every field is in it).
pub(crate) fn same_state(got: &AccountState, want: &AccountState) -> Check {
    ensure(got.encode() == want.encode(), || {
        "the state changed in the store (counters, locks, tokens or the pending activation)".into()
    })
}
