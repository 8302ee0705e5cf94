//! How often the service tries a message again, and how long it waits between tries.

use super::DeliveryError;

/// How often, and for how long, the service tries a transient failure again: after `first`,
/// then twice as long each time, while the next try would start before `deadline` from the
/// first (and at most `attempts` tries in all). The default: 3 tries, 200 ms, 2 s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The wait before the second try.
    pub first: std::time::Duration,
    /// No try starts later than this after the first.
    pub deadline: std::time::Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            first: std::time::Duration::from_millis(200),
            deadline: std::time::Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// Runs `send` until it succeeds, fails for good, or the policy is spent; `sleep` waits
    /// between tries (the service's: a real sleep, or a test's record).
    ///
    /// # Errors
    /// The last failure, when no try succeeded.
    pub fn run(
        &self,
        sleep: &dyn Fn(std::time::Duration),
        send: &mut dyn FnMut() -> Result<(), DeliveryError>,
    ) -> Result<(), DeliveryError> {
        let mut backoff = Backoff::new(*self);
        loop {
            let error = match send() {
                Ok(()) => return Ok(()),
                Err(error) => error,
            };
            sleep(backoff.after(error)?);
        }
    }
}

/// The waits of a [`RetryPolicy`], one failure at a time.
pub(crate) struct Backoff {
    policy: RetryPolicy,
    tries: u32,
    waited: std::time::Duration,
    wait: std::time::Duration,
}

impl Backoff {
    pub(crate) fn new(policy: RetryPolicy) -> Self {
        Self {
            policy,
            tries: 1,
            waited: std::time::Duration::ZERO,
            wait: policy.first,
        }
    }

    /// After a failed try: how long to wait before the next one, or the failure to give up
    /// with (permanent, or the policy spent).
    pub(crate) fn after(
        &mut self,
        error: DeliveryError,
    ) -> Result<std::time::Duration, DeliveryError> {
        if matches!(error, DeliveryError::Permanent(_))
            || self.tries >= self.policy.attempts
            || self.waited + self.wait > self.policy.deadline
        {
            return Err(error);
        }
        let wait = self.wait;
        self.waited += wait;
        self.wait = wait.saturating_mul(2);
        self.tries += 1;
        Ok(wait)
    }
}
