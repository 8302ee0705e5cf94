//! The account's byte encoding: what a store seals and stores, and hands back to
//! [`AccountState::decode`]. The store never looks inside.
//!
//! Format 1 is the byte [`ENCODING_V1`] and then the state as JSON. Rows written before the
//! account owned its encoding hold the same JSON with no leading byte (a JSON object starts with
//! `{`, which is never a format byte): they decode as they are, and are written in format 1 at
//! their next change. The JSON's fields grew one release at a time; each one added since the
//! first has a default, so that every state ever written still decodes.
//!
//! Secrets are wiped on drop (`Zeroizing`) on both ways through.

use serde::{Deserialize, Serialize};
use tollgate_codes::{Activation, ActivationCode, ActivationPassword, Policy, SerialNumber};
use tollgate_otp::{Algorithm, Digits, Period, Secret, Step, TotpParams, UnixTime};
use zeroize::Zeroizing;

use super::{
    AccountState, EnrollmentKind, Grant, MobileQr, OnlineRegistration, OpenToken, PasskeyRecord,
    PendingActivation, TokenRecord,
};
use crate::device::KnownDevice;
use crate::recovery::RecoveryHash;
use crate::state::LoginId;

/// The first byte of an account encoded by this version.
pub const ENCODING_V1: u8 = 1;

/// Bytes that are no account's encoding (cut, of a future format, or holding what no account
/// can). It says no more than that: a store reports it as an integrity failure of its row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an account's encoding")]
pub struct DecodeError;

impl AccountState {
    /// The state as bytes, for a store to seal: format [`ENCODING_V1`]. Wiped on drop.
    #[must_use]
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(vec![ENCODING_V1]);
        // Writing to a Vec fails only on a serializer error, which these types do not raise.
        let _ = serde_json::to_writer(&mut *out, &Plain::of(self));
        out
    }

    /// The state `bytes` encode: format 1, or the JSON alone of the releases before it.
    ///
    /// # Errors
    /// [`DecodeError`] for anything else, or for a state no account can hold (a serial number,
    /// a secret or a code that does not parse, tokens without their first).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let json = match bytes {
            [ENCODING_V1, json @ ..] => json,
            [b'{', ..] => bytes,
            _ => return Err(DecodeError),
        };
        let plain: Plain = serde_json::from_slice(json).map_err(|_| DecodeError)?;
        plain.state().ok_or(DecodeError)
    }
}

/// The state as JSON.
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
    // Since resets' own send budget and their closing for a day (0.3; rows written before have
    // neither).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    reset_sent: Vec<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reset_closed_until: Option<u64>,
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
    grant: Option<PlainGrant>,
    // Since the last login's time (rows written before have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_login: Option<u64>,
    // Since passkeys (0.3; rows written before have none). A build from before reads such a
    // row without them: the account keeps its soft tokens, and loses its passkeys at that
    // build's next change of it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    passkeys: Vec<PlainPasskey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_handle: Option<String>,
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    phishing_resistant: bool,
    // Since remote signing (0.3; rows written before have none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    revoked_credentials: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct PlainPasskey {
    id: String,
    public_key: String,
    counter: u32,
    backup_eligible: bool,
    backed_up: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    enrolled_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_used: Option<u64>,
}

impl PlainPasskey {
    fn of(passkey: &PasskeyRecord) -> Self {
        Self {
            id: crate::hex::encode(&passkey.id),
            public_key: crate::hex::encode(&passkey.public_key),
            counter: passkey.counter,
            backup_eligible: passkey.backup_eligible,
            backed_up: passkey.backed_up,
            name: passkey.name.as_ref().map(|n| n.as_str().to_owned()),
            enrolled_at: passkey.enrolled_at.as_secs(),
            last_used: passkey.last_used.map(UnixTime::as_secs),
        }
    }

