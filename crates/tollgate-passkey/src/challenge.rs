//! A ceremony's challenge: 32 random bytes (WebAuthn L3 §13.4.3 asks for at least 16), drawn
//! for one ceremony, used once.

use alloc::string::String;

/// A ceremony's challenge. Not a secret (it is sent to the browser), but a response answers one
/// challenge only, and the caller keeps it with the ceremony and forgets it once used.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Challenge([u8; 32]);

impl Challenge {
    /// A new challenge from `rng`.
    pub fn generate(rng: &mut impl rand_core::CryptoRng) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A challenge kept with a ceremony (or a test vector's).
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Its bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The base64url form the browser's options carry.
    #[must_use]
    pub fn to_base64url(&self) -> String {
        crate::base64url::encode(&self.0)
    }
}

impl core::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Challenge({})", self.to_base64url())
    }
}
