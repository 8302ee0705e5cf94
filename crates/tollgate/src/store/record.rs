//! An account's state as a database row holds it: plain integers and strings, with the token
//! secret and the activation code sealed (XChaCha20-Poly1305) under a key the service supplies.
//!
//! Both database stores map their rows through [`StoredAccount`], so the sealing, the range
//! checks and the refusal of a tampered or misplaced secret are written once.

use sha2::{Digest, Sha256};
use tollgate_codes::{Activation, ActivationCode, Policy, SerialNumber};
use tollgate_login::{
    Account, AccountState, EnrollmentKind, PendingActivation, TokenRecord, UserId,
};
use tollgate_otp::{Algorithm, Digits, Period, Secret, Step, TotpParams, UnixTime};

use super::UserRecord;
use super::sealing::{Field, SealingKey, open, seal};
use crate::error::Error;
use crate::password::PasswordHash;

/// The key under which a database store keeps a login in progress: a SHA-256 of the login's
/// key, because that key is the session's bearer secret, and a copy of the table must not let
/// anyone step into a login.
#[must_use]
pub fn login_digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// A user's row as columns: what never changes in a login beside the account's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredUser {
    /// The password's PHC string.
    pub password_hash: String,
    /// The mobile number on file.
    pub mobile: Option<String>,
    /// The e-mail address on file.
    pub email: Option<String>,
    /// The account's compare-and-set version.
    pub version: i64,
    /// The account's state.
    pub account: StoredAccount,
}

impl StoredUser {
    /// The user these columns hold, their secrets opened under `key`.
    ///
    /// # Errors
    /// [`Error::Integrity`] as [`StoredAccount::open`], or for a negative version or a mobile
    /// number or e-mail address that no longer parses.
    pub fn open(self, id: &UserId, key: &SealingKey) -> Result<UserRecord, Error> {
        let corrupt =
            |what: &str| Error::Integrity(format!("the stored {what} of {id} is not valid"));
        Ok(UserRecord {
            id: id.clone(),
            password: PasswordHash::from_phc(self.password_hash),
            account: Account {
                version: u64::try_from(self.version).map_err(|_| corrupt("version"))?,
                mobile: self
                    .mobile
                    .map(|m| m.parse())
                    .transpose()
                    .map_err(|_| corrupt("mobile number"))?,
                email: self
                    .email
                    .map(|e| e.parse())
                    .transpose()
                    .map_err(|_| corrupt("e-mail address"))?,
                state: self.account.open(id, key)?,
            },
        })
    }
}

/// An account's changing state as columns. Times and steps are `i64` because that is what
/// SQLite and PostgreSQL integers hold; values beyond `i64::MAX` are refused with
/// [`Error::Store`] rather than wrapped.
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

fn to_i64(value: u64, what: &str) -> Result<i64, Error> {
    i64::try_from(value).map_err(|_| Error::Store(format!("{what} {value} is beyond i64")))
}

fn to_u64(value: i64, what: &str) -> Result<u64, Error> {
    u64::try_from(value).map_err(|_| Error::Integrity(format!("stored {what} {value} is negative")))
}

fn to_u32(value: i64, what: &str) -> Result<u32, Error> {
    u32::try_from(value)
        .map_err(|_| Error::Integrity(format!("stored {what} {value} is out of range")))
}

fn bad(what: &str, user: &UserId) -> Error {
    Error::Integrity(format!("the stored {what} of {user} is not valid"))
}

