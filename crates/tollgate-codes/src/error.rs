//! The crate's errors: [`CodeError`] for what a person typed, [`CompletionError`] for an
//! activation that cannot be completed, [`PolicyError`] for a token policy that is not JSON.

use thiserror::Error;

/// A code typed by a person could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CodeError {
    /// A character that is neither an ASCII digit nor a separator.
    #[error("{what}: {character:?} at position {position} is not a digit")]
    NotADigit {
        /// Which code: "serial number", "activation code", …
        what: &'static str,
        /// The character.
        character: char,
        /// Its position in the input, counting characters from 1.
        position: usize,
    },
    /// The wrong number of digits.
    #[error("{what} has {found} digits, expected {expected}")]
    WrongLength {
        /// Which code.
        what: &'static str,
        /// Digits found.
        found: usize,
        /// Digits expected.
        expected: usize,
    },
    /// The check digit does not match the others.
    #[error("{what} does not check out: a digit is mistyped or two are swapped")]
    CheckDigit {
        /// Which code.
        what: &'static str,
    },
    /// Not the name of a registration scheme.
    #[error("a registration scheme is `tollgate` or `any-field`")]
    UnknownScheme,
}

/// An activation could not be completed with the registration code given.
///
/// Deliberately coarse: it tells the user whether to retype or to start again, never which
/// part of the activation data disagreed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CompletionError {
    /// The registration code does not belong to this activation: it was made for another
    /// token, or mistyped in a way the check digit cannot see.
    #[error("the registration code does not belong to this activation")]
    NotForThisActivation,
    /// The activation data have expired; issue new ones.
    #[error("the activation has expired")]
    Expired,
}

/// A token policy could not be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Not a JSON object.
    #[error("token policy is not a JSON object: {0}")]
    Json(#[from] serde_json::Error),
    /// A known field with a value of the wrong kind.
    #[error("token policy field {field} has an unexpected value")]
    Field {
        /// The field's name.
        field: &'static str,
    },
}
