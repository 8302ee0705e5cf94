//! Parameters as types: algorithm, digits, period, time, steps, counters, windows.

use core::fmt;
use core::str::FromStr;

use crate::error::{ParamError, TimeError};

/// The HMAC hash function of a token.
///
/// SHA-1 is the default of RFC 4226 and of `otpauth://` key URIs; HMAC-SHA-1 remains sound for
/// OTPs (its security rests on HMAC's PRF property, not on SHA-1's collision resistance).
/// Entrust-format soft tokens use SHA-256.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA-1 (RFC 4226, RFC 6238 default).
    #[default]
    Sha1,
    /// HMAC-SHA-256 (RFC 6238 §1.2).
    Sha256,
    /// HMAC-SHA-512 (RFC 6238 §1.2).
    Sha512,
}

impl Algorithm {
    /// The hash's output length in bytes, which is also the recommended length of a new secret
    /// for SHA-2 (RFC 6238 §5.1); for SHA-1 it is 20 bytes (RFC 4226 §4 R6).
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha512 => 64,
        }
    }

    /// The name used in key URIs: `SHA1`, `SHA256`, `SHA512`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = ParamError;

    /// Accepts `SHA1`, `SHA256`, `SHA512` in any case, with or without a hyphen (`sha-256`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let rest = match s.split_at_checked(3) {
            Some((sha, rest)) if sha.eq_ignore_ascii_case("sha") => rest,
            _ => return Err(ParamError::UnknownAlgorithm),
        };
        match rest.strip_prefix('-').unwrap_or(rest) {
            "1" => Ok(Self::Sha1),
            "256" => Ok(Self::Sha256),
            "512" => Ok(Self::Sha512),
            _ => Err(ParamError::UnknownAlgorithm),
        }
    }
}

/// The number of decimal digits of a code: 6, 7 or 8.
///
/// Why no more than 8: RFC 4226 §5.3 R4 specifies 6 to 8 digits, every authenticator app that
/// reads key URIs offers only 6 or 8, and the dynamic truncation yields a 31-bit number, so a
/// 9-digit code would repeat the values below 147 483 648 three times and the others twice (a
/// bias of 50 %), while a 10-digit code could never start with a digit above 2. Fewer than 6 is
/// refused by RFC 4226 §5.3 R4 and NIST SP 800-63B §5.1.4.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digits(u8);

impl Digits {
    /// Six digits, the default.
    pub const SIX: Self = Self(6);
    /// Seven digits.
    pub const SEVEN: Self = Self(7);
    /// Eight digits.
    pub const EIGHT: Self = Self(8);
    /// The fewest digits accepted.
    pub const MIN: Self = Self::SIX;
    /// The most digits accepted.
    pub const MAX: Self = Self::EIGHT;

    /// The number of digits.
    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }

    /// Reduces a 31-bit truncated HMAC value to a code. Each arm divides by a constant so
    /// the compiler emits a multiplication instead of a slow, variable-latency division.
    #[inline]
    pub(crate) const fn reduce(self, value: u32) -> u32 {
        match self.0 {
            6 => value % 1_000_000,
            7 => value % 10_000_000,
            _ => value % 100_000_000,
        }
    }
}

impl Default for Digits {
    fn default() -> Self {
        Self::SIX
    }
}

impl TryFrom<u8> for Digits {
    type Error = ParamError;

    fn try_from(n: u8) -> Result<Self, Self::Error> {
        if (Self::MIN.0..=Self::MAX.0).contains(&n) {
            Ok(Self(n))
        } else {
            Err(ParamError::DigitsOutOfRange { digits: n.into() })
        }
    }
}

impl FromStr for Digits {
    type Err = ParamError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n: u64 = s.trim().parse().map_err(|_| ParamError::NotANumber)?;
        u8::try_from(n)
            .map_err(|_| ParamError::DigitsOutOfRange { digits: n })
            .and_then(Self::try_from)
    }
}

impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The TOTP time step in seconds: 1 to 3600, default 30 (RFC 6238 §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period(u32);

impl Period {
    /// 30 seconds, the default of RFC 6238 §5.2 and of every authenticator app.
    pub const THIRTY_SECONDS: Self = Self(30);
    /// The longest period accepted: one hour.
    pub const MAX_SECONDS: u32 = 3600;

    /// A period of `seconds`.
    ///
    /// # Errors
    /// [`ParamError::PeriodOutOfRange`] when `seconds` is 0 or above [`Self::MAX_SECONDS`].
    pub const fn from_secs(seconds: u32) -> Result<Self, ParamError> {
        if seconds == 0 || seconds > Self::MAX_SECONDS {
            Err(ParamError::PeriodOutOfRange {
                seconds: seconds as u64,
            })
        } else {
            Ok(Self(seconds))
        }
    }

    /// The period in seconds.
    #[must_use]
    pub const fn as_secs(self) -> u32 {
        self.0
    }
}

impl Default for Period {
    fn default() -> Self {
        Self::THIRTY_SECONDS
    }
}

impl FromStr for Period {
    type Err = ParamError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n: u64 = s.trim().parse().map_err(|_| ParamError::NotANumber)?;
        u32::try_from(n)
            .map_err(|_| ParamError::PeriodOutOfRange { seconds: n })
            .and_then(Self::from_secs)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} s", self.0)
    }
}

