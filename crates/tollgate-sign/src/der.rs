//! The little DER (ITU-T X.690 §10) a certificate needs: writing the types an X.509
//! certificate (RFC 5280 §4.1) is made of, and reading a certificate's outer structure back
//! (the CA's own certificate, to find its subject and key). Nothing else is parsed here: what
//! a client sends is JSON.

/// Tags of the universal types used.
pub(crate) mod tag {
    pub(crate) const BOOLEAN: u8 = 0x01;
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const OCTET_STRING: u8 = 0x04;
    pub(crate) const OID: u8 = 0x06;
    pub(crate) const UTF8_STRING: u8 = 0x0c;
    pub(crate) const UTC_TIME: u8 = 0x17;
    pub(crate) const GENERALIZED_TIME: u8 = 0x18;
    pub(crate) const SEQUENCE: u8 = 0x30;
    pub(crate) const SET: u8 = 0x31;
}

/// One type-length-value.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    match u8::try_from(content.len()) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            let bytes = content.len().to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            // At most 8 length bytes: 0x88.
            out.push(0x80 | u8::try_from(bytes.len() - skip).unwrap_or(8));
            out.extend_from_slice(&bytes[skip..]);
        }
    }
    out.extend_from_slice(content);
    out
}

/// A constructed value of `tag` holding `parts` in order.
pub(crate) fn constructed(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag, &parts.concat())
}

/// `SEQUENCE { parts }`.
pub(crate) fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    constructed(tag::SEQUENCE, parts)
}

/// An explicitly tagged `[n]` value.
pub(crate) fn explicit(n: u8, inner: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, inner)
}

/// A non-negative `INTEGER` from its big-endian magnitude.
pub(crate) fn unsigned(magnitude: &[u8]) -> Vec<u8> {
    let skip = magnitude
        .iter()
        .take_while(|&&b| b == 0)
        .count()
        .min(magnitude.len().saturating_sub(1));
    let digits = magnitude.get(skip..).unwrap_or(&[0]);
    let digits = if digits.is_empty() { &[0][..] } else { digits };
    let mut content = Vec::with_capacity(digits.len() + 1);
    if digits.first().is_some_and(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(digits);
    tlv(tag::INTEGER, &content)
}

/// An `OBJECT IDENTIFIER` from its dotted text (a constant of this crate: always well formed).
pub(crate) fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').filter_map(|a| a.parse().ok()).collect();
    let mut content = Vec::new();
    if let [first, second, rest @ ..] = arcs.as_slice() {
        base128(first * 40 + second, &mut content);
        for &arc in rest {
            base128(arc, &mut content);
        }
    }
    tlv(tag::OID, &content)
}

fn base128(mut value: u64, out: &mut Vec<u8>) {
    let mut groups = vec![(value & 0x7f) as u8];
    value >>= 7;
    while value > 0 {
        groups.push(0x80 | (value & 0x7f) as u8);
        value >>= 7;
    }
    out.extend(groups.iter().rev());
}

/// `BIT STRING` with no unused bits.
pub(crate) fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(bytes.len() + 1);
    content.push(0);
    content.extend_from_slice(bytes);
    tlv(tag::BIT_STRING, &content)
}

/// A `BIT STRING` of named bits (`KeyUsage`): bit 0 is the first; trailing zero bits dropped.
pub(crate) fn named_bits(bits: &[u8]) -> Vec<u8> {
    let mut bytes = [0u8; 2];
    for &bit in bits {
        if let Some(byte) = bytes.get_mut(usize::from(bit / 8)) {
            *byte |= 0x80 >> (bit % 8);
        }
    }
    let used = if bytes[1] == 0 { 1 } else { 2 };
    let last = bytes[used - 1];
    let unused = if last == 0 {
        0
    } else {
        u8::try_from(last.trailing_zeros()).unwrap_or(0)
    };
    let mut content = vec![unused];
    content.extend_from_slice(&bytes[..used]);
    tlv(tag::BIT_STRING, &content)
}

/// `OCTET STRING`.
pub(crate) fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(tag::OCTET_STRING, bytes)
}

/// `BOOLEAN TRUE`.
pub(crate) fn true_value() -> Vec<u8> {
    tlv(tag::BOOLEAN, &[0xff])
}

