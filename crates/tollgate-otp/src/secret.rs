//! The shared secret of a token.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use core::fmt;

use rand_core::CryptoRng;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

use crate::base32::{self, Mode};
use crate::error::SecretError;
use crate::params::Algorithm;

/// The shortest secret accepted on import: 80 bits (10 bytes), as found in real key URIs.
pub const MIN_IMPORT_BYTES: usize = 10;
/// The shortest secret that is not marked weak, and the shortest that is generated:
/// 160 bits (RFC 4226 §4 R6 recommends 160; it requires at least 128).
pub const RECOMMENDED_BYTES: usize = 20;
/// The longest secret accepted: 256 bytes. Keys longer than a hash block are hashed first
/// (RFC 2104 §2), so more length adds nothing; the bound keeps hostile input small.
pub const MAX_BYTES: usize = 256;

/// A token's shared secret key.
///
/// Its `Debug` shows only its length; it has no `Display`, no `PartialEq` (use
/// [`ConstantTimeEq`]) and is wiped from memory when dropped. Read it with
/// [`Secret::expose_secret`] or [`Secret::expose_base32`].
///
/// ```
/// use tollgate_otp::Secret;
///
/// // As people paste it: lower case, spaces, padding.
/// let secret = Secret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq ====")?;
/// assert_eq!(secret.expose_base32().as_str(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
/// assert!(!secret.is_weak());
/// # Ok::<(), tollgate_otp::SecretError>(())
/// ```
#[derive(Clone)]
pub struct Secret {
    bytes: Box<[u8]>,
}

impl Secret {
    /// Imports raw key bytes.
    ///
    /// # Errors
    /// [`SecretError::TooShort`] below 80 bits, [`SecretError::TooLong`] above
    /// [`MAX_BYTES`], [`SecretError::Empty`] for no bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretError> {
        match bytes.len() {
            0 => Err(SecretError::Empty),
            n if n < MIN_IMPORT_BYTES => Err(SecretError::TooShort { bits: n * 8 }),
            n if n > MAX_BYTES => Err(SecretError::TooLong {
                bits: n * 8,
                max: MAX_BYTES * 8,
            }),
            _ => Ok(Self {
                bytes: bytes.into(),
            }),
        }
    }

    /// A secret from an array whose length is known at compile time to be within the accepted
    /// range (10 to 256 bytes): infallible, for secrets that a derivation produces.
    /// A length outside the range is a compile-time error.
    #[must_use]
    pub fn from_array<const N: usize>(bytes: [u8; N]) -> Self {
        const {
            assert!(
                N >= MIN_IMPORT_BYTES && N <= MAX_BYTES,
                "secret length out of range"
            )
        };
        let mut bytes = bytes;
        let secret = Self {
            bytes: Box::from(bytes.as_slice()),
        };
        bytes.zeroize();
        secret
    }

    /// Imports a base32 secret as people paste it: any case, `=` padding or none, spaces,
    /// hyphens and line breaks anywhere. Bits past the last whole byte are ignored, as
    /// authenticator apps ignore them.
    ///
    /// # Errors
    /// A [`SecretError`] that names the first offending character and its position, or the
    /// length problem.
    pub fn from_base32(text: &str) -> Result<Self, SecretError> {
        Self::from_base32_mode(text, Mode::Lenient)
    }

    /// Like [`Secret::from_base32`], but also refuses text that is not the canonical encoding
    /// of its bytes: a length no byte string encodes to, or non-zero unused trailing bits.
    ///
    /// # Errors
    /// As [`Secret::from_base32`], plus [`SecretError::ImpossibleLength`] and
    /// [`SecretError::NonCanonical`].
    pub fn from_base32_strict(text: &str) -> Result<Self, SecretError> {
        Self::from_base32_mode(text, Mode::Strict)
    }

    fn from_base32_mode(text: &str, mode: Mode) -> Result<Self, SecretError> {
        let bytes = base32::decode(text, mode, MAX_BYTES)?;
        Self::from_bytes(&bytes)
    }

    /// Generates a new secret of the recommended length for `algorithm`: 20 bytes for SHA-1
    /// (RFC 4226 §4 R6), the hash length for SHA-2 (RFC 6238 §5.1).
    pub fn generate(algorithm: Algorithm, rng: &mut impl CryptoRng) -> Self {
        let mut bytes = vec![0u8; algorithm.output_len()].into_boxed_slice();
        rng.fill_bytes(&mut bytes);
        Self { bytes }
    }

    /// Generates a new secret of `len` bytes.
    ///
    /// # Errors
    /// [`SecretError::GeneratedTooShort`] below 20 bytes; [`SecretError::TooLong`] above
    /// [`MAX_BYTES`].
    pub fn generate_with_len(len: usize, rng: &mut impl CryptoRng) -> Result<Self, SecretError> {
        if len < RECOMMENDED_BYTES {
            return Err(SecretError::GeneratedTooShort { bits: len * 8 });
        }
        if len > MAX_BYTES {
            return Err(SecretError::TooLong {
                bits: len * 8,
                max: MAX_BYTES * 8,
            });
        }
        let mut bytes = vec![0u8; len].into_boxed_slice();
        rng.fill_bytes(&mut bytes);
        Ok(Self { bytes })
    }

    /// The raw key bytes.
    ///
    /// # Security
    /// Whoever holds these bytes can produce every code of the token. Do not log them, and
    /// wipe any copy you make.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        &self.bytes
    }

    /// The key in canonical base32 (upper case, unpadded), as key URIs carry it; wiped on drop.
    ///
    /// # Security
    /// As for [`Secret::expose_secret`].
    #[must_use]
    pub fn expose_base32(&self) -> Zeroizing<String> {
        base32::encode(&self.bytes)
    }

    /// The key length in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.bytes.len() * 8
    }

    /// True when the key is shorter than the 160 bits that RFC 4226 §4 R6 recommends. Such
    /// keys are accepted on import (they exist in the wild, and Entrust-format tokens have
    /// 128-bit keys) but a service should prefer re-enrolling them.
    #[must_use]
    pub fn is_weak(&self) -> bool {
        self.bytes.len() < RECOMMENDED_BYTES
    }
}

