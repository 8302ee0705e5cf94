//! Signature authorizations (CSC API §8.5 `credentials/authorize`; SCAL2, ETSI TS 119 432
//! §5.3.1): what a user proved their second factor for, bound to the exact hashes, and the
//! Signature Activation Data (SAD) that names it.
//!
//! The binding is kept by the service, in the credential's record: the hashes not signed yet,
//! how many signatures are left, when it ends. The SAD the client holds only names it (a random
//! ID), sealed (XChaCha20-Poly1305) to the user and the credential under the service's SAD key:
//! a SAD altered, or shown with another user's token or for another credential, does not open;
//! one that opens but whose authorization is spent or gone finds nothing.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use rand_core::CryptoRng;
use tollgate_login::{KeyId, KeyRing, RingKey, UserId};
use tollgate_otp::UnixTime;
use zeroize::Zeroizing;

use crate::algorithm::HashAlgorithm;
use crate::credential::CredentialId;
use crate::error::{Refused, RequestError};

/// The most hashes one authorization may name (and one `signHash` sign). CSC sets no number;
/// a batch of a hundred documents is generous, and 10 000 is an attack.
pub const MAX_HASHES: usize = 100;

/// The longest description a request may carry (CSC: "up to 500 characters").
pub const MAX_DESCRIPTION: usize = 500;

/// How long a SAD lasts by default: 5 minutes.
pub const DEFAULT_SAD_LIFETIME: u64 = 300;

/// A digest to sign, as bytes.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Digest(#[serde(with = "crate::base64_serde")] Vec<u8>);

impl Digest {
    /// Its bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl core::fmt::Debug for Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Digest({})", crate::base64_serde::encode(&self.0))
    }
}

/// Reads hashes as the CSC API sends them (standard base64, each the algorithm's length, none
/// twice, at least one and at most [`MAX_HASHES`]).
///
/// # Errors
/// The first [`RequestError`] found, naming the hash by its index.
pub fn read_hashes(
    algorithm: HashAlgorithm,
    hashes: &[String],
) -> Result<Vec<Digest>, RequestError> {
    if hashes.is_empty() {
        return Err(RequestError::NoHashes);
    }
    if hashes.len() > MAX_HASHES {
        return Err(RequestError::TooManyHashes { max: MAX_HASHES });
    }
    let mut digests: Vec<Digest> = Vec::with_capacity(hashes.len());
    for (index, text) in hashes.iter().enumerate() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| RequestError::NotBase64 { index })?;
        if bytes.len() != algorithm.digest_len() {
            return Err(RequestError::HashLength {
                index,
                found: bytes.len(),
                expected: algorithm.digest_len(),
            });
        }
        let digest = Digest(bytes);
        if digests.contains(&digest) {
            return Err(RequestError::DuplicateHash { index });
        }
        digests.push(digest);
    }
    Ok(digests)
}

/// What a user is asked to authorize: read, checked, not yet proven.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureRequest {
    hash_algorithm: HashAlgorithm,
    hashes: Vec<Digest>,
    num_signatures: u32,
    description: Option<String>,
}

impl SignatureRequest {
    /// A request for `num_signatures` signatures over `hashes` (base64, as the CSC API sends
    /// them) of `hash_algorithm`.
    ///
    /// # Errors
    /// [`RequestError`]: the hashes as [`read_hashes`]; `num_signatures` zero or smaller than
    /// the hashes, or above [`MAX_HASHES`]; a description longer than [`MAX_DESCRIPTION`].
    pub fn new(
        hash_algorithm: HashAlgorithm,
        hashes: &[String],
        num_signatures: u64,
        description: Option<&str>,
    ) -> Result<Self, RequestError> {
        let hashes = read_hashes(hash_algorithm, hashes)?;
        if num_signatures < hashes.len() as u64 || num_signatures > MAX_HASHES as u64 {
            return Err(RequestError::NumSignatures {
                found: num_signatures,
                hashes: hashes.len(),
            });
        }
        if description.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
            return Err(RequestError::DescriptionTooLong {
                max: MAX_DESCRIPTION,
            });
        }
        Ok(Self {
            hash_algorithm,
            num_signatures: u32::try_from(num_signatures).unwrap_or(u32::MAX),
            hashes,
            description: description.map(str::to_owned),
        })
    }

    /// The hashes' algorithm.
    #[must_use]
    pub fn hash_algorithm(&self) -> HashAlgorithm {
        self.hash_algorithm
    }

    /// The hashes.
    #[must_use]
    pub fn hashes(&self) -> &[Digest] {
        &self.hashes
    }

    /// How many signatures.
    #[must_use]
    pub fn num_signatures(&self) -> u32 {
        self.num_signatures
    }

    /// What the client says it is for.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

/// An authorization not spent yet, kept in its credential's record.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Authorization {
    /// Its random ID, which the SAD names.
    #[serde(with = "crate::base64_serde")]
    pub(crate) id: Vec<u8>,
    pub(crate) hash_algorithm: HashAlgorithm,
    /// The hashes not signed yet.
    pub(crate) hashes: Vec<Digest>,
    /// The signatures left.
    pub(crate) remaining: u32,
    #[serde(with = "crate::unix_serde")]
    pub(crate) expires_at: UnixTime,
}

