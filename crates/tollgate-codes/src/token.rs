//! The token's side of an activation: from the activation data, make a registration code and
//! the secret.

use rand_core::CryptoRng;

use crate::activation_code::ActivationCode;
use crate::derive::{ActivatedToken, token_secret};
use crate::policy::Policy;
use crate::registration::{RegistrationCode, tollgate_field};
use crate::serial::SerialNumber;

/// What a soft-token app has once the user typed (or scanned) the activation data.
#[derive(Clone, Debug)]
pub struct TokenActivation {
    serial: SerialNumber,
    activation_code: ActivationCode,
    policy: Option<Policy>,
}

impl TokenActivation {
    /// Activation data as the app received them.
    #[must_use]
    pub fn new(
        serial: SerialNumber,
        activation_code: ActivationCode,
        policy: Option<Policy>,
    ) -> Self {
        Self {
            serial,
            activation_code,
            policy,
        }
    }

    /// The token's serial number.
    #[must_use]
    pub fn serial(&self) -> SerialNumber {
        self.serial
    }

    /// Draws the token's 16-bit nonce and returns the registration code to show the user
    /// (with tollgate's validation field) and the activated token.
    pub fn register(&self, rng: &mut impl CryptoRng) -> (RegistrationCode, ActivatedToken) {
        let code = self.registration_code(rng);
        let token = self.restore(&code);
        (code, token)
    }

    /// Draws the token's 16-bit nonce and returns only the registration code; the token is
    /// then [`TokenActivation::restore`] of it. [`TokenActivation::register`] does both.
    pub fn registration_code(&self, rng: &mut impl CryptoRng) -> RegistrationCode {
        let mut nonce = [0u8; 2];
        rng.fill_bytes(&mut nonce);
        let field = tollgate_field(&self.serial, &self.activation_code, nonce);
        RegistrationCode::from_parts(field, u16::from_be_bytes(nonce))
    }

    /// The activated token for a registration code shown earlier: restores a token from its
    /// activation record (or derives the secret of any Entrust-format token whose activation
    /// data and registration code are known).
    #[must_use]
    pub fn restore(&self, code: &RegistrationCode) -> ActivatedToken {
        let secret = token_secret(
            &self.serial,
            &self.activation_code,
            code.nonce(),
            self.policy.as_ref(),
        );
        ActivatedToken::new(secret, self.policy.as_ref())
    }
}
