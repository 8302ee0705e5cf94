//! An account's state as a database row holds it: one value sealed under the service's
//! [`SealingKey`](crate::SealingKey) (counters, lock, token, pending activation, all of it), bound to its user and
//! its version, beside the serial numbers it holds in the clear (for their uniqueness).
//!
//! Because the whole state is sealed, a database writer can neither read a secret nor reset a
//! failure count, spend a code again by editing a step, or move one user's state to another:
//! any of those is refused as [`StoreError::Integrity`].

use serde::{Deserialize, Serialize};
use tollgate_codes::{Activation, ActivationCode, ActivationPassword, Policy};
use tollgate_login::{
    AccountState, EnrollmentKind, KeyId, LoginId, MobileQr, OnlineRegistration, OpenToken,
    PendingActivation, RingKey as _, UserId,
};
use tollgate_otp::{Algorithm, Digits, Period, Secret, TotpParams, UnixTime};
use zeroize::Zeroizing;

use crate::error::StoreError;
use crate::sealing::{SealingKeys, Unsealed, open, open_body, seal};

mod device;
mod recovery;
mod token;

use device::PlainDevice;
use token::PlainToken;

/// The sealed format of an account's state before key identifiers: this byte, a 24-byte
/// nonce, then the ciphertext and tag of the state as JSON. Still read (under every key of the
/// ring); no longer written.
const STATE_V2: u8 = 2;
/// Since key rotation: this byte, the sealing key's 4-byte [`KeyId`], a 24-byte nonce, then
/// the ciphertext and tag of the state as JSON; the associated data also covers the key id.
const STATE_V3: u8 = 3;

/// An account's state, sealed, with the serial numbers it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    /// The sealed state.
    pub sealed: Vec<u8>,
    /// The serial numbers of its token and pending activation, which the store keeps unique
    /// across accounts.
    pub serials: Vec<String>,
}

