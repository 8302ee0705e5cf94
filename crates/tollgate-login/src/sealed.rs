//! A login in progress as a store keeps it: under the digest of its key, with a version the
//! store compare-and-sets, and authenticated under the service's [`StateKey`] so that a
//! database writer can neither forge one, nor alter one, nor move one under another key.

use core::fmt;
use core::str::FromStr;

use hmac::{Hmac, KeyInit, Mac};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tollgate_otp::UnixTime;
use zeroize::Zeroizing;

use crate::error::{InputError, Refusal};
use crate::hex;
use crate::keys::{KeyId, RingKey, StateKeys};
use crate::state::LoginState;

/// The key a client holds for its login in progress: 128 random bits, and the generation of
/// the stored login it last saw. It is the session's bearer secret: its `Debug` is redacted,
/// and its text form ([`LoginKey::expose_secret`]) goes into a cookie or a server-side
/// session, never into a URL or a log.
///
/// The random part is replaced at every rise in the login's assurance, and the old one dies
/// in the same atomic step. The generation moves on at every stored change: a stored login
/// older than the key that comes back is a rolled-back row, and is refused.
#[derive(Clone)]
pub struct LoginKey {
    secret: Zeroizing<[u8; 16]>,
    generation: u64,
    /// The digest of the random part, computed once.
    digest: LoginDigest,
}

/// The longest text a [`LoginKey`] has: 32 hex digits, a dot and a 20-digit generation.
const MAX_KEY_TEXT: usize = 32 + 1 + 20;

impl LoginKey {
    pub(crate) fn generate(rng: &mut impl CryptoRng, generation: u64) -> Self {
        let mut secret = Zeroizing::new([0u8; 16]);
        rng.fill_bytes(&mut *secret);
        Self::new(secret, generation)
    }

    fn new(secret: Zeroizing<[u8; 16]>, generation: u64) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"tollgate login key v2\0");
        hash.update(*secret);
        let digest = LoginDigest(hash.finalize().into());
        Self {
            secret,
            generation,
            digest,
        }
    }

    pub(crate) fn at_generation(&self, generation: u64) -> Self {
        Self {
            generation,
            ..self.clone()
        }
    }

    /// What a store files the login under: a SHA-256 of the random part, so that a copy of the
    /// table does not let anyone step into a login.
    #[must_use]
    pub fn digest(&self) -> LoginDigest {
        self.digest
    }

    /// The generation of the stored login this key last saw.
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The key as text (`<32 hex digits>.<generation>`), for the session.
    ///
    /// # Security
    /// Whoever holds it holds the login: keep it in an `HttpOnly` cookie or a server-side
    /// session, never in a URL, a log or an error.
    #[must_use]
    pub fn expose_secret(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(MAX_KEY_TEXT));
        hex::encode_into(&*self.secret, &mut text);
        text.push('.');
        text.push_str(&self.generation.to_string());
        text
    }

    /// Whether two keys are the same, in constant time over the random part.
    #[must_use]
    pub fn matches(&self, other: &Self) -> bool {
        bool::from(self.secret.ct_eq(&*other.secret)) && self.generation == other.generation
    }
}

impl FromStr for LoginKey {
    type Err = InputError;

    /// # Errors
    /// [`InputError::NotALoginKey`] for anything but the text of
    /// [`LoginKey::expose_secret`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.len() > MAX_KEY_TEXT {
            return Err(InputError::NotALoginKey);
        }
        let (hex, generation) = text.split_once('.').ok_or(InputError::NotALoginKey)?;
        if generation.is_empty() || !generation.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InputError::NotALoginKey);
        }
        let generation = generation.parse().map_err(|_| InputError::NotALoginKey)?;
        let secret = Zeroizing::new(hex::decode::<16>(hex).ok_or(InputError::NotALoginKey)?);
        Ok(Self::new(secret, generation))
    }
}

tollgate_otp::redacted_debug!(LoginKey, "generation {}", generation);

/// The digest a store files a login under ([`LoginKey::digest`]). Not a secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LoginDigest([u8; 32]);

impl LoginDigest {
    /// A digest from its bytes, as a store keeps it.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Its bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for LoginDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoginDigest(")?;
        for b in &self.0[..8] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

/// The key stored logins are authenticated under (HMAC-SHA-256). 256 random bits, kept with
/// the service's other secrets and shared by every node; without it, no stored login can be
/// forged or altered. Redacted `Debug`, no `Default`, wiped on drop.
#[derive(Clone)]
pub struct StateKey {
    bytes: Zeroizing<[u8; 32]>,
    /// The key schedule, computed once.
    mac: Hmac<Sha256>,
    id: KeyId,
}

impl StateKey {
    /// A key from its 32 bytes.
    #[must_use]
    pub fn new(bytes: [u8; 32]) -> Self {
        // HMAC takes keys of any length; 32 bytes cannot fail.
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&bytes)
            .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
        Self {
            id: KeyId::derive("stored login", &bytes),
            bytes: Zeroizing::new(bytes),
            mac,
        }
    }

