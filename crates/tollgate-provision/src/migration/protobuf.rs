//! The little protobuf that Google Authenticator's export needs: varints, length-delimited
//! fields, and skipping what is not understood. Every read is bounds-checked; nothing is
//! allocated beyond the input's own length.

use crate::error::MigrationError;

/// Wire types (protobuf encoding guide).
pub(super) const VARINT: u8 = 0;
pub(super) const I64: u8 = 1;
pub(super) const LEN: u8 = 2;
pub(super) const I32: u8 = 5;

/// A cursor over a protobuf message.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
}

/// One field: its number and its value.
pub(super) enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    fn varint(&mut self) -> Result<u64, MigrationError> {
        let mut value = 0u64;
        for i in 0..10 {
            let (&byte, rest) = self
                .bytes
                .split_first()
                .ok_or(MigrationError::Protobuf("truncated varint"))?;
            self.bytes = rest;
            let bits = u64::from(byte & 0x7f);
            // The tenth byte may only carry the top bit of a 64-bit value.
            if i == 9 && byte > 1 {
                return Err(MigrationError::Protobuf("varint overflows 64 bits"));
            }
            value |= bits << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(MigrationError::Protobuf("varint longer than 10 bytes"))
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], MigrationError> {
        let len = usize::try_from(len)
            .ok()
            .filter(|&len| len <= self.bytes.len())
            .ok_or(MigrationError::Protobuf("length past the end"))?;
        let (taken, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(taken)
    }

    /// The next field, or `None` at the end of the message.
    pub(super) fn next_field(&mut self) -> Result<Option<(u64, Value<'a>)>, MigrationError> {
        if self.bytes.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let number = key >> 3;
        if number == 0 {
            return Err(MigrationError::Protobuf("field number 0"));
        }
        let value = match (key & 7) as u8 {
            VARINT => Value::Varint(self.varint()?),
            I64 => {
                self.take(8)?;
                Value::Fixed
            }
            LEN => {
                let len = self.varint()?;
                Value::Bytes(self.take(len)?)
            }
            I32 => {
                self.take(4)?;
                Value::Fixed
            }
            _ => return Err(MigrationError::Protobuf("unsupported wire type")),
        };
        Ok(Some((number, value)))
    }
}

/// Appends protobuf fields to a buffer.
pub(super) struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> Writer<'a> {
    pub(super) fn new(out: &'a mut Vec<u8>) -> Self {
        Self { out }
    }

    fn raw_varint(&mut self, mut value: u64) {
        loop {
            let byte = (value & 0x7f).to_le_bytes()[0];
            value >>= 7;
            if value == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }

    pub(super) fn varint(&mut self, number: u64, value: u64) {
        self.raw_varint(number << 3 | u64::from(VARINT));
        self.raw_varint(value);
    }

    pub(super) fn bytes(&mut self, number: u64, value: &[u8]) {
        self.raw_varint(number << 3 | u64::from(LEN));
        self.raw_varint(value.len() as u64);
        self.out.extend_from_slice(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_overflow_is_refused() {
        for value in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            Writer::new(&mut out).varint(1, value);
            let mut reader = Reader::new(&out);
            match reader.next_field().unwrap() {
                Some((1, Value::Varint(v))) => assert_eq!(v, value),
                _ => panic!("{value}"),
            }
        }
        let eleven = [
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
        ];
        assert!(Reader::new(&eleven).next_field().is_err());
        let truncated = [0x08, 0xff];
        assert!(Reader::new(&truncated).next_field().is_err());
        let past_end = [0x0a, 0x05, 1, 2];
        assert!(Reader::new(&past_end).next_field().is_err());
        let group = [0x0b];
        assert!(Reader::new(&group).next_field().is_err());
    }
}
