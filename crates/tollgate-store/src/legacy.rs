//! Schema version 1, read for the migration to version 2: an account's state as 19 plain
//! columns, with only the token secret and the activation code sealed (format 1, each bound
//! to its kind, its user and its serial number). Version 2 seals the whole state as one value
//! ([`crate::AccountRow`]); the migrations of both database stores read the old columns
//! through [`StoredAccount`] and [`V1_COLUMNS`], and write the new row.

use tollgate_codes::{Activation, ActivationCode, Policy, SerialNumber};
use tollgate_login::{AccountState, UserId};
use tollgate_otp::{Algorithm, Digits, Period, Secret, Step, TotpParams, UnixTime};
use zeroize::Zeroizing;

use crate::error::StoreError;
use crate::sealing::{SealingKey, Unsealed, open as open_sealed};
use crate::sql::Value;

/// The columns of a version 1 account, in the order [`StoredAccount::from_values`] reads them
/// (after the User ID and the version).
pub const V1_COLUMNS: &str = "password_failures, code_failures, lockouts, locked_until, \
     token_serial, token_secret, token_algorithm, token_digits, token_period, token_t0, \
     token_last_step, token_drift, \
     pending_serial, pending_activation_code, pending_policy, pending_expires_at, pending_kind";

/// An account's changing state as columns. Times and steps are `i64` because that is what
/// SQLite and PostgreSQL integers hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAccount {
    /// Consecutive wrong passwords.
    pub password_failures: i64,
    /// Consecutive wrong codes.
    pub code_failures: i64,
    /// Lockouts in a row.
    pub lockouts: i64,
    /// Until when the account is locked (Unix seconds).
    pub locked_until: Option<i64>,
    /// The enrolled token.
    pub token: Option<StoredToken>,
    /// The activation issued and not yet completed.
    pub pending: Option<StoredPending>,
}

/// An enrolled token as columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken {
    /// The serial number, ten digits (unique across accounts).
    pub serial: String,
    /// The sealed secret.
    pub sealed_secret: Vec<u8>,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: String,
    /// 6, 7 or 8.
    pub digits: i64,
    /// The period in seconds.
    pub period: i64,
    /// The TOTP epoch T0 (Unix seconds).
    pub t0: i64,
    /// The last accepted step.
    pub last_step: Option<i64>,
    /// The learned clock drift, in steps.
    pub drift: i64,
}

/// A pending activation as columns. Only what completing it needs: the activation password
/// is never part of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPending {
    /// The serial number, ten digits (unique across accounts).
    pub serial: String,
    /// The sealed activation code.
    pub sealed_activation_code: Vec<u8>,
    /// The token policy, as issued (JSON).
    pub policy: Option<String>,
    /// When the activation expires (Unix seconds).
    pub expires_at: i64,
    /// `mobile` or `desktop`.
    pub kind: String,
}

fn to_u64(value: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value)
        .map_err(|_| StoreError::Integrity(format!("stored {what} {value} is negative")))
}

fn to_u32(value: i64, what: &str) -> Result<u32, StoreError> {
    u32::try_from(value)
        .map_err(|_| StoreError::Integrity(format!("stored {what} {value} is out of range")))
}

fn bad(what: &str, user: &UserId) -> StoreError {
    StoreError::Integrity(format!("the stored {what} of {user} is not valid"))
}

/// The sealed format of version 1's two secret columns.
const SEALED_V1: u8 = 1;

/// What a version 1 sealed field is, in its associated data.
#[derive(Clone, Copy)]
enum Field {
    TokenSecret,
    ActivationCode,
}

