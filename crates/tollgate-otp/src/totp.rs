//! TOTP: RFC 6238 time-based one-time passwords.

use crate::code::Code;
use crate::error::{TimeError, VerifyError};
use crate::keyed::KeyedHmac;
use crate::params::{Algorithm, Digits, Period, Step, UnixTime, Window};
use crate::search::Outcome;
use crate::secret::Secret;

/// What a TOTP token computes with, besides its secret.
///
/// The default is RFC 6238's and every authenticator app's: HMAC-SHA-1, 6 digits, 30 s,
/// T0 = 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TotpParams {
    algorithm: Algorithm,
    digits: Digits,
    period: Period,
    t0: UnixTime,
}

impl TotpParams {
    /// Parameters with T0 at the Unix epoch.
    #[must_use]
    pub const fn new(algorithm: Algorithm, digits: Digits, period: Period) -> Self {
        Self {
            algorithm,
            digits,
            period,
            t0: UnixTime::EPOCH,
        }
    }

    /// The same parameters with another T0 (RFC 6238 §4.1).
    #[must_use]
    pub const fn with_t0(self, t0: UnixTime) -> Self {
        Self { t0, ..self }
    }

    /// The HMAC hash function.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Digits per code.
    #[must_use]
    pub const fn digits(&self) -> Digits {
        self.digits
    }

    /// The time step.
    #[must_use]
    pub const fn period(&self) -> Period {
        self.period
    }

    /// The time at which step 0 begins.
    #[must_use]
    pub const fn t0(&self) -> UnixTime {
        self.t0
    }

    /// The step that contains `at`: `floor((at - T0) / period)`.
    ///
    /// # Errors
    /// [`TimeError::BeforeT0`] when `at` is earlier than T0.
    pub const fn step_at(&self, at: UnixTime) -> Result<Step, TimeError> {
        match at.as_secs().checked_sub(self.t0.as_secs()) {
            Some(elapsed) => Ok(Step::new(elapsed / self.period.as_secs() as u64)),
            None => Err(TimeError::BeforeT0),
        }
    }

    /// The time at which `step` begins.
    ///
    /// # Errors
    /// [`TimeError::Overflow`] when that time is past `u64::MAX` seconds.
    pub const fn step_start(&self, step: Step) -> Result<UnixTime, TimeError> {
        match step.get().checked_mul(self.period.as_secs() as u64) {
            Some(offset) => match self.t0.checked_add_secs(offset) {
                Some(t) => Ok(t),
                None => Err(TimeError::Overflow),
            },
            None => Err(TimeError::Overflow),
        }
    }

    /// Seconds from `at` until the next step begins (1 to `period`): how long the code shown at
    /// `at` stays current.
    ///
    /// # Errors
    /// [`TimeError::BeforeT0`] before T0; [`TimeError::Overflow`] when the next step would begin
    /// past `u64::MAX` seconds.
    pub const fn seconds_until_next_step(&self, at: UnixTime) -> Result<u64, TimeError> {
        let step = match self.step_at(at) {
            Ok(step) => step,
            Err(e) => return Err(e),
        };
        let Some(next) = step.get().checked_add(1) else {
            return Err(TimeError::Overflow);
        };
        match self.step_start(Step::new(next)) {
            Ok(start) => Ok(start.as_secs() - at.as_secs()),
            Err(e) => Err(e),
        }
    }
}

/// A successful TOTP verification: which step matched and how far it was from the verifier's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct Verified {
    step: Step,
    drift: i8,
}

impl Verified {
    /// The step whose code matched. Store it as the last accepted step, so that this code and
    /// older ones are refused from now on (RFC 6238 §5.2).
    pub const fn step(self) -> Step {
        self.step
    }

    /// The matched step minus the verifier's current step: negative when the token's clock is
    /// behind (or the code was typed late), positive when it is ahead.
    pub const fn drift(self) -> i8 {
        self.drift
    }
}

