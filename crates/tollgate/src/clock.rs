//! Where the time comes from: the system clock in production, a manual one in tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tollgate_otp::UnixTime;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> UnixTime;
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        #[expect(
            clippy::disallowed_methods,
            reason = "the facade owns the clock: this is the one place that reads it"
        )]
        let elapsed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        UnixTime::from_secs(elapsed.as_secs())
    }
}

/// A clock that moves only when told: for tests, simulations and examples.
#[derive(Clone, Debug, Default)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    /// A clock showing `start`.
    #[must_use]
    pub fn new(start: UnixTime) -> Self {
        Self(Arc::new(AtomicU64::new(start.as_secs())))
    }

    /// Moves the clock forward.
    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, now: UnixTime) {
        self.0.store(now.as_secs(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UnixTime {
        UnixTime::from_secs(self.0.load(Ordering::SeqCst))
    }
}
