//! The plain promises of a store, one call at a time.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::{Activation, ActivationLifetime, ActivationPassword, SerialNumber};
use tollgate_login::{
    Account, AccountState, AccountUpdate, Commit, EnrollmentKind, KnownDevice, LoginId, MobileQr,
    OnlineRegistration, OpenToken, PendingActivation, TokenRecord, UserId,
};
use tollgate_otp::{Algorithm, Secret, Step, TotpParams, UnixTime};

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
            account: Account {
                version: 0,
                mobile: Some("+16132701234".parse().map_err(err("mobile"))?),
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
        loaded.account.mobile.as_ref().map(|m| m.as_str()) == Some("+16132701234"),
        || "the mobile number changed".into(),
    )?;
    let nobody: UserId = "nobody@example.com".parse().map_err(err("User ID"))?;
    ensure(
        store.user(&nobody).map_err(err("load nobody"))?.is_none(),
        || "an unknown user was found".into(),
    )?;
    super::passwords::passwords(store, &alice.id, &bob, &nobody)?;
    super::passwords::contacts(store, &alice.id, &bob.id)?;

    let state = full_state(&mut rng)?;
    accounts(store, &alice.id, &bob.id, &nobody, &state)?;
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

/// A state with every field set: counters, a lock, a token, and a pending mobile activation
/// with its QR, password and open-path secret.
fn full_state(rng: &mut ChaCha20Rng) -> Check<AccountState> {
    let serial = SerialNumber::generate(rng);
    let activation = Activation::issue(
        SerialNumber::generate(rng),
        None,
        UnixTime::from_secs(1_700_000_000),
        ActivationLifetime::TEN_MINUTES,
        rng,
    );
    Ok(AccountState {
        password_failures: 2,
        second_factor_failures: 3,
        lockouts: 1,
        locked_until: Some(UnixTime::from_secs(1_700_000_600)),
        password_lockouts: 4,
        sms_sent: vec![UnixTime::from_secs(1_699_999_000)],
        email_sent: vec![
            UnixTime::from_secs(1_699_999_100),
            UnixTime::from_secs(1_699_999_200),
        ],
        password_locked_until: Some(UnixTime::from_secs(1_700_000_900)),
        reset_failures: 5,
        password_expired: true,
        recovery_codes: vec![
            tollgate_login::recovery::RecoveryHash([0x5c; 32]),
            tollgate_login::recovery::RecoveryHash([0xc5; 32]),
        ],
        devices: vec![
            KnownDevice {
                digest: [0xd1; 32],
                last_login: UnixTime::from_secs(1_699_000_000),
                failures: 3,
                locked_until: Some(UnixTime::from_secs(1_700_000_060)),
            },
            KnownDevice {
                digest: [0xd2; 32],
                last_login: UnixTime::from_secs(1_699_500_000),
                failures: 0,
                locked_until: None,
            },
        ],
        tokens: vec![
            TokenRecord {
                serial,
                secret: Secret::from_array([7u8; 32]),
                params: TotpParams::default(),
                last_step: Some(Step::new(56_666_666)),
                drift: -2,
                kind: Some(EnrollmentKind::Desktop),
                name: None,
                enrolled_at: Some(UnixTime::from_secs(1_690_000_000)),
            },
            TokenRecord {
                serial: SerialNumber::generate(rng),
                secret: Secret::from_array([8u8; 20]),
                params: TotpParams::default(),
                last_step: None,
                drift: 1,
                kind: Some(EnrollmentKind::Mobile),
                name: Some("Téléphone de travail".parse().map_err(err("a name"))?),
                enrolled_at: Some(UnixTime::from_secs(1_695_000_000)),
            },
        ],
        pending: Some(PendingActivation {
            activation,
            kind: EnrollmentKind::Mobile,
            login: LoginId::from_bytes([9; 16]),
            mobile: Some(MobileQr {
                uri: "igmobileotp://?action=secactivate&enc=AAAA&v=1&mac=BBBB".into(),
                password: ActivationPassword::generate(rng),
            }),
            open: Some(OpenToken {
                secret: Secret::generate(Algorithm::Sha1, rng),
                params: TotpParams::new(
                    Algorithm::Sha1,
                    tollgate_otp::Digits::SIX,
                    tollgate_otp::Period::default(),
                ),
            }),
            registered: Some(OnlineRegistration {
                code: "12211-49352".parse().map_err(err("registration code"))?,
                at: UnixTime::from_secs(1_700_000_030),
            }),
            online_failures: 3,
        }),
        grant: Some(tollgate_login::Grant {
            hash: tollgate_login::recovery::RecoveryHash([0x5a; 32]),
            expires_at: UnixTime::from_secs(1_700_086_400),
        }),
    })
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
    state: &AccountState,
) -> Check {
    let change = AccountUpdate {
        expected_version: 0,
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
    ensure(loaded.version == 1, || {
        format!("version is {} after one update", loaded.version)
    })?;
    same_state(&loaded.state, state)?;

    // Bob cannot take alice's token serial number, nor her pending one.
    for taken in [
        AccountState {
            tokens: state.tokens.clone(),
            ..AccountState::default()
        },
        AccountState {
            pending: state.pending.clone(),
            ..AccountState::default()
        },
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
        expected_version: 1,
        state: AccountState::default(),
    };
    ensure(update(store, alice, &released)?, || {
        "alice's release was refused".into()
    })?;
    let taken = AccountUpdate {
        expected_version: 0,
        state: AccountState {
            tokens: state.tokens.clone(),
            ..AccountState::default()
        },
    };
    ensure(update(store, bob, &taken)?, || {
        "a serial number that was let go could not be taken".into()
    })?;
    let back = AccountUpdate {
        expected_version: 2,
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

/// Two states are the same, secrets included.
pub(crate) fn same_state(got: &AccountState, want: &AccountState) -> Check {
    let plain = |s: &AccountState| {
        (
            s.password_failures,
            s.second_factor_failures,
            s.lockouts,
            s.locked_until,
            s.password_lockouts,
            s.password_locked_until,
            s.devices.clone(),
            s.sms_sent.clone(),
            s.email_sent.clone(),
            s.reset_failures,
            s.password_expired,
            (s.recovery_codes.clone(), s.grant),
        )
    };
    ensure(plain(got) == plain(want), || {
        "counters or the lock changed".into()
    })?;
    let token = |t: &TokenRecord| {
        (
            t.serial,
            t.secret.expose_secret().to_vec(),
            t.params,
            t.last_step,
            t.drift,
            t.kind,
            t.name.clone(),
            t.enrolled_at,
        )
    };
    let tokens = |s: &AccountState| s.tokens.iter().map(token).collect::<Vec<_>>();
    ensure(tokens(got) == tokens(want), || {
        "the tokens changed in the store (or their order)".into()
    })?;
    match (&got.pending, &want.pending) {
        (None, None) => Ok(()),
        (Some(g), Some(w)) => {
            let mobile = |p: &PendingActivation| {
                p.mobile
                    .as_ref()
                    .map(|m| (m.uri.clone(), m.password.expose_secret().to_string()))
            };
            let registered =
                |p: &PendingActivation| p.registered.as_ref().map(|r| (r.code.to_string(), r.at));
            let open = |p: &PendingActivation| {
                p.open
                    .as_ref()
                    .map(|o| (o.secret.expose_secret().to_vec(), o.params))
            };
            ensure(
                g.kind == w.kind
                    && g.login == w.login
                    && g.activation.serial() == w.activation.serial()
                    && g.activation.activation_code().expose_grouped()
                        == w.activation.activation_code().expose_grouped()
                    && g.activation.expires_at() == w.activation.expires_at()
                    && g.activation.policy().map(|p| p.as_str())
                        == w.activation.policy().map(|p| p.as_str())
                    && mobile(g) == mobile(w)
                    && open(g) == open(w)
                    && registered(g) == registered(w)
                    && g.online_failures == w.online_failures,
                || "the pending activation changed in the store".into(),
            )
        }
        _ => Err("the pending activation appeared or vanished".into()),
    }
}
