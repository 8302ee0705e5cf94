//! A login in progress: a small, serialisable, versioned value without secrets, which the
//! service keeps between HTTP requests.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tollgate_otp::UnixTime;
use zeroize::Zeroizing;

use crate::error::StateError;
use crate::keys::{KeyId, PinKeys, RingKey};
use crate::output::Channel;
use crate::user::UserId;

mod purpose;
mod stage;
mod v2;

pub(crate) use purpose::PinPurpose;
pub(crate) use stage::{Enrollment, LostToken, Reset, Sensitive, SignIn, Stage};

/// The format version this build writes and reads: 3, the stages nested by flow. Version 2
/// (one flat list of stages) is still read; version 1 (before stored logins were
/// authenticated) is not: such a login starts over.
pub const FORMAT_VERSION: u64 = 3;

/// A login in progress.
///
/// It holds no password and no PIN (only a salted hash of the PIN, bound to this login), so
/// a stolen stored login reveals neither. The [`Driver`](crate::Driver) keeps it in a store
/// authenticated under the service's [`StateKey`](crate::StateKey) ([`SealedLogin`](crate::SealedLogin));
/// [`LoginState::to_json`] and [`LoginState::from_json`] are the plain form inside.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginState {
    /// The format version.
    pub(crate) v: u64,
    /// This login's random identifier, which binds its PIN and its activation to it. It stays
    /// the same when the login's key is replaced.
    pub(crate) id: LoginId,
    /// When the login must be finished by.
    pub(crate) deadline: u64,
    /// What the login waits for.
    pub(crate) stage: Stage,
    /// Whether the password was typed on a device the account knows (no new device cookie is
    /// drawn when such a login ends).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub(crate) on_device: bool,
    /// When this login last proved the second factor (its whole login, or a step-up since):
    /// what [`STEP_UP_WINDOW`](crate::STEP_UP_WINDOW) is measured from. Logins stored before
    /// have none, and step up at their first sensitive change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) proven_at: Option<u64>,
}

/// The PIN as the login remembers it: a salted hash, its expiry, and the sends so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PinRecord {
    pub(crate) salt: Hex<16>,
    pub(crate) hash: Hex<32>,
    pub(crate) expires: u64,
    pub(crate) channel: Channel,
    pub(crate) sent_at: u64,
    pub(crate) sends: u8,
    /// The PIN key's identifier (logins stored before key rotation have none: every key of
    /// the ring is tried).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) key: Option<Hex<4>>,
    /// The service could not deliver this PIN ([`Report::PinNotDelivered`](crate::Report::PinNotDelivered)):
    /// it is void, and the screen does not say it was sent.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub(crate) failed: bool,
}

