//! Devices that have logged in before: OWASP's "device cookies" (Blocking Brute Force Attacks)
//! and NIST SP 800-63B-4 §3.2.2's advice that throttling not lock the owner out.
//!
//! At the end of a whole login from a browser the account does not know, the machine draws a
//! [`DeviceId`] and asks the service to keep it in a long-lived cookie
//! ([`Effect::RememberDevice`](crate::Effect::RememberDevice)); the account keeps only its
//! digest. A later password typed with that cookie is counted against that device alone: the
//! cool-downs that strangers' wrong passwords start do not stop it, and its own wrong passwords
//! lock only it.

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;
use tollgate_otp::UnixTime;

use crate::error::InputError;

/// How many devices an account remembers; a new one beyond it replaces the one unused longest.
pub const MAX_DEVICES: usize = 10;

/// A device's identifier: 128 random bits, the value of its cookie. It is a bearer credential
/// for the password's throttling (not for the login: the password and the second factor are
/// still asked), so its `Debug` is redacted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DeviceId([u8; 16]);

impl DeviceId {
    pub(crate) fn generate(rng: &mut impl rand_core::CryptoRng) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The cookie's value: `d1.` and 32 lowercase hex digits.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut text = String::with_capacity(35);
        text.push_str("d1.");
        crate::hex::encode_into(&self.0, &mut text);
        text
    }

    /// Reads a cookie's value.
    ///
    /// # Errors
    /// [`InputError::Device`] for anything but `d1.` and 32 hex digits.
    pub fn parse(text: &str) -> Result<Self, InputError> {
        text.strip_prefix("d1.")
            .and_then(crate::hex::decode)
            .map(Self)
            .ok_or(InputError::Device)
    }

    /// What the account keeps: SHA-256 over a label and the identifier.
    pub(crate) fn digest(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(b"tollgate device v1\0");
        hash.update(self.0);
        hash.finalize().into()
    }
}

tollgate_otp::redacted_debug!(DeviceId);

/// A device the account has seen log in, and its own count of wrong passwords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownDevice {
    /// The digest of its [`DeviceId`].
    pub digest: [u8; 32],
    /// When it last logged in (whole logins only).
    pub last_login: UnixTime,
    /// Its consecutive wrong passwords.
    pub failures: u32,
    /// Until when it is cooling down after a run of them.
    pub locked_until: Option<UnixTime>,
}

impl KnownDevice {
    /// Where `device` is among `devices`, if it is one of them (its digest computed once, each
    /// compared in constant time).
    #[must_use]
    pub fn find(devices: &[Self], device: &DeviceId) -> Option<usize> {
        let digest = device.digest();
        devices
            .iter()
            .position(|known| bool::from(known.digest.ct_eq(&digest)))
    }
}
