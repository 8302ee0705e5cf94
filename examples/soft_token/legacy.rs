//! Version 1 of the token file, read for the upgrade to version 2.

use std::path::Path;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::sealed::{
    FORMAT, MAX_TRIES, Opened, Saved, key, pin, seal_and_write, unhex, wiped, write,
};

/// Version 1 of the file (written before this version; read for the upgrade): a header in
/// the clear, bound to the sealed token as associated data, and a wrong-PIN counter outside it,
/// which anyone who could write the file could set back to 0.
#[derive(Serialize, Deserialize)]
pub(crate) struct FileV1 {
    pub(crate) format: String,
    version: u32,
    argon2: [u32; 3],
    salt: String,
    nonce: String,
    failures: u32,
    sealed: String,
}

impl FileV1 {
    fn associated_data(&self) -> String {
        format!(
            "{}|{}|{:?}|{}|{}",
            self.format, self.version, self.argon2, self.salt, self.nonce
        )
    }
}

/// A version 1 file: its counter as it was; at the right PIN, the token is sealed again as
/// version 2 under the same PIN.
pub(crate) fn open_v1(store: &Path, mut file: FileV1) -> Result<Opened, String> {
    if file.format != FORMAT {
        return Err(format!("{} is not a soft-token file", store.display()));
    }
    let salt = unhex(&file.salt)?;
    let nonce: [u8; 12] = unhex(&file.nonce)?
        .try_into()
        .map_err(|_| "the token file is damaged (nonce)")?;
    let sealed = unhex(&file.sealed)?;
    let pin = pin("App PIN: ")?;
    let key = key(&pin, &salt, file.argon2)?;
    let aad = file.associated_data();
    match ChaCha20Poly1305::new(&(*key).into()).decrypt(
        &nonce.into(),
        Payload {
            msg: &sealed,
            aad: aad.as_bytes(),
        },
    ) {
        Ok(plaintext) => {
            let plaintext = Zeroizing::new(plaintext);
            let saved: Saved = serde_json::from_slice(&plaintext)
                .map_err(|_| "the token file is damaged".to_owned())?;
            seal_and_write(store, &pin, &plaintext)?;
            eprintln!("(the token file was upgraded to version 2)");
            Ok(Opened {
                accounts: vec![saved],
                pin,
            })
        }
        Err(_) => {
            file.failures += 1;
            if file.failures >= MAX_TRIES {
                let _ = std::fs::remove_file(store);
                return Err(wiped(store));
            }
            write(store, &file)?;
            Err(format!(
                "wrong PIN (or a damaged file); {} tries left before the token is wiped",
                MAX_TRIES - file.failures
            ))
        }
    }
}
