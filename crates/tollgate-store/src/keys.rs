//! A service's three keys as text: the sealing key, the PIN key and the state key, each with the
//! old keys a rotation keeps beside it. The facade's `KeyFile` keeps this text in a file.
//!
//! The format (version 2) is one `<kind> <64 hex digits>` line per key under a header line; the
//! first line of each kind is its current key, the others are old ones:
//!
//! ```text
//! # tollgate keys v2
//! sealing 00…
//! pin 00…
//! state 00…
//! sealing 11…    (an old sealing key, until every account is re-sealed)
//! ```
//!
//! Lines starting with `#` and empty lines are skipped. The examples of earlier versions wrote
//! the header `# tollgate example keys v2` over the same lines; it is read as this one.

use rand_core::CryptoRng;
use tollgate_login::{KeyRing, PinKey, PinKeys, RingKey, StateKey, StateKeys};
use zeroize::Zeroizing;

use crate::{SealingKey, SealingKeys};

/// The header this version writes.
pub const KEYS_HEADER: &str = "# tollgate keys v2";
/// The header the examples wrote before the format moved into the library (same lines).
const EXAMPLE_HEADER: &str = "# tollgate example keys v2";
/// At most this many keys of a kind (the current one and old ones): a rotation that is never
/// finished must not grow the file without bound.
pub const MAX_KEYS_PER_KIND: usize = 16;
/// A key text longer than this is not one (16 keys of 3 kinds are under 4 KiB).
const MAX_TEXT: usize = 64 * 1024;

type Key = Zeroizing<[u8; 32]>;

/// Why a key text was refused. Never quotes the text: it is secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeysError {
    /// The first line is not a version 2 header.
    #[error("not a tollgate key file (the first line is not \"{KEYS_HEADER}\")")]
    NotKeys,
    /// A line is not `<kind> <64 hex digits>`.
    #[error("line {0}: not a key line (sealing, pin or state, a space, 64 hex digits)")]
    Line(usize),
    /// A kind has no key.
    #[error("no {0} key")]
    Missing(&'static str),
    /// A kind has more keys than [`MAX_KEYS_PER_KIND`], or the text is too long.
    #[error("too many keys: finish the rotation and retire the old ones")]
    TooMany,
}

/// The current and old keys of each kind. Its `Debug` shows how many there are, never a key.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceKeys {
    sealing: Vec<Key>,
    pin: Vec<Key>,
    state: Vec<Key>,
}

impl core::fmt::Debug for ServiceKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServiceKeys")
            .field("sealing", &self.sealing.len())
            .field("pin", &self.pin.len())
            .field("state", &self.state.len())
            .finish()
    }
}