/// Signature Activation Data: what a client passes to `signatures/signHash`. Opaque (base64url
/// of a sealed authorization ID); its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Sad(String);

tollgate_otp::redacted_debug!(Sad);

impl Sad {
    /// As a client received it.
    #[must_use]
    pub fn from_text(text: &str) -> Self {
        Self(text.to_owned())
    }

    /// The text to give the client.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The key SADs are sealed under: 32 random bytes of the deployment's, beside its other keys.
#[derive(Clone)]
pub struct SadKey(Zeroizing<[u8; 32]>, KeyId);

tollgate_otp::redacted_debug!(SadKey, "id {}", 1);

impl SadKey {
    /// The key of these bytes.
    #[must_use]
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes), KeyId::derive("sad sealing", &bytes))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.0).into())
    }
}

impl RingKey for SadKey {
    fn id(&self) -> KeyId {
        self.1
    }
}

/// The SAD keys: the current one seals, all of them open.
pub type SadKeys = KeyRing<SadKey>;

const SAD_FORMAT: u8 = 1;
const NONCE_LEN: usize = 24;

fn sad_aad(user: &UserId, credential: &CredentialId) -> Vec<u8> {
    let mut aad = b"tollgate SAD v1\0".to_vec();
    aad.extend_from_slice(credential.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(user.as_str().as_bytes());
    aad
}

/// Seals `id` for `user` and `credential`.
pub(crate) fn seal(
    keys: &SadKeys,
    user: &UserId,
    credential: &CredentialId,
    id: &[u8],
    rng: &mut (impl CryptoRng + ?Sized),
) -> Sad {
    let key = keys.current();
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    // Encryption fails only beyond 256 GiB.
    let sealed = key
        .cipher()
        .encrypt(
            &nonce.into(),
            Payload {
                msg: id,
                aad: &sad_aad(user, credential),
            },
        )
        .unwrap_or_default();
    let mut bytes = vec![SAD_FORMAT];
    bytes.extend_from_slice(&key.id().to_bytes());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&sealed);
    Sad(crate::base64_serde::encode_url(&bytes))
}

/// The authorization ID `sad` names, if it opens for `user` and `credential`.
pub(crate) fn open(
    keys: &SadKeys,
    user: &UserId,
    credential: &CredentialId,
    sad: &Sad,
) -> Result<Vec<u8>, Refused> {
    // A SAD is short: a long text is no SAD (and costs nothing to refuse).
    if sad.0.len() > 256 {
        return Err(Refused::NotAuthorized);
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&sad.0)
        .map_err(|_| Refused::NotAuthorized)?;
    let (&format, rest) = bytes.split_first().ok_or(Refused::NotAuthorized)?;
    if format != SAD_FORMAT || rest.len() < 4 + NONCE_LEN {
        return Err(Refused::NotAuthorized);
    }
    let (key_id, rest) = rest.split_at(4);
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    let key_id = KeyId::from_bytes(key_id.try_into().map_err(|_| Refused::NotAuthorized)?);
    let key = keys.find(key_id).ok_or(Refused::NotAuthorized)?;
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Refused::NotAuthorized)?;
    key.cipher()
        .decrypt(
            &nonce.into(),
            Payload {
                msg: sealed,
                aad: &sad_aad(user, credential),
            },
        )
        .map_err(|_| Refused::NotAuthorized)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn requests_are_read_strictly() {
        let one = b64(&[1; 32]);
        let two = b64(&[2; 32]);
        let sha256 = HashAlgorithm::Sha256;
        assert!(SignatureRequest::new(sha256, &[one.clone(), two.clone()], 2, None).is_ok());
        assert_eq!(
            SignatureRequest::new(sha256, &[one.clone(), two.clone()], 1, None).err(),
            Some(RequestError::NumSignatures {
                found: 1,
                hashes: 2
            })
        );
        assert_eq!(
            SignatureRequest::new(sha256, &[], 1, None).err(),
            Some(RequestError::NoHashes)
        );
        assert_eq!(
            SignatureRequest::new(sha256, &[one.clone(), one.clone()], 2, None).err(),
            Some(RequestError::DuplicateHash { index: 1 })
        );
        assert_eq!(
            SignatureRequest::new(HashAlgorithm::Sha384, std::slice::from_ref(&one), 1, None).err(),
            Some(RequestError::HashLength {
                index: 0,
                found: 32,
                expected: 48
            })
        );
        assert_eq!(
            SignatureRequest::new(sha256, &["not base64!".to_owned()], 1, None).err(),
            Some(RequestError::NotBase64 { index: 0 })
        );
        let many: Vec<String> = (0..10_000u32)
            .map(|i| b64(&HashAlgorithm::Sha256.digest(&i.to_be_bytes())))
            .collect();
        assert_eq!(
            SignatureRequest::new(sha256, &many, 10_000, None).err(),
            Some(RequestError::TooManyHashes { max: MAX_HASHES })
        );
        let long = "x".repeat(MAX_DESCRIPTION + 1);
        assert!(SignatureRequest::new(sha256, &[one], 1, Some(&long)).is_err());
    }
}
