//! Recovery codes' hashes in the sealed state: 64 hex digits each.

use tollgate_login::recovery::RecoveryHash;

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
