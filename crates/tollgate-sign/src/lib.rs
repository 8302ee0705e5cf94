#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod algorithm;
mod authorization;
mod base64_serde;
mod certificate;
mod credential;
mod der;
mod error;
mod keys;
mod store;
mod unix_serde;
mod verify;

pub use algorithm::{HashAlgorithm, KeyAlgorithm, SignAlgorithm};
pub use authorization::{
    Authorization, DEFAULT_SAD_LIFETIME, Digest, MAX_DESCRIPTION, MAX_HASHES, Sad, SadKey, SadKeys,
    SignatureRequest, read_hashes,
};
pub use certificate::{CertificateAuthority, Issue, Subject};
pub use credential::{
    Credential, CredentialId, DEFAULT_FAILURE_LIMIT, DecodeError, MAX_OPEN_AUTHORIZATIONS, Status,
};
pub use error::{CaError, KeyError, Refused, RequestError};
pub use keys::{
    GeneratedKey, KeyBackend, KeyRef, SoftwareKeys, check_digest, ecdsa_der_of_raw,
    p256_public_key_info,
};
pub use store::{
    Change, ChangeError, MAX_RETRIES, SigningStore, StoredCredential, change_credential,
};
pub use verify::{BadSignature, verify_signature};