impl StoredAccount {
    /// The columns of `state`, with its secrets sealed under `key` and bound to `user`.
    ///
    /// # Errors
    /// [`Error::Store`] when a time or step is beyond `i64`, or no randomness is available.
    pub fn seal(state: &AccountState, user: &UserId, key: &SealingKey) -> Result<Self, Error> {
        let token = state
            .token
            .as_ref()
            .map(|token| -> Result<StoredToken, Error> {
                let serial = token.serial.to_string();
                Ok(StoredToken {
                    sealed_secret: seal(
                        key,
                        Field::TokenSecret,
                        user,
                        &serial,
                        token.secret.expose_secret(),
                    )?,
                    serial,
                    algorithm: token.params.algorithm().as_str().to_owned(),
                    digits: i64::from(token.params.digits().get()),
                    period: i64::from(token.params.period().as_secs()),
                    t0: to_i64(token.params.t0().as_secs(), "T0")?,
                    last_step: token
                        .last_step
                        .map(|step| to_i64(step.get(), "step"))
                        .transpose()?,
                    drift: i64::from(token.drift),
                })
            })
            .transpose()?;
        let pending = state
            .pending
            .as_ref()
            .map(|pending| -> Result<StoredPending, Error> {
                let activation = &pending.activation;
                let serial = activation.serial().to_string();
                let code = activation.activation_code().expose_grouped();
                Ok(StoredPending {
                    sealed_activation_code: seal(
                        key,
                        Field::ActivationCode,
                        user,
                        &serial,
                        code.as_bytes(),
                    )?,
                    serial,
                    policy: activation.policy().map(|p| p.as_str().to_owned()),
                    expires_at: to_i64(activation.expires_at().as_secs(), "expiry")?,
                    kind: match pending.kind {
                        EnrollmentKind::Mobile => "mobile",
                        EnrollmentKind::Desktop => "desktop",
                    }
                    .to_owned(),
                })
            })
            .transpose()?;
        Ok(Self {
            password_failures: i64::from(state.password_failures),
            code_failures: i64::from(state.code_failures),
            lockouts: i64::from(state.lockouts),
            locked_until: state
                .locked_until
                .map(|t| to_i64(t.as_secs(), "lock time"))
                .transpose()?,
            token,
            pending,
        })
    }

    /// The state these columns hold, its secrets opened under `key` for `user`.
    ///
    /// # Errors
    /// [`Error::Integrity`] when a sealed field does not open (wrong key, altered row, a
    /// secret moved from another user's row) or a column holds what no account can.
    pub fn open(&self, user: &UserId, key: &SealingKey) -> Result<AccountState, Error> {
        let token = self
            .token
            .as_ref()
            .map(|t| -> Result<TokenRecord, Error> {
                let serial: SerialNumber =
                    t.serial.parse().map_err(|_| bad("token serial", user))?;
                let secret = open(key, Field::TokenSecret, user, &t.serial, &t.sealed_secret)?;
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
                Ok(TokenRecord {
                    serial,
                    secret,
                    params,
                    last_step: t
                        .last_step
                        .map(|s| to_u64(s, "step").map(Step::new))
                        .transpose()?,
                    drift: i8::try_from(t.drift).map_err(|_| bad("token drift", user))?,
                })
            })
            .transpose()?;
        let pending = self
            .pending
            .as_ref()
            .map(|p| -> Result<PendingActivation, Error> {
                let serial: SerialNumber = p
                    .serial
                    .parse()
                    .map_err(|_| bad("activation serial", user))?;
                let code = open(
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
                let kind = match p.kind.as_str() {
                    "mobile" => EnrollmentKind::Mobile,
                    "desktop" => EnrollmentKind::Desktop,
                    _ => return Err(bad("activation kind", user)),
                };
                let expires_at = UnixTime::from_secs(to_u64(p.expires_at, "expiry")?);
                Ok(PendingActivation {
                    activation: Activation::from_parts(serial, code, policy, expires_at),
                    kind,
                })
            })
            .transpose()?;
        Ok(AccountState {
            password_failures: to_u32(self.password_failures, "password failures")?,
            code_failures: to_u32(self.code_failures, "code failures")?,
            lockouts: to_u32(self.lockouts, "lockouts")?,
            locked_until: self
                .locked_until
                .map(|t| to_u64(t, "lock time").map(UnixTime::from_secs))
                .transpose()?,
            token,
            pending,
        })
    }
}
