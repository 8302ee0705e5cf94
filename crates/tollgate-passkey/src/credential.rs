//! A registered credential as the relying party keeps it: its ID, its public key, the last
//! signature counter and whether it may be synced.

use alloc::string::String;
use alloc::vec::Vec;

use crate::auth_data::MAX_CREDENTIAL_ID;
use crate::cose::PublicKey;

/// A credential's ID: 1 to 1023 bytes chosen by the authenticator. Unique across all
/// accounts (a store refuses a second account registering one it holds).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CredentialId(Vec<u8>);

impl CredentialId {
    /// An ID of 1 to [`MAX_CREDENTIAL_ID`] bytes.
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        (1..=MAX_CREDENTIAL_ID)
            .contains(&bytes.len())
            .then(|| Self(bytes.to_vec()))
    }

    /// Its bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The base64url form a browser's options and responses carry.
    #[must_use]
    pub fn to_base64url(&self) -> String {
        crate::base64url::encode(&self.0)
    }
}

impl core::fmt::Debug for CredentialId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "CredentialId({})", self.to_base64url())
    }
}

/// A registered credential, as kept with its account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// Its ID.
    pub id: CredentialId,
    /// Its public key.
    pub public_key: PublicKey,
    /// The signature counter last seen (0 for authenticators that keep none).
    pub counter: u32,
    /// Whether it may be synced between devices (fixed at registration).
    pub backup_eligible: bool,
}

/// A credential the registration created, with what the authenticator said at creation. Only
/// [`verify_registration`](crate::verify_registration) makes one.
#[derive(Clone, Debug)]
#[must_use]
pub struct Registered {
    pub(crate) credential: Credential,
    pub(crate) user_verified: bool,
    pub(crate) backed_up: bool,
    pub(crate) aaguid: [u8; 16],
}

impl Registered {
    /// The credential, to keep with the account.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The credential, taken.
    pub fn into_credential(self) -> Credential {
        self.credential
    }

    /// Whether the user was verified.
    #[must_use]
    pub fn user_verified(&self) -> bool {
        self.user_verified
    }

    /// Whether it is synced now.
    #[must_use]
    pub fn backed_up(&self) -> bool {
        self.backed_up
    }

    /// The authenticator model's AAGUID (all zeros under attestation "none").
    #[must_use]
    pub fn aaguid(&self) -> &[u8; 16] {
        &self.aaguid
    }
}

/// A verified assertion: the credential signed this ceremony's challenge at an allowed origin.
/// Only [`verify_assertion`](crate::verify_assertion) makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct Asserted {
    pub(crate) counter: u32,
    pub(crate) user_verified: bool,
    pub(crate) backed_up: bool,
}

impl Asserted {
    /// The new signature counter, to keep in place of the old.
    #[must_use]
    pub fn counter(&self) -> u32 {
        self.counter
    }

    /// Whether the user was verified.
    #[must_use]
    pub fn user_verified(&self) -> bool {
        self.user_verified
    }

    /// Whether the credential is synced now.
    #[must_use]
    pub fn backed_up(&self) -> bool {
        self.backed_up
    }
}
