//! A strict reader for the CBOR (RFC 8949) that WebAuthn carries: attestation objects, COSE
//! keys and authenticator extensions. It reads only what those need (integers, byte and text
//! strings, arrays, maps, `false`, `true`, `null`) and refuses the rest, so that nothing an
//! attacker writes reaches a code path nobody tests.
//!
//! Refused: indefinite lengths, tags, floating-point and other simple values, reserved
//! additional-information values, a text string that is not UTF-8, a map with a key twice
//! (two readers could then disagree on its value), nesting deeper than [`MAX_DEPTH`], and a
//! count of items that the remaining bytes cannot hold (a two-byte header announcing 2^64
//! items allocates nothing).

use alloc::vec::Vec;

/// How deeply arrays and maps may nest: an attestation object is a map holding a map holding
/// an array (`x5c`); a COSE key is one map.
pub const MAX_DEPTH: usize = 8;

/// One CBOR data item, borrowing its strings from the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// An unsigned integer (major type 0).
    Unsigned(u64),
    /// A negative integer `-1 - n` (major type 1), kept as `n` so that every one fits.
    Negative(u64),
    /// A byte string.
    Bytes(&'a [u8]),
    /// A UTF-8 text string.
    Text(&'a str),
    /// An array.
    Array(Vec<Value<'a>>),
    /// A map, in the order written.
    Map(Vec<(Value<'a>, Value<'a>)>),
    /// `false` or `true`.
    Bool(bool),
    /// `null`.
    Null,
}

/// Why bytes are not the CBOR this reader takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CborError {
    /// The input ends inside an item.
    #[error("CBOR ends inside an item")]
    Truncated,
    /// Bytes follow the item where none may.
    #[error("bytes after the CBOR item")]
    Trailing,
    /// An item of a kind WebAuthn does not use (a tag, a float, an indefinite length, …).
    #[error(
        "CBOR item of a kind this reader refuses (major type {major}, additional information {info})"
    )]
    Unsupported {
        /// The major type.
        major: u8,
        /// The additional information.
        info: u8,
    },
    /// A text string that is not UTF-8.
    #[error("CBOR text string is not UTF-8")]
    NotUtf8,
    /// Arrays and maps nested deeper than [`MAX_DEPTH`].
    #[error("CBOR nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// A map with one key twice.
    #[error("CBOR map has a key twice")]
    DuplicateKey,
}

