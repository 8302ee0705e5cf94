//! The activation code: the secret half of the desktop activation data.

use core::str::FromStr;

use rand_core::CryptoRng;
use subtle::{Choice, ConstantTimeEq};
use tollgate_otp::uniform_decimal;
use zeroize::{Zeroize, Zeroizing};

use crate::digits;
use crate::error::CodeError;
use crate::luhn;

const WHAT: &str = "activation code";

/// An activation code: 16 digits shown as `0505-4283-4011-0157`, the last a Luhn check digit.
/// The first 15 are the payload, about 50 bits, which enters the token secret's derivation.
///
/// A secret: redacted `Debug`, no `Display`, wiped on drop, compared in constant time; shown to
/// the user through [`ActivationCode::expose_grouped`].
///
/// ```
/// use tollgate_codes::ActivationCode;
///
/// let code: ActivationCode = "0505 4283 4011 0157".parse()?;
/// assert_eq!(code.expose_grouped().as_str(), "0505-4283-4011-0157");
/// assert_eq!(format!("{code:?}"), "ActivationCode(<redacted>)");
/// # Ok::<(), tollgate_codes::CodeError>(())
/// ```
#[derive(Clone)]
pub struct ActivationCode([u8; 16]);

impl ActivationCode {
    /// A new activation code, uniform over the 10^15 payloads.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut payload: [u8; 15] = digits::from_value(uniform_decimal(15, rng));
        let mut all = [0u8; 16];
        all[..15].copy_from_slice(&payload);
        all[15] = luhn::check_digit(&payload);
        payload.zeroize();
        Self(all)
    }

    /// The payload (the first 15 digits) as an integer, 7 bytes big-endian: what the secret's
    /// derivation and the registration check use.
    #[must_use]
    pub fn payload_bytes(&self) -> Zeroizing<[u8; 7]> {
        let value = Zeroizing::new(digits::value(&self.0[..15]));
        let be = Zeroizing::new(value.to_be_bytes());
        let mut out = Zeroizing::new([0u8; 7]);
        out.copy_from_slice(&be[1..]);
        out
    }

    /// The code in its grouped form, to show the user; wiped on drop.
    ///
    /// # Security
    /// Whoever has it and the serial number can activate the token: show it only on the
    /// enrollment page, never log it.
    #[must_use]
    pub fn expose_grouped(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(19));
        // Writing to a String cannot fail.
        let _ = digits::write_grouped(&mut *out, &self.0, &[4, 4, 4, 4]);
        out
    }
}

impl FromStr for ActivationCode {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        luhn::parse_checked::<16>(s, WHAT).map(Self)
    }
}

impl ConstantTimeEq for ActivationCode {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl Drop for ActivationCode {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

tollgate_otp::redacted_debug!(ActivationCode);
