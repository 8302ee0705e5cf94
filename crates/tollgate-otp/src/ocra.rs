//! OCRA, the OATH challenge-response algorithm (RFC 6287): a suite string says what goes into
//! the HMAC (a counter, the challenge, a PIN's hash, session data, a time step), and the
//! response is its HOTP-style truncation.
//!
//! ```text
//! OCRA-1:HOTP-SHA256-8:QN09      suite = algorithm : crypto function : data input
//! message = suite ‖ 0x00 ‖ [C, 8 bytes] ‖ Q (128 bytes) ‖ [P, hash] ‖ [S, nnn bytes] ‖ [T, 8 bytes]
//! ```
//!
//! The challenge is left-aligned in its 128 bytes and zero-filled: `QA` as its ASCII bytes,
//! `QH` as its hex digits, `QN` as the hex digits of the decimal number (RFC 6287 §5.2 and the
//! reference implementation of its Appendix A). Session data is right-aligned in its `nnn` bytes.

use alloc::string::String;
use alloc::vec::Vec;

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::params::{Algorithm, UnixTime};

mod suite;

/// The challenge's bytes in the message.
const QUESTION_LEN: usize = 128;
/// The longest challenge any suite names (`QF64`).
const MAX_CHALLENGE: usize = 64;

/// What a suite's challenge is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChallengeFormat {
    /// `QA`: letters and digits.
    Alphanumeric,
    /// `QN`: decimal digits.
    Numeric,
    /// `QH`: hex digits.
    Hex,
}

/// An OCRA suite (RFC 6287 §6), parsed strictly from its string and written back the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OcraSuite {
    hash: Algorithm,
    digits: u8,
    counter: bool,
    format: ChallengeFormat,
    max_challenge: u8,
    pin: Option<Algorithm>,
    session: Option<u16>,
    time_step: Option<u32>,
}

/// Why a suite string, or the input for one, was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcraError {
    /// Not a suite string: which part is wrong.
    #[error("not an OCRA suite: {0}")]
    Suite(&'static str),
    /// The suite asks for a counter, a PIN, session data or a time that was not given, or the
    /// input gives one the suite does not take.
    #[error("the input does not match the suite: {0}")]
    Input(&'static str),
    /// The challenge is empty, longer than 64 characters, or not of the suite's format.
    #[error("the challenge is not a {0:?} challenge of 1 to 64 characters")]
    Challenge(ChallengeFormat),
    /// A suite without truncation (`-0`) answers with the whole HMAC, which this crate does not
    /// produce: use 4 to 10 digits.
    #[error("suites without truncation are not supported")]
    NoTruncation,
}

/// What one response is computed over, besides the key and the challenge.
#[derive(Clone, Copy, Debug, Default)]
pub struct OcraInput<'a> {
    /// `C`: the counter.
    pub counter: Option<u64>,
    /// `P`: the PIN (hashed with the suite's hash here).
    pub pin: Option<&'a str>,
    /// `S`: session data, at most the suite's length.
    pub session: Option<&'a [u8]>,
    /// `T`: the time (counted in the suite's time steps here).
    pub time: Option<UnixTime>,
}

impl OcraSuite {
    /// The HMAC's hash.
    #[must_use]
    pub fn hash(&self) -> Algorithm {
        self.hash
    }

    /// The response's digits (0: no truncation).
    #[must_use]
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// The challenge's format and longest length.
    #[must_use]
    pub fn challenge(&self) -> (ChallengeFormat, u8) {
        (self.format, self.max_challenge)
    }

    /// The response to `challenge` under `key`.
    ///
    /// # Errors
    /// [`OcraError`]: the challenge or the input does not fit the suite.
    pub fn respond(
        &self,
        key: &[u8],
        challenge: &str,
        input: &OcraInput<'_>,
    ) -> Result<Zeroizing<String>, OcraError> {
        if self.digits == 0 {
            return Err(OcraError::NoTruncation);
        }
        let message = self.message(challenge, input)?;
        let mac = match self.hash {
            Algorithm::Sha256 => mac::<Hmac<Sha256>>(key, &message),
            Algorithm::Sha512 => mac::<Hmac<Sha512>>(key, &message),
            _ => mac::<Hmac<Sha1>>(key, &message),
        };
        let offset = usize::from(mac[mac.len() - 1] & 0x0f);
        let value = u32::from_be_bytes([
            mac[offset],
            mac[offset + 1],
            mac[offset + 2],
            mac[offset + 3],
        ]) & 0x7fff_ffff;
        let modulus = 10u64.pow(u32::from(self.digits));
        let code = u64::from(value) % modulus;
        Ok(Zeroizing::new(alloc::format!(
            "{code:0width$}",
            width = usize::from(self.digits)
        )))
    }

    /// Whether `response` is the response to `challenge`, compared in constant time.
    ///
    /// # Errors
    /// As [`OcraSuite::respond`].
    pub fn verify(
        &self,
        key: &[u8],
        challenge: &str,
        input: &OcraInput<'_>,
        response: &str,
    ) -> Result<bool, OcraError> {
        let expected = self.respond(key, challenge, input)?;
        Ok(expected.len() == response.len()
            && bool::from(expected.as_bytes().ct_eq(response.as_bytes())))
    }

