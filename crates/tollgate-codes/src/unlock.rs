//! Unlocking a soft-token app that locked after too many wrong app PINs (Entrust's "Unlock an
//! Entrust ST app"): the app shows a 9-digit PIN reset code, an administrator gives it to the
//! issuer and reads back an 8-digit unlock code, and the user types that into the app, which
//! then asks for a new PIN.
//!
//! The unlock code is the OCRA response (RFC 6287) of the suite [`UNLOCK_SUITE`] to the reset
//! code, keyed with `HMAC-SHA-256(token secret, "tollgate app unlock v1")`: both sides hold the
//! token's secret, and the derived key keeps the OTP key out of a second algorithm.

use hmac::{Hmac, KeyInit, Mac};
use rand_core::CryptoRng;
use sha2::Sha256;
use tollgate_otp::{OcraError, OcraInput, OcraSuite, Secret};
use zeroize::Zeroizing;

/// The OCRA suite of the unlock: HMAC-SHA-256, 8 digits, a 9-digit numeric challenge.
pub const UNLOCK_SUITE: &str = "OCRA-1:HOTP-SHA256-8:QN09";

/// The label of the unlock key's derivation.
const LABEL: &[u8] = b"tollgate app unlock v1";

/// A new PIN reset code: 9 uniformly random digits.
pub fn new_reset_code(rng: &mut impl CryptoRng) -> String {
    format!("{:09}", tollgate_otp::uniform_decimal(9, rng))
}

/// The unlock code for `reset_code` (9 digits) of the token with `secret`.
///
/// # Errors
/// [`OcraError::Challenge`] when the reset code is not 1 to 9 digits.
pub fn unlock_code(secret: &Secret, reset_code: &str) -> Result<Zeroizing<String>, OcraError> {
    let suite: OcraSuite = UNLOCK_SUITE.parse()?;
    if reset_code.len() != 9 {
        return Err(OcraError::Challenge(suite.challenge().0));
    }
    suite.respond(&unlock_key(secret)[..], reset_code, &OcraInput::default())
}

fn unlock_key(secret: &Secret) -> Zeroizing<[u8; 32]> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose_secret())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(LABEL);
    Zeroizing::new(mac.finalize().into_bytes().into())
}
