//! Seed files (feature `seeds`): what a hardware token's vendor ships with the tokens, read
//! for an administrator's import. PSKC (RFC 6030: plain and pre-shared-key encrypted secrets
//! with their MAC, the HOTP and TOTP algorithm profiles) and the OATH CSV format (serial, seed
//! in hex or base32, type, digits, step or counter).
//!
//! A file is read whole or refused whole: the first problem is the answer, with its line, and
//! no token of a refused file is handed out (an import is one transaction). Keys that are no
//! OATH token (a PSKC file's PIN keys, OCRA) are listed as skipped, with their line.

use tollgate_otp::{Algorithm, Digits, Period, Secret};

mod oath_csv;
mod pskc;

pub use oath_csv::read_oath_csv;
pub use pskc::{PreSharedKey, read_pskc};

/// The largest seed file read: 128 MiB (100 000 PSKC tokens are about 70 MB).
pub const MAX_SEED_FILE: usize = 128 * 1024 * 1024;

/// The most tokens one file may hold.
pub const MAX_SEED_TOKENS: usize = 250_000;

/// The longest serial number kept.
pub const MAX_SERIAL: usize = 64;

/// How a token moves on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeedKind {
    /// Counter-based (RFC 4226): the counter the token stands at.
    Hotp {
        /// The next counter value.
        counter: u64,
    },
    /// Time-based (RFC 6238).
    Totp {
        /// The time step (30 or 60 s on cards and fobs).
        step: Period,
        /// T0, seconds since the epoch.
        t0: u64,
    },
}

/// One token of a seed file. Its `Debug` never shows the secret.
#[derive(Clone, Debug)]
pub struct SeedToken {
    /// The device's serial number (or the key's ID when the file names no device).
    pub serial: String,
    /// The manufacturer, when the file says.
    pub manufacturer: Option<String>,
    /// HOTP or TOTP, and where it stands.
    pub kind: SeedKind,
    /// The HMAC's hash.
    pub algorithm: Algorithm,
    /// The code's length.
    pub digits: Digits,
    /// The shared secret.
    pub secret: Secret,
}

/// What a file held: its tokens, and the keys it skipped (line, why).
#[derive(Debug, Default)]
pub struct SeedFile {
    /// The tokens, in the file's order.
    pub tokens: Vec<SeedToken>,
    /// Keys that are no OATH token, by line.
    pub skipped: Vec<(usize, String)>,
}

/// Why a seed file was refused: the line (from 1) and what is wrong there. Never quotes a
/// secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct SeedError {
    /// Where.
    pub line: usize,
    /// What.
    pub problem: SeedProblem,
}

/// What is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeedProblem {
    /// Larger than [`MAX_SEED_FILE`].
    #[error("the file is larger than {MAX_SEED_FILE} bytes")]
    TooLarge,
    /// More than [`MAX_SEED_TOKENS`] tokens.
    #[error("the file holds more than {MAX_SEED_TOKENS} tokens")]
    TooManyTokens,
    /// Not well-formed XML (or cut off).
    #[error("not well-formed XML: {0}")]
    Xml(String),
    /// A DTD: entity declarations are refused (no entity is ever expanded).
    #[error("a DTD (<!DOCTYPE …>) is refused: seed files need no entities")]
    Dtd,
    /// Not a PSKC 1.0 key container.
    #[error("not a PSKC 1.0 KeyContainer")]
    NotPskc,
    /// A value that does not read.
    #[error("{0}")]
    Value(String),
    /// An encrypted secret and no pre-shared key given, or another key's name.
    #[error("the secrets are encrypted under the pre-shared key {0:?}: give that key")]
    KeyNeeded(String),
    /// The pre-shared key does not decrypt the secrets (or their MAC does not match).
    #[error("the MAC does not match: a wrong pre-shared key, or an altered secret")]
    WrongMac,
    /// An encrypted secret without a MAC.
    #[error("an encrypted secret has no MAC")]
    NoMac,
    /// An algorithm this reader does not handle.
    #[error("unsupported algorithm {0:?}")]
    Unsupported(String),
    /// The same serial number twice.
    #[error("serial number {0:?} appears twice")]
    DuplicateSerial(String),
    /// A secret shorter than 80 bits, or longer than 256 bytes.
    #[error("{0}")]
    Secret(String),
}

impl SeedProblem {
    pub(crate) fn at(self, line: usize) -> SeedError {
        SeedError {
            line,
            problem: self,
        }
    }
}

/// Checks a serial number: 1 to [`MAX_SERIAL`] printable ASCII characters, no space.
pub(crate) fn serial(text: &str) -> Result<String, SeedProblem> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_SERIAL || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(SeedProblem::Value(format!(
            "a serial number is 1 to {MAX_SERIAL} printable ASCII characters"
        )));
    }
    Ok(text.to_owned())
}

/// The index of the first token whose serial number an earlier one has.
pub(crate) fn first_duplicate(tokens: &[SeedToken]) -> Option<usize> {
    let mut seen = std::collections::HashSet::with_capacity(tokens.len());
    tokens.iter().position(|t| !seen.insert(t.serial.as_str()))
}
