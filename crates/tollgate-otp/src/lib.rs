#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod base32;
mod code;
mod error;
mod hotp;
mod keyed;
mod ocra;
mod params;
mod pin;
mod random;
mod redacted;
mod search;
mod secret;
mod totp;

pub use code::Code;
pub use error::{CodeError, ParamError, SecretError, TimeError, VerifyError};
pub use hotp::{Hotp, HotpMatch};
pub use ocra::{ChallengeFormat, OcraError, OcraInput, OcraSuite};
pub use params::{Algorithm, Counter, Digits, LookAhead, Period, Step, UnixTime, Window};
pub use pin::{Pin, PinLength, PinMismatch};
pub use random::{uniform_below, uniform_decimal};
pub use secret::{MAX_BYTES, MIN_IMPORT_BYTES, RECOMMENDED_BYTES, Secret};
pub use subtle::ConstantTimeEq;
pub use totp::{Totp, TotpParams, Verified};