/// `UTF8String`.
pub(crate) fn utf8(text: &str) -> Vec<u8> {
    tlv(tag::UTF8_STRING, text.as_bytes())
}

/// A certificate's `Time` (RFC 5280 §4.1.2.5): `UTCTime` through 2049, `GeneralizedTime` from
/// 2050, both in UTC to the second.
pub(crate) fn time(unix: u64) -> Vec<u8> {
    let days = unix / 86_400;
    let secs = unix % 86_400;
    let (year, month, day) = civil(days);
    let clock = format!(
        "{month:02}{day:02}{:02}{:02}{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    if year < 2050 {
        tlv(
            tag::UTC_TIME,
            format!("{:02}{clock}", year % 100).as_bytes(),
        )
    } else {
        tlv(
            tag::GENERALIZED_TIME,
            format!("{year:04}{clock}").as_bytes(),
        )
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
fn civil(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// One value read: its tag, its content, and the whole encoding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Item<'a> {
    pub(crate) tag: u8,
    pub(crate) content: &'a [u8],
    pub(crate) whole: &'a [u8],
}

/// Reads the value at the start of `input` (definite lengths only, the shortest length form,
/// single-byte tags): the value and what follows it.
pub(crate) fn read(input: &[u8]) -> Option<(Item<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, rest) = rest.split_at(count);
        if bytes[0] == 0 {
            return None;
        }
        let len = bytes.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b));
        if len < 0x80 {
            return None;
        }
        (len, rest)
    };
    if rest.len() < len {
        return None;
    }
    let header = input.len() - rest.len();
    let (content, after) = rest.split_at(len);
    let whole = &input[..header + len];
    Some((
        Item {
            tag,
            content,
            whole,
        },
        after,
    ))
}

/// The values inside a constructed value's content, in order; `None` if any is malformed.
pub(crate) fn children(mut content: &[u8]) -> Option<Vec<Item<'_>>> {
    let mut items = Vec::new();
    while !content.is_empty() {
        let (item, rest) = read(content)?;
        items.push(item);
        content = rest;
    }
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_take_the_shortest_form() {
        assert_eq!(tlv(4, &[0; 3])[..2], [4, 3]);
        assert_eq!(tlv(4, &[0; 200])[..3], [4, 0x81, 200]);
        assert_eq!(tlv(4, &[0; 300])[..4], [4, 0x82, 1, 44]);
    }

    #[test]
    fn known_encodings() {
        // X.690 §8.19.5's example arcs, and the OIDs the certificates use.
        assert_eq!(
            oid("1.2.840.10045.2.1"),
            [6, 7, 0x2a, 0x86, 0x48, 0xce, 0x3d, 2, 1]
        );
        assert_eq!(oid("2.5.4.3"), [6, 3, 0x55, 4, 3]);
        assert_eq!(unsigned(&[0, 0, 0x80]), [2, 2, 0, 0x80]);
        assert_eq!(unsigned(&[0, 0]), [2, 1, 0]);
        // KeyUsage digitalSignature (0) and nonRepudiation (1): 2 bits used, 6 unused.
        assert_eq!(named_bits(&[0, 1]), [3, 2, 6, 0xc0]);
        // keyCertSign (5) and cRLSign (6).
        assert_eq!(named_bits(&[5, 6]), [3, 2, 1, 0x06]);
        assert_eq!(time(0), tlv(tag::UTC_TIME, b"700101000000Z"));
        assert_eq!(
            time(2_524_608_000),
            tlv(tag::GENERALIZED_TIME, b"20500101000000Z")
        );
        assert_eq!(
            time(1_796_601_600 + 3661),
            tlv(tag::UTC_TIME, b"261207010101Z")
        );
    }

    #[test]
    fn what_is_written_reads_back() {
        let inner = [oid("2.5.4.3"), utf8("x")].concat();
        let whole = sequence(&[&inner]);
        let (item, rest) = read(&whole).expect("a value");
        assert!(rest.is_empty());
        assert_eq!(item.tag, tag::SEQUENCE);
        assert_eq!(children(item.content).expect("two").len(), 2);
        // Long form for a short length, and truncation, are refused.
        assert!(read(&[0x30, 0x81, 0x01, 0x00]).is_none());
        assert!(read(&[0x30, 0x05, 0x00]).is_none());
    }
}
