//! Suite strings (RFC 6287 §6), read strictly and written back the same.

use core::fmt;
use core::str::FromStr;

use super::{ChallengeFormat, OcraError, OcraSuite};
use crate::params::Algorithm;

impl FromStr for OcraSuite {
    type Err = OcraError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split(':');
        let (Some("OCRA-1"), Some(function), Some(data), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(OcraError::Suite("expected OCRA-1:HOTP-SHAx-t:data"));
        };
        let function = function
            .strip_prefix("HOTP-")
            .ok_or(OcraError::Suite("the crypto function is HOTP-SHAx-t"))?;
        let (hash, digits) = function
            .split_once('-')
            .ok_or(OcraError::Suite("the crypto function is HOTP-SHAx-t"))?;
        let hash = match hash {
            "SHA1" => Algorithm::Sha1,
            "SHA256" => Algorithm::Sha256,
            "SHA512" => Algorithm::Sha512,
            _ => return Err(OcraError::Suite("the hash is SHA1, SHA256 or SHA512")),
        };
        let digits = match digits {
            "0" => 0,
            "4" | "5" | "6" | "7" | "8" | "9" | "10" => digits.parse().unwrap_or(0),
            _ => return Err(OcraError::Suite("truncation is 0 or 4 to 10 digits")),
        };
        let mut fields = data.split('-').peekable();
        let counter = fields.next_if_eq(&"C").is_some();
        let question = fields
            .next()
            .ok_or(OcraError::Suite("the data input needs a challenge, QFxx"))?;
        let (format, max_challenge) = challenge_field(question)?;
        let pin = match fields.peek().and_then(|f| f.strip_prefix('P')) {
            Some(hash) => {
                fields.next();
                Some(match hash {
                    "SHA1" => Algorithm::Sha1,
                    "SHA256" => Algorithm::Sha256,
                    "SHA512" => Algorithm::Sha512,
                    _ => {
                        return Err(OcraError::Suite(
                            "the PIN hash is PSHA1, PSHA256 or PSHA512",
                        ));
                    }
                })
            }
            None => None,
        };
        let session = match fields.peek().and_then(|f| f.strip_prefix('S')) {
            Some(len) => {
                fields.next();
                Some(three_digits(len).ok_or(OcraError::Suite("session data is S001 to S512"))?)
            }
            None => None,
        };
        let time_step = match fields.peek().and_then(|f| f.strip_prefix('T')) {
            Some(step) => {
                fields.next();
                Some(time_step(step)?)
            }
            None => None,
        };
        if fields.next().is_some() {
            return Err(OcraError::Suite(
                "the data input is [C-]QFxx[-PH][-Snnn][-TG]",
            ));
        }
        Ok(Self {
            hash,
            digits,
            counter,
            format,
            max_challenge,
            pin,
            session,
            time_step,
        })
    }
}

fn challenge_field(field: &str) -> Result<(ChallengeFormat, u8), OcraError> {
    let refused = OcraError::Suite("the challenge is QA, QN or QH and a length of 04 to 64");
    let rest = field.strip_prefix('Q').ok_or(refused)?;
    let format = match rest.as_bytes().first() {
        Some(b'A') => ChallengeFormat::Alphanumeric,
        Some(b'N') => ChallengeFormat::Numeric,
        Some(b'H') => ChallengeFormat::Hex,
        _ => return Err(refused),
    };
    let len = rest
        .get(1..)
        .filter(|l| l.len() == 2 && l.bytes().all(|b| b.is_ascii_digit()));
    match len.and_then(|l| l.parse::<u8>().ok()) {
        Some(len @ 4..=64) => Ok((format, len)),
        _ => Err(refused),
    }
}

fn three_digits(text: &str) -> Option<u16> {
    let len: u16 = text
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| text.parse().ok())
        .flatten()?;
    (text.len() == 3 && (1..=512).contains(&len)).then_some(len)
}

fn time_step(step: &str) -> Result<u32, OcraError> {
    let refused = OcraError::Suite("the time step is 1S-59S, 1M-59M or 1H-48H");
    let (count, unit) = step
        .split_at_checked(step.len().saturating_sub(1))
        .ok_or(refused)?;
    // One or two digits, without a leading zero (`T08H` would read back as `T8H`).
    if count.is_empty()
        || count.len() > 2
        || count.starts_with('0')
        || !count.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(refused);
    }
    let count: u32 = count.parse().map_err(|_| refused)?;
    match (unit, count) {
        ("S", 1..=59) => Ok(count),
        ("M", 1..=59) => Ok(count * 60),
        // RFC 6287 §6 allows 0H, a step of no time: refused, it would divide by zero.
        ("H", 1..=48) => Ok(count * 3600),
        _ => Err(refused),
    }
}

impl fmt::Display for OcraSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hash = |a: Algorithm| match a {
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
            _ => "SHA1",
        };
        write!(f, "OCRA-1:HOTP-{}-{}:", hash(self.hash), self.digits)?;
        if self.counter {
            f.write_str("C-")?;
        }
        let format = match self.format {
            ChallengeFormat::Alphanumeric => 'A',
            ChallengeFormat::Numeric => 'N',
            ChallengeFormat::Hex => 'H',
        };
        write!(f, "Q{format}{:02}", self.max_challenge)?;
        if let Some(pin) = self.pin {
            write!(f, "-P{}", hash(pin))?;
        }
        if let Some(len) = self.session {
            write!(f, "-S{len:03}")?;
        }
        if let Some(step) = self.time_step {
            match step {
                s if s % 3600 == 0 => write!(f, "-T{}H", s / 3600)?,
                s if s % 60 == 0 => write!(f, "-T{}M", s / 60)?,
                s => write!(f, "-T{s}S")?,
            }
        }
        Ok(())
    }
}
