//! The crate's errors: one enum per kind of failure, so that callers can react differently to
//! hostile input ([`SecretError`], [`CodeError`]), their own misuse ([`ParamError`]), time
//! outside the representable range ([`TimeError`]) and a failed verification ([`VerifyError`]).

use thiserror::Error;

use crate::params::Step;

/// A secret key could not be read or made.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The input holds no secret at all.
    #[error("secret is empty")]
    Empty,
    /// Fewer than 80 bits: too short to import.
    #[error("secret is {bits} bits long, at least 80 are needed (160 recommended)")]
    TooShort {
        /// The secret's length in bits.
        bits: usize,
    },
    /// Longer than any token needs; refused so that input size stays bounded.
    #[error("secret is {bits} bits long, at most {max} are accepted")]
    TooLong {
        /// The secret's length in bits (at least this many, for text input).
        bits: usize,
        /// The most accepted.
        max: usize,
    },
    /// A new secret was asked for with fewer than 160 bits.
    #[error("a generated secret must have at least 160 bits, {bits} were asked for")]
    GeneratedTooShort {
        /// The length asked for, in bits.
        bits: usize,
    },
    /// A character outside the base32 alphabet.
    #[error("{character:?} at position {position} is not a base32 character (A-Z, 2-7)")]
    InvalidBase32 {
        /// The character.
        character: char,
        /// Its position in the input, counting characters from 1.
        position: usize,
    },
    /// `=` padding followed by more characters.
    #[error("'=' padding at position {position} is followed by more characters")]
    MisplacedPadding {
        /// The position of the first `=`, counting characters from 1.
        position: usize,
    },
    /// Strict mode: a length that no byte string encodes to.
    #[error("base32 secret has {symbols} characters, which no byte string encodes to")]
    ImpossibleLength {
        /// The number of base32 characters (padding and separators not counted).
        symbols: usize,
    },
    /// Strict mode: the last character carries non-zero bits past the last byte.
    #[error("base32 secret is not canonical: its last character has non-zero unused bits")]
    NonCanonical,
}

/// A code typed by a person could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CodeError {
    /// Nothing but white space.
    #[error("code is empty")]
    Empty,
    /// A character that is neither an ASCII digit nor white space.
    #[error("{character:?} at position {position} is not a digit")]
    NotADigit {
        /// The character.
        character: char,
        /// Its position in the input, counting characters from 1.
        position: usize,
    },
    /// The wrong number of digits.
    #[error("code has {found} digits, expected {expected}")]
    WrongLength {
        /// Digits found.
        found: usize,
        /// Digits expected, e.g. `6` or `6 to 8`.
        expected: &'static str,
    },
}

/// A parameter given by the caller is out of range. These are programming or configuration
/// errors, not hostile input.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ParamError {
    /// Not one of SHA1, SHA256, SHA512.
    #[error("unknown algorithm, expected SHA1, SHA256 or SHA512")]
    UnknownAlgorithm,
    /// Not a decimal number.
    #[error("expected a decimal number")]
    NotANumber,
    /// Digits outside 6 to 8.
    #[error("codes of {digits} digits are not supported, expected 6 to 8")]
    DigitsOutOfRange {
        /// The number asked for.
        digits: u64,
    },
    /// A period of 0 s or above one hour.
    #[error("a period of {seconds} s is not supported, expected 1 to 3600")]
    PeriodOutOfRange {
        /// The period asked for.
        seconds: u64,
    },
    /// A verification window wider than allowed.
    #[error("window of {behind} steps behind and {ahead} ahead is too wide, at most {max} each")]
    WindowTooWide {
        /// Steps behind asked for.
        behind: u8,
        /// Steps ahead asked for.
        ahead: u8,
        /// The most allowed on each side.
        max: u8,
    },
    /// An HOTP look-ahead wider than allowed.
    #[error("look-ahead of {counters} counters is too wide, at most {max}")]
    LookAheadTooWide {
        /// Counters asked for.
        counters: u16,
        /// The most allowed.
        max: u16,
    },
    /// An out-of-band PIN length outside 6 to 12.
    #[error("PINs of {digits} digits are not supported, expected 6 to 12")]
    PinLengthOutOfRange {
        /// The length asked for.
        digits: u8,
    },
}

/// A time or counter outside what the computation can represent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TimeError {
    /// The time is earlier than the token's T0.
    #[error("time is before the token's T0")]
    BeforeT0,
    /// The result would pass `u64::MAX`.
    #[error("time or counter overflows 64 bits")]
    Overflow,
}

/// A code was not accepted.
///
/// Show the user the same message for [`VerifyError::Mismatch`] and [`VerifyError::Replayed`];
/// log the difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No step or counter in the window produces this code.
    #[error("code does not match")]
    Mismatch,
    /// The code is right for a step at or before the last accepted one: it was used already,
    /// or it is older than a code that was.
    #[error("code was already used")]
    Replayed {
        /// The step the code belongs to.
        step: Step,
    },
    /// The verification time is outside the representable range.
    #[error(transparent)]
    Time(#[from] TimeError),
}