/// A TOTP generator and verifier for one key, with the key's HMAC state computed once.
///
/// ```
/// use tollgate_otp::{Secret, Totp, TotpParams, UnixTime, VerifyError, Window};
///
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let totp = Totp::new(&secret, TotpParams::default());
/// let now = UnixTime::from_secs(1_111_111_111);
///
/// let typed = "050471".parse()?;
/// let verified = totp.verify(&typed, now, Window::default(), None)?;
/// assert_eq!(verified.drift(), 0);
///
/// // The same code again is a replay.
/// let again = totp.verify(&typed, now, Window::default(), Some(verified.step()));
/// assert!(matches!(again, Err(VerifyError::Replayed { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Totp {
    key: KeyedHmac,
    params: TotpParams,
}

impl Totp {
    /// Prepares `secret` for TOTP with `params`.
    #[must_use]
    pub fn new(secret: &Secret, params: TotpParams) -> Self {
        Self {
            key: KeyedHmac::new(params.algorithm, secret.expose_secret()),
            params,
        }
    }

    /// The token's parameters.
    #[must_use]
    pub const fn params(&self) -> &TotpParams {
        &self.params
    }

    /// The code for `step`.
    #[must_use]
    pub fn generate_step(&self, step: Step) -> Code {
        let digits = self.params.digits;
        Code::from_value(digits.reduce(self.key.truncated(step.get())), digits)
    }

    /// The code shown at time `at`.
    ///
    /// # Errors
    /// [`TimeError::BeforeT0`] when `at` is earlier than T0.
    pub fn generate(&self, at: UnixTime) -> Result<Code, TimeError> {
        Ok(self.generate_step(self.params.step_at(at)?))
    }

    /// Accepts `code` if it belongs to a step within `window` of the step at `at` and after
    /// `last_accepted`.
    ///
    /// Every step in the window is computed and compared in constant time, with no heap
    /// allocation. When more than one step matches (a 1-in-a-million coincidence), the step
    /// nearest the current one wins, the past before the future.
    ///
    /// # Errors
    /// - [`VerifyError::Replayed`] when the code belongs to a step at or before `last_accepted`
    ///   (and to no later one): log it, but show the user the same answer as a mismatch.
    /// - [`VerifyError::Mismatch`] when no step in the window matches, or the code has the
    ///   wrong number of digits.
    /// - [`VerifyError::Time`] when `at` is before T0.
    pub fn verify(
        &self,
        code: &Code,
        at: UnixTime,
        window: Window,
        last_accepted: Option<Step>,
    ) -> Result<Verified, VerifyError> {
        let current = self.params.step_at(at)?.get();
        if code.digits() != self.params.digits {
            return Err(VerifyError::Mismatch);
        }
        let mut steps = [0u64; 2 * Window::MAX_SIDE as usize + 1];
        let len = nearest_first(current, window, &mut steps);
        let mut outcome = Outcome::default();
        outcome.search(
            &self.key,
            self.params.digits,
            code.value(),
            &steps[..len],
            last_accepted.map(Step::get),
        );
        match outcome.result() {
            Ok(step) => Ok(Verified {
                step: Step::new(step),
                drift: drift(step, current),
            }),
            Err(Some(step)) => Err(VerifyError::Replayed {
                step: Step::new(step),
            }),
            Err(None) => Err(VerifyError::Mismatch),
        }
    }
}

/// Writes the steps of the window around `current` into `out`, nearest first (`0, -1, +1, -2,
/// +2, …`), and returns how many there are; steps that would fall below 0 or above `u64::MAX`
/// do not exist and are skipped.
fn nearest_first(current: u64, window: Window, out: &mut [u64; 21]) -> usize {
    let mut len = 0;
    let mut push = |step: Option<u64>| {
        if let (Some(step), Some(slot)) = (step, out.get_mut(len)) {
            *slot = step;
            len += 1;
        }
    };
    push(Some(current));
    for distance in 1..=u64::from(window.behind().max(window.ahead())) {
        if distance <= u64::from(window.behind()) {
            push(current.checked_sub(distance));
        }
        if distance <= u64::from(window.ahead()) {
            push(current.checked_add(distance));
        }
    }
    len
}

/// `step - current`, which the window bounds to ±10.
fn drift(step: u64, current: u64) -> i8 {
    let distance = i8::try_from(step.abs_diff(current)).unwrap_or(i8::MAX);
    if step < current { -distance } else { distance }
}
