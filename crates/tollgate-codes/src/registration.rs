//! The registration code: what the token answers, and the check of its validation field.

use core::fmt;
use core::str::FromStr;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

use crate::activation_code::ActivationCode;
use crate::digits;
use crate::error::CodeError;
use crate::luhn;
use crate::serial::SerialNumber;

const WHAT: &str = "registration code";

/// How many values the validation field takes: the largest `f` with `f * 65536 + 65535` below
/// 10^9 is 15 257, so fields `0..15258` fit every nonce in the 9 payload digits.
pub const VALIDATION_FIELD_SIZE: u32 = 15_258;

/// The domain-separation prefix of the tollgate validation field's HMAC.
const FIELD_LABEL: &[u8] = b"tollgate registration code v1";

/// A registration code: 10 digits shown as `12211-49352`, the last a Luhn check digit.
///
/// The first 9 digits, as a number below 10^9, pack two fields: the low 16 bits are the
/// token's random **nonce**, which enters the secret's derivation; the bits above are a
/// **validation field** (`0..=15258`) that lets the issuer tell a code made for this activation
/// from one made for another (see [`RegistrationScheme`]).
///
/// `Debug` is redacted: with the activation code, the nonce gives the token secret.
#[derive(Clone)]
pub struct RegistrationCode([u8; 10]);

impl RegistrationCode {
    /// Packs a validation field and a nonce, appending the check digit.
    pub(crate) fn from_parts(field: u32, nonce: u16) -> Self {
        let number = u64::from(field) * 65_536 + u64::from(nonce);
        let payload: [u8; 9] = digits::from_value(number);
        let mut all = [0u8; 10];
        all[..9].copy_from_slice(&payload);
        all[9] = luhn::check_digit(&payload);
        Self(all)
    }

    fn number(&self) -> u32 {
        // Nine digits are below 10^9 < 2^32.
        u32::try_from(digits::value(&self.0[..9])).unwrap_or(u32::MAX)
    }

    /// The token's 16 random bits: the low two bytes of the 9-digit number.
    #[must_use]
    pub fn nonce(&self) -> [u8; 2] {
        let [.., hi, lo] = self.number().to_be_bytes();
        [hi, lo]
    }

    /// The ten digits as ASCII, check digit included: what the online registration's proof
    /// covers.
    pub(crate) fn ascii(&self) -> Zeroizing<[u8; 10]> {
        Zeroizing::new(self.0.map(|d| b'0' + d))
    }

    /// The validation field: the 9-digit number's bits above the nonce.
    #[must_use]
    pub fn validation_field(&self) -> u32 {
        self.number() >> 16
    }
}

impl FromStr for RegistrationCode {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        luhn::parse_checked::<10>(s, WHAT).map(Self)
    }
}

impl fmt::Display for RegistrationCode {
    /// The grouped form the token shows and the user types: `12211-49352`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        digits::write_grouped(f, &self.0, &[5, 5])
    }
}

tollgate_otp::redacted_debug!(RegistrationCode);

impl ConstantTimeEq for RegistrationCode {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl Drop for RegistrationCode {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// How the issuer checks a registration code's validation field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RegistrationScheme {
    /// tollgate's own check, which tollgate tokens compute:
    ///
    /// ```text
    /// mac   = HMAC-SHA-256(key = activation-code payload (7 bytes, big-endian),
    ///                      message = "tollgate registration code v1"
    ///                                || serial number (10 ASCII digits) || nonce (2 bytes))
    /// field = (first 8 bytes of mac, big-endian) mod 15258
    /// ```
    ///
    /// A code made for another token (another serial number or activation code), or mistyped
    /// in a way the check digit misses, is accepted with probability 1/15258 (6.6 × 10⁻⁵).
    #[default]
    Tollgate,
    /// Any validation field: for tokens made by other implementations, whose field algorithm
    /// is not public. Only the check digit protects against mistyping, and a code made for
    /// another token is accepted and yields a wrong secret (caught at the first login).
    AnyField,
}

impl RegistrationScheme {
    /// The scheme's name: `tollgate` or `any-field`, as [`FromStr`] reads it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tollgate => "tollgate",
            Self::AnyField => "any-field",
        }
    }

    /// Whether `code` carries the validation field this scheme expects for this activation.
    #[must_use]
    pub fn accepts(
        self,
        code: &RegistrationCode,
        serial: &SerialNumber,
        activation_code: &ActivationCode,
    ) -> Choice {
        match self {
            Self::Tollgate => {
                let expected = tollgate_field(serial, activation_code, code.nonce());
                code.validation_field().ct_eq(&expected)
            }
            Self::AnyField => Choice::from(1),
        }
    }
}

impl FromStr for RegistrationScheme {
    type Err = CodeError;

    /// `tollgate` or `any-field`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "tollgate" => Ok(Self::Tollgate),
            "any-field" => Ok(Self::AnyField),
            _ => Err(CodeError::UnknownScheme),
        }
    }
}

impl fmt::Display for RegistrationScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tollgate validation field for this activation and nonce.
pub(crate) fn tollgate_field(
    serial: &SerialNumber,
    activation_code: &ActivationCode,
    nonce: [u8; 2],
) -> u32 {
    let key = activation_code.payload_bytes();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&*key) else {
        // HMAC takes keys of any length; this arm is never taken.
        return u32::MAX;
    };
    mac.update(FIELD_LABEL);
    mac.update(&serial.ascii());
    mac.update(&nonce);
    let tag = mac.finalize().into_bytes();
    let mut head = [0u8; 8];
    head.copy_from_slice(&tag[..8]);
    let field = u64::from_be_bytes(head) % u64::from(VALIDATION_FIELD_SIZE);
    u32::try_from(field).unwrap_or(u32::MAX)
}