    /// A fresh random key.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *bytes);
        Self::new(*bytes)
    }

    /// The key's bytes, to keep in a key file or a secrets manager.
    ///
    /// # Security
    /// Whoever has it can write stored logins the service trusts.
    #[must_use]
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The tag of a `tl3:` row, which also covers the key's identifier.
    fn tag(&self, digest: &LoginDigest, version: u64, json: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(b"tollgate stored login v3\0");
        mac.update(&self.id.to_bytes());
        mac.update(&digest.0);
        mac.update(&version.to_be_bytes());
        mac.update(json.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The tag of a `tl2:` row (written before keys had identifiers).
    fn tag_v2(&self, digest: &LoginDigest, version: u64, json: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(b"tollgate stored login v2\0");
        mac.update(&digest.0);
        mac.update(&version.to_be_bytes());
        mac.update(json.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl RingKey for StateKey {
    fn id(&self) -> KeyId {
        self.id
    }
}

tollgate_otp::redacted_debug!(StateKey);

/// A stored login: what a store keeps under a [`LoginDigest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedLogin {
    /// The compare-and-set version: 0 when the login starts, one more at every stored change.
    pub version: u64,
    /// When the store may forget it: an hour after the login's deadline (which is inside,
    /// authenticated).
    pub expires: UnixTime,
    /// `tl3:<key id in hex>:<HMAC-SHA-256 in hex>:<the state as JSON>`; the tag covers the key
    /// id, the digest, the version and the JSON. (`tl2:<tag>:<JSON>`, without the key id, is
    /// what the version before key rotation wrote; it still opens.)
    pub text: String,
}

const PREFIX: &str = "tl3:";
const PREFIX_V2: &str = "tl2:";

/// How long a store keeps a login after its deadline, so that a late request hears that the
/// login took too long (rather than that there is none).
const KEPT_AFTER_DEADLINE: u64 = 3600;

impl SealedLogin {
    /// `state`, as the store keeps it under `digest` at `version`, authenticated under the
    /// ring's current key.
    #[must_use]
    pub fn seal(state: &LoginState, keys: &StateKeys, digest: &LoginDigest, version: u64) -> Self {
        let key = keys.current();
        let json = state.to_json();
        let tag = key.tag(digest, version, &json);
        let mut text = String::with_capacity(PREFIX.len() + 74 + json.len());
        text.push_str(PREFIX);
        hex::encode_into(&key.id.to_bytes(), &mut text);
        text.push(':');
        hex::encode_into(&tag, &mut text);
        text.push(':');
        text.push_str(&json);
        Self {
            version,
            expires: state
                .deadline()
                .checked_add_secs(KEPT_AFTER_DEADLINE)
                .unwrap_or(UnixTime::from_secs(u64::MAX)),
            text,
        }
    }

    /// The login, if this row is what the service wrote under `digest` at its version.
    ///
    /// # Errors
    /// [`Refusal::Unverified`] when the tag does not match (forged, altered, copied from
    /// another login's row, written before stored logins were authenticated, or under a key
    /// the ring does not hold); [`Refusal::Unreadable`] when it matches but the state is of a
    /// format this build does not read.
    pub fn open(&self, keys: &StateKeys, digest: &LoginDigest) -> Result<LoginState, Refusal> {
        let json = if let Some(rest) = self.text.strip_prefix(PREFIX) {
            let (id, rest) = rest.split_once(':').ok_or(Refusal::Unverified)?;
            let (tag, json) = rest.split_once(':').ok_or(Refusal::Unverified)?;
            let key = KeyId::from_hex(id)
                .and_then(|id| keys.find(id))
                .ok_or(Refusal::Unverified)?;
            let tag = hex::decode::<32>(tag).ok_or(Refusal::Unverified)?;
            if !bool::from(key.tag(digest, self.version, json).ct_eq(&tag)) {
                return Err(Refusal::Unverified);
            }
            json
        } else {
            let rest = self
                .text
                .strip_prefix(PREFIX_V2)
                .ok_or(Refusal::Unverified)?;
            let (tag, json) = rest.split_once(':').ok_or(Refusal::Unverified)?;
            let tag = hex::decode::<32>(tag).ok_or(Refusal::Unverified)?;
            // No identifier: each key of the ring is tried (every one of them, so that the
            // time does not say which matched).
            let matched = keys.all().fold(subtle::Choice::from(0), |found, key| {
                found | key.tag_v2(digest, self.version, json).ct_eq(&tag)
            });
            if !bool::from(matched) {
                return Err(Refusal::Unverified);
            }
            json
        };
        LoginState::from_json(json).map_err(Refusal::Unreadable)
    }

    /// The identifier of the key this row is authenticated under; `None` for a row written
    /// before keys had identifiers, or not a stored login at all.
    #[must_use]
    pub fn key_id(&self) -> Option<KeyId> {
        let rest = self.text.strip_prefix(PREFIX)?;
        KeyId::from_hex(rest.split_once(':')?.0)
    }
}
