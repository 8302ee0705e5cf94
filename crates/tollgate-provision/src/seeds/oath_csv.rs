//! The OATH CSV seed format, one token a line: `serial, seed, type, digits, step-or-counter`
//! (the seed in hex, or base32; `type` is `hotp` or `totp`; digits 6 to 8, default 6; a TOTP's
//! step in seconds, default 30; an HOTP's counter, default 0). Blank lines and lines starting
//! with `#` are skipped.

use tollgate_otp::{Algorithm, Digits, Period, Secret};

use super::{SeedError, SeedFile, SeedKind, SeedProblem, SeedToken};

/// Reads an OATH CSV seed file.
///
/// # Errors
/// The first [`SeedError`]: a line with too few or too many fields, a seed in neither hex nor
/// base32 or too short, an unknown type, digits or step out of range, the same serial number
/// twice, too large a file or too many tokens.
pub fn read_oath_csv(bytes: &[u8]) -> Result<SeedFile, SeedError> {
    if bytes.len() > super::MAX_SEED_FILE {
        return Err(SeedProblem::TooLarge.at(1));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        SeedProblem::Value("not UTF-8".into()).at(super::pskc::line_of(bytes, e.valid_up_to()))
    })?;
    let mut file = SeedFile::default();
    let mut seen = std::collections::HashSet::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if file.tokens.len() >= super::MAX_SEED_TOKENS {
            return Err(SeedProblem::TooManyTokens.at(number));
        }
        let token = token(line).map_err(|problem| problem.at(number))?;
        if !seen.insert(token.serial.clone()) {
            return Err(SeedProblem::DuplicateSerial(token.serial).at(number));
        }
        file.tokens.push(token);
    }
    Ok(file)
}

fn token(line: &str) -> Result<SeedToken, SeedProblem> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    if !(3..=5).contains(&fields.len()) {
        return Err(SeedProblem::Value(format!(
            "{} fields; a line is serial, seed, type[, digits[, step or counter]]",
            fields.len()
        )));
    }
    let serial = super::serial(fields[0])?;
    let bytes = seed(fields[1])?;
    let secret = Secret::from_bytes(&bytes).map_err(|e| SeedProblem::Secret(e.to_string()))?;
    let digits = match fields.get(3).filter(|d| !d.is_empty()) {
        None => Digits::SIX,
        Some(d) => d
            .parse::<u8>()
            .ok()
            .and_then(|d| Digits::try_from(d).ok())
            .ok_or_else(|| SeedProblem::Value("digits is not 6 to 8".into()))?,
    };
    let last = fields.get(4).filter(|v| !v.is_empty());
    let kind = match fields[2].to_ascii_lowercase().as_str() {
        "hotp" => SeedKind::Hotp {
            counter: match last {
                None => 0,
                Some(c) => c
                    .parse()
                    .map_err(|_| SeedProblem::Value("the counter is not a whole number".into()))?,
            },
        },
        "totp" => SeedKind::Totp {
            step: match last {
                None => Period::THIRTY_SECONDS,
                Some(s) => s
                    .parse::<u32>()
                    .ok()
                    .and_then(|s| Period::from_secs(s).ok())
                    .ok_or_else(|| SeedProblem::Value("the step is out of range".into()))?,
            },
            t0: 0,
        },
        other => return Err(SeedProblem::Unsupported(format!("token type {other:?}"))),
    };
    Ok(SeedToken {
        serial,
        manufacturer: None,
        kind,
        algorithm: Algorithm::Sha1,
        digits,
        secret,
    })
}

/// A seed in hex (an even number of hex digits), else in base32.
fn seed(text: &str) -> Result<zeroize::Zeroizing<Vec<u8>>, SeedProblem> {
    if !text.is_empty()
        && text.len().is_multiple_of(2)
        && text.bytes().all(|b| b.is_ascii_hexdigit())
    {
        let bytes = (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| SeedProblem::Value("the seed is not hex".into()))?;
        return Ok(zeroize::Zeroizing::new(bytes));
    }
    let secret = Secret::from_base32(text)
        .map_err(|_| SeedProblem::Value("the seed is neither hex nor base32".into()))?;
    Ok(zeroize::Zeroizing::new(secret.expose_secret().to_vec()))
}
