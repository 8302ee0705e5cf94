//! Recovery codes (SP 800-63B-4 §3.1.2, §4.2): ten look-up secrets issued when a token is
//! enrolled and shown once, each 120 bits (24 characters of Crockford's base32), stored only as
//! a hash bound to the user, good for one use. One of them, the password and a one-time PIN
//! replace a lost token ("I no longer have my authenticator" at a later login).
//!
//! With at least 112 bits a look-up secret may be stored under an approved one-way function
//! without a salt or a password hash (SP 800-63B-4 §3.1.2.2): SHA-256 over a label, the User
//! ID and the code.

use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::user::UserId;

/// How many codes a user holds after enrolling or regenerating.
pub const RECOVERY_CODES: usize = 10;

/// Characters in a code (5 bits each: 120 bits).
const LEN: usize = 24;

/// Crockford's base32 alphabet: no I, L, O or U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A recovery code in the clear, as shown once: `ABCD-EFGH-…` in six groups of four. Redacted
/// `Debug`, wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(Zeroizing<String>);

impl RecoveryCode {
    /// The code to show, grouped by four.
    #[must_use]
    pub fn expose_grouped(&self) -> Zeroizing<String> {
        let mut grouped = Zeroizing::new(String::with_capacity(LEN + LEN / 4));
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                grouped.push('-');
            }
            grouped.push(c);
        }
        grouped
    }
}

tollgate_otp::redacted_debug!(RecoveryCode);

impl core::str::FromStr for RecoveryCode {
    type Err = crate::InputError;

    /// A code as shown ([`RecoveryCode::expose_grouped`]) or typed, read back: for a web
    /// session that keeps the codes a form drew until the next page shows them.
    ///
    /// # Errors
    /// [`InputError::NotARecoveryCode`](crate::InputError::NotARecoveryCode) for anything
    /// [`normalise`] does not take.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        normalise(text)
            .map(Self)
            .ok_or(crate::InputError::NotARecoveryCode)
    }
}

/// A stored code: its hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryHash(pub [u8; 32]);

/// Draws a new set: the codes to show once, and their hashes to store.
pub fn generate(user: &UserId, rng: &mut impl CryptoRng) -> (Vec<RecoveryCode>, Vec<RecoveryHash>) {
    (0..RECOVERY_CODES)
        .map(|_| {
            let code = draw(rng);
            let hash = hash(user, &code.0);
            (code, hash)
        })
        .unzip()
}

fn draw(rng: &mut impl CryptoRng) -> RecoveryCode {
    let mut code = Zeroizing::new(String::with_capacity(LEN));
    let mut bytes = Zeroizing::new([0u8; LEN]);
    rng.fill_bytes(&mut *bytes);
    for b in bytes.iter() {
        // 256 is a multiple of 32: the low five bits are uniform.
        code.push(char::from(ALPHABET[usize::from(b & 31)]));
    }
    RecoveryCode(code)
}

/// An administrator's re-enrollment grant: a code of the same form as a recovery code (120
/// bits), to give the user by a channel of the administrator's choosing; it stands in for a
/// recovery code once, until it expires. Its hash is another function's (a grant's label),
/// so that it is never mistaken for a recovery code.
pub fn grant(user: &UserId, rng: &mut impl CryptoRng) -> (RecoveryCode, RecoveryHash) {
    let code = draw(rng);
    let hash = hash_as(b"tollgate re-enrollment grant v1\0", user, &code.0);
    (code, hash)
}

/// Whether `typed` is the grant whose hash is `stored`, compared in constant time.
#[must_use]
pub fn is_grant(user: &UserId, stored: &RecoveryHash, typed: &str) -> bool {
    normalise(typed).is_some_and(|code| {
        let wanted = hash_as(b"tollgate re-enrollment grant v1\0", user, &code);
        bool::from(stored.0.ct_eq(&wanted.0))
    })
}

/// What the user typed, as a code: upper case, without spaces or hyphens, with Crockford's
/// readings of look-alikes (I and L as 1, O as 0). `None` when it cannot be one.
#[must_use]
pub fn normalise(typed: &str) -> Option<Zeroizing<String>> {
    let mut code = Zeroizing::new(String::with_capacity(LEN));
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            c if u8::try_from(c).is_ok_and(|b| ALPHABET.contains(&b)) => c,
            _ => return None,
        };
        if code.len() == LEN {
            return None;
        }
        code.push(c);
    }
    (code.len() == LEN).then_some(code)
}

/// The stored form of `code` (normalised) for `user`.
#[must_use]
pub fn hash(user: &UserId, code: &str) -> RecoveryHash {
    hash_as(b"tollgate recovery code v1\0", user, code)
}

fn hash_as(label: &[u8], user: &UserId, code: &str) -> RecoveryHash {
    let mut sha = Sha256::new();
    sha.update(label);
    sha.update(user.as_str().as_bytes());
    sha.update([0]);
    sha.update(code.as_bytes());
    RecoveryHash(sha.finalize().into())
}

/// Where `typed` is among `stored`, compared in constant time over every stored hash.
#[must_use]
pub fn find(user: &UserId, stored: &[RecoveryHash], typed: &str) -> Option<usize> {
    let code = normalise(typed)?;
    let wanted = hash(user, &code);
    let mut found = None;
    for (i, h) in stored.iter().enumerate() {
        if bool::from(h.0.ct_eq(&wanted.0)) {
            found = Some(i);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;

    #[test]
    fn codes_are_shown_grouped_found_by_any_reading_and_only_once_stored() {
        let user: UserId = "john@example.com"
            .parse()
            .unwrap_or_else(|_| unreachable!());
        let (codes, hashes) = generate(&user, &mut ChaCha20Rng::seed_from_u64(1));
        assert_eq!(
            (codes.len(), hashes.len()),
            (RECOVERY_CODES, RECOVERY_CODES)
        );
        let shown = codes[3].expose_grouped();
        assert_eq!(shown.len(), 29);
        assert_eq!(find(&user, &hashes, &shown), Some(3));
        let typed = shown
            .to_lowercase()
            .replace('-', " ")
            .replace('1', "l")
            .replace('0', "o");
        assert_eq!(find(&user, &hashes, &typed), Some(3));
        // Another user's hashes, a changed character, a short or a long code: not found.
        let other: UserId = "ann@example.com".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(find(&other, &hashes, &shown), None);
        let mut changed = shown.to_string();
        let last = if changed.ends_with('Z') { "Y" } else { "Z" };
        changed.replace_range(28.., last);
        assert_eq!(find(&user, &hashes, &changed), None);
        assert_eq!(find(&user, &hashes, &shown[..28]), None);
        assert_eq!(find(&user, &hashes, &format!("{}A", shown.as_str())), None);
        assert_eq!(find(&user, &hashes, "ÄÄÄÄ"), None);
        assert!(!format!("{:?}", codes[0]).contains(&shown[..4]));
    }
}
