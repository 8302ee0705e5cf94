//! The examples' key file: `tollgate::KeyFile` (the sealing, PIN and state keys, each with the
//! old keys a rotation keeps), and the conversion of the examples' first format. Shared by
//! `first_login` and `rotate_keys`.
//!
//! Version 1 (one line of 96 hex bytes: sealing, PIN, state; earlier, 64 without the state
//! key) is read and rewritten in the library's format.

use std::path::Path;

use tollgate::{KeyFile, KeyFileError, ServiceKeys};
use zeroize::Zeroizing;

/// The key file at `path`: read (a version 1 file is rewritten), or made (owner-only) when
/// there is none.
pub(crate) fn load_or_create(path: &Path) -> Result<KeyFile, String> {
    match KeyFile::load_or_create(path) {
        Ok(file) => {
            if file.created() {
                println!(
                    "Made the keys in {} (keep it; the store is sealed with it).",
                    path.display()
                );
            }
            Ok(file)
        }
        Err(KeyFileError::Keys { .. }) => {
            let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| e.to_string())?);
            let file = KeyFile::with_keys(path, version_1(path, text.trim())?);
            file.save().map_err(|e| e.to_string())?;
            println!(
                "Rewrote {} in the library's key file format.",
                path.display()
            );
            Ok(file)
        }
        Err(e) => Err(e.to_string()),
    }
}

fn version_1(path: &Path, hex: &str) -> Result<ServiceKeys, String> {
    let not_ours = || format!("{} is not a first_login key file", path.display());
    if hex.len() != 128 && hex.len() != 192 {
        return Err(not_ours());
    }
    let key = |i: usize| -> Result<[u8; 32], String> {
        let hex = hex.get(64 * i..64 * (i + 1)).ok_or_else(not_ours)?;
        let mut key = [0u8; 32];
        for (j, b) in key.iter_mut().enumerate() {
            let pair = hex.get(2 * j..2 * j + 2).ok_or_else(not_ours)?;
            *b = u8::from_str_radix(pair, 16).map_err(|_| not_ours())?;
        }
        Ok(key)
    };
    let (sealing, pin) = (key(0)?, key(1)?);
    // Written before stored logins were authenticated: a state key is added.
    let state = match hex.len() {
        192 => key(2)?,
        _ => {
            let mut state = [0u8; 32];
            getrandom::fill(&mut state).map_err(|e| e.to_string())?;
            state
        }
    };
    Ok(ServiceKeys::new(sealing, pin, state))
}
