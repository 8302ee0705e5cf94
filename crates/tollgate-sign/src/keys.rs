//! Key backends: where a credential's private key is made and used. The software backend here
//! keeps each key wrapped (XChaCha20-Poly1305 under the deployment's key-wrapping key) inside
//! the credential's record, which the store seals again; a real service keeps keys in an HSM
//! (a PKCS #11 backend, `tollgate::signing::Pkcs11Keys`), where they never leave the device.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use p256::ecdsa::SigningKey;
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::algorithm::{KeyAlgorithm, SignAlgorithm};
use crate::error::KeyError;

/// A reference to a private key, as a credential keeps it: which backend holds it, and what
/// that backend needs to find it (a wrapped key, an HSM object's ID). Its `Debug` shows the
/// backend only.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyRef {
    /// The backend's name ([`KeyBackend::name`]).
    pub backend: String,
    /// The backend's bytes.
    #[serde(with = "crate::base64_serde")]
    pub handle: Vec<u8>,
}

impl core::fmt::Debug for KeyRef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyRef")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// A key pair just made.
#[derive(Clone, Debug)]
pub struct GeneratedKey {
    /// Where it is.
    pub key: KeyRef,
    /// Its public key, a DER `SubjectPublicKeyInfo`.
    pub public_key: Vec<u8>,
}

/// Where private keys are made and used.
pub trait KeyBackend: Send + Sync {
    /// The backend's name, kept in each [`KeyRef`] it makes.
    fn name(&self) -> &'static str;

    /// Whether it holds keys in hardware (an HSM), which the credential's information says.
    fn in_hardware(&self) -> bool;

    /// Makes a key pair.
    ///
    /// # Errors
    /// [`KeyError::Unsupported`]; [`KeyError::Device`].
    fn generate(
        &self,
        algorithm: KeyAlgorithm,
        rng: &mut dyn CryptoRng,
    ) -> Result<GeneratedKey, KeyError>;

    /// Signs `digest` (already hashed with `algorithm`'s hash) with `key`: the signature as the
    /// CSC API returns it (ECDSA: DER `Ecdsa-Sig-Value`, RFC 5480 §2.2's encoding).
    ///
    /// # Errors
    /// [`KeyError::UnknownKey`], [`KeyError::DigestLength`], [`KeyError::Device`].
    fn sign(
        &self,
        key: &KeyRef,
        algorithm: SignAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, KeyError>;

    /// Destroys `key` (a revoked credential's): the software backend's keys live in the
    /// credential's record and go with it; an HSM's are deleted.
    ///
    /// # Errors
    /// [`KeyError::Device`].
    fn destroy(&self, key: &KeyRef) -> Result<(), KeyError> {
        let _ = key;
        Ok(())
    }
}

/// Checks a digest's length against the algorithm's.
///
/// # Errors
/// [`KeyError::DigestLength`].
pub fn check_digest(algorithm: SignAlgorithm, digest: &[u8]) -> Result<(), KeyError> {
    let expected = algorithm.hash().digest_len();
    if digest.len() == expected {
        Ok(())
    } else {
        Err(KeyError::DigestLength {
            found: digest.len(),
            expected,
        })
    }
}

/// The DER `SubjectPublicKeyInfo` of an uncompressed P-256 point (65 bytes, `04 ‖ x ‖ y`), if
/// it is one on the curve: for a backend that makes keys elsewhere (an HSM).
#[must_use]
pub fn p256_public_key_info(point: &[u8]) -> Option<Vec<u8>> {
    p256::ecdsa::VerifyingKey::from_sec1_bytes(point).ok()?;
    (point.len() == 65).then(|| crate::certificate::p256_spki(point))
}

/// An ECDSA P-256 signature as DER from its raw form, `r ‖ s` (64 bytes, as PKCS #11's
/// `CKM_ECDSA` gives it); `None` for anything else.
#[must_use]
pub fn ecdsa_der_of_raw(raw: &[u8]) -> Option<Vec<u8>> {
    let signature = p256::ecdsa::Signature::from_slice(raw).ok()?;
    Some(signature.to_der().as_bytes().to_vec())
}

/// A random P-256 key.
pub(crate) fn random_p256(rng: &mut (impl CryptoRng + ?Sized)) -> SigningKey {
    loop {
        let mut scalar = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *scalar);
        // A scalar of zero or beyond the order: one in 2^32; draw again.
        if let Ok(key) = SigningKey::from_slice(&*scalar) {
            return key;
        }
    }
}

/// Keys in software, wrapped under a key-wrapping key: the default backend, for development
/// and for deployments without an HSM. A wrapped key opens only under the same wrapping key,
/// and only as the key it was made as (the associated data names the backend and the format).
pub struct SoftwareKeys {
    wrapping: Zeroizing<[u8; 32]>,
}

tollgate_otp::redacted_debug!(SoftwareKeys);

const SOFTWARE_AAD: &[u8] = b"tollgate-sign software key v1 p256";
const NONCE_LEN: usize = 24;

