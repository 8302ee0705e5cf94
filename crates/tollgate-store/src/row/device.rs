//! A known device as the sealed state's JSON holds it.

use serde::{Deserialize, Serialize};
use tollgate_login::KnownDevice;
use tollgate_otp::UnixTime;

#[derive(Serialize, Deserialize)]
pub(super) struct PlainDevice {
    digest: String,
    last_login: u64,
    failures: u32,
    locked_until: Option<u64>,
}

impl PlainDevice {
    pub(super) fn of(device: &KnownDevice) -> Self {
        Self {
            digest: device.digest.iter().map(|b| format!("{b:02x}")).collect(),
            last_login: device.last_login.as_secs(),
            failures: device.failures,
            locked_until: device.locked_until.map(UnixTime::as_secs),
        }
    }

    pub(super) fn device(&self) -> Option<KnownDevice> {
        if self.digest.len() != 64 || !self.digest.is_ascii() {
            return None;
        }
        let mut digest = [0u8; 32];
        for (i, byte) in digest.iter_mut().enumerate() {
            *byte = u8::from_str_radix(self.digest.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(KnownDevice {
            digest,
            last_login: UnixTime::from_secs(self.last_login),
            failures: self.failures,
            locked_until: self.locked_until.map(UnixTime::from_secs),
        })
    }
}
