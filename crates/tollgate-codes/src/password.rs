//! The activation password of the mobile path.

use core::str::FromStr;

use rand_core::CryptoRng;
use subtle::{Choice, ConstantTimeEq};
use tollgate_otp::uniform_decimal;
use zeroize::{Zeroize, Zeroizing};

use crate::digits;
use crate::error::CodeError;

const WHAT: &str = "activation password";

/// The 8-digit activation password shown beside the mobile QR code (`67709540`), which the
/// app asks for to decrypt the QR. No check digit.
///
/// A secret: redacted `Debug`, no `Display`, wiped on drop, compared in constant time.
///
/// Weakness: 8 digits are 26.6 bits. Under the secure QR's 1000 PBKDF2 rounds, an attacker who
/// has the QR image finds the password offline in about an hour on a large machine; it must
/// travel by another channel than the QR, and the activation must expire.
#[derive(Clone)]
pub struct ActivationPassword([u8; 8]);

impl ActivationPassword {
    /// A new password, uniform over the 10^8 values.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        Self(digits::from_value(uniform_decimal(8, rng)))
    }

    /// The 8 digits as ASCII, as the secure QR's key derivation takes them; wiped on drop.
    ///
    /// # Security
    /// Show it to the user; never log it or put it into the QR.
    #[must_use]
    pub fn expose_ascii(&self) -> Zeroizing<[u8; 8]> {
        Zeroizing::new(self.0.map(|d| b'0' + d))
    }

    /// The password as text, to show beside the QR code; wiped on drop.
    ///
    /// # Security
    /// As for [`ActivationPassword::expose_ascii`].
    #[must_use]
    pub fn expose_secret(&self) -> Zeroizing<String> {
        let ascii = self.expose_ascii();
        Zeroizing::new(ascii.iter().map(|&b| char::from(b)).collect())
    }
}

impl FromStr for ActivationPassword {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        digits::parse::<8>(s, WHAT).map(Self)
    }
}

impl ConstantTimeEq for ActivationPassword {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl Drop for ActivationPassword {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

tollgate_otp::redacted_debug!(ActivationPassword);
