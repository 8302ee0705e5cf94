//! The crate's errors, one enum per format: what the caller did wrong when building
//! ([`BuildError`]), and what made a URI or QR payload unusable when parsing ([`UriError`],
//! [`MigrationError`], [`SecureQrError`]), and rendering ([`QrError`]).

use thiserror::Error;
use tollgate_otp::{ParamError, SecretError};

/// A key URI could not be built: the caller's input breaks the format's rules.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A colon in the issuer or the account name, which would split the label wrongly.
    #[error("the {field} must not contain a colon")]
    Colon {
        /// `issuer` or `account name`.
        field: &'static str,
    },
    /// An empty account name.
    #[error("the account name is empty")]
    EmptyAccount,
    /// An issuer given as an empty string (give `None` instead).
    #[error("the issuer is empty")]
    EmptyIssuer,
    /// An account name that starts with white space, which apps drop after the label's colon.
    #[error("the account name starts with white space")]
    LeadingSpace,
    /// A TOTP token whose T0 is not the epoch: key URIs cannot say so.
    #[error("key URIs cannot carry a T0 other than 0")]
    NonzeroT0,
    /// Longer than a key URI may be, once written.
    #[error("the key URI would be {len} bytes long, at most {max} are allowed")]
    TooLong {
        /// Its length.
        len: usize,
        /// The most allowed.
        max: usize,
    },
}

/// An `otpauth://` key URI that no app could use.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UriError {
    /// Longer than any key URI needs (as given, or once written canonically).
    #[error("key URI is {len} bytes long, at most {max} are accepted")]
    TooLong {
        /// Its length.
        len: usize,
        /// The most accepted.
        max: usize,
    },
    /// Not `otpauth://…`.
    #[error("not an otpauth:// URI")]
    NotOtpAuth,
    /// A type other than `totp` and `hotp`.
    #[error("unknown token type {0:?}, expected totp or hotp")]
    UnknownType(String),
    /// No label (`/issuer:account`).
    #[error("key URI has no label")]
    NoLabel,
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8 once decoded.
    #[error("the {0} is not correctly percent-encoded UTF-8")]
    BadEncoding(&'static str),
    /// No `secret` parameter.
    #[error("key URI has no secret")]
    NoSecret,
    /// The secret is not usable.
    #[error("secret: {0}")]
    Secret(#[from] SecretError),
    /// A parameter with a value no app accepts.
    #[error("parameter {name}: {error}")]
    Parameter {
        /// The parameter.
        name: &'static str,
        /// Why its value is refused.
        error: ParamError,
    },
    /// An `hotp` URI without `counter`.
    #[error("hotp key URI has no counter")]
    NoCounter,
    /// A counter that is not a 64-bit number.
    #[error("counter is not a number from 0 to 2^64 - 1")]
    BadCounter,
}

/// An `otpauth-migration://` link could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// Not `otpauth-migration://offline?data=…`.
    #[error("not an otpauth-migration://offline link with a data parameter")]
    NotMigration,
    /// Longer than accepted.
    #[error("migration link is {len} bytes long, at most {max} are accepted")]
    TooLong {
        /// Its length.
        len: usize,
        /// The most accepted.
        max: usize,
    },
    /// `data` is not base64.
    #[error("migration data is not base64")]
    Base64,
    /// The protobuf payload is malformed.
    #[error("migration payload is malformed: {0}")]
    Protobuf(&'static str),
    /// More accounts than accepted in one payload.
    #[error("migration payload has more than {max} accounts")]
    TooManyAccounts {
        /// The most accepted.
        max: usize,
    },
}

/// A secure activation QR could not be made or read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SecureQrError {
    /// Not `igmobileotp://?action=secactivate&…&v=1&mac=…`, or a part is missing.
    #[error("not a secure activation URI: {0}")]
    Malformed(&'static str),
    /// The MAC does not match. The two causes cannot be told apart.
    #[error("wrong activation password, or the QR code was altered")]
    WrongPasswordOrTampered,
    /// The MAC matched but the contents are not what a token expects.
    #[error("the activation data in the QR code are invalid: {0}")]
    Contents(String),
}

/// A payload could not be drawn as a QR code.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum QrError {
    /// Too long for a QR code at this error-correction level.
    #[error("payload of {len} bytes does not fit in a QR code at this error-correction level")]
    TooLong {
        /// The payload's length.
        len: usize,
    },
    /// Module size 0, or an image too large to draw.
    #[error("module size must be 1 to 64 pixels and the quiet zone at most 16 modules")]
    Options,
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
}
