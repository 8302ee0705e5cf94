//! The crate's errors: what a person typed that is not usable ([`InputError`]), a policy out
//! of bounds ([`ConfigError`]), a stored login that cannot be loaded ([`StateError`]) or is
//! refused ([`Refusal`]), and what stops the [`Driver`](crate::Driver) ([`DriveError`]).

use thiserror::Error;

/// Input that is not usable as given.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InputError {
    /// Not an e-mail address.
    #[error("not an e-mail address")]
    NotAnEmail,
    /// Not a user name: empty, too long, or a character that is neither a letter, a digit
    /// nor printable ASCII (spaces and controls included).
    #[error("a user name is 1 to {max} letters, digits or printable ASCII characters, no spaces")]
    NotAUsername {
        /// The most characters accepted.
        max: usize,
    },
    /// Too long to be an e-mail address.
    #[error("an e-mail address has at most {max} characters")]
    EmailTooLong {
        /// The most accepted.
        max: usize,
    },
    /// Not a mobile number in international form.
    #[error("not a mobile number: expected + and 8 to 15 digits")]
    NotAPhoneNumber,
    /// Not the text of a login key.
    #[error("not a login key")]
    NotALoginKey,
    /// Not the text of a device cookie.
    #[error("not a device cookie")]
    Device,
    /// Not a soft-token app's PIN reset code (9 digits).
    #[error("not a PIN reset code: expected 9 digits")]
    NotAResetCode,
    /// Not a token's serial number (`NNNNN-NNNNN`, with its check digit).
    #[error("not a serial number: expected 10 digits, NNNNN-NNNNN")]
    NotASerialNumber,
    /// Not a name for an authenticator: empty, too long, or with a control or format
    /// character.
    #[error("an authenticator's name is 1 to {max} characters, without control characters")]
    NotAnAuthenticatorName {
        /// The most characters accepted.
        max: usize,
    },
    /// Not a recovery code (24 characters of Crockford's base32, in groups or not).
    #[error("not a recovery code: expected 24 characters, ABCD-EFGH-…")]
    NotARecoveryCode,
}

/// A policy setting outside what the standards allow.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A limit of authenticators per user of 0 or above [`MAX_AUTHENTICATORS`](crate::MAX_AUTHENTICATORS).
    #[error("a limit of {limit} authenticators per user is not allowed: 1 to {max}")]
    Authenticators {
        /// The limit asked for.
        limit: usize,
        /// The most allowed.
        max: usize,
    },
    /// A PIN lifetime of 0 or above 10 minutes.
    #[error("a PIN lifetime of {seconds} s is not allowed: 1 to 600 (NIST SP 800-63B)")]
    PinLifetime {
        /// The lifetime asked for.
        seconds: u32,
    },
    /// A lockout limit of 0 or above NIST's 100.
    #[error("a lockout after {limit} failures is not allowed: 1 to 100 (NIST SP 800-63B)")]
    Lockout {
        /// The limit asked for.
        limit: u32,
    },
    /// A resend interval or count out of range.
    #[error("resend intervals must be 1 to 3600 s and sends per login 1 to 20")]
    Resend,
    /// A login lifetime out of range.
    #[error("a login lifetime of {seconds} s is not allowed: 60 to 3600")]
    LoginLifetime {
        /// The lifetime asked for.
        seconds: u32,
    },
}

/// A stored login could not be loaded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StateError {
    /// Not a stored login at all.
    #[error("stored login is not readable: {0}")]
    Malformed(#[from] serde_json::Error),
    /// Written by a version of this crate whose format this one does not read.
    #[error("stored login has format version {found}, this build reads version {supported}")]
    Version {
        /// The version found.
        found: u64,
        /// The version this build reads.
        supported: u64,
    },
}

/// Why a stored login was refused. The login is removed, and the client starts over; nothing
/// it did before is counted again.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The row does not verify under the service's key: forged, altered, copied from another
    /// login's row, or written before stored logins were authenticated.
    #[error(
        "the stored login does not verify under the service's key: forged, altered, or copied \
         from another login"
    )]
    Unverified,
    /// The row is older than the key that came back: an earlier copy of the login was put
    /// back into the store.
    #[error(
        "the stored login is generation {stored}, older than the key's {presented}: rolled back"
    )]
    RolledBack {
        /// The generation the store holds.
        stored: u64,
        /// The generation the client's key has seen.
        presented: u64,
    },
    /// The row verifies but holds a state this build does not read.
    #[error(transparent)]
    Unreadable(StateError),
}

impl Refusal {
    /// A word for the log: `unverified`, `rolled back` or `unreadable`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::RolledBack { .. } => "rolled back",
            Self::Unreadable(_) => "unreadable",
        }
    }
}

/// What stops the [`Driver`](crate::Driver) from carrying out an input.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DriveError<E> {
    /// The store failed.
    #[error("store: {0}")]
    Store(#[source] E),
    /// No login is filed under this key: it expired, ended, was never issued, or its key was
    /// replaced (every rise in assurance replaces it). Start a new login.
    #[error("no such login in progress")]
    UnknownLogin,
    /// Another request on the same login moved it on first (a double submit, a second tab):
    /// this input was not applied and nothing was counted. Show the login as it is now.
    #[error("another request moved this login on first")]
    Superseded,
    /// The stored login was refused, and removed: start a new login.
    #[error("stored login refused: {0}")]
    Refused(#[source] Refusal),
    /// The account kept changing under this request: more compare-and-set conflicts in a row
    /// than the driver retries.
    #[error("the account is too busy; try again")]
    Contended,
}
