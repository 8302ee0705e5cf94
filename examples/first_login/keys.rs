//! The examples' key file: the sealing key, the PIN key and the state key, each with the old
//! keys a rotation keeps beside it. Shared by `first_login` and `rotate_keys`.
//!
//! Version 2 of the file is one `<kind> <64 hex digits>` line per key, the first line of each
//! kind its current key and the others old ones:
//!
//! ```text
//! # tollgate example keys v2
//! sealing 00…
//! pin 00…
//! state 00…
//! sealing 11…    (an old sealing key, until every account is re-sealed)
//! ```
//!
//! Version 1 (one line of 96 hex bytes: sealing, PIN, state; earlier, 64 without the state
//! key) is read and rewritten as version 2.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use tollgate::SealingKey;
use tollgate::login::{PinKey, PinKeys, StateKey, StateKeys};
use tollgate::store::SealingKeys;
use zeroize::Zeroizing;

const HEADER: &str = "# tollgate example keys v2";

type Key = Zeroizing<[u8; 32]>;

/// The keys, current first.
pub(crate) struct KeyFile {
    path: PathBuf,
    pub(crate) sealing: Vec<Key>,
    pub(crate) pin: Vec<Key>,
    pub(crate) state: Vec<Key>,
}

impl KeyFile {
    /// The key file at `path`: read (a version 1 file is rewritten as version 2), or made
    /// (owner-only) when there is none.
    pub(crate) fn load_or_create(path: &Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let text = Zeroizing::new(text);
                if text.starts_with(HEADER) {
                    return Self::parse(path, &text);
                }
                let mut file = Self::parse_v1(path, text.trim())?;
                if file.state.is_empty() {
                    // Written before stored logins were authenticated: add the state key.
                    file.state.push(random()?);
                }
                file.save()?;
                println!("Rewrote {} as a version 2 key file.", path.display());
                Ok(file)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let file = Self {
                    path: path.to_owned(),
                    sealing: vec![random()?],
                    pin: vec![random()?],
                    state: vec![random()?],
                };
                file.save()?;
                println!(
                    "Made the keys in {} (keep it; the store is sealed with it).",
                    path.display()
                );
                Ok(file)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    fn parse(path: &Path, text: &str) -> Result<Self, String> {
        let bad = |line: usize| format!("{} line {line}: not a key line", path.display());
        let mut file = Self {
            path: path.to_owned(),
            sealing: Vec::new(),
            pin: Vec::new(),
            state: Vec::new(),
        };
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (kind, hex) = line.split_once(' ').ok_or_else(|| bad(n + 1))?;
            let key = key_of(hex.trim()).ok_or_else(|| bad(n + 1))?;
            match kind {
                "sealing" => file.sealing.push(key),
                "pin" => file.pin.push(key),
                "state" => file.state.push(key),
                _ => return Err(bad(n + 1)),
            }
        }
        if file.sealing.is_empty() || file.pin.is_empty() || file.state.is_empty() {
            return Err(format!(
                "{} lacks a sealing, PIN or state key",
                path.display()
            ));
        }
        Ok(file)
    }

    fn parse_v1(path: &Path, hex: &str) -> Result<Self, String> {
        let not_ours = || format!("{} is not a first_login key file", path.display());
        if hex.len() != 128 && hex.len() != 192 {
            return Err(not_ours());
        }
        let keys: Vec<Key> = (0..hex.len() / 64)
            .map(|i| hex.get(64 * i..64 * (i + 1)).and_then(key_of))
            .collect::<Option<_>>()
            .ok_or_else(not_ours)?;
        let mut keys = keys.into_iter();
        Ok(Self {
            path: path.to_owned(),
            sealing: keys.next().into_iter().collect(),
            pin: keys.next().into_iter().collect(),
            state: keys.next().into_iter().collect(),
        })
    }

    /// Writes the file whole (a temporary file, then renamed over it), for its owner alone.
    pub(crate) fn save(&self) -> Result<(), String> {
        let mut text = Zeroizing::new(format!("{HEADER}\n"));
        for (kind, keys) in [
            ("sealing", &self.sealing),
            ("pin", &self.pin),
            ("state", &self.state),
        ] {
            for key in keys {
                text.push_str(kind);
                text.push(' ');
                for b in key.iter() {
                    text.push_str(&format!("{b:02x}"));
                }
                text.push('\n');
            }
        }
        write_whole(&self.path, text.as_bytes())
    }

    /// New current keys, the present ones kept as old.
    pub(crate) fn rotate(&mut self) -> Result<(), String> {
        for keys in [&mut self.sealing, &mut self.pin, &mut self.state] {
            keys.insert(0, random()?);
        }
        Ok(())
    }

    /// Drops the old sealing keys (every account is sealed under the current one).
    pub(crate) fn retire_old_sealing(&mut self) {
        self.sealing.truncate(1);
    }

    /// Drops the old PIN and state keys (no login stored under them is still alive).
    pub(crate) fn retire_old_login_keys(&mut self) {
        self.pin.truncate(1);
        self.state.truncate(1);
    }

    pub(crate) fn sealing_keys(&self) -> SealingKeys {
        ring(&self.sealing, |k| SealingKey::new(*k))
    }

    pub(crate) fn pin_keys(&self) -> PinKeys {
        ring(&self.pin, |k| PinKey::new(*k))
    }

    pub(crate) fn state_keys(&self) -> StateKeys {
        ring(&self.state, |k| StateKey::new(*k))
    }
}

fn ring<K: tollgate::login::RingKey>(
    keys: &[Key],
    make: impl Fn(&[u8; 32]) -> K,
) -> tollgate::login::KeyRing<K> {
    let mut keys = keys.iter();
    // `parse` and `load_or_create` never leave a kind without its current key.
    let first = keys.next().map_or_else(|| make(&[0; 32]), |k| make(k));
    keys.fold(tollgate::login::KeyRing::new(first), |ring, k| {
        ring.with_old(make(k))
    })
}

fn random() -> Result<Key, String> {
    let mut key = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut *key).map_err(|e| e.to_string())?;
    Ok(key)
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

/// `bytes` as the whole of `path`, for its owner alone: written to a temporary file beside it,
/// flushed to disk, then renamed over it, so that a crash leaves the old file or the new one.
pub(crate) fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let _ = std::fs::remove_file(&temporary);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
    std::fs::rename(&temporary, path).map_err(|e| format!("cannot replace {}: {e}", path.display()))
}