impl SoftwareKeys {
    /// The backend with its key-wrapping key (32 random bytes the deployment keeps apart from
    /// the store, as it does the store's sealing keys).
    #[must_use]
    pub fn new(wrapping_key: [u8; 32]) -> Self {
        Self {
            wrapping: Zeroizing::new(wrapping_key),
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.wrapping).into())
    }

    /// `scalar` sealed under the wrapping key: a key reference's handle.
    fn wrap(&self, scalar: &[u8], rng: &mut dyn CryptoRng) -> Result<Vec<u8>, KeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: scalar,
                    aad: SOFTWARE_AAD,
                },
            )
            .map_err(|_| KeyError::Unsupported)?;
        let mut handle = nonce.to_vec();
        handle.extend_from_slice(&sealed);
        Ok(handle)
    }

    fn unwrap_key(&self, key: &KeyRef) -> Result<p256::NonZeroScalar, KeyError> {
        if key.backend != self.name() || key.handle.len() < NONCE_LEN {
            return Err(KeyError::UnknownKey);
        }
        let (nonce, sealed) = key.handle.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| KeyError::UnknownKey)?;
        let scalar = Zeroizing::new(
            self.cipher()
                .decrypt(
                    &nonce.into(),
                    Payload {
                        msg: sealed,
                        aad: SOFTWARE_AAD,
                    },
                )
                .map_err(|_| KeyError::UnknownKey)?,
        );
        let bytes: [u8; 32] = scalar
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::UnknownKey)?;
        Option::from(p256::NonZeroScalar::from_repr(bytes.into())).ok_or(KeyError::UnknownKey)
    }
}

impl KeyBackend for SoftwareKeys {
    fn name(&self) -> &'static str {
        "software"
    }

    fn in_hardware(&self) -> bool {
        false
    }

    fn generate(
        &self,
        algorithm: KeyAlgorithm,
        rng: &mut dyn CryptoRng,
    ) -> Result<GeneratedKey, KeyError> {
        let KeyAlgorithm::EcdsaP256 = algorithm;
        let key = random_p256(rng);
        let scalar = Zeroizing::new(key.to_bytes());
        let handle = self.wrap(&scalar, rng)?;
        let point = key.verifying_key().to_sec1_point(false);
        Ok(GeneratedKey {
            key: KeyRef {
                backend: self.name().to_owned(),
                handle,
            },
            public_key: crate::certificate::p256_spki(point.as_bytes()),
        })
    }

    fn sign(
        &self,
        key: &KeyRef,
        algorithm: SignAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, KeyError> {
        check_digest(algorithm, digest)?;
        let secret = self.unwrap_key(key)?;
        // RFC 6979's deterministic nonce; FIPS 186-5 §6.4.1: a digest longer than the curve's
        // order is truncated to its bits, which the hazmat function does.
        let (signature, _) = ecdsa::hazmat::sign_prehashed_rfc6979::<p256::NistP256, sha2::Sha256>(
            &secret,
            digest,
            &[],
        );
        Ok(signature.to_der().as_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
    use rand_core::SeedableRng as _;

    #[test]
    fn a_software_key_signs_only_under_its_wrapping_key() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let keys = SoftwareKeys::new([7; 32]);
        let made = keys
            .generate(KeyAlgorithm::EcdsaP256, &mut rng)
            .expect("a key");
        let digest = crate::HashAlgorithm::Sha256.digest(b"document");
        let signature = keys
            .sign(&made.key, SignAlgorithm::EcdsaSha256, &digest)
            .expect("signed");
        let point = crate::certificate::spki_point(&made.public_key).expect("an SPKI");
        let verifier = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).expect("a point");
        let signature = p256::ecdsa::Signature::from_der(&signature).expect("DER");
        verifier
            .verify_prehash(&digest, &signature)
            .expect("verifies");
        // Another wrapping key, a flipped bit, another backend's name: no key.
        assert_eq!(
            SoftwareKeys::new([8; 32])
                .sign(&made.key, SignAlgorithm::EcdsaSha256, &digest)
                .err(),
            Some(KeyError::UnknownKey)
        );
        let mut flipped = made.key.clone();
        flipped.handle[30] ^= 1;
        assert_eq!(
            keys.sign(&flipped, SignAlgorithm::EcdsaSha256, &digest)
                .err(),
            Some(KeyError::UnknownKey)
        );
        let mut other = made.key.clone();
        other.backend = "pkcs11".to_owned();
        assert!(
            keys.sign(&other, SignAlgorithm::EcdsaSha256, &digest)
                .is_err()
        );
        assert_eq!(
            keys.sign(&made.key, SignAlgorithm::EcdsaSha384, &digest)
                .err(),
            Some(KeyError::DigestLength {
                found: 32,
                expected: 48
            })
        );
        assert!(!format!("{:?}", made.key).contains("handle"));
    }

    /// RFC 6979 §A.2.5, P-256 with SHA-256, message "sample": the deterministic signature of
    /// the RFC's key, through a wrapped key; the same with one bit of the digest changed is
    /// another signature, which the RFC's public key refuses for the original digest.
    #[test]
    fn rfc6979_known_answer() {
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
                .collect()
        };
        let x = hex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
        let r = hex("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716");
        let s = hex("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
        let keys = SoftwareKeys::new([1; 32]);
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        let key = KeyRef {
            backend: "software".to_owned(),
            handle: keys.wrap(&x, &mut rng).expect("wrapped"),
        };
        let digest = crate::HashAlgorithm::Sha256.digest(b"sample");
        let der = keys
            .sign(&key, SignAlgorithm::EcdsaSha256, &digest)
            .expect("signed");
        let signature = p256::ecdsa::Signature::from_der(&der).expect("DER");
        assert_eq!(signature.r().to_bytes().to_vec(), r);
        assert_eq!(signature.s().to_bytes().to_vec(), s);
        let mut tampered = digest.clone();
        tampered[0] ^= 1;
        let other = keys
            .sign(&key, SignAlgorithm::EcdsaSha256, &tampered)
            .expect("signed");
        assert_ne!(other, der);
        let public = SigningKey::from_slice(&x).expect("the RFC's key");
        let other = p256::ecdsa::Signature::from_der(&other).expect("DER");
        assert!(
            public
                .verifying_key()
                .verify_prehash(&digest, &other)
                .is_err()
        );
    }
}
