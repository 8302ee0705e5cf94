//! The token secret's derivation, and the token it yields.

use pbkdf2::pbkdf2_hmac;
use sha2::Sha256;
use tollgate_otp::{Algorithm, Period, Secret, Totp, TotpParams};
use zeroize::Zeroizing;

use crate::activation_code::ActivationCode;
use crate::policy::Policy;
use crate::serial::SerialNumber;

/// PBKDF2 rounds of the derivation: 8, as Entrust soft tokens use. Far too few to slow a
/// search, and they need not: the search is bounded by the nonce's 16 bits, not by them.
const ROUNDS: u32 = 8;

/// The secret a token derives (Entrust-compatible):
///
/// ```text
/// password = activation-code payload (7 bytes BE) || nonce (2 bytes) [|| policy, UTF-8]
/// salt     = serial number, 10 ASCII digits
/// secret   = PBKDF2-HMAC-SHA-256(password, salt, 8 rounds, 16 bytes)
/// ```
pub(crate) fn token_secret(
    serial: &SerialNumber,
    activation_code: &ActivationCode,
    nonce: [u8; 2],
    policy: Option<&Policy>,
) -> Secret {
    let policy = policy.map_or(&[][..], |p| p.as_str().as_bytes());
    let mut password = Zeroizing::new(Vec::with_capacity(9 + policy.len()));
    password.extend_from_slice(&*activation_code.payload_bytes());
    password.extend_from_slice(&nonce);
    password.extend_from_slice(policy);
    let mut out = Zeroizing::new([0u8; 16]);
    pbkdf2_hmac::<Sha256>(&password, &serial.ascii(), ROUNDS, &mut *out);
    Secret::from_array(*out)
}

/// An activated token: its secret and what TOTP needs besides (HMAC-SHA-256, 30 s, T0 = 0,
/// 6 digits or the policy's `otpLength`).
#[derive(Clone, Debug)]
pub struct ActivatedToken {
    secret: Secret,
    params: TotpParams,
}

impl ActivatedToken {
    pub(crate) fn new(secret: Secret, policy: Option<&Policy>) -> Self {
        let digits = policy.map(Policy::otp_digits).unwrap_or_default();
        Self {
            secret,
            params: TotpParams::new(Algorithm::Sha256, digits, Period::default()),
        }
    }

    /// The token's secret (128 bits, so [`Secret::is_weak`] is true: see the crate docs).
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The token's TOTP parameters.
    #[must_use]
    pub fn params(&self) -> TotpParams {
        self.params
    }

    /// A TOTP generator and verifier for the token.
    #[must_use]
    pub fn totp(&self) -> Totp {
        Totp::new(&self.secret, self.params)
    }

    /// The secret and the parameters, to store.
    #[must_use]
    pub fn into_parts(self) -> (Secret, TotpParams) {
        (self.secret, self.params)
    }
}
