//! Recovery codes' hashes in the sealed state: 64 hex digits each; and an administrator's
//! re-enrollment grant, hashed alike, with its expiry.

use serde::{Deserialize, Serialize};
use tollgate_login::Grant;
use tollgate_login::recovery::RecoveryHash;
use tollgate_otp::UnixTime;

#[derive(Serialize, Deserialize)]
pub(super) struct PlainGrant {
    hash: String,
    expires_at: u64,
}

impl PlainGrant {
    pub(super) fn of(grant: &Grant) -> Self {
        Self {
            hash: to_hex(&grant.hash),
            expires_at: grant.expires_at.as_secs(),
        }
    }

    pub(super) fn grant(&self) -> Option<Grant> {
        Some(Grant {
            hash: from_hex(&self.hash)?,
            expires_at: UnixTime::from_secs(self.expires_at),
        })
    }
}

pub(super) fn to_hex(hash: &RecoveryHash) -> String {
    hash.0.iter().map(|b| format!("{b:02x}")).collect()
}

/// A recovery code's hash from its 64 hex digits.
pub(super) fn from_hex(hex: &str) -> Option<RecoveryHash> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut hash = [0u8; 32];
    for (i, b) in hash.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(RecoveryHash(hash))
}
