//! Key rotation: every key the service holds has a [`KeyId`], written into what it protects;
//! a [`KeyRing`] is one current key and any number of old ones. What was protected under an old
//! key still reads; what is written is protected under the current one.
//!
//! The rings are [`StateKeys`] (stored logins), [`PinKeys`] (the PINs of stored logins) and, in
//! `tollgate-store`, `SealingKeys` (accounts at rest).

use core::fmt;

use sha2::{Digest, Sha256};

use crate::sealed::StateKey;
use crate::state::PinKey;

/// Which key protected a value: the first 4 bytes of a SHA-256 over a label, the key's purpose
/// and the key. Not a secret (it says nothing of 256 key bits), shown as 8 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; 4]);

impl KeyId {
    /// The identifier of `key`, used for `purpose` (so that the same bytes given for two
    /// purposes have two identifiers).
    #[must_use]
    pub fn derive(purpose: &str, key: &[u8]) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"tollgate key id\0");
        hash.update(purpose.as_bytes());
        hash.update([0]);
        hash.update(key);
        let digest = hash.finalize();
        Self([digest[0], digest[1], digest[2], digest[3]])
    }

    /// An identifier from its bytes, as a value carries it.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 4]) -> Self {
        Self(bytes)
    }

    /// Its bytes.
    #[must_use]
    pub fn to_bytes(self) -> [u8; 4] {
        self.0
    }

    /// An identifier from its 8 hex digits; `None` for anything else.
    #[must_use]
    pub fn from_hex(text: &str) -> Option<Self> {
        crate::hex::decode::<4>(text).map(Self)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// A key that can sit in a [`KeyRing`]: it knows its identifier.
pub trait RingKey {
    /// Its identifier.
    fn id(&self) -> KeyId;
}

/// One current key, which protects everything written, and the old keys, which still read what
/// was written under them. Rotating is: give every node the ring `new` + old `previous`; re-seal
/// (the store's rotation, or each row's next write); then drop `previous`.
#[derive(Clone)]
pub struct KeyRing<K> {
    current: K,
    old: Vec<K>,
}

impl<K: RingKey> KeyRing<K> {
    /// A ring of one key.
    #[must_use]
    pub fn new(current: K) -> Self {
        Self {
            current,
            old: Vec::new(),
        }
    }

    /// This ring, also reading what `old` protected. A key already in the ring is not added
    /// twice.
    #[must_use]
    pub fn with_old(mut self, old: K) -> Self {
        if self.find(old.id()).is_none() {
            self.old.push(old);
        }
        self
    }

    /// The key that protects what is written.
    #[must_use]
    pub fn current(&self) -> &K {
        &self.current
    }

    /// The key with this identifier, current or old.
    #[must_use]
    pub fn find(&self, id: KeyId) -> Option<&K> {
        self.all().find(|k| k.id() == id)
    }

    /// Every key, the current one first: for values written before keys had identifiers.
    pub fn all(&self) -> impl Iterator<Item = &K> {
        core::iter::once(&self.current).chain(&self.old)
    }

    /// The identifiers, the current one first.
    #[must_use]
    pub fn ids(&self) -> Vec<KeyId> {
        self.all().map(RingKey::id).collect()
    }
}

impl<K: RingKey> From<K> for KeyRing<K> {
    fn from(current: K) -> Self {
        Self::new(current)
    }
}

impl<K: RingKey> fmt::Debug for KeyRing<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &self.current.id())
            .field("old", &self.old.iter().map(RingKey::id).collect::<Vec<_>>())
            .finish()
    }
}

/// The keys stored logins are authenticated under.
pub type StateKeys = KeyRing<StateKey>;
/// The keys the PINs of stored logins are hashed under.
pub type PinKeys = KeyRing<PinKey>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_differ_by_key_and_by_purpose() {
        let a = KeyId::derive("state", &[1; 32]);
        assert_eq!(a, KeyId::derive("state", &[1; 32]));
        assert_ne!(a, KeyId::derive("state", &[2; 32]));
        assert_ne!(a, KeyId::derive("pin", &[1; 32]));
        assert_eq!(KeyId::from_hex(&a.to_string()), Some(a));
        assert_eq!(KeyId::from_hex("xyz"), None);
    }

    #[test]
    fn a_ring_finds_current_and_old_and_adds_a_key_once() {
        let new = StateKey::new([1; 32]);
        let old = StateKey::new([2; 32]);
        let ring = StateKeys::new(new.clone())
            .with_old(old.clone())
            .with_old(old.clone())
            .with_old(new.clone());
        assert_eq!(ring.ids(), vec![new.id(), old.id()]);
        assert_eq!(ring.current().id(), new.id());
        assert!(ring.find(old.id()).is_some());
        assert!(ring.find(StateKey::new([3; 32]).id()).is_none());
        // The Debug shows identifiers, never key bytes.
        let shown = format!("{ring:?}");
        assert!(shown.contains(&new.id().to_string()), "{shown}");
        assert!(!shown.contains("[1, 1"), "{shown}");
    }
}