/// A version 1 sealed field opened: bound to its kind, its user and its serial number.
fn open_field(
    key: &SealingKey,
    field: Field,
    user: &UserId,
    serial: &str,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let (label, what): (&[u8], _) = match field {
        Field::TokenSecret => (b"tollgate sealed token secret v1", "token secret"),
        Field::ActivationCode => (b"tollgate sealed activation code v1", "activation code"),
    };
    let mut aad = Vec::with_capacity(label.len() + user.as_str().len() + serial.len() + 2);
    aad.extend_from_slice(label);
    aad.push(0);
    aad.extend_from_slice(user.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(serial.as_bytes());
    open_sealed(key, SEALED_V1, &aad, sealed).map_err(|e| {
        StoreError::Integrity(match e {
            Unsealed::Format => {
                format!("the sealed {what} of {user} is not in a format this version knows")
            }
            Unsealed::Refused => format!(
                "the sealed {what} of {user} does not open under this key: wrong key, or the \
                 row was altered or moved"
            ),
        })
    })
}

/// The columns, as a database row gives them.
fn column<T>(
    values: &[Value],
    i: usize,
    get: impl Fn(&Value) -> Option<T>,
) -> Result<T, StoreError> {
    values.get(i).and_then(get).ok_or_else(|| {
        StoreError::Integrity(format!("column {i} of a version 1 row has the wrong type"))
    })
}

impl StoredAccount {
    /// The columns of [`V1_COLUMNS`], in that order.
    ///
    /// # Errors
    /// [`StoreError::Integrity`] when a column has another type than the schema's.
    pub fn from_values(values: &[Value]) -> Result<Self, StoreError> {
        let int = |i| column(values, i, Value::as_int);
        let opt_int = |i| column(values, i, Value::as_opt_int);
        let text = |i| column(values, i, Value::as_opt_text);
        let blob = |i| column(values, i, Value::as_opt_blob);
        let token = match text(4)? {
            Some(serial) => Some(StoredToken {
                serial,
                sealed_secret: blob(5)?.unwrap_or_default(),
                algorithm: text(6)?.unwrap_or_default(),
                digits: opt_int(7)?.unwrap_or_default(),
                period: opt_int(8)?.unwrap_or_default(),
                t0: opt_int(9)?.unwrap_or_default(),
                last_step: opt_int(10)?,
                drift: opt_int(11)?.unwrap_or_default(),
            }),
            None => None,
        };
        let pending = match text(12)? {
            Some(serial) => Some(StoredPending {
                serial,
                sealed_activation_code: blob(13)?.unwrap_or_default(),
                policy: text(14)?,
                expires_at: opt_int(15)?.unwrap_or_default(),
                kind: text(16)?.unwrap_or_default(),
            }),
            None => None,
        };
        Ok(Self {
            password_failures: int(0)?,
            code_failures: int(1)?,
            lockouts: int(2)?,
            locked_until: opt_int(3)?,
            token,
            pending,
        })
    }

    /// The state these columns hold, its secrets opened under `key` for `user`, and the
    /// activation that was pending (opened and checked, for the caller to keep or drop: the
    /// migration drops it, since the login that asked for it is gone).
    ///
    /// # Errors
    /// [`StoreError::Integrity`] when a sealed field does not open (wrong key, altered row, a
    /// secret moved from another user's row) or a column holds what no account can.
    pub fn open(
        &self,
        user: &UserId,
        key: &SealingKey,
    ) -> Result<(AccountState, Option<Activation>), StoreError> {
        let token = self
            .token
            .as_ref()
            .map(|t| -> Result<V1Token, StoreError> {
                let serial: SerialNumber =
                    t.serial.parse().map_err(|_| bad("token serial", user))?;
                let secret =
                    open_field(key, Field::TokenSecret, user, &t.serial, &t.sealed_secret)?;
                let secret = Secret::from_bytes(&secret).map_err(|_| bad("token secret", user))?;
                let algorithm: Algorithm = t
                    .algorithm
                    .parse()
                    .map_err(|_| bad("token algorithm", user))?;
                let digits = u8::try_from(t.digits)
                    .ok()
                    .and_then(|d| Digits::try_from(d).ok())
                    .ok_or_else(|| bad("token digits", user))?;
                let period = Period::from_secs(to_u32(t.period, "period")?)
                    .map_err(|_| bad("token period", user))?;
                let params = TotpParams::new(algorithm, digits, period)
                    .with_t0(UnixTime::from_secs(to_u64(t.t0, "T0")?));
                Ok(V1Token {
                    serial: serial.to_string(),
                    secret: secret.expose_base32(),
                    params: V1Params {
                        algorithm: params.algorithm().as_str(),
                        digits: params.digits().get(),
                        period: params.period().as_secs(),
                        t0: params.t0().as_secs(),
                    },
                    last_step: t
                        .last_step
                        .map(|s| to_u64(s, "step").map(|s| Step::new(s).get()))
                        .transpose()?,
                    drift: i8::try_from(t.drift).map_err(|_| bad("token drift", user))?,
                })
            })
            .transpose()?;
        let pending = self
            .pending
            .as_ref()
            .map(|p| -> Result<Activation, StoreError> {
                let serial: SerialNumber = p
                    .serial
                    .parse()
                    .map_err(|_| bad("activation serial", user))?;
                let code = open_field(
                    key,
                    Field::ActivationCode,
                    user,
                    &p.serial,
                    &p.sealed_activation_code,
                )?;
                let code: ActivationCode = core::str::from_utf8(&code)
                    .ok()
                    .and_then(|c| c.parse().ok())
                    .ok_or_else(|| bad("activation code", user))?;
                let policy = p
                    .policy
                    .as_deref()
                    .map(str::parse::<Policy>)
                    .transpose()
                    .map_err(|_| bad("activation policy", user))?;
                if !matches!(p.kind.as_str(), "mobile" | "desktop") {
                    return Err(bad("activation kind", user));
                }
                let expires_at = UnixTime::from_secs(to_u64(p.expires_at, "expiry")?);
                Ok(Activation::from_parts(serial, code, policy, expires_at))
            })
            .transpose()?;
        // The account's first encoding (the JSON alone), which the account decodes as it does
        // every format it ever wrote.
        let document = V1Document {
            password_failures: to_u32(self.password_failures, "password failures")?,
            second_factor_failures: to_u32(self.code_failures, "code failures")?,
            lockouts: to_u32(self.lockouts, "lockouts")?,
            locked_until: self
                .locked_until
                .map(|t| to_u64(t, "lock time"))
                .transpose()?,
            token,
            pending: None,
        };
        let bytes = Zeroizing::new(serde_json::to_vec(&document).unwrap_or_default());
        let state = AccountState::decode(&bytes).map_err(|_| bad("account", user))?;
        Ok((state, pending))
    }
}

/// A version 1 account in the account's first encoding: the four counters and the token of
/// schema 1, for [`AccountState::decode`] (the account's fields are its own: a store builds
/// none of them).
#[derive(serde::Serialize)]
struct V1Document {
    password_failures: u32,
    second_factor_failures: u32,
    lockouts: u32,
    locked_until: Option<u64>,
    token: Option<V1Token>,
    pending: Option<()>,
}

#[derive(serde::Serialize)]
struct V1Token {
    serial: String,
    secret: Zeroizing<String>,
    params: V1Params,
    last_step: Option<u64>,
    drift: i8,
}

#[derive(serde::Serialize)]
struct V1Params {
    algorithm: &'static str,
    digits: u8,
    period: u32,
    t0: u64,
}

/// Where the migration from version 1 reads and writes.
#[derive(Clone, Copy, Debug)]
pub struct Migration<'a> {
    /// The version 1 users table, with its 19 account columns.
    pub from: &'a str,
    /// The users table with the `state` column to fill (it may be the same table).
    pub to: &'a str,
    /// The serial numbers table of version 2.
    pub serials: &'a str,
}

