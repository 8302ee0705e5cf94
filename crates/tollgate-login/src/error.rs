//! The crate's errors: what a person typed that is not usable ([`InputError`]), a policy out
//! of bounds ([`ConfigError`]), and a stored login that cannot be loaded ([`StateError`]).

use thiserror::Error;

/// Input that is not usable as given.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InputError {
    /// Not an e-mail address.
    #[error("not an e-mail address")]
    NotAnEmail,
    /// Too long to be an e-mail address.
    #[error("an e-mail address has at most {max} characters")]
    EmailTooLong {
        /// The most accepted.
        max: usize,
    },
    /// Not a mobile number in international form.
    #[error("not a mobile number: expected + and 8 to 15 digits")]
    NotAPhoneNumber,
}

/// A policy setting outside what the standards allow.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
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