impl ServiceKeys {
    /// Fresh random keys, one of each kind.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut draw = || {
            let mut key = Zeroizing::new([0u8; 32]);
            rng.fill_bytes(&mut *key);
            vec![key]
        };
        Self {
            sealing: draw(),
            pin: draw(),
            state: draw(),
        }
    }

    /// The given current keys, no old ones.
    #[must_use]
    pub fn new(sealing: [u8; 32], pin: [u8; 32], state: [u8; 32]) -> Self {
        Self {
            sealing: vec![Zeroizing::new(sealing)],
            pin: vec![Zeroizing::new(pin)],
            state: vec![Zeroizing::new(state)],
        }
    }

    /// Reads a key text.
    ///
    /// # Errors
    /// [`KeysError`]: which line, or which kind is missing.
    pub fn parse(text: &str) -> Result<Self, KeysError> {
        if text.len() > MAX_TEXT {
            return Err(KeysError::TooMany);
        }
        let mut lines = text.lines();
        let header = lines.next().map(str::trim_end);
        if header != Some(KEYS_HEADER) && header != Some(EXAMPLE_HEADER) {
            return Err(KeysError::NotKeys);
        }
        let mut keys = Self {
            sealing: Vec::new(),
            pin: Vec::new(),
            state: Vec::new(),
        };
        for (n, line) in lines.enumerate() {
            let number = n + 2;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (kind, hex) = line.split_once(' ').ok_or(KeysError::Line(number))?;
            let key = key_of(hex.trim()).ok_or(KeysError::Line(number))?;
            let ring = match kind {
                "sealing" => &mut keys.sealing,
                "pin" => &mut keys.pin,
                "state" => &mut keys.state,
                _ => return Err(KeysError::Line(number)),
            };
            if ring.len() >= MAX_KEYS_PER_KIND {
                return Err(KeysError::TooMany);
            }
            ring.push(key);
        }
        for (kind, ring) in keys.kinds() {
            if ring.is_empty() {
                return Err(KeysError::Missing(kind));
            }
        }
        Ok(keys)
    }

    /// The key text, which [`ServiceKeys::parse`] reads back.
    ///
    /// # Security
    /// It holds every key: write it where only the service can read it.
    #[must_use]
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(format!("{KEYS_HEADER}\n"));
        for (kind, keys) in self.kinds() {
            for key in keys {
                text.push_str(kind);
                text.push(' ');
                for b in key.iter() {
                    let hex = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]];
                    text.push(char::from(hex[0]));
                    text.push(char::from(hex[1]));
                }
                text.push('\n');
            }
        }
        text
    }

    fn kinds(&self) -> [(&'static str, &Vec<Key>); 3] {
        [
            ("sealing", &self.sealing),
            ("pin", &self.pin),
            ("state", &self.state),
        ]
    }

    /// New current keys of every kind, the present ones kept as old (the oldest dropped past
    /// [`MAX_KEYS_PER_KIND`]). Re-seal the accounts, then [`ServiceKeys::retire_old_sealing`];
    /// once the logins stored under the old PIN and state keys have expired,
    /// [`ServiceKeys::retire_old_login_keys`].
    pub fn rotate(&mut self, rng: &mut impl CryptoRng) {
        for keys in [&mut self.sealing, &mut self.pin, &mut self.state] {
            let mut key = Zeroizing::new([0u8; 32]);
            rng.fill_bytes(&mut *key);
            keys.insert(0, key);
            keys.truncate(MAX_KEYS_PER_KIND);
        }
    }

    /// Drops the old sealing keys (every account is sealed under the current one).
    pub fn retire_old_sealing(&mut self) {
        self.sealing.truncate(1);
    }

    /// Drops the old PIN and state keys (no login stored under them is still alive).
    pub fn retire_old_login_keys(&mut self) {
        self.pin.truncate(1);
        self.state.truncate(1);
    }

    /// How many keys of each kind: sealing, PIN, state.
    #[must_use]
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.sealing.len(), self.pin.len(), self.state.len())
    }

    /// The sealing keys, for a store.
    #[must_use]
    pub fn sealing_keys(&self) -> SealingKeys {
        ring(&self.sealing, |k| SealingKey::new(*k))
    }

    /// The PIN keys, for the service.
    #[must_use]
    pub fn pin_keys(&self) -> PinKeys {
        ring(&self.pin, |k| PinKey::new(*k))
    }

    /// The state keys, for the service.
    #[must_use]
    pub fn state_keys(&self) -> StateKeys {
        ring(&self.state, |k| StateKey::new(*k))
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn ring<K: RingKey>(keys: &[Key], make: impl Fn(&[u8; 32]) -> K) -> KeyRing<K> {
    let mut keys = keys.iter();
    // Every constructor leaves each kind its current key.
    let first = keys.next().map_or_else(|| make(&[0; 32]), |k| make(k));
    keys.fold(KeyRing::new(first), |ring, k| ring.with_old(make(k)))
}

fn key_of(hex: &str) -> Option<Key> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut key = Zeroizing::new([0u8; 32]);
    for (i, b) in key.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;

    fn keys() -> ServiceKeys {
        ServiceKeys::generate(&mut ChaCha20Rng::seed_from_u64(7))
    }

    #[test]
    fn the_text_reads_back_and_rotation_keeps_the_old_keys() {
        let mut keys = keys();
        assert_eq!(ServiceKeys::parse(&keys.to_text()), Ok(keys.clone()));
        let before = keys.clone();
        keys.rotate(&mut ChaCha20Rng::seed_from_u64(8));
        assert_eq!(keys.counts(), (2, 2, 2));
        assert_eq!(keys.sealing[1], before.sealing[0]);
        assert_ne!(keys.sealing[0], before.sealing[0]);
        let back = ServiceKeys::parse(&keys.to_text()).unwrap();
        assert_eq!(back, keys);
        let old = before.sealing_keys().current().id();
        assert!(back.sealing_keys().find(old).is_some());
        keys.retire_old_sealing();
        assert_eq!(keys.counts(), (1, 2, 2));
        keys.retire_old_login_keys();
        assert_eq!(keys.counts(), (1, 1, 1));
    }

    #[test]
    fn a_file_the_examples_wrote_reads_as_this_format() {
        // Written by the previous version's `first_login` (its header, its lines).
        let text = format!(
            "# tollgate example keys v2\nsealing {}\npin {}\nstate {}\nsealing {}\n",
            "00".repeat(32),
            "11".repeat(32),
            "22".repeat(32),
            "33".repeat(32)
        );
        let keys = ServiceKeys::parse(&text).unwrap();
        assert_eq!(keys.counts(), (2, 1, 1));
        assert_eq!(*keys.pin[0], [0x11; 32]);
        assert!(keys.to_text().starts_with("# tollgate keys v2\n"));
    }

    #[test]
    fn refusals_say_where_and_never_quote_a_key() {
        let good = keys().to_text();
        let cases = [
            (
                good.replacen("# tollgate keys v2", "# other", 1),
                KeysError::NotKeys,
            ),
            (good.replacen("pin ", "pin  x", 1), KeysError::Line(3)),
            (good.replacen("state ", "status ", 1), KeysError::Line(4)),
            (
                good.replacen("sealing ", "# sealing ", 1),
                KeysError::Missing("sealing"),
            ),
            (String::new(), KeysError::NotKeys),
        ];
        for (text, expected) in cases {
            let error = ServiceKeys::parse(&text).unwrap_err();
            assert_eq!(error, expected, "{text}");
            let hex: String = good.lines().nth(1).unwrap().chars().skip(8).collect();
            assert!(!error.to_string().contains(&hex[..16]));
        }
        let mut many = String::from(KEYS_HEADER);
        for _ in 0..=MAX_KEYS_PER_KIND {
            many.push_str(&format!("\nsealing {}", "ab".repeat(32)));
        }
        assert_eq!(ServiceKeys::parse(&many), Err(KeysError::TooMany));
        assert!(!format!("{:?}", keys()).contains(&hex_of(&keys().sealing[0])));
    }

    fn hex_of(key: &[u8; 32]) -> String {
        key.iter().map(|b| format!("{b:02x}")).collect()
    }

    proptest! {
        #[test]
        fn any_text_is_read_or_refused_without_panic(text in "\\PC{0,400}") {
            let _ = ServiceKeys::parse(&text);
            let _ = ServiceKeys::parse(&format!("{KEYS_HEADER}\n{text}"));
        }

        #[test]
        fn a_changed_digit_changes_the_key_or_is_refused(line in 1usize..4, at in 0usize..64) {
            let keys = keys();
            let text = keys.to_text();
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let start = lines[line].find(' ').unwrap() + 1 + at;
            let old = lines[line].as_bytes()[start];
            let new = if old == b'0' { '1' } else { '0' };
            lines[line].replace_range(start..=start, &new.to_string());
            let parsed = ServiceKeys::parse(&lines.join("\n")).unwrap();
            prop_assert_ne!(parsed, keys);
        }
    }
}