/// A point in time: whole seconds since the Unix epoch (1970-01-01T00:00:00Z).
///
/// The crate never reads a clock; callers pass the time in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The Unix epoch, RFC 6238's default T0.
    pub const EPOCH: Self = Self(0);

    /// `seconds` after the epoch.
    #[must_use]
    pub const fn from_secs(seconds: u64) -> Self {
        Self(seconds)
    }

    /// Seconds since the epoch.
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// `self + seconds`, or `None` past `u64::MAX` seconds.
    #[must_use]
    pub const fn checked_add_secs(self, seconds: u64) -> Option<Self> {
        match self.0.checked_add(seconds) {
            Some(t) => Some(Self(t)),
            None => None,
        }
    }
}

/// A TOTP time step: `floor((time - T0) / period)`, the moving factor of RFC 6238 §4.2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Step(u64);

impl Step {
    /// The step with this number.
    #[must_use]
    pub const fn new(step: u64) -> Self {
        Self(step)
    }

    /// The step number.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0
    }
}

/// An HOTP counter, the moving factor of RFC 4226.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Counter(u64);

impl Counter {
    /// The counter with this value.
    #[must_use]
    pub const fn new(counter: u64) -> Self {
        Self(counter)
    }

    /// The counter value.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The next counter value.
    ///
    /// # Errors
    /// [`TimeError::Overflow`] when the counter is already `u64::MAX`.
    pub const fn next(self) -> Result<Self, TimeError> {
        match self.0.checked_add(1) {
            Some(c) => Ok(Self(c)),
            None => Err(TimeError::Overflow),
        }
    }
}

/// How many TOTP steps before and after the current one a code may come from.
///
/// The default is ±1 step (RFC 6238 §5.2 recommends at most one step of network delay). Each
/// side is at most 10 steps, the maximum of Entrust IDaaS; a wider window multiplies the chance
/// of guessing a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    behind: u8,
    ahead: u8,
}

impl Window {
    /// The widest side accepted.
    pub const MAX_SIDE: u8 = 10;
    /// Only the current step.
    pub const EXACT: Self = Self {
        behind: 0,
        ahead: 0,
    };

    /// A window of `behind` past and `ahead` future steps.
    ///
    /// # Errors
    /// [`ParamError::WindowTooWide`] when a side exceeds [`Self::MAX_SIDE`].
    pub const fn new(behind: u8, ahead: u8) -> Result<Self, ParamError> {
        if behind > Self::MAX_SIDE || ahead > Self::MAX_SIDE {
            Err(ParamError::WindowTooWide {
                behind,
                ahead,
                max: Self::MAX_SIDE,
            })
        } else {
            Ok(Self { behind, ahead })
        }
    }

    /// `steps` on each side.
    ///
    /// # Errors
    /// [`ParamError::WindowTooWide`] when `steps` exceeds [`Self::MAX_SIDE`].
    pub const fn symmetric(steps: u8) -> Result<Self, ParamError> {
        Self::new(steps, steps)
    }

    /// Past steps accepted.
    #[must_use]
    pub const fn behind(self) -> u8 {
        self.behind
    }

    /// Future steps accepted.
    #[must_use]
    pub const fn ahead(self) -> u8 {
        self.ahead
    }
}

impl Default for Window {
    fn default() -> Self {
        Self {
            behind: 1,
            ahead: 1,
        }
    }
}

/// How many HOTP counters past the expected one a code may come from (RFC 4226 §7.4, the
/// look-ahead parameter *s*). Default 10, at most 1000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LookAhead(u16);

impl LookAhead {
    /// The widest look-ahead accepted. Verification cost grows linearly with it, and so does
    /// an attacker's chance per guess.
    pub const MAX: u16 = 1000;

    /// A look-ahead of `counters` values past the expected one.
    ///
    /// # Errors
    /// [`ParamError::LookAheadTooWide`] above [`Self::MAX`].
    pub const fn new(counters: u16) -> Result<Self, ParamError> {
        if counters > Self::MAX {
            Err(ParamError::LookAheadTooWide {
                counters,
                max: Self::MAX,
            })
        } else {
            Ok(Self(counters))
        }
    }

    /// The number of counters checked past the expected one.
    #[must_use]
    pub const fn get(self) -> u16 {
        self.0
    }
}

impl Default for LookAhead {
    fn default() -> Self {
        Self(10)
    }
}
