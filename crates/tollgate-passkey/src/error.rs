//! Why a ceremony's response is refused, and why a relying party's settings are.

/// Why a registration or an assertion is refused. The variants say which check failed, for the
/// audit trail and the tests; a page shows the user one message for all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    /// A part of the response is not what WebAuthn writes there.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// `clientDataJSON`'s type is not the ceremony's (`webauthn.create`, `webauthn.get`).
    #[error("the client data is for another ceremony")]
    WrongType,
    /// The response answers another challenge (or one already used).
    #[error("the response answers another challenge")]
    WrongChallenge,
    /// The browser ran the ceremony for an origin this relying party does not allow: a
    /// look-alike page.
    #[error("the response comes from an origin this service does not allow")]
    WrongOrigin,
    /// The ceremony ran in a cross-origin frame.
    #[error("the response comes from a cross-origin frame")]
    CrossOrigin,
    /// The authenticator signed for another relying-party ID.
    #[error("the authenticator signed for another relying party")]
    WrongRpId,
    /// The user-present flag is not set.
    #[error("the authenticator did not test that a user was present")]
    UserNotPresent,
    /// User verification is required and the user-verified flag is not set.
    #[error("the authenticator did not verify the user")]
    UserNotVerified,
    /// The backup-state flag is set without backup eligibility, or eligibility changed since
    /// registration.
    #[error("the authenticator's backup flags are inconsistent")]
    BackupFlags,
    /// The signature does not verify under the credential's key.
    #[error("the signature does not verify")]
    BadSignature,
    /// The credential's key type, curve or algorithm is not one this service verifies.
    #[error("the credential's key is of a kind this service does not verify")]
    UnsupportedKey,
    /// An attestation format this service does not verify (it asks for attestation "none",
    /// and takes "none" and self attestation).
    #[error("an attestation format this service does not take")]
    UnsupportedAttestation,
    /// The response is for another credential than the one it is checked against.
    #[error("the response is for another credential")]
    WrongCredential,
    /// The signature counter did not go up: the credential may have been cloned.
    #[error("the signature counter went backwards: the credential may have been cloned")]
    CounterWentBack,
}

/// Why a relying party's settings are refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The relying-party ID is not a lower-case host name.
    #[error("relying-party ID {0:?} is not a host name (such as login.example.com)")]
    RpId(String),
    /// An origin is not `scheme://host[:port]`, or its host is not the relying-party ID or
    /// under it.
    #[error("origin {0:?} is not https://host[:port] at or under the relying-party ID")]
    Origin(String),
    /// No origin was given.
    #[error("at least one allowed origin is needed")]
    NoOrigin,
}