impl PinRecord {
    /// HMAC-SHA-256 under the service's PIN key over the salt, the login's identifier and
    /// the PIN's digits. Without the key, a stored login does not give the PIN away even to
    /// 10^6 guesses.
    pub(crate) fn hash(key: &PinKey, salt: &[u8; 16], login: &[u8; 16], pin: &str) -> [u8; 32] {
        let mut mac = key.mac();
        mac.update(b"tollgate login pin v1");
        mac.update(salt);
        mac.update(login);
        mac.update(pin.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Whether `typed` (white space ignored) is the PIN, in constant time: under the key the
    /// record names, or (a record from before key identifiers) under any key of the ring.
    pub(crate) fn matches(&self, keys: &PinKeys, login: &[u8; 16], typed: &str) -> bool {
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        let check =
            |key: &PinKey| Self::hash(key, &self.salt.0, login, &digits).ct_eq(&self.hash.0);
        match &self.key {
            Some(id) => keys
                .find(KeyId::from_bytes(id.0))
                .is_some_and(|key| bool::from(check(key))),
            None => bool::from(
                keys.all()
                    .fold(subtle::Choice::from(0), |found, key| found | check(key)),
            ),
        }
    }
}

impl LoginState {
    /// The User ID this login is for, once it is known: load its account for the next input.
    #[must_use]
    pub fn user(&self) -> Option<&UserId> {
        self.stage.user()
    }

    /// Whether the login is at the password step: the only one where a service need check a
    /// password (anywhere else the machine ignores it, so the hash would be work for nothing).
    #[must_use]
    pub fn expects_password(&self) -> bool {
        matches!(self.stage, Stage::SignIn(SignIn::ExpectPassword { .. }))
    }

    /// Whether the login is at a reset's new-password step: the only one where a service
    /// checks a new password's rules and hashes it ([`Input::NewPassword`](crate::Input::NewPassword)).
    #[must_use]
    pub fn expects_new_password(&self) -> bool {
        matches!(
            self.stage,
            Stage::Reset {
                step: Reset::ExpectNewPassword,
                ..
            }
        )
    }

    /// Whether the login is in a password reset ("Password locked or forgotten?"), which asks
    /// for no password: what a service throttles by the client's network besides the account.
    #[must_use]
    pub fn is_resetting(&self) -> bool {
        matches!(self.stage, Stage::Reset { .. })
    }

    /// Whether the login waits for a passkey's answer before any User ID (whose account the
    /// service finds by the answer's credential ID: [`Report::PasskeyOwner`](crate::Report::PasskeyOwner)).
    #[must_use]
    pub fn expects_discoverable(&self) -> bool {
        matches!(self.stage, Stage::SignIn(SignIn::ExpectDiscoverable { .. }))
    }

    /// Whether the login has ended in success.
    #[must_use]
    pub fn is_authenticated(&self) -> bool {
        self.stage.is_session()
    }

    /// When the login expires.
    #[must_use]
    pub fn deadline(&self) -> UnixTime {
        UnixTime::from_secs(self.deadline)
    }

    /// The login's identifier.
    #[must_use]
    pub fn id(&self) -> LoginId {
        self.id
    }

    /// The plain form, as sealed into a [`SealedLogin`](crate::SealedLogin).
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The plain form read back. Only a [`SealedLogin`](crate::SealedLogin) that verified
    /// under the service's key should be trusted with it.
    ///
    /// # Errors
    /// [`StateError::Version`] for another format version; [`StateError::Malformed`] for
    /// anything that is not a stored login.
    pub fn from_json(text: &str) -> Result<Self, StateError> {
        #[derive(Deserialize)]
        struct Versioned {
            v: u64,
        }
        let Versioned { v } = serde_json::from_str(text)?;
        match v {
            FORMAT_VERSION => Ok(serde_json::from_str(text)?),
            v2::VERSION => {
                let previous: v2::LoginStateV2 = serde_json::from_str(text)?;
                Ok(previous.into_current(FORMAT_VERSION))
            }
            _ => Err(StateError::Version {
                found: v,
                supported: FORMAT_VERSION,
            }),
        }
    }
}

/// A login's random identifier: 128 bits drawn when the login starts. Not a secret (the
/// login's key is); it binds a PIN's hash and an activation to the login that asked for them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LoginId(Hex<16>);

impl LoginId {
    /// An identifier from its bytes (as a store keeps it).
    #[must_use]
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(Hex(bytes))
    }

    /// Its bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0.0
    }

    pub(crate) fn generate(rng: &mut impl rand_core::CryptoRng) -> Self {
        let mut id = [0u8; 16];
        rng.fill_bytes(&mut id);
        Self::from_bytes(id)
    }
}

impl core::fmt::Debug for LoginId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "LoginId(")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// Bytes stored as lower-case hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Hex<const N: usize>(pub(crate) [u8; N]);

impl<const N: usize> core::fmt::Debug for Hex<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Hex<{N}>(..)")
    }
}

impl<const N: usize> Serialize for Hex<N> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(2 * N);
        crate::hex::encode_into(&self.0, &mut text);
        serializer.serialize_str(&text)
    }
}

impl<'de, const N: usize> Deserialize<'de> for Hex<N> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        crate::hex::decode(&text)
            .map(Self)
            .ok_or_else(|| serde::de::Error::custom("expected hex of the right length"))
    }
}

/// The key under which stored logins hash their PINs. Keep it with the service, not with the
/// stored logins: whoever has both can search a PIN's 10^6 values. It has no default (an
/// all-zero key would make every leaked PIN searchable).
#[derive(Clone)]
pub struct PinKey(Zeroizing<[u8; 32]>, KeyId);

impl PinKey {
    /// A key from 32 secret bytes (e.g. drawn once from the OS RNG and kept with the service's
    /// other secrets; every node of a cluster needs the same one).
    #[must_use]
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes), KeyId::derive("pin", &bytes))
    }

    /// A random key (for a single process whose logins do not outlive it).
    #[must_use]
    pub fn generate(rng: &mut impl rand_core::CryptoRng) -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *key);
        Self::new(*key)
    }

    /// The key's bytes, to keep with the service's other secrets.
    ///
    /// # Security
    /// Whoever has it and the stored logins can search each stored PIN's 10^6 values.
    #[must_use]
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length.
        <Hmac<Sha256> as KeyInit>::new_from_slice(&*self.0)
            .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()))
    }
}

impl PartialEq for PinKey {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.0.ct_eq(&*other.0))
    }
}

impl Eq for PinKey {}

impl RingKey for PinKey {
    fn id(&self) -> KeyId {
        self.1
    }
}

tollgate_otp::redacted_debug!(PinKey);