/// Reads every version 1 account of `migration.from`, opens it under `key`, and writes its
/// state, sealed, into `migration.to`, with its serial numbers; returns how many. A pending
/// activation is dropped (the login that asked for it is gone with the version 1 logins): the
/// user chooses mobile or desktop again.
///
/// # Errors
/// [`StoreError::Integrity`] for a row that does not open under any key of `keys` (nothing
/// is written: the caller's transaction rolls back); [`StoreError::Backend`].
pub fn migrate_v1(
    c: &mut dyn crate::sql::Connection,
    migration: Migration<'_>,
    keys: &crate::SealingKeys,
    rng: &mut (impl rand_core::CryptoRng + ?Sized),
) -> Result<usize, StoreError> {
    use crate::sql::failed;
    let Migration { from, to, serials } = migration;
    let rows = c
        .query(
            &format!("SELECT id, version, {V1_COLUMNS} FROM {from}"),
            &[],
        )
        .map_err(failed("migration: read version 1 accounts"))?;
    for row in &rows {
        let (Some(Value::Text(id)), Some(Value::Int(version))) = (row.first(), row.get(1)) else {
            return Err(StoreError::Integrity(
                "a version 1 row has the wrong types".into(),
            ));
        };
        let user: UserId = id.parse().map_err(|_| {
            StoreError::Integrity(format!("the stored User ID {id:?} is not valid"))
        })?;
        let version = to_u64(*version, "version")?;
        let stored = StoredAccount::from_values(&row[2..])?;
        // Sealed under the one key of the time: whichever of the ring that was.
        let mut opened = stored.open(&user, keys.current());
        for key in keys.all().skip(1) {
            if opened.is_ok() {
                break;
            }
            opened = stored.open(&user, key);
        }
        let (state, _dropped) = opened?;
        let sealed = crate::AccountRow::seal(&state, &user, version, keys, rng);
        c.execute(
            &format!("UPDATE {to} SET state = $1 WHERE id = $2"),
            &[Value::Blob(sealed.sealed), id.as_str().into()],
        )
        .map_err(failed("migration: write the sealed state"))?;
        c.execute(
            &format!("DELETE FROM {serials} WHERE user_id = $1"),
            &[id.as_str().into()],
        )
        .map_err(failed("migration: serial numbers"))?;
        for serial in &sealed.serials {
            c.execute(
                &format!("INSERT INTO {serials} (serial, user_id) VALUES ($1, $2)"),
                &[serial.as_str().into(), id.as_str().into()],
            )
            .map_err(failed("migration: serial numbers"))?;
        }
    }
    Ok(rows.len())
}
