//! A one-time code as a person types it and as a token shows it.

use core::fmt;
use core::str::FromStr;

use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroize;

use crate::error::CodeError;
use crate::params::Digits;

/// A one-time code: 6 to 8 decimal digits, leading zeros significant.
///
/// Parsed from what a person types: white space around and between the digits is ignored,
/// only ASCII `0`–`9` are digits (other scripts' digits are refused, as are full-width ones).
/// `Display` shows the digits with their leading zeros, because showing a code is what a token
/// does; `Debug` shows only the length. Comparison is constant-time ([`ConstantTimeEq`]).
///
/// ```
/// use tollgate_otp::{Code, Digits};
///
/// let code = Code::parse(" 043 700 ", Digits::SIX)?;
/// assert_eq!(code.to_string(), "043700");
/// assert_eq!(
///     Code::parse("04370", Digits::SIX).unwrap_err().to_string(),
///     "code has 5 digits, expected 6"
/// );
/// # Ok::<(), tollgate_otp::CodeError>(())
/// ```
#[derive(Clone)]
pub struct Code {
    value: u32,
    digits: Digits,
}

impl Code {
    /// Parses a code that must have exactly `digits` digits.
    ///
    /// # Errors
    /// [`CodeError::Empty`], [`CodeError::NotADigit`] (with the character and its position) or
    /// [`CodeError::WrongLength`] (with the number of digits found).
    pub fn parse(input: &str, digits: Digits) -> Result<Self, CodeError> {
        let (value, found) = scan(input)?;
        if found == usize::from(digits.get()) {
            Ok(Self { value, digits })
        } else {
            Err(CodeError::WrongLength {
                found,
                expected: match digits.get() {
                    6 => "6",
                    7 => "7",
                    _ => "8",
                },
            })
        }
    }

    /// A code from a value below `10^digits`.
    pub(crate) const fn from_value(value: u32, digits: Digits) -> Self {
        Self { value, digits }
    }

    /// The code's numeric value, for constant-time comparison inside the crate.
    pub(crate) const fn value(&self) -> u32 {
        self.value
    }

    /// The number of digits.
    #[must_use]
    pub const fn digits(&self) -> Digits {
        self.digits
    }
}

/// Reads the digits of `input`: the value of the first 8 and how many there are.
fn scan(input: &str) -> Result<(u32, usize), CodeError> {
    let mut value: u32 = 0;
    let mut found = 0usize;
    for (i, c) in input.chars().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        let Some(digit) = c.to_digit(10).filter(|_| c.is_ascii_digit()) else {
            return Err(CodeError::NotADigit {
                character: c,
                position: i + 1,
            });
        };
        if found < usize::from(Digits::MAX.get()) {
            value = value * 10 + digit;
        }
        found += 1;
    }
    if found == 0 {
        Err(CodeError::Empty)
    } else {
        Ok((value, found))
    }
}

impl FromStr for Code {
    type Err = CodeError;

    /// Parses a code of 6, 7 or 8 digits; its length is taken from the input.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (value, found) = scan(s)?;
        let digits = u8::try_from(found)
            .ok()
            .and_then(|n| Digits::try_from(n).ok())
            .ok_or(CodeError::WrongLength {
                found,
                expected: "6 to 8",
            })?;
        Ok(Self { value, digits })
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:0width$}",
            self.value,
            width = usize::from(self.digits.get())
        )
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Code")
            .field("digits", &self.digits.get())
            .finish_non_exhaustive()
    }
}

impl ConstantTimeEq for Code {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.value.ct_eq(&other.value) & self.digits.get().ct_eq(&other.digits.get())
    }
}

impl Drop for Code {
    fn drop(&mut self) {
        self.value.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_zeros_are_kept() {
        let code: Code = "00000001".parse().unwrap();
        assert_eq!(code.digits(), Digits::EIGHT);
        assert_eq!(code.to_string(), "00000001");
    }

    #[test]
    fn only_ascii_digits_are_digits() {
        // Arabic-Indic six and full-width one are numeric to `char::is_numeric`, not here.
        assert_eq!(
            "12345\u{0666}".parse::<Code>().unwrap_err(),
            CodeError::NotADigit {
                character: '\u{0666}',
                position: 6
            }
        );
        assert!("１23456".parse::<Code>().is_err());
        assert!("12345x".parse::<Code>().is_err());
    }

    #[test]
    fn lengths_are_reported() {
        assert_eq!("".parse::<Code>().unwrap_err(), CodeError::Empty);
        assert_eq!(
            "12345678901234567890"
                .parse::<Code>()
                .unwrap_err()
                .to_string(),
            "code has 20 digits, expected 6 to 8"
        );
        assert_eq!(
            Code::parse("1234567", Digits::SIX).unwrap_err().to_string(),
            "code has 7 digits, expected 6"
        );
    }

    #[test]
    fn debug_hides_the_digits() {
        let code = Code::parse("123456", Digits::SIX).unwrap();
        assert_eq!(format!("{code:?}"), "Code { digits: 6, .. }");
    }
}
