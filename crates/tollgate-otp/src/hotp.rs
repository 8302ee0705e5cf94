//! HOTP: RFC 4226 counter-based one-time passwords.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::code::Code;
use crate::error::VerifyError;
use crate::keyed::KeyedHmac;
use crate::params::{Algorithm, Counter, Digits, LookAhead};
use crate::search::Outcome;
use crate::secret::Secret;

/// An HOTP generator and verifier for one key, with the key's HMAC state computed once.
///
/// ```
/// use tollgate_otp::{Algorithm, Counter, Digits, Hotp, LookAhead, Secret};
///
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let hotp = Hotp::new(&secret, Algorithm::Sha1, Digits::SIX);
/// assert_eq!(hotp.generate(Counter::new(0)).to_string(), "755224");
///
/// // The token is two presses ahead of the service: accepted, and the counter moves on.
/// let typed = "359152".parse()?;
/// let matched = hotp.verify(&typed, Counter::new(0), LookAhead::default())?;
/// assert_eq!(matched.counter(), Counter::new(2));
/// assert_eq!(matched.next(), Counter::new(3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Hotp {
    key: KeyedHmac,
    digits: Digits,
}

/// The counter an HOTP code matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct HotpMatch {
    counter: Counter,
}

impl HotpMatch {
    /// The counter whose code matched.
    pub const fn counter(self) -> Counter {
        self.counter
    }

    /// The counter to expect next: store it, so that this code and older ones are never
    /// accepted again (RFC 4226 §7.2).
    pub fn next(self) -> Counter {
        // `counter` came from a window that stops before `u64::MAX` (see `window`).
        Counter::new(self.counter.get().saturating_add(1))
    }
}

impl Hotp {
    /// Prepares `secret` for HOTP with `algorithm` and `digits`.
    #[must_use]
    pub fn new(secret: &Secret, algorithm: Algorithm, digits: Digits) -> Self {
        Self {
            key: KeyedHmac::new(algorithm, secret.expose_secret()),
            digits,
        }
    }

    /// The code for `counter`.
    #[must_use]
    pub fn generate(&self, counter: Counter) -> Code {
        Code::from_value(
            self.digits.reduce(self.key.truncated(counter.get())),
            self.digits,
        )
    }

    /// Accepts `code` if it belongs to a counter from `next` to `next + look_ahead`, checking
    /// all of them in constant time and returning the lowest that matched.
    ///
    /// # Errors
    /// [`VerifyError::Mismatch`] when none matched (or the code has the wrong number of digits).
    pub fn verify(
        &self,
        code: &Code,
        next: Counter,
        look_ahead: LookAhead,
    ) -> Result<HotpMatch, VerifyError> {
        if code.digits() != self.digits {
            return Err(VerifyError::Mismatch);
        }
        let mut outcome = Outcome::default();
        for chunk in Chunks::new(next, look_ahead.get()) {
            outcome.search(&self.key, self.digits, code.value(), chunk.as_slice(), None);
        }
        match outcome.result() {
            Ok(counter) => Ok(HotpMatch {
                counter: Counter::new(counter),
            }),
            Err(_) => Err(VerifyError::Mismatch),
        }
    }

    /// Resynchronises a token whose counter ran further ahead than the look-ahead window
    /// (RFC 4226 §7.4): the user presses twice and types both codes, and they must belong to two
    /// consecutive counters within `window` past `next`. Every pair in the window is checked.
    /// Returns the counter of the *second* code.
    ///
    /// # Errors
    /// [`VerifyError::Mismatch`] when no two consecutive counters in the window give both codes.
    pub fn resync(
        &self,
        first: &Code,
        second: &Code,
        next: Counter,
        window_len: LookAhead,
    ) -> Result<HotpMatch, VerifyError> {
        if first.digits() != self.digits || second.digits() != self.digits {
            return Err(VerifyError::Mismatch);
        }
        let mut previous_matched = Choice::from(0);
        let mut found = Choice::from(0);
        let mut counter = 0u64;
        for counter_value in Chunks::new(next, window_len.get().saturating_add(1))
            .flat_map(|chunk| chunk.counters.into_iter().take(chunk.len))
        {
            let value = self.digits.reduce(self.key.truncated(counter_value));
            let take = previous_matched & value.ct_eq(&second.value()) & !found;
            counter.conditional_assign(&counter_value, take);
            found |= take;
            previous_matched = value.ct_eq(&first.value());
        }
        if bool::from(found) {
            Ok(HotpMatch {
                counter: Counter::new(counter),
            })
        } else {
            Err(VerifyError::Mismatch)
        }
    }
}

/// Counters `next ..= next + ahead` in chunks of 8, stopping short of `u64::MAX` (whose
/// successor could not be stored).
struct Chunks {
    next: u64,
    last: u64,
    done: bool,
}

/// Up to 8 consecutive counters.
struct Chunk {
    counters: [u64; 8],
    len: usize,
}

impl Chunk {
    fn as_slice(&self) -> &[u64] {
        &self.counters[..self.len]
    }
}

impl Chunks {
    fn new(next: Counter, ahead: u16) -> Self {
        let last = next
            .get()
            .saturating_add(u64::from(ahead))
            .min(u64::MAX - 1);
        Self {
            next: next.get(),
            last,
            done: next.get() > last,
        }
    }
}

impl Iterator for Chunks {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        if self.done {
            return None;
        }
        let mut chunk = Chunk {
            counters: [0; 8],
            len: 0,
        };
        while chunk.len < 8 {
            chunk.counters[chunk.len] = self.next;
            chunk.len += 1;
            if self.next == self.last {
                self.done = true;
                break;
            }
            self.next += 1;
        }
        Some(chunk)
    }
}
