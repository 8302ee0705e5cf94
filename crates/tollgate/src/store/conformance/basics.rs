//! The plain promises of a store, one call at a time.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_login::{Account, AccountState, AccountUpdate, EnrollmentKind};
use tollgate_otp::UnixTime;

use super::{Check, ensure, err};
use crate::error::Error;
use crate::password::danger;
use crate::store::{Store, UserRecord};

/// The plain promises: users are unique, updates are compare-and-set and bump the version,
/// state (with its sealed secrets) round-trips, serial numbers are unique across accounts, and
/// logins in progress expire.
///
/// # Errors
/// The first promise broken.
pub fn basics(store: &dyn Store, passwords_seed: u64) -> Check {
    let mut rng = ChaCha20Rng::seed_from_u64(passwords_seed);
    let passwords = danger::weak_passwords_for_tests(&mut rng).map_err(err("passwords"))?;
    let record = |id: &str| -> Check<UserRecord> {
        Ok(UserRecord {
            id: id.parse().map_err(|e| format!("{e}"))?,
            password: passwords
                .hash(b"pw", &mut rng.clone())
                .map_err(err("hash"))?,
            account: Account {
                version: 0,
                mobile: Some("+16132701234".parse().map_err(|e| format!("{e}"))?),
                email: None,
                state: AccountState::default(),
            },
        })
    };
    let alice = record("alice@example.com")?;
    let bob = record("bob@example.com")?;
    store
        .insert_user(alice.clone())
        .map_err(err("insert alice"))?;
    store.insert_user(bob.clone()).map_err(err("insert bob"))?;
    ensure(
        matches!(store.insert_user(alice.clone()), Err(Error::DuplicateUser)),
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
        loaded.account.mobile.as_ref().map(|m| m.as_str()) == Some("+16132701234"),
        || "the mobile number changed".into(),
    )?;
    ensure(
        store
            .user(&"nobody@example.com".parse().map_err(|e| format!("{e}"))?)
            .map_err(err("load nobody"))?
            .is_none(),
        || "an unknown user was found".into(),
    )?;

    // A state with a token and a pending activation, each with secrets.
    let mut state = AccountState {
        password_failures: 2,
        code_failures: 3,
        lockouts: 1,
        locked_until: Some(UnixTime::from_secs(1_700_000_600)),
        ..AccountState::default()
    };
    let secret = tollgate_otp::Secret::from_array([7u8; 32]);
    let serial = tollgate_codes::SerialNumber::generate(&mut rng);
    state.token = Some(tollgate_login::TokenRecord {
        serial,
        secret,
        params: tollgate_otp::TotpParams::default(),
        last_step: Some(tollgate_otp::Step::new(56_666_666)),
        drift: -2,
    });
    let activation = tollgate_codes::Activation::issue(
        tollgate_codes::SerialNumber::generate(&mut rng),
        None,
        UnixTime::from_secs(1_700_000_000),
        tollgate_codes::ActivationLifetime::default(),
        &mut rng,
    );
    state.pending = Some(tollgate_login::PendingActivation {
        activation,
        kind: EnrollmentKind::Mobile,
    });
    let update = AccountUpdate {
        expected_version: 0,
        state: state.clone(),
    };
    ensure(
        store
            .update_account(&alice.id, &update)
            .map_err(err("update"))?,
        || "an update at the stored version was refused".into(),
    )?;
    ensure(
        !store
            .update_account(&alice.id, &update)
            .map_err(err("stale update"))?,
        || "an update at a stale version was applied".into(),
    )?;
    let loaded = store
        .user(&alice.id)
        .map_err(err("reload"))?
        .ok_or("alice is gone")?
        .account;
    ensure(loaded.version == 1, || {
        format!("version is {} after one update", loaded.version)
    })?;
    same_state(&loaded.state, &state)?;

    // Bob cannot take alice's token serial number, nor her pending one.
    let taken = AccountUpdate {
        expected_version: 0,
        state: AccountState {
            token: state.token.clone(),
            ..AccountState::default()
        },
    };
    ensure(
        !store
            .update_account(&bob.id, &taken)
            .map_err(err("serial collision"))?,
        || "a second account was given a token serial number already in use".into(),
    )?;
    let taken = AccountUpdate {
        expected_version: 0,
        state: AccountState {
            pending: state.pending.clone(),
            ..AccountState::default()
        },
    };
    ensure(
        !store
            .update_account(&bob.id, &taken)
            .map_err(err("pending collision"))?,
        || "a second account was given an activation serial number already in use".into(),
    )?;
    ensure(
        !store
            .update_account(
                &"nobody@example.com".parse().map_err(|e| format!("{e}"))?,
                &AccountUpdate {
                    expected_version: 0,
                    state: AccountState::default(),
                },
            )
            .map_err(err("unknown"))?,
        || "an update to an unknown user was applied".into(),
    )?;

    // An update with the login saved alongside: both or neither.
    let now = UnixTime::from_secs(1_700_000_000);
    let later = UnixTime::from_secs(1_700_000_100);
    ensure(
        !store
            .update_account_and_save_login(&alice.id, &update, "k0", "stale", later)
            .map_err(err("stale update with login"))?,
        || "a stale update with its login was applied".into(),
    )?;
    ensure(
        store.load_login("k0", now).map_err(err("load"))?.is_none(),
        || "the login of a refused update was saved".into(),
    )?;
    let next = AccountUpdate {
        expected_version: 1,
        state: state.clone(),
    };
    ensure(
        store
            .update_account_and_save_login(&alice.id, &next, "k0", "moved on", later)
            .map_err(err("update with login"))?,
        || "an update with its login at the stored version was refused".into(),
    )?;
    ensure(
        store.load_login("k0", now).map_err(err("load"))? == Some("moved on".into()),
        || "the login of an applied update was not saved".into(),
    )?;

    // Logins in progress.
    store
        .save_login("k1", "{\"a\":1}", UnixTime::from_secs(1_700_000_100))
        .map_err(err("save"))?;
    store
        .save_login("k1", "{\"a\":2}", UnixTime::from_secs(1_700_000_100))
        .map_err(err("overwrite"))?;
    ensure(
        store.load_login("k1", now).map_err(err("load"))? == Some("{\"a\":2}".into()),
        || "a saved login did not come back as last saved".into(),
    )?;
    ensure(
        store
            .load_login("k1", UnixTime::from_secs(1_700_000_100))
            .map_err(err("load expired"))?
            .is_none(),
        || "a login was loaded at its expiry".into(),
    )?;
    store
        .save_login("k2", "x", UnixTime::from_secs(1_700_000_100))
        .map_err(err("save"))?;
    store.remove_login("k2").map_err(err("remove"))?;
    ensure(
        store.load_login("k2", now).map_err(err("load"))?.is_none(),
        || "a removed login was loaded".into(),
    )?;
    ensure(
        store
            .load_login("never", now)
            .map_err(err("load"))?
            .is_none(),
        || "an unknown login was loaded".into(),
    )
}

