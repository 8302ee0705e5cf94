//! The serial number: which token this is.

use core::fmt;
use core::str::FromStr;

use rand_core::CryptoRng;
use tollgate_otp::uniform_decimal;

use crate::digits;
use crate::error::CodeError;
use crate::luhn;

const WHAT: &str = "serial number";

/// A soft token's serial number: 10 digits shown as `69350-19387`, the last a Luhn check
/// digit. Public: it names the token (and salts its secret's derivation).
///
/// ```
/// use tollgate_codes::SerialNumber;
///
/// let serial: SerialNumber = "6935019387".parse()?;
/// assert_eq!(serial.to_string(), "69350-19387");
/// assert_eq!(
///     "69350-19378".parse::<SerialNumber>().unwrap_err().to_string(),
///     "serial number does not check out: a digit is mistyped or two are swapped"
/// );
/// # Ok::<(), tollgate_codes::CodeError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SerialNumber([u8; 10]);

impl SerialNumber {
    /// A new serial number, uniform over the 10^9 payloads.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let payload: [u8; 9] = digits::from_value(uniform_decimal(9, rng));
        let mut all = [0u8; 10];
        all[..9].copy_from_slice(&payload);
        all[9] = luhn::check_digit(&payload);
        Self(all)
    }

    /// A new serial number that `is_taken` does not know, trying at most `attempts` times.
    /// Uniqueness is the store's to know; this makes asking it easy.
    ///
    /// # Errors
    /// `Err(attempts)` when every serial drawn was taken (a full or broken store).
    pub fn generate_unique(
        rng: &mut impl CryptoRng,
        attempts: u32,
        mut is_taken: impl FnMut(&Self) -> bool,
    ) -> Result<Self, u32> {
        for _ in 0..attempts {
            let serial = Self::generate(rng);
            if !is_taken(&serial) {
                return Ok(serial);
            }
        }
        Err(attempts)
    }

    /// The 10 digits as ASCII, check digit included, no dash: the salt of the secret's
    /// derivation.
    #[must_use]
    pub fn ascii(&self) -> [u8; 10] {
        self.0.map(|d| b'0' + d)
    }
}

impl FromStr for SerialNumber {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        luhn::parse_checked::<10>(s, WHAT).map(Self)
    }
}

impl fmt::Display for SerialNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        digits::write_grouped(f, &self.0, &[5, 5])
    }
}

impl fmt::Debug for SerialNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SerialNumber({self})")
    }
}