    fn passkey(&self) -> Option<PasskeyRecord> {
        let id = crate::hex::decode_vec(&self.id)?;
        if id.is_empty() || id.len() > 1023 {
            return None;
        }
        Some(PasskeyRecord {
            id,
            public_key: crate::hex::decode_vec(&self.public_key)?,
            counter: self.counter,
            backup_eligible: self.backup_eligible,
            backed_up: self.backed_up,
            name: match &self.name {
                Some(name) => Some(name.parse().ok()?),
                None => None,
            },
            enrolled_at: UnixTime::from_secs(self.enrolled_at),
            last_used: self.last_used.map(UnixTime::from_secs),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct PlainParams {
    algorithm: String,
    digits: u8,
    period: u32,
    t0: u64,
}

#[derive(Serialize, Deserialize)]
struct PlainToken {
    serial: String,
    secret: Zeroizing<String>,
    params: PlainParams,
    last_step: Option<u64>,
    drift: i8,
    // Since several authenticators (tokens written before have none of these).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<EnrollmentKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enrolled_at: Option<u64>,
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

#[derive(Serialize, Deserialize)]
struct PlainDevice {
    digest: String,
    last_login: u64,
    failures: u32,
    locked_until: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct PlainGrant {
    hash: String,
    expires_at: u64,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes a reference"
)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(2 * bytes.len());
    crate::hex::encode_into(bytes, &mut text);
    text
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

impl PlainToken {
    fn of(t: &TokenRecord) -> Self {
        Self {
            serial: t.serial.to_string(),
            secret: t.secret.expose_base32(),
            params: PlainParams::of(&t.params),
            last_step: t.last_step.map(Step::get),
            drift: t.drift,
            kind: t.kind,
            name: t.name.as_ref().map(|n| n.as_str().to_owned()),
            enrolled_at: t.enrolled_at.map(UnixTime::as_secs),
        }
    }

    fn token(&self) -> Option<TokenRecord> {
        Some(TokenRecord {
            serial: self.serial.parse::<SerialNumber>().ok()?,
            secret: Secret::from_base32_strict(&self.secret).ok()?,
            params: self.params.params()?,
            last_step: self.last_step.map(Step::new),
            drift: self.drift,
            kind: self.kind,
            name: match &self.name {
                Some(name) => Some(name.parse().ok()?),
                None => None,
            },
            enrolled_at: self.enrolled_at.map(UnixTime::from_secs),
        })
    }
}

impl PlainPending {
    fn of(p: &PendingActivation) -> Self {
        Self {
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
        }
    }

    fn pending(&self) -> Option<PendingActivation> {
        Some(PendingActivation {
            activation: Activation::from_parts(
                self.serial.parse().ok()?,
                self.activation_code.parse::<ActivationCode>().ok()?,
                self.policy
                    .as_deref()
                    .map(str::parse::<Policy>)
                    .transpose()
                    .ok()?,
                UnixTime::from_secs(self.expires_at),
            ),
            kind: self.kind,
            login: self.login,
            mobile: match &self.mobile {
                Some(m) => Some(MobileQr {
                    uri: m.uri.to_string(),
                    password: m.password.parse::<ActivationPassword>().ok()?,
                }),
                None => None,
            },
            open: match &self.open {
                Some(o) => Some(OpenToken {
                    secret: Secret::from_base32_strict(&o.secret).ok()?,
                    params: o.params.params()?,
                }),
                None => None,
            },
            registered: match &self.registered {
                Some(r) => Some(OnlineRegistration {
                    code: r.code.parse().ok()?,
                    at: UnixTime::from_secs(r.at),
                }),
                None => None,
            },
            online_failures: self.online_failures,
        })
    }
}

impl PlainDevice {
    fn of(device: &KnownDevice) -> Self {
        Self {
            digest: hex(&device.digest),
            last_login: device.last_login.as_secs(),
            failures: device.failures,
            locked_until: device.locked_until.map(UnixTime::as_secs),
        }
    }

    fn device(&self) -> Option<KnownDevice> {
        Some(KnownDevice {
            digest: crate::hex::decode(&self.digest)?,
            last_login: UnixTime::from_secs(self.last_login),
            failures: self.failures,
            locked_until: self.locked_until.map(UnixTime::from_secs),
        })
    }
}

impl PlainGrant {
    fn of(grant: &Grant) -> Self {
        Self {
            hash: hex(&grant.hash.0),
            expires_at: grant.expires_at.as_secs(),
        }
    }

    fn grant(&self) -> Option<Grant> {
        Some(Grant {
            hash: RecoveryHash(crate::hex::decode(&self.hash)?),
            expires_at: UnixTime::from_secs(self.expires_at),
        })
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
            reset_sent: state.reset_sent.iter().map(|t| t.as_secs()).collect(),
            reset_closed_until: state.reset_closed_until.map(UnixTime::as_secs),
            password_expired: state.password_expired,
            recovery_codes: state.recovery_codes.iter().map(|h| hex(&h.0)).collect(),
            token: state.tokens.first().map(PlainToken::of),
            more_tokens: state.tokens.iter().skip(1).map(PlainToken::of).collect(),
            grant: state.grant.as_ref().map(PlainGrant::of),
            pending: state.pending.as_ref().map(PlainPending::of),
            last_login: state.last_login.map(UnixTime::as_secs),
            passkeys: state.passkeys.iter().map(PlainPasskey::of).collect(),
            user_handle: state.user_handle.map(|h| hex(&h)),
            phishing_resistant: state.phishing_resistant,
            revoked_credentials: state.revoked_credentials.clone(),
        }
    }

    fn state(&self) -> Option<AccountState> {
        // More tokens with no first one is no state this version writes.
        if self.token.is_none() && !self.more_tokens.is_empty() {
            return None;
        }
        let times = |secs: &[u64]| secs.iter().copied().map(UnixTime::from_secs).collect();
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
            sms_sent: times(&self.sms_sent),
            email_sent: times(&self.email_sent),
            reset_failures: self.reset_failures,
            reset_sent: times(&self.reset_sent),
            reset_closed_until: self.reset_closed_until.map(UnixTime::from_secs),
            password_expired: self.password_expired,
            recovery_codes: self
                .recovery_codes
                .iter()
                .map(|hex| crate::hex::decode(hex).map(RecoveryHash))
                .collect::<Option<_>>()?,
            tokens: self
                .token
                .iter()
                .chain(&self.more_tokens)
                .map(PlainToken::token)
                .collect::<Option<_>>()?,
            pending: match &self.pending {
                Some(p) => Some(p.pending()?),
                None => None,
            },
            grant: match &self.grant {
                Some(grant) => Some(grant.grant()?),
                None => None,
            },
            last_login: self.last_login.map(UnixTime::from_secs),
            passkeys: self
                .passkeys
                .iter()
                .map(PlainPasskey::passkey)
                .collect::<Option<_>>()?,
            user_handle: match &self.user_handle {
                Some(handle) => Some(crate::hex::decode(handle)?),
                None => None,
            },
            phishing_resistant: self.phishing_resistant,
            revoked_credentials: self.revoked_credentials.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{AccountState, DecodeError, ENCODING_V1};

    use crate::account::tests::token;

    /// The layout a build from before several authenticators reads: the oldest token where it
    /// looked for its one token, the others in a field it ignores; and a state with more
    /// tokens but no first is no state.
    #[test]
    fn the_oldest_token_stays_where_the_previous_version_reads_it() {
        let state = AccountState {
            tokens: vec![token("48244-13456"), token("12211-49352")],
            ..AccountState::default()
        };
        let bytes = state.encode();
        assert_eq!(bytes.first(), Some(&ENCODING_V1));
        let json: serde_json::Value =
            serde_json::from_slice(&bytes[1..]).unwrap_or_else(|_| unreachable!());
        assert_eq!(json["token"]["serial"], "48244-13456");
        assert_eq!(json["more_tokens"][0]["serial"], "12211-49352");
        let mut orphan = json.clone();
        orphan["token"] = serde_json::Value::Null;
        let orphan = serde_json::to_vec(&orphan).unwrap_or_default();
        assert_eq!(AccountState::decode(&orphan).err(), Some(DecodeError));
    }

    /// The JSON alone, as the store sealed it before the account owned its encoding, decodes;
    /// another leading byte, a cut encoding and an empty one do not.
    #[test]
    fn the_previous_encoding_decodes_and_nothing_else_does() {
        let state = AccountState {
            tokens: vec![token("48244-13456")],
            password_failures: 3,
            ..AccountState::default()
        };
        let bytes = state.encode();
        let previous = &bytes[1..];
        let decoded = AccountState::decode(previous).unwrap_or_else(|_| unreachable!());
        assert_eq!(decoded.encode(), bytes);
        let mut future = bytes.to_vec();
        future[0] = 2;
        assert!(AccountState::decode(&future).is_err());
        assert!(AccountState::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(AccountState::decode(&[]).is_err());
    }
}
