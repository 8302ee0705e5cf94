//! Base32 (RFC 4648 §6) as people paste it, and as apps expect it.
//!
//! Decoding ignores case, white space (spaces, tabs, line breaks) and hyphens, and accepts `=`
//! padding or none. Encoding is canonical: upper case, no padding.

use alloc::string::String;
use alloc::vec::Vec;

use zeroize::Zeroizing;

use crate::error::SecretError;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// How strictly to read base32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// What authenticator apps accept: bits past the last whole byte are dropped.
    Lenient,
    /// Also refuse lengths no byte string encodes to and non-zero unused trailing bits.
    Strict,
}

/// The value of one base32 symbol, case-insensitively.
fn symbol_value(c: char) -> Option<u8> {
    match u8::try_from(c).ok()? {
        b @ b'A'..=b'Z' => Some(b - b'A'),
        b @ b'a'..=b'z' => Some(b - b'a'),
        b @ b'2'..=b'7' => Some(b - b'2' + 26),
        _ => None,
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || c == '-'
}

/// Counts the symbols and checks every character, without allocating.
fn scan(input: &str) -> Result<usize, SecretError> {
    let mut symbols = 0usize;
    let mut padding_at = None;
    for (i, c) in input.chars().enumerate() {
        let position = i + 1;
        if is_separator(c) {
            continue;
        }
        if c == '=' {
            padding_at.get_or_insert(position);
            continue;
        }
        if symbol_value(c).is_none() {
            return Err(SecretError::InvalidBase32 {
                character: c,
                position,
            });
        }
        if let Some(position) = padding_at {
            return Err(SecretError::MisplacedPadding { position });
        }
        symbols += 1;
    }
    Ok(symbols)
}

/// Decodes `input`, refusing more than `max_bytes` before allocating anything.
pub(crate) fn decode(
    input: &str,
    mode: Mode,
    max_bytes: usize,
) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    let symbols = scan(input)?;
    if symbols == 0 {
        return Err(SecretError::Empty);
    }
    let bytes = symbols * 5 / 8;
    if bytes > max_bytes {
        return Err(SecretError::TooLong {
            bits: bytes * 8,
            max: max_bytes * 8,
        });
    }
    // A final group of 1, 3 or 6 symbols carries no whole byte beyond the previous one.
    if mode == Mode::Strict && matches!(symbols % 8, 1 | 3 | 6) {
        return Err(SecretError::ImpossibleLength { symbols });
    }

    let mut out = Zeroizing::new(Vec::with_capacity(bytes));
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    for value in input.chars().filter_map(symbol_value) {
        buffer = (buffer << 5) | u16::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits).to_le_bytes()[0]);
            buffer &= (1 << bits) - 1;
        }
    }
    if mode == Mode::Strict && buffer != 0 {
        return Err(SecretError::NonCanonical);
    }
    Ok(out)
}

/// Encodes `bytes` canonically: upper case, unpadded.
pub(crate) fn encode(bytes: &[u8]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(bytes.len().div_ceil(5) * 8));
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u16::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[usize::from((buffer >> bits) & 0x1f)]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(
            ALPHABET[usize::from((buffer << (5 - bits)) & 0x1f)],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10 test vectors (unpadded on output; padded input accepted).
    #[test]
    fn rfc4648_vectors() {
        let vectors: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "MY======"),
            (b"fo", "MZXQ===="),
            (b"foo", "MZXW6==="),
            (b"foob", "MZXW6YQ="),
            (b"fooba", "MZXW6YTB"),
            (b"foobar", "MZXW6YTBOI======"),
        ];
        for (raw, text) in vectors {
            assert_eq!(encode(raw).as_str(), text.trim_end_matches('='));
            if !raw.is_empty() {
                assert_eq!(decode(text, Mode::Strict, 64).unwrap().as_slice(), raw);
                assert_eq!(
                    decode(&text.to_lowercase(), Mode::Lenient, 64)
                        .unwrap()
                        .as_slice(),
                    raw
                );
            }
        }
    }

    #[test]
    fn separators_and_case_are_ignored() {
        let pasted = "gezd gnbv-gy3t\nqojq\tGEZD GNBV GY3T QOJQ ";
        assert_eq!(
            decode(pasted, Mode::Strict, 64).unwrap().as_slice(),
            b"12345678901234567890".as_slice()
        );
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(
            decode("MZXW1YQ", Mode::Lenient, 64),
            Err(SecretError::InvalidBase32 {
                character: '1',
                position: 5
            })
        );
        assert_eq!(
            decode("MZ==XW", Mode::Lenient, 64),
            Err(SecretError::MisplacedPadding { position: 3 })
        );
        assert_eq!(decode(" -= ", Mode::Lenient, 64), Err(SecretError::Empty));
    }

    #[test]
    fn strict_mode_refuses_noncanonical_input() {
        // "MY" is canonical for "f"; "MZ" has a non-zero unused bit.
        assert!(decode("MY", Mode::Strict, 64).is_ok());
        assert_eq!(
            decode("MZ", Mode::Strict, 64),
            Err(SecretError::NonCanonical)
        );
        assert_eq!(decode("MZ", Mode::Lenient, 64).unwrap().as_slice(), b"f");
        assert_eq!(
            decode("MZX", Mode::Strict, 64),
            Err(SecretError::ImpossibleLength { symbols: 3 })
        );
    }

    #[test]
    fn long_input_is_refused_before_allocation() {
        let long = "A".repeat(1 << 20);
        assert!(matches!(
            decode(&long, Mode::Lenient, 64),
            Err(SecretError::TooLong { .. })
        ));
    }
}