fn associated_data(key: Option<KeyId>, user: &UserId, version: u64) -> Vec<u8> {
    let label: &[u8] = match key {
        Some(_) => b"tollgate account state v3\0",
        None => b"tollgate account state v2\0",
    };
    let mut aad = Vec::with_capacity(label.len() + user.as_str().len() + 13);
    aad.extend_from_slice(label);
    if let Some(id) = key {
        aad.extend_from_slice(&id.to_bytes());
    }
    aad.extend_from_slice(user.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(&version.to_be_bytes());
    aad
}

impl AccountRow {
    /// `state`, sealed under the ring's current key for `user` at `version` (the version the
    /// row will have once written), with a nonce from `rng`.
    pub fn seal(
        state: &AccountState,
        user: &UserId,
        version: u64,
        keys: &SealingKeys,
        rng: &mut (impl rand_core::CryptoRng + ?Sized),
    ) -> Self {
        let key = keys.current();
        let plain = Zeroizing::new(serde_json::to_vec(&Plain::of(state)).unwrap_or_default());
        let aad = associated_data(Some(key.id()), user, version);
        let [a, b, c, d] = key.id().to_bytes();
        Self {
            sealed: seal(key, &[STATE_V3, a, b, c, d], &aad, &plain, rng),
            serials: state.serials().map(|s| s.to_string()).collect(),
        }
    }

    /// The identifier of the key `sealed` was sealed under; `None` for a row sealed before key
    /// identifiers (or not a sealed state at all).
    #[must_use]
    pub fn key_id(sealed: &[u8]) -> Option<KeyId> {
        match sealed {
            [STATE_V3, a, b, c, d, ..] => Some(KeyId::from_bytes([*a, *b, *c, *d])),
            _ => None,
        }
    }

    /// The state `sealed` holds, if it was sealed under a key of `keys` for `user` at
    /// `version`.
    ///
    /// # Errors
    /// [`StoreError::Integrity`] when it does not open (a key the ring does not hold, altered,
    /// another user's, another version's) or holds what no account can.
    pub fn open(
        sealed: &[u8],
        user: &UserId,
        version: u64,
        keys: &SealingKeys,
    ) -> Result<AccountState, StoreError> {
        let refused = || {
            StoreError::Integrity(format!(
                "the sealed state of {user} at version {version} does not open under this key: \
                 wrong key, or the row was altered, moved or put back at another version"
            ))
        };
        let plain = match Self::key_id(sealed) {
            Some(id) => {
                let key = keys.find(id).ok_or_else(|| {
                    StoreError::Integrity(format!(
                        "the sealed state of {user} is sealed under key {id}, which this service \
                         was not given (it holds {})",
                        keys.ids()
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
                // After the format byte and the key id: nonce, ciphertext and tag.
                let body = sealed.get(5..).unwrap_or_default();
                open_body(key, &associated_data(Some(id), user, version), body)
                    .map_err(|_| refused())?
            }
            None => {
                let aad = associated_data(None, user, version);
                let mut opened = Err(Unsealed::Refused);
                for key in keys.all() {
                    opened = open(key, STATE_V2, &aad, sealed);
                    if !matches!(opened, Err(Unsealed::Refused)) {
                        break;
                    }
                }
                opened.map_err(|e| match e {
                    Unsealed::Format => StoreError::Integrity(format!(
                        "the sealed state of {user} is not in a format this version knows"
                    )),
                    Unsealed::Refused => refused(),
                })?
            }
        };
        let plain: Plain = serde_json::from_slice(&plain).map_err(|_| {
            StoreError::Integrity(format!("the sealed state of {user} is not valid"))
        })?;
        plain.state().ok_or_else(|| {
            StoreError::Integrity(format!("the sealed state of {user} is not valid"))
        })
    }
}

/// The state as plain JSON inside the seal; secrets wiped on drop.
#[derive(Serialize, Deserialize)]
struct Plain {
    password_failures: u32,
    second_factor_failures: u32,
    lockouts: u32,
    locked_until: Option<u64>,
    token: Option<PlainToken>,
    pending: Option<PlainPending>,
    // Since the known devices (rows written before have none of these: read as none).
    #[serde(default)]
    password_lockouts: u32,
    #[serde(default)]
    password_locked_until: Option<u64>,
    #[serde(default)]
    devices: Vec<PlainDevice>,
    // Since the send budgets.
    #[serde(default)]
    sms_sent: Vec<u64>,
    #[serde(default)]
    email_sent: Vec<u64>,
    // Since the password reset (rows written before have none).
    #[serde(default, skip_serializing_if = "is_zero")]
    reset_failures: u32,
    // Since administrators' temporary passwords (rows written before have none).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    password_expired: bool,
    // Since recovery codes (rows written before have none): their hashes, in hex.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    recovery_codes: Vec<String>,
    // Since several authenticators: `token` holds the oldest, as before, and this the others
    // (rows written before have none). A build from before reads such a row with its oldest
    // token and no other: never an account without its second factor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    more_tokens: Vec<PlainToken>,
    // Since administrators' re-enrollment grants (rows written before have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    grant: Option<recovery::PlainGrant>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct PlainParams {
    algorithm: String,
    digits: u8,
    period: u32,
    t0: u64,
}

#[derive(Serialize, Deserialize)]
struct PlainPending {
    serial: String,
    activation_code: Zeroizing<String>,
    policy: Option<String>,
    expires_at: u64,
    kind: EnrollmentKind,
    login: LoginId,
    mobile: Option<PlainMobile>,
    open: Option<PlainOpen>,
    // Since online registration (rows written before have neither: none arrived, none refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    registered: Option<PlainRegistered>,
    #[serde(default, skip_serializing_if = "is_zero")]
    online_failures: u32,
}

#[derive(Serialize, Deserialize)]
struct PlainRegistered {
    code: Zeroizing<String>,
    at: u64,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes a reference"
)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[derive(Serialize, Deserialize)]
struct PlainMobile {
    uri: Zeroizing<String>,
    password: Zeroizing<String>,
}

#[derive(Serialize, Deserialize)]
struct PlainOpen {
    secret: Zeroizing<String>,
    params: PlainParams,
}

impl PlainParams {
    fn of(params: &TotpParams) -> Self {
        Self {
            algorithm: params.algorithm().as_str().to_owned(),
            digits: params.digits().get(),
            period: params.period().as_secs(),
            t0: params.t0().as_secs(),
        }
    }

    fn params(&self) -> Option<TotpParams> {
        let algorithm: Algorithm = self.algorithm.parse().ok()?;
        let digits = Digits::try_from(self.digits).ok()?;
        let period = Period::from_secs(self.period).ok()?;
        Some(TotpParams::new(algorithm, digits, period).with_t0(UnixTime::from_secs(self.t0)))
    }
}

impl Plain {
    fn of(state: &AccountState) -> Self {
        Self {
            password_failures: state.password_failures,
            second_factor_failures: state.second_factor_failures,
            lockouts: state.lockouts,
            locked_until: state.locked_until.map(UnixTime::as_secs),
            password_lockouts: state.password_lockouts,
            password_locked_until: state.password_locked_until.map(UnixTime::as_secs),
            devices: state.devices.iter().map(PlainDevice::of).collect(),
            sms_sent: state.sms_sent.iter().map(|t| t.as_secs()).collect(),
            email_sent: state.email_sent.iter().map(|t| t.as_secs()).collect(),
            reset_failures: state.reset_failures,
            password_expired: state.password_expired,
            recovery_codes: state.recovery_codes.iter().map(recovery::to_hex).collect(),
            token: state.tokens.first().map(PlainToken::of),
            more_tokens: state.tokens.iter().skip(1).map(PlainToken::of).collect(),
            grant: state.grant.as_ref().map(recovery::PlainGrant::of),
            pending: state.pending.as_ref().map(|p| PlainPending {
                serial: p.activation.serial().to_string(),
                activation_code: Zeroizing::new(
                    p.activation.activation_code().expose_grouped().to_string(),
                ),
                policy: p.activation.policy().map(|p| p.as_str().to_owned()),
                expires_at: p.activation.expires_at().as_secs(),
                kind: p.kind,
                login: p.login,
                mobile: p.mobile.as_ref().map(|m| PlainMobile {
                    uri: Zeroizing::new(m.uri.clone()),
                    password: m.password.expose_secret(),
                }),
                open: p.open.as_ref().map(|o| PlainOpen {
                    secret: o.secret.expose_base32(),
                    params: PlainParams::of(&o.params),
                }),
                registered: p.registered.as_ref().map(|r| PlainRegistered {
                    code: Zeroizing::new(r.code.to_string()),
                    at: r.at.as_secs(),
                }),
                online_failures: p.online_failures,
            }),
        }
    }

    fn state(&self) -> Option<AccountState> {
        let tokens = self
            .token
            .iter()
            .chain(&self.more_tokens)
            .map(PlainToken::token)
            .collect::<Option<Vec<_>>>()?;
        // More tokens with no first one is no state this version writes.
        if self.token.is_none() && !self.more_tokens.is_empty() {
            return None;
        }
        let pending = match &self.pending {
            Some(p) => Some(PendingActivation {
                activation: Activation::from_parts(
                    p.serial.parse().ok()?,
                    p.activation_code.parse::<ActivationCode>().ok()?,
                    p.policy
                        .as_deref()
                        .map(str::parse::<Policy>)
                        .transpose()
                        .ok()?,
                    UnixTime::from_secs(p.expires_at),
                ),
                kind: p.kind,
                login: p.login,
                mobile: match &p.mobile {
                    Some(m) => Some(MobileQr {
                        uri: m.uri.to_string(),
                        password: m.password.parse::<ActivationPassword>().ok()?,
                    }),
                    None => None,
                },
                open: match &p.open {
                    Some(o) => Some(OpenToken {
                        secret: Secret::from_base32_strict(&o.secret).ok()?,
                        params: o.params.params()?,
                    }),
                    None => None,
                },
                registered: match &p.registered {
                    Some(r) => Some(OnlineRegistration {
                        code: r.code.parse().ok()?,
                        at: UnixTime::from_secs(r.at),
                    }),
                    None => None,
                },
                online_failures: p.online_failures,
            }),
            None => None,
        };
        Some(AccountState {
            password_failures: self.password_failures,
            second_factor_failures: self.second_factor_failures,
            lockouts: self.lockouts,
            locked_until: self.locked_until.map(UnixTime::from_secs),
            password_lockouts: self.password_lockouts,
            password_locked_until: self.password_locked_until.map(UnixTime::from_secs),
            devices: self
                .devices
                .iter()
                .map(PlainDevice::device)
                .collect::<Option<_>>()?,
            sms_sent: self
                .sms_sent
                .iter()
                .copied()
                .map(UnixTime::from_secs)
                .collect(),
            email_sent: self
                .email_sent
                .iter()
                .copied()
                .map(UnixTime::from_secs)
                .collect(),
            reset_failures: self.reset_failures,
            password_expired: self.password_expired,
            recovery_codes: self
                .recovery_codes
                .iter()
                .map(|hex| recovery::from_hex(hex))
                .collect::<Option<_>>()?,
            tokens,
            pending,
            grant: match &self.grant {
                Some(grant) => Some(grant.grant()?),
                None => None,
            },
        })
    }
}
