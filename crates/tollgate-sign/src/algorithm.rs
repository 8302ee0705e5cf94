//! The algorithms, by the object identifiers the CSC API names them with.

use crate::error::RequestError;

/// A hash algorithm whose digests may be signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256 (`2.16.840.1.101.3.4.2.1`, RFC 5754 §2.2).
    Sha256,
    /// SHA-384 (`2.16.840.1.101.3.4.2.2`).
    Sha384,
    /// SHA-512 (`2.16.840.1.101.3.4.2.3`).
    Sha512,
}

impl HashAlgorithm {
    /// Every one, in order of strength.
    pub const ALL: [Self; 3] = [Self::Sha256, Self::Sha384, Self::Sha512];

    /// Its object identifier, dotted.
    #[must_use]
    pub fn oid(self) -> &'static str {
        match self {
            Self::Sha256 => "2.16.840.1.101.3.4.2.1",
            Self::Sha384 => "2.16.840.1.101.3.4.2.2",
            Self::Sha512 => "2.16.840.1.101.3.4.2.3",
        }
    }

    /// The algorithm of a dotted OID.
    ///
    /// # Errors
    /// [`RequestError::UnknownHashAlgorithm`] for any other text.
    pub fn from_oid(oid: &str) -> Result<Self, RequestError> {
        Self::ALL
            .into_iter()
            .find(|a| a.oid() == oid)
            .ok_or(RequestError::UnknownHashAlgorithm)
    }

    /// How long its digests are, in bytes.
    #[must_use]
    pub fn digest_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// The digest of `data` (for clients and tests; the service signs digests it is given).
    #[must_use]
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        use sha2::Digest as _;
        match self {
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// A signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum SignAlgorithm {
    /// ECDSA with SHA-256 (`1.2.840.10045.4.3.2`, RFC 5758 §3.2).
    EcdsaSha256,
    /// ECDSA with SHA-384 (`1.2.840.10045.4.3.3`).
    EcdsaSha384,
    /// ECDSA with SHA-512 (`1.2.840.10045.4.3.4`).
    EcdsaSha512,
}

impl SignAlgorithm {
    /// Every one.
    pub const ALL: [Self; 3] = [Self::EcdsaSha256, Self::EcdsaSha384, Self::EcdsaSha512];

    /// Its object identifier, dotted.
    #[must_use]
    pub fn oid(self) -> &'static str {
        match self {
            Self::EcdsaSha256 => "1.2.840.10045.4.3.2",
            Self::EcdsaSha384 => "1.2.840.10045.4.3.3",
            Self::EcdsaSha512 => "1.2.840.10045.4.3.4",
        }
    }

    /// The algorithm of a dotted OID. The bare key algorithm `id-ecPublicKey`
    /// (`1.2.840.10045.2.1`), which CSC clients also send as `signAlgo`, is ECDSA with the hash
    /// the request names.
    ///
    /// # Errors
    /// [`RequestError::UnknownSignAlgorithm`] for any other text.
    pub fn from_oid(oid: &str, hash: HashAlgorithm) -> Result<Self, RequestError> {
        if oid == KeyAlgorithm::EcdsaP256.oid() {
            return Ok(Self::ecdsa_with(hash));
        }
        Self::ALL
            .into_iter()
            .find(|a| a.oid() == oid)
            .ok_or(RequestError::UnknownSignAlgorithm)
    }

    /// ECDSA with `hash`.
    #[must_use]
    pub fn ecdsa_with(hash: HashAlgorithm) -> Self {
        match hash {
            HashAlgorithm::Sha256 => Self::EcdsaSha256,
            HashAlgorithm::Sha384 => Self::EcdsaSha384,
            HashAlgorithm::Sha512 => Self::EcdsaSha512,
        }
    }

    /// The hash it signs.
    #[must_use]
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::EcdsaSha256 => HashAlgorithm::Sha256,
            Self::EcdsaSha384 => HashAlgorithm::Sha384,
            Self::EcdsaSha512 => HashAlgorithm::Sha512,
        }
    }

    /// The key algorithm it needs.
    #[must_use]
    pub fn key(self) -> KeyAlgorithm {
        KeyAlgorithm::EcdsaP256
    }
}

/// A key pair's algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// An elliptic-curve key on P-256 (`id-ecPublicKey` `1.2.840.10045.2.1` with the curve
    /// `prime256v1` `1.2.840.10045.3.1.7`, RFC 5480 §2.1.1).
    EcdsaP256,
}

impl KeyAlgorithm {
    /// Its object identifier, dotted.
    #[must_use]
    pub fn oid(self) -> &'static str {
        match self {
            Self::EcdsaP256 => "1.2.840.10045.2.1",
        }
    }

    /// The curve's object identifier.
    #[must_use]
    pub fn curve_oid(self) -> &'static str {
        match self {
            Self::EcdsaP256 => "1.2.840.10045.3.1.7",
        }
    }

    /// The key's length in bits.
    #[must_use]
    pub fn bits(self) -> u32 {
        match self {
            Self::EcdsaP256 => 256,
        }
    }

    /// The signature algorithms it signs with.
    #[must_use]
    pub fn sign_algorithms(self) -> &'static [SignAlgorithm] {
        &SignAlgorithm::ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_read_back_and_nothing_else_is_taken() {
        for hash in HashAlgorithm::ALL {
            assert_eq!(HashAlgorithm::from_oid(hash.oid()), Ok(hash));
            assert_eq!(hash.digest(b"abc").len(), hash.digest_len());
            let sign = SignAlgorithm::ecdsa_with(hash);
            assert_eq!(SignAlgorithm::from_oid(sign.oid(), hash), Ok(sign));
            assert_eq!(SignAlgorithm::from_oid("1.2.840.10045.2.1", hash), Ok(sign));
        }
        for bad in [
            "",
            "2.16.840.1.101.3.4.2.1 ",
            "1.3.14.3.2.26",
            "2.16.840.1.101.3.4.2.10",
        ] {
            assert!(HashAlgorithm::from_oid(bad).is_err(), "{bad:?}");
        }
        // RSA (PKCS #1 v1.5 with SHA-256): not a key this crate makes.
        assert!(SignAlgorithm::from_oid("1.2.840.113549.1.1.11", HashAlgorithm::Sha256).is_err());
    }
}
