//! A login in progress: a small, serialisable, versioned value without secrets, which the
//! service keeps between HTTP requests.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tollgate_otp::UnixTime;
use zeroize::Zeroizing;

use crate::account::EnrollmentKind;
use crate::error::StateError;
use crate::output::Channel;
use crate::user::UserId;

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// A login in progress.
///
/// It holds no password and no PIN (only a salted hash of the PIN, bound to this login), so
/// a stolen stored login reveals neither. Store it with [`LoginState::to_json`], load it with
/// [`LoginState::from_json`]; a login written by another format version is refused clearly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginState {
    /// The format version.
    pub(crate) v: u64,
    /// This login's random identifier (hex), which binds its PIN to it.
    pub(crate) id: Hex<16>,
    /// When the login must be finished by.
    pub(crate) deadline: u64,
    /// What the login waits for.
    pub(crate) stage: Stage,
}

/// What a login waits for, named as rustls names its states.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "s", rename_all = "snake_case")]
pub(crate) enum Stage {
    ExpectUserId,
    ExpectPassword { user: UserId },
    ExpectPin { user: UserId, pin: PinRecord },
    ExpectEnrollmentChoice { user: UserId },
    ExpectRegistration { user: UserId, kind: EnrollmentKind },
    ExpectContinue { user: UserId },
    ExpectTokenCode { user: UserId },
    Authenticated { user: UserId },
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

    /// Whether `typed` (white space ignored) is the PIN, in constant time.
    pub(crate) fn matches(&self, key: &PinKey, login: &[u8; 16], typed: &str) -> bool {
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        let hash = Self::hash(key, &self.salt.0, login, &digits);
        bool::from(hash.ct_eq(&self.hash.0))
    }
}

impl LoginState {
    /// The User ID this login is for, once it is known: load its account for the next input.
    #[must_use]
    pub fn user(&self) -> Option<&UserId> {
        match &self.stage {
            Stage::ExpectUserId => None,
            Stage::ExpectPassword { user }
            | Stage::ExpectPin { user, .. }
            | Stage::ExpectEnrollmentChoice { user }
            | Stage::ExpectRegistration { user, .. }
            | Stage::ExpectContinue { user }
            | Stage::ExpectTokenCode { user }
            | Stage::Authenticated { user } => Some(user),
        }
    }

    /// Whether the login has ended in success.
    #[must_use]
    pub fn is_authenticated(&self) -> bool {
        matches!(self.stage, Stage::Authenticated { .. })
    }

    /// When the login expires.
    #[must_use]
    pub fn deadline(&self) -> UnixTime {
        UnixTime::from_secs(self.deadline)
    }

    /// The stored form.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Loads a stored login.
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
        if v != FORMAT_VERSION {
            return Err(StateError::Version {
                found: v,
                supported: FORMAT_VERSION,
            });
        }
        Ok(serde_json::from_str(text)?)
    }
}

/// Bytes stored as lower-case hex.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hex<const N: usize>(pub(crate) [u8; N]);

impl<const N: usize> core::fmt::Debug for Hex<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Hex<{N}>(..)")
    }
}

impl<const N: usize> Serialize for Hex<N> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        serializer.serialize_str(&text)
    }
}

impl<'de, const N: usize> Deserialize<'de> for Hex<N> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let mut out = [0u8; N];
        if text.len() != 2 * N || !text.is_ascii() {
            return Err(serde::de::Error::custom("wrong hex length"));
        }
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
                .map_err(|_| serde::de::Error::custom("not hex"))?;
        }
        Ok(Self(out))
    }
}

/// The key under which stored logins hash their PINs. Keep it with the service, not with the
/// stored logins: whoever has both can search a PIN's 10^6 values.
#[derive(Clone, Default)]
pub struct PinKey(Zeroizing<[u8; 32]>);

impl PinKey {
    /// A key from 32 secret bytes (e.g. drawn once from the OS RNG and kept with the service's
    /// other secrets; every node of a cluster needs the same one).
    #[must_use]
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
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

impl core::fmt::Debug for PinKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PinKey(<redacted>)")
    }
}
