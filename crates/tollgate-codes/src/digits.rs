//! Reading digit codes as people type them, and writing them in groups.

use core::fmt;

use crate::error::CodeError;

/// Characters people put between groups of digits: white space (including no-break spaces),
/// the hyphen-minus and the Unicode dashes and minus sign that word processors and phones
/// substitute for it.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{2010}' // hyphen
                | '\u{2011}' // non-breaking hyphen
                | '\u{2012}' // figure dash
                | '\u{2013}' // en dash
                | '\u{2014}' // em dash
                | '\u{2212}' // minus sign
                | '\u{FE63}' // small hyphen-minus
                | '\u{FF0D}' // full-width hyphen-minus
        )
}

/// Reads exactly `N` ASCII digits from `input`, ignoring separators anywhere.
///
/// Only `0`–`9` are digits: other scripts' digits (which `char::is_numeric` accepts) are
/// refused with their position. Any input, however long, is read without allocating.
pub(crate) fn parse<const N: usize>(input: &str, what: &'static str) -> Result<[u8; N], CodeError> {
    let mut digits = [0u8; N];
    let mut found = 0usize;
    for (i, c) in input.chars().enumerate() {
        if is_separator(c) {
            continue;
        }
        if !c.is_ascii_digit() {
            return Err(CodeError::NotADigit {
                what,
                character: c,
                position: i + 1,
            });
        }
        if let Some(slot) = digits.get_mut(found) {
            *slot = u8::try_from(c).map_or(0, |b| b - b'0');
        }
        found = found.saturating_add(1);
    }
    if found == N {
        Ok(digits)
    } else {
        Err(CodeError::WrongLength {
            what,
            found,
            expected: N,
        })
    }
}

/// The value of a run of decimal digits (at most 19, so that it fits).
pub(crate) fn value(digits: &[u8]) -> u64 {
    digits.iter().fold(0u64, |acc, &d| {
        acc.wrapping_mul(10).wrapping_add(u64::from(d))
    })
}

/// The `len` decimal digits of `value`, most significant first.
pub(crate) fn from_value<const N: usize>(mut value: u64) -> [u8; N] {
    let mut digits = [0u8; N];
    for slot in digits.iter_mut().rev() {
        *slot = (value % 10).to_le_bytes()[0];
        value /= 10;
    }
    digits
}

/// Writes `digits` in groups of the given sizes, joined by `-`.
pub(crate) fn write_grouped(
    f: &mut impl fmt::Write,
    digits: &[u8],
    groups: &[usize],
) -> fmt::Result {
    let mut rest = digits;
    for (i, &size) in groups.iter().enumerate() {
        if i > 0 {
            f.write_char('-')?;
        }
        let (group, tail) = rest.split_at(size.min(rest.len()));
        for &d in group {
            f.write_char(char::from(b'0' + d))?;
        }
        rest = tail;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_ignored_and_digits_are_ascii() {
        assert_eq!(parse::<4>(" 1-2\u{2013}3 4\n", "x"), Ok([1, 2, 3, 4]));
        assert_eq!(
            parse::<4>("12\u{0663}4", "x"),
            Err(CodeError::NotADigit {
                what: "x",
                character: '\u{0663}',
                position: 3
            })
        );
        assert_eq!(
            parse::<4>(&"9".repeat(100_000), "x"),
            Err(CodeError::WrongLength {
                what: "x",
                found: 100_000,
                expected: 4
            })
        );
    }

    #[test]
    fn grouping() {
        let mut s = String::new();
        write_grouped(&mut s, &[6, 9, 3, 5, 0, 1, 9, 3, 8, 7], &[5, 5]).unwrap();
        assert_eq!(s, "69350-19387");
        assert_eq!(from_value::<5>(42), [0, 0, 0, 4, 2]);
        assert_eq!(value(&[0, 0, 4, 2]), 42);
    }
}
