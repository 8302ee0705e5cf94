//! Out-of-band one-time PINs: the code a service sends by SMS or e-mail.
//!
//! Only generation and comparison live here. Expiry, attempts, resend throttling and binding to
//! a login attempt are policy, and belong to the login state machine.

use core::fmt;

use rand_core::CryptoRng;
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroize;

use crate::error::ParamError;
use crate::random::uniform_decimal;

/// The length of an out-of-band PIN: 6 to 12 digits, default 6 (NIST SP 800-63B §5.1.3.1 asks
/// for at least 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PinLength(u8);

impl PinLength {
    /// Six digits, the default.
    pub const SIX: Self = Self(6);
    /// The longest PIN: 12 digits.
    pub const MAX: u8 = 12;

    /// A PIN length of `digits`.
    ///
    /// # Errors
    /// [`ParamError::PinLengthOutOfRange`] outside 6 to 12.
    pub const fn new(digits: u8) -> Result<Self, ParamError> {
        if digits < 6 || digits > Self::MAX {
            Err(ParamError::PinLengthOutOfRange { digits })
        } else {
            Ok(Self(digits))
        }
    }

    /// The number of digits.
    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl Default for PinLength {
    fn default() -> Self {
        Self::SIX
    }
}

/// The typed PIN did not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the PIN does not match")]
pub struct PinMismatch;

/// A one-time PIN to send out of band.
///
/// Uniformly random over all `10^n` values ([`crate::uniform_decimal`]: no modulo bias); redacted
/// `Debug`, no `Display`, wiped on drop; compared in constant time by [`Pin::verify`].
#[derive(Clone)]
pub struct Pin {
    ascii: [u8; PinLength::MAX as usize],
    len: u8,
}

impl Pin {
    /// Generates a PIN of `length` digits.
    pub fn generate(length: PinLength, rng: &mut impl CryptoRng) -> Self {
        let mut value = uniform_decimal(u32::from(length.get()), rng);
        let mut ascii = [0u8; PinLength::MAX as usize];
        for slot in ascii[..usize::from(length.get())].iter_mut().rev() {
            *slot = b'0' + (value % 10).to_le_bytes()[0];
            value /= 10;
        }
        Self {
            ascii,
            len: length.get(),
        }
    }

    /// The PIN's digits, to put into the SMS or e-mail.
    ///
    /// # Security
    /// Send it; do not log or store it (store a hash, as the login state machine does).
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        // Only ASCII digits are ever written into `ascii`.
        core::str::from_utf8(&self.ascii[..usize::from(self.len)]).unwrap_or_default()
    }

    /// The PIN's length.
    #[must_use]
    pub fn length(&self) -> PinLength {
        PinLength(self.len)
    }

    /// Checks what a person typed (white space ignored) in constant time.
    ///
    /// # Errors
    /// [`PinMismatch`] for anything but exactly this PIN.
    pub fn verify(&self, typed: &str) -> Result<(), PinMismatch> {
        let mut buffer = [0u8; PinLength::MAX as usize];
        let mut len = 0usize;
        let mut well_formed = true;
        for c in typed.chars().filter(|c| !c.is_whitespace()) {
            match u8::try_from(c) {
                Ok(b @ b'0'..=b'9') if len < buffer.len() => {
                    buffer[len] = b;
                    len += 1;
                }
                _ => well_formed = false,
            }
        }
        let same = buffer.ct_eq(&self.ascii)
            & Choice::from(u8::from(well_formed))
            & usize::from(self.len).ct_eq(&len);
        buffer.zeroize();
        if bool::from(same) {
            Ok(())
        } else {
            Err(PinMismatch)
        }
    }
}

impl Drop for Pin {
    fn drop(&mut self) {
        self.ascii.zeroize();
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pin")
            .field("digits", &self.len)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;

    #[test]
    fn verify_accepts_only_the_pin() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let pin = Pin::generate(PinLength::SIX, &mut rng);
        let digits = pin.expose_secret().to_owned();
        assert_eq!(digits.len(), 6);
        assert!(pin.verify(&digits).is_ok());
        assert!(
            pin.verify(&format!(" {} {} ", &digits[..3], &digits[3..]))
                .is_ok()
        );
        assert!(pin.verify(&digits[..5]).is_err());
        assert!(pin.verify(&format!("{digits}0")).is_err());
        assert!(pin.verify(&format!("{digits}x")).is_err());
        assert!(pin.verify("").is_err());
        assert!(pin.verify(&"9".repeat(1000)).is_err());
    }

    #[test]
    fn debug_hides_the_pin() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let pin = Pin::generate(PinLength::new(8).unwrap(), &mut rng);
        assert_eq!(format!("{pin:?}"), "Pin { digits: 8, .. }");
    }

    /// Every digit position is close to uniform: a chi-squared test over 60 000 PINs
    /// (9 degrees of freedom; 27.9 is the 0.1 % critical value).
    #[test]
    fn digits_are_uniform() {
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let mut counts = [[0u32; 10]; 6];
        let n = 60_000;
        for _ in 0..n {
            let pin = Pin::generate(PinLength::SIX, &mut rng);
            for (position, b) in pin.expose_secret().bytes().enumerate() {
                counts[position][usize::from(b - b'0')] += 1;
            }
        }
        let expected = f64::from(n) / 10.0;
        for position in counts {
            let chi2: f64 = position
                .iter()
                .map(|&c| (f64::from(c) - expected).powi(2) / expected)
                .sum();
            assert!(chi2 < 27.9, "chi2 = {chi2}");
        }
    }

    #[test]
    fn lengths_are_checked() {
        assert!(PinLength::new(5).is_err());
        assert!(PinLength::new(13).is_err());
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let pin = Pin::generate(PinLength::new(12).unwrap(), &mut rng);
        assert_eq!(pin.expose_secret().len(), 12);
    }
}
