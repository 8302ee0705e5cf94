//! The issuer's side of an activation: issue activation data, then complete the activation
//! with the registration code the token answers.

use rand_core::CryptoRng;
use tollgate_otp::UnixTime;

use crate::activation_code::ActivationCode;
use crate::derive::{ActivatedToken, token_secret};
use crate::error::CompletionError;
use crate::policy::Policy;
use crate::registration::{RegistrationCode, RegistrationScheme};
use crate::serial::SerialNumber;

/// How long activation data stay valid: 10 minutes by default and at most (NIST SP 800-63B-4
/// §4.1.2.2 asks that activation data be short-lived); longer only by naming it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActivationLifetime(u32);

impl ActivationLifetime {
    /// Ten minutes, the default and the recommended maximum.
    pub const TEN_MINUTES: Self = Self(600);
    /// The longest lifetime accepted even by name: seven days.
    pub const MAX_SECONDS: u32 = 7 * 24 * 3600;

    /// A lifetime of 1 to 600 seconds, or `None`.
    #[must_use]
    pub const fn from_secs(seconds: u32) -> Option<Self> {
        if seconds == 0 || seconds > Self::TEN_MINUTES.0 {
            None
        } else {
            Some(Self(seconds))
        }
    }

    /// A lifetime beyond the recommended ten minutes, up to [`Self::MAX_SECONDS`], e.g. for
    /// activation data sent by post. Every minute longer is a minute in which stolen
    /// activation data can enroll an attacker's token.
    #[must_use]
    pub const fn longer_than_recommended(seconds: u32) -> Option<Self> {
        if seconds == 0 || seconds > Self::MAX_SECONDS {
            None
        } else {
            Some(Self(seconds))
        }
    }

    /// The lifetime in seconds.
    #[must_use]
    pub const fn as_secs(self) -> u32 {
        self.0
    }
}

impl Default for ActivationLifetime {
    fn default() -> Self {
        Self::TEN_MINUTES
    }
}

/// Activation data for a new token, as the issuer keeps them until the token registers.
///
/// Single use is the store's job: remove the record when [`Activation::complete`] succeeds,
/// and replace it when new activation data are issued for the same user.
///
/// ```
/// use rand_chacha::ChaCha20Rng;
/// use rand_core::SeedableRng;
/// use tollgate_codes::{
///     Activation, ActivationLifetime, RegistrationScheme, SerialNumber, TokenActivation,
/// };
/// use tollgate_otp::UnixTime;
///
/// let mut rng = ChaCha20Rng::seed_from_u64(1);
/// let now = UnixTime::from_secs(1_700_000_000);
///
/// // Issuer: the enrollment page shows the serial number and the activation code.
/// let serial = SerialNumber::generate(&mut rng);
/// let issued = Activation::issue(serial, None, now, ActivationLifetime::default(), &mut rng);
///
/// // Token: the user types them in; the app shows a registration code.
/// let token = TokenActivation::new(issued.serial(), issued.activation_code().clone(), None);
/// let (registration_code, on_token) = token.register(&mut rng);
///
/// // Issuer: the user types the registration code into "Response".
/// let typed = registration_code.to_string().parse()?;
/// let on_issuer = issued.complete(&typed, RegistrationScheme::Tollgate, now)?;
/// let at = UnixTime::from_secs(1_700_000_030);
/// assert_eq!(
///     on_issuer.totp().generate(at)?.to_string(),
///     on_token.totp().generate(at)?.to_string()
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Activation {
    serial: SerialNumber,
    activation_code: ActivationCode,
    policy: Option<Policy>,
    expires_at: UnixTime,
}

impl Activation {
    /// Issues activation data for the token `serial` (see [`SerialNumber::generate_unique`]):
    /// a fresh activation code, valid for `lifetime` from `now`.
    ///
    /// The mobile path's activation password is not part of the activation: it only encrypts
    /// one rendering of the secure QR code ([`ActivationPassword::generate`](crate::ActivationPassword::generate) beside each
    /// rendering), so an issuer has nothing to keep of it.
    pub fn issue(
        serial: SerialNumber,
        policy: Option<Policy>,
        now: UnixTime,
        lifetime: ActivationLifetime,
        rng: &mut impl CryptoRng,
    ) -> Self {
        Self {
            serial,
            activation_code: ActivationCode::generate(rng),
            policy,
            expires_at: now
                .checked_add_secs(u64::from(lifetime.as_secs()))
                .unwrap_or(UnixTime::from_secs(u64::MAX)),
        }
    }

    /// Rebuilds activation data from a store.
    #[must_use]
    pub fn from_parts(
        serial: SerialNumber,
        activation_code: ActivationCode,
        policy: Option<Policy>,
        expires_at: UnixTime,
    ) -> Self {
        Self {
            serial,
            activation_code,
            policy,
            expires_at,
        }
    }

    /// The serial number to show ("Serial Number").
    #[must_use]
    pub fn serial(&self) -> SerialNumber {
        self.serial
    }

    /// The activation code to show ("Activation Code"). A secret.
    #[must_use]
    pub fn activation_code(&self) -> &ActivationCode {
        &self.activation_code
    }

    /// The token policy, if any.
    #[must_use]
    pub fn policy(&self) -> Option<&Policy> {
        self.policy.as_ref()
    }

    /// When the activation data stop being accepted.
    #[must_use]
    pub fn expires_at(&self) -> UnixTime {
        self.expires_at
    }

    /// Completes the activation with the registration code the user typed into "Response":
    /// checks it under `scheme` and derives the token's secret, as the token did.
    ///
    /// # Errors
    /// [`CompletionError::Expired`] at or after [`Activation::expires_at`];
    /// [`CompletionError::NotForThisActivation`] when the validation field does not match.
    /// A code that does not even parse was mistyped: that is [`crate::CodeError`], before
    /// this call.
    pub fn complete(
        &self,
        code: &RegistrationCode,
        scheme: RegistrationScheme,
        now: UnixTime,
    ) -> Result<ActivatedToken, CompletionError> {
        if now >= self.expires_at {
            return Err(CompletionError::Expired);
        }
        if !bool::from(scheme.accepts(code, &self.serial, &self.activation_code)) {
            return Err(CompletionError::NotForThisActivation);
        }
        let secret = token_secret(
            &self.serial,
            &self.activation_code,
            code.nonce(),
            self.policy.as_ref(),
        );
        Ok(ActivatedToken::new(secret, self.policy.as_ref()))
    }
}