impl<'a> Value<'a> {
    /// The item that is the whole of `bytes`.
    ///
    /// # Errors
    /// [`CborError`] for anything else, [`CborError::Trailing`] for bytes after it.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, CborError> {
        let (value, used) = Self::decode_prefix(bytes)?;
        if used == bytes.len() {
            Ok(value)
        } else {
            Err(CborError::Trailing)
        }
    }

    /// The item at the start of `bytes`, and how many bytes it took (authenticator data holds a
    /// COSE key followed by more).
    ///
    /// # Errors
    /// [`CborError`] when the start of `bytes` is not an item this reader takes.
    pub fn decode_prefix(bytes: &'a [u8]) -> Result<(Self, usize), CborError> {
        let mut reader = Reader { bytes, at: 0 };
        let value = reader.item(0)?;
        Ok((value, reader.at))
    }

    /// The value of `key` in a map whose keys are integers (a COSE key's labels).
    #[must_use]
    pub fn get_int(&self, key: i64) -> Option<&Value<'a>> {
        self.entries()?
            .iter()
            .find(|(k, _)| k.as_int() == Some(key))
            .map(|(_, v)| v)
    }

    /// The value of `key` in a map whose keys are text (an attestation object's).
    #[must_use]
    pub fn get_text(&self, key: &str) -> Option<&Value<'a>> {
        self.entries()?
            .iter()
            .find(|(k, _)| matches!(k, Value::Text(t) if *t == key))
            .map(|(_, v)| v)
    }

    /// A map's entries.
    #[must_use]
    pub fn entries(&self) -> Option<&[(Value<'a>, Value<'a>)]> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// An integer that fits in `i64`.
    #[must_use]
    pub fn as_int(&self) -> Option<i64> {
        match *self {
            Value::Unsigned(n) => i64::try_from(n).ok(),
            Value::Negative(n) => i64::try_from(n).ok().map(|n| -1 - n),
            _ => None,
        }
    }

    /// A byte string's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            Value::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// A text string.
    #[must_use]
    pub fn as_text(&self) -> Option<&'a str> {
        match *self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let end = self.at.checked_add(n).ok_or(CborError::Truncated)?;
        let taken = self.bytes.get(self.at..end).ok_or(CborError::Truncated)?;
        self.at = end;
        Ok(taken)
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// The head's major type and argument.
    fn head(&mut self) -> Result<(u8, u8, u64), CborError> {
        let first = self.take(1)?[0];
        let (major, info) = (first >> 5, first & 0x1f);
        let argument = match info {
            0..=23 => u64::from(info),
            24..=27 => {
                let n = 1usize << (info - 24);
                self.take(n)?
                    .iter()
                    .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
            }
            _ => return Err(CborError::Unsupported { major, info }),
        };
        Ok((major, info, argument))
    }

    /// A length that the rest of the input can hold, `per_item` bytes at least each.
    fn count(&self, argument: u64, per_item: usize) -> Result<usize, CborError> {
        usize::try_from(argument)
            .ok()
            .filter(|n| n.saturating_mul(per_item) <= self.remaining())
            .ok_or(CborError::Truncated)
    }

    fn item(&mut self, depth: usize) -> Result<Value<'a>, CborError> {
        let (major, info, argument) = self.head()?;
        match major {
            0 => Ok(Value::Unsigned(argument)),
            1 => Ok(Value::Negative(argument)),
            2 => {
                let n = self.count(argument, 1)?;
                Ok(Value::Bytes(self.take(n)?))
            }
            3 => {
                let n = self.count(argument, 1)?;
                let text = core::str::from_utf8(self.take(n)?).map_err(|_| CborError::NotUtf8)?;
                Ok(Value::Text(text))
            }
            4 | 5 if depth >= MAX_DEPTH => Err(CborError::TooDeep),
            4 => {
                let n = self.count(argument, 1)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.item(depth + 1)?);
                }
                Ok(Value::Array(items))
            }
            5 => {
                let n = self.count(argument, 2)?;
                let mut entries: Vec<(Value<'a>, Value<'a>)> = Vec::with_capacity(n);
                for _ in 0..n {
                    let key = self.item(depth + 1)?;
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(CborError::DuplicateKey);
                    }
                    let value = self.item(depth + 1)?;
                    entries.push((key, value));
                }
                Ok(Value::Map(entries))
            }
            7 => match info {
                20 => Ok(Value::Bool(false)),
                21 => Ok(Value::Bool(true)),
                22 => Ok(Value::Null),
                _ => Err(CborError::Unsupported { major, info }),
            },
            _ => Err(CborError::Unsupported { major, info }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{CborError, MAX_DEPTH, Value};

    #[test]
    fn rfc8949_appendix_a_items_read_as_written() {
        // RFC 8949 Appendix A: (encoding, value) pairs this reader takes.
        assert_eq!(Value::decode(&[0x00]), Ok(Value::Unsigned(0)));
        assert_eq!(Value::decode(&[0x17]), Ok(Value::Unsigned(23)));
        assert_eq!(Value::decode(&[0x18, 0x18]), Ok(Value::Unsigned(24)));
        assert_eq!(
            Value::decode(&[0x19, 0x03, 0xe8]),
            Ok(Value::Unsigned(1000))
        );
        let max = [0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(Value::decode(&max), Ok(Value::Unsigned(u64::MAX)));
        assert_eq!(Value::decode(&[0x20]).map(|v| v.as_int()), Ok(Some(-1)));
        assert_eq!(
            Value::decode(&[0x38, 0x63]).map(|v| v.as_int()),
            Ok(Some(-100))
        );
        assert_eq!(Value::decode(&[0x40]), Ok(Value::Bytes(&[])));
        assert_eq!(Value::decode(&[0x61, 0x61]), Ok(Value::Text("a")));
        assert_eq!(Value::decode(&[0xf4]), Ok(Value::Bool(false)));
        assert_eq!(Value::decode(&[0xf6]), Ok(Value::Null));
        let map = Value::decode(&[0xa2, 0x01, 0x02, 0x03, 0x04]).unwrap();
        assert_eq!(map.get_int(3), Some(&Value::Unsigned(4)));
    }

    #[test]
    fn what_webauthn_does_not_use_is_refused() {
        let refused: [&[u8]; 8] = [
            &[0x5f, 0x41, 0x00, 0xff],       // indefinite byte string
            &[0xc2, 0x41, 0x00],             // tag 2
            &[0xf9, 0x3c, 0x00],             // half float
            &[0xf7],                         // undefined
            &[0x1c],                         // reserved additional information
            &[0xa2, 0x01, 0x02, 0x01, 0x03], // a key twice
            &[0x62, 0xc3, 0x28],             // not UTF-8
            &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // 2^64 items
        ];
        for bytes in refused {
            assert!(Value::decode(bytes).is_err(), "{bytes:02x?}");
        }
        assert_eq!(Value::decode(&[0x00, 0x00]), Err(CborError::Trailing));
        assert_eq!(Value::decode(&[0x42, 0x00]), Err(CborError::Truncated));
        let deep = [0x81u8; MAX_DEPTH + 1];
        let mut nested = deep.to_vec();
        nested.push(0x00);
        assert_eq!(Value::decode(&nested), Err(CborError::TooDeep));
        nested.drain(..1);
        assert!(Value::decode(&nested).is_ok());
    }
}