/// Two states are the same, secrets included.
fn same_state(got: &AccountState, want: &AccountState) -> Check {
    let plain = |s: &AccountState| {
        (
            s.password_failures,
            s.code_failures,
            s.lockouts,
            s.locked_until,
        )
    };
    ensure(plain(got) == plain(want), || {
        "counters or the lock changed".into()
    })?;
    match (&got.token, &want.token) {
        (None, None) => {}
        (Some(g), Some(w)) => ensure(
            g.serial == w.serial
                && g.secret.expose_secret() == w.secret.expose_secret()
                && g.params == w.params
                && g.last_step == w.last_step
                && g.drift == w.drift,
            || "the token changed in the store".into(),
        )?,
        _ => return Err("the token appeared or vanished".into()),
    }
    match (&got.pending, &want.pending) {
        (None, None) => Ok(()),
        (Some(g), Some(w)) => ensure(
            g.kind == w.kind
                && g.activation.serial() == w.activation.serial()
                && g.activation.activation_code().expose_grouped()
                    == w.activation.activation_code().expose_grouped()
                && g.activation.expires_at() == w.activation.expires_at()
                && g.activation.policy().map(|p| p.as_str())
                    == w.activation.policy().map(|p| p.as_str()),
            || "the pending activation changed in the store".into(),
        ),
        _ => Err("the pending activation appeared or vanished".into()),
    }
}
