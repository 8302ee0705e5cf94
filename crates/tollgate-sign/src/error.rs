//! What can go wrong, by whose doing: a request that does not read, an authorization or a
//! signature refused, a key backend or a CA that fails.

/// A request that does not read: the client's mistake, told back to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The hash algorithm's OID is none this service signs.
    #[error("the hash algorithm is not one of SHA-256, SHA-384 and SHA-512 (by OID)")]
    UnknownHashAlgorithm,
    /// The signature algorithm's OID is none the credential's key signs with.
    #[error("the signature algorithm is not one this credential's key signs with")]
    UnknownSignAlgorithm,
    /// No hashes.
    #[error("there are no hashes to sign")]
    NoHashes,
    /// More hashes than one authorization may name.
    #[error("there are more than {max} hashes")]
    TooManyHashes {
        /// The most there may be.
        max: usize,
    },
    /// A hash is not base64.
    #[error("hash {index} is not base64")]
    NotBase64 {
        /// Which one (from 0).
        index: usize,
    },
    /// A hash has the wrong length for its algorithm.
    #[error("hash {index} has {found} bytes, expected {expected}")]
    HashLength {
        /// Which one (from 0).
        index: usize,
        /// Its length.
        found: usize,
        /// The algorithm's.
        expected: usize,
    },
    /// The same hash twice.
    #[error("hash {index} is named twice")]
    DuplicateHash {
        /// The second one (from 0).
        index: usize,
    },
    /// `numSignatures` smaller than the hashes given, or zero.
    #[error("numSignatures is {found}, but {hashes} hashes are named")]
    NumSignatures {
        /// What was asked for.
        found: u64,
        /// How many hashes there are.
        hashes: usize,
    },
    /// The description is too long.
    #[error("the description is longer than {max} characters")]
    DescriptionTooLong {
        /// The most it may have.
        max: usize,
    },
}

/// Why an authorization or a signature was refused. None says whether the SAD's owner, its
/// credential or its hashes were what did not match, beyond "not authorized": a thief learns
/// nothing from trying.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    /// The SAD does not open (altered, or sealed under a key this service no longer has), is
    /// another user's or another credential's, or was never issued or already spent.
    #[error("the signature activation data is not valid")]
    NotAuthorized,
    /// The SAD expired.
    #[error("the signature activation data expired")]
    Expired,
    /// A hash to sign is not one the SAD was issued for (or was signed already).
    #[error("a hash is not one the authorization names")]
    HashNotAuthorized,
    /// The hashes or the signature algorithm do not match the authorization.
    #[error("the hash algorithm is not the one authorized")]
    AlgorithmMismatch,
    /// The credential was revoked.
    #[error("the credential is revoked")]
    Revoked,
    /// The credential is locked (too many wrong proofs of the second factor).
    #[error("the credential is locked")]
    Locked,
}

/// A key backend's failure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key reference is another backend's, or does not open.
    #[error("the key is not one of this backend's")]
    UnknownKey,
    /// The backend does not make keys of that algorithm.
    #[error("this backend has no keys of that algorithm")]
    Unsupported,
    /// The digest has the wrong length.
    #[error("the digest has {found} bytes, expected {expected}")]
    DigestLength {
        /// Its length.
        found: usize,
        /// The algorithm's.
        expected: usize,
    },
    /// The device or library failed (PKCS #11).
    #[error("the key backend failed: {0}")]
    Device(String),
}

/// A CA that cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaError {
    /// The certificate is not DER X.509.
    #[error("the CA certificate is not a DER X.509 certificate")]
    Certificate,
    /// The key is not a P-256 private key.
    #[error("the CA key is not a P-256 private key")]
    Key,
    /// The key is not the certificate's.
    #[error("the CA key does not belong to the CA certificate")]
    Mismatch,
}