    /// The HMAC's message (RFC 6287 §5.1).
    fn message(&self, challenge: &str, input: &OcraInput<'_>) -> Result<Vec<u8>, OcraError> {
        let suite = alloc::format!("{self}");
        let mut message = Zeroizing::new(Vec::with_capacity(suite.len() + 1 + 8 + 128 + 64 + 8));
        message.extend_from_slice(suite.as_bytes());
        message.push(0);
        match (self.counter, input.counter) {
            (true, Some(c)) => message.extend_from_slice(&c.to_be_bytes()),
            (false, None) => {}
            (true, None) => return Err(OcraError::Input("the suite needs a counter")),
            (false, Some(_)) => return Err(OcraError::Input("the suite takes no counter")),
        }
        message.extend_from_slice(&self.question(challenge)?);
        match (self.pin, input.pin) {
            (Some(Algorithm::Sha256), Some(pin)) => message.extend(Sha256::digest(pin)),
            (Some(Algorithm::Sha512), Some(pin)) => message.extend(Sha512::digest(pin)),
            (Some(_), Some(pin)) => message.extend(Sha1::digest(pin)),
            (None, None) => {}
            (Some(_), None) => return Err(OcraError::Input("the suite needs a PIN")),
            (None, Some(_)) => return Err(OcraError::Input("the suite takes no PIN")),
        }
        match (self.session, input.session) {
            (Some(len), Some(data)) if data.len() <= usize::from(len) => {
                message.extend(core::iter::repeat_n(0, usize::from(len) - data.len()));
                message.extend_from_slice(data);
            }
            (None, None) => {}
            (Some(_), Some(_)) => return Err(OcraError::Input("the session data is too long")),
            (Some(_), None) => return Err(OcraError::Input("the suite needs session data")),
            (None, Some(_)) => return Err(OcraError::Input("the suite takes no session data")),
        }
        match (self.time_step, input.time) {
            (Some(step), Some(time)) => {
                let steps = time.as_secs() / u64::from(step);
                message.extend_from_slice(&steps.to_be_bytes());
            }
            (None, None) => {}
            (Some(_), None) => return Err(OcraError::Input("the suite needs a time")),
            (None, Some(_)) => return Err(OcraError::Input("the suite takes no time")),
        }
        Ok(core::mem::take(&mut *message))
    }

    /// The challenge as its 128 bytes: left-aligned hex digits (QN, QH) or bytes (QA).
    ///
    /// A challenge may be longer than the suite's `xx` (up to 64, the longest any suite
    /// names): RFC 6287's own mutual vectors answer 16-character challenges under `QA08`, and
    /// its reference code does not check. [`OcraSuite::challenge`] gives the length to issue.
    fn question(&self, challenge: &str) -> Result<[u8; QUESTION_LEN], OcraError> {
        let refused = OcraError::Challenge(self.format);
        if challenge.is_empty() || challenge.len() > MAX_CHALLENGE {
            return Err(refused);
        }
        let mut question = [0u8; QUESTION_LEN];
        let nibbles: Vec<u8> = match self.format {
            ChallengeFormat::Alphanumeric => {
                if !challenge.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(refused);
                }
                question[..challenge.len()].copy_from_slice(challenge.as_bytes());
                return Ok(question);
            }
            ChallengeFormat::Hex => challenge
                .bytes()
                .map(hex_digit)
                .collect::<Option<_>>()
                .ok_or(refused)?,
            ChallengeFormat::Numeric => {
                let digits: Vec<u8> = challenge
                    .bytes()
                    .map(|b| b.is_ascii_digit().then(|| b - b'0'))
                    .collect::<Option<_>>()
                    .ok_or(refused)?;
                decimal_to_hex(&digits)
            }
        };
        for (i, nibble) in nibbles.iter().enumerate() {
            question[i / 2] |= if i % 2 == 0 { nibble << 4 } else { *nibble };
        }
        Ok(question)
    }
}

/// A hex digit's value.
fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn mac<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Zeroizing<Vec<u8>> {
    // HMAC takes a key of any length (RFC 2104 §2): this cannot fail.
    let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else {
        return Zeroizing::new(Vec::new());
    };
    mac.update(message);
    Zeroizing::new(mac.finalize().into_bytes().to_vec())
}

/// The hex digits of a decimal number (most significant first, `0` for zero), by long
/// division: the challenge is at most 64 digits.
fn decimal_to_hex(decimal: &[u8]) -> Vec<u8> {
    let mut number: Vec<u8> = decimal.iter().copied().skip_while(|d| *d == 0).collect();
    let mut hex = Vec::new();
    while !number.is_empty() {
        // A remainder below 16 and a digit below 10: the value stays below 160.
        let mut remainder = 0u8;
        let mut quotient = Vec::with_capacity(number.len());
        for digit in &number {
            let value = remainder * 10 + digit;
            let q = value / 16;
            remainder = value % 16;
            if !(quotient.is_empty() && q == 0) {
                quotient.push(q);
            }
        }
        hex.push(remainder);
        number = quotient;
    }
    if hex.is_empty() {
        hex.push(0);
    }
    hex.reverse();
    hex
}