impl ConstantTimeEq for Secret {
    /// Constant-time in the contents; the lengths are not secret.
    fn ct_eq(&self, other: &Self) -> Choice {
        self.bytes.ct_eq(&other.bytes)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;

    #[test]
    fn lengths_are_enforced() {
        assert_eq!(
            Secret::from_bytes(&[1; 9]).unwrap_err(),
            SecretError::TooShort { bits: 72 }
        );
        assert_eq!(
            Secret::from_bytes(&[1; 9]).unwrap_err().to_string(),
            "secret is 72 bits long, at least 80 are needed (160 recommended)"
        );
        assert!(Secret::from_bytes(&[1; 10]).unwrap().is_weak());
        assert!(!Secret::from_bytes(&[1; 20]).unwrap().is_weak());
        assert!(Secret::from_bytes(&[1; 257]).is_err());
        assert_eq!(Secret::from_bytes(&[]).unwrap_err(), SecretError::Empty);
    }

    #[test]
    fn generated_secrets_have_the_recommended_length() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        assert_eq!(Secret::generate(Algorithm::Sha1, &mut rng).bits(), 160);
        assert_eq!(Secret::generate(Algorithm::Sha256, &mut rng).bits(), 256);
        assert_eq!(Secret::generate(Algorithm::Sha512, &mut rng).bits(), 512);
        assert_eq!(
            Secret::generate_with_len(16, &mut rng).unwrap_err(),
            SecretError::GeneratedTooShort { bits: 128 }
        );
        let a = Secret::generate(Algorithm::Sha1, &mut rng);
        let b = Secret::generate(Algorithm::Sha1, &mut rng);
        assert!(!bool::from(a.ct_eq(&b)));
        assert!(bool::from(a.ct_eq(&a.clone())));
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let shown = format!("{secret:?}");
        assert_eq!(shown, "Secret { bits: 160, .. }");
        assert!(!shown.contains("GEZD"));
    }
}
