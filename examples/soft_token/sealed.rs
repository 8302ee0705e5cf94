//! The token file: the token sealed under the app PIN (Argon2id → ChaCha20-Poly1305), ten
//! copies each bound to its try, one spent per wrong PIN; written whole, for its owner alone.

use std::path::Path;

use argon2::{Algorithm as Argon2Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use rand_core::Rng;
use serde::{Deserialize, Serialize};
use tollgate::codes::{RegistrationCode, SerialNumber};
use tollgate::otp::{Secret, TotpParams};
use zeroize::Zeroizing;

pub(crate) use crate::prompt::{new_pin, pin};

pub(crate) const FORMAT: &str = "tollgate-soft-token";
pub(crate) const MAX_TRIES: u32 = 10;

/// A token, as sealed inside the file (one of the file's accounts).
#[derive(Serialize, Deserialize)]
pub(crate) struct Saved {
    pub(crate) serial: Option<String>,
    pub(crate) registration_code: Option<String>,
    pub(crate) secret: String,
    pub(crate) algorithm: String,
    pub(crate) digits: u8,
    /// TOTP's period (ignored for HOTP).
    pub(crate) period: u32,
    /// Since HOTP and imports (files written before have none): the account's name and issuer
    /// as a key URI or a migration link gave them.
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) issuer: Option<String>,
    /// An HOTP token's counter: the counter of the next code to show. `None`: TOTP.
    #[serde(default)]
    pub(crate) counter: Option<u64>,
}

/// What the file seals since it holds several accounts: `{"accounts": [...]}`. A file sealed
/// before holds one account's fields at the top level, and is read as one account.
#[derive(Serialize, Deserialize)]
struct Wallet {
    accounts: Vec<Saved>,
}

/// The accounts as sealed: always the wallet form.
pub(crate) fn encode(accounts: Vec<Saved>) -> Result<Zeroizing<Vec<u8>>, String> {
    let wallet = Wallet { accounts };
    Ok(Zeroizing::new(
        serde_json::to_vec(&wallet).map_err(|e| e.to_string())?,
    ))
}

/// The accounts of a plaintext, in either form.
fn decode(plaintext: &[u8]) -> Option<Vec<Saved>> {
    match serde_json::from_slice::<Wallet>(plaintext) {
        Ok(wallet) => Some(wallet.accounts),
        Err(_) => serde_json::from_slice::<Saved>(plaintext)
            .ok()
            .map(|one| vec![one]),
    }
}

/// An opened file: its accounts, and the PIN that opened it (to seal them again after a
/// change: an HOTP counter moved on, accounts imported).
pub(crate) struct Opened {
    pub(crate) accounts: Vec<Saved>,
    pub(crate) pin: Zeroizing<String>,
}

impl Opened {
    /// Seals the accounts again under the same PIN.
    pub(crate) fn save(self, store: &Path) -> Result<(), String> {
        let plaintext = encode(self.accounts)?;
        seal_and_write(store, &self.pin, &plaintext)
    }
}

impl Saved {
    pub(crate) fn new(
        serial: Option<SerialNumber>,
        code: Option<&RegistrationCode>,
        secret: &Secret,
        params: TotpParams,
    ) -> Self {
        Self {
            serial: serial.map(|s| s.to_string()),
            registration_code: code.map(ToString::to_string),
            secret: secret.expose_base32().to_string(),
            algorithm: params.algorithm().to_string(),
            digits: params.digits().get(),
            period: params.period().as_secs(),
            name: None,
            issuer: None,
            counter: None,
        }
    }
}

impl Drop for Saved {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

/// Version 2: the header, and the token sealed ten times under the PIN's key, each copy bound
/// to its place (`try`, 0 to 9) as associated data. Each wrong PIN removes the first copy left,
/// so the number of tries left is the number of copies: there is no counter to set back (short
/// of putting back a whole earlier copy of the file, which no file alone can stop), and copies
/// cannot be made without the PIN. A right PIN seals all ten again.
#[derive(Serialize, Deserialize)]
pub(crate) struct File {
    format: String,
    version: u32,
    pub(crate) argon2: [u32; 3],
    salt: String,
    copies: Vec<Copy>,
    /// Since the app lock (files written before have none: ten wrong PINs wipe them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) unlock: Option<crate::unlock::UnlockCopy>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Copy {
    /// Its place: the copies left have increasing places.
    r#try: u32,
    nonce: String,
    sealed: String,
}

impl File {
    fn associated_data(&self, place: u32) -> String {
        format!(
            "{}|{}|{:?}|{}|try {place} of {MAX_TRIES}",
            self.format, self.version, self.argon2, self.salt
        )
    }

    /// The copies' places are 0 to 9 and increasing, or the file was damaged.
    fn well_formed(&self) -> bool {
        self.format == FORMAT
            && self.version == 2
            && self.copies.windows(2).all(|w| w[0].r#try < w[1].r#try)
            && self.copies.iter().all(|c| c.r#try < MAX_TRIES)
    }

    /// Ten copies of `plaintext` under `key`.
    fn seal_all(&mut self, key: &[u8; 32], plaintext: &[u8]) -> Result<(), String> {
        let mut rng = tollgate::os_rng();
        let cipher = ChaCha20Poly1305::new(&(*key).into());
        self.copies = (0..MAX_TRIES)
            .map(|place| {
                let mut nonce = [0u8; 12];
                rng.fill_bytes(&mut nonce);
                let aad = self.associated_data(place);
                let sealed = cipher
                    .encrypt(
                        &nonce.into(),
                        Payload {
                            msg: plaintext,
                            aad: aad.as_bytes(),
                        },
                    )
                    .map_err(|_| "sealing failed")?;
                Ok(Copy {
                    r#try: place,
                    nonce: hex(&nonce),
                    sealed: hex(&sealed),
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(())
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return Err("the token file is corrupted (bad hex)".into());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&text[i..i + 2], 16)
                .map_err(|_| "the token file is corrupted (bad hex)".to_owned())
        })
        .collect()
}

/// The sealing key: Argon2id of the PIN (OWASP parameters).
pub(crate) fn key(pin: &str, salt: &[u8], argon2: [u32; 3]) -> Result<Zeroizing<[u8; 32]>, String> {
    let params = Params::new(argon2[0], argon2[1], argon2[2], Some(32))
        .map_err(|e| format!("the token file is corrupted ({e})"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Argon2Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pin.as_bytes(), salt, &mut *key)
        .map_err(|e| e.to_string())?;
    Ok(key)
}

pub(crate) fn refuse_existing(store: &Path) -> Result<(), String> {
    if store.exists() {
        return Err(format!(
            "{} already holds a token; choose another file",
            store.display()
        ));
    }
    Ok(())
}

/// Saves `accounts` in a new file, under a new PIN.
pub(crate) fn save(store: &Path, accounts: Vec<Saved>) -> Result<(), String> {
    let pin = new_pin()?;
    let plaintext = encode(accounts)?;
    seal_and_write(store, &pin, &plaintext)
}

pub(crate) fn seal_and_write(store: &Path, pin: &str, plaintext: &[u8]) -> Result<(), String> {
    let mut salt = [0u8; 16];
    tollgate::os_rng().fill_bytes(&mut salt);
    let mut file = File {
        format: FORMAT.into(),
        version: 2,
        argon2: [
            Params::DEFAULT_M_COST,
            Params::DEFAULT_T_COST,
            Params::DEFAULT_P_COST,
        ],
        salt: hex(&salt),
        copies: Vec::new(),
        unlock: None,
    };
    let key = key(pin, &salt, file.argon2)?;
    file.seal_all(&key, plaintext)?;
    let accounts = decode(plaintext).ok_or("the token does not encode")?;
    file.unlock = crate::unlock::UnlockCopy::make(&accounts, plaintext, file.argon2)?;
    write(store, &file)
}

/// A locked file (no PIN copy left) and its unlock copy.
pub(crate) fn locked_file(store: &Path) -> Result<(File, crate::unlock::UnlockCopy), String> {
    let text = read_owned(store)?;
    let file: File = serde_json::from_str(&text).map_err(|_| {
        format!(
            "{} is not a soft-token file, or it is damaged",
            store.display()
        )
    })?;
    match (&file.unlock, file.copies.is_empty()) {
        (Some(copy), true) if file.well_formed() => {
            let copy = copy.clone();
            Ok((file, copy))
        }
        (_, false) => Err(format!(
            "{} is not locked: its PIN opens it",
            store.display()
        )),
        _ => Err(format!("{} cannot be unlocked", store.display())),
    }
}

/// Writes the file whole or not at all: a temporary file beside it, for its owner alone,
/// synced, then renamed over it.
pub(crate) fn write(store: &Path, file: &impl Serialize) -> Result<(), String> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let text = serde_json::to_string_pretty(file).map_err(|e| e.to_string())?;
    let mut name = store.as_os_str().to_owned();
    name.push(format!(".{}.tmp", std::process::id()));
    let temporary = std::path::PathBuf::from(name);
    let failed = |e: std::io::Error| format!("cannot write {}: {e}", store.display());
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(failed)?;
    let written = out
        .write_all(text.as_bytes())
        .and_then(|()| out.sync_all())
        .and_then(|()| std::fs::rename(&temporary, store));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(failed(e));
    }
    Ok(())
}

/// The token, with the app PIN: the first copy left is tried; a wrong PIN removes it, and the
/// last one wipes the file. A version 1 file is upgraded at its first right PIN.
pub(crate) fn open(store: &Path) -> Result<Opened, String> {
    let text = read_owned(store)?;
    let corrupted = || {
        format!(
            "{} is not a soft-token file, or it is damaged (nothing was changed)",
            store.display()
        )
    };
    let header: serde_json::Value = serde_json::from_str(&text).map_err(|_| corrupted())?;
    if header.get("version").and_then(serde_json::Value::as_u64) == Some(1) {
        let file: super::legacy::FileV1 = serde_json::from_str(&text).map_err(|_| corrupted())?;
        return super::legacy::open_v1(store, file);
    }
    let mut file: File = serde_json::from_str(&text).map_err(|_| corrupted())?;
    if !file.well_formed() {
        return Err(corrupted());
    }
    let Some(first) = file.copies.first().cloned() else {
        return Err(match &file.unlock {
            Some(copy) => copy.locked(store),
            None => wiped(store),
        });
    };
    let salt = unhex(&file.salt)?;
    let nonce: [u8; 12] = unhex(&first.nonce)?
        .try_into()
        .map_err(|_| "the token file is damaged (nonce)")?;
    let pin = pin("App PIN: ")?;
    let key = key(&pin, &salt, file.argon2)?;
    let aad = file.associated_data(first.r#try);
    let opened = ChaCha20Poly1305::new(&(*key).into()).decrypt(
        &nonce.into(),
        Payload {
            msg: &unhex(&first.sealed)?,
            aad: aad.as_bytes(),
        },
    );
    match opened {
        Ok(plaintext) => {
            let plaintext = Zeroizing::new(plaintext);
            if file.copies.len() < MAX_TRIES as usize {
                file.seal_all(&key, &plaintext)?;
                write(store, &file)?;
            }
            let accounts = decode(&plaintext).ok_or_else(corrupted)?;
            Ok(Opened { accounts, pin })
        }
        Err(_) => {
            // A wrong PIN and a damaged copy look the same to the AEAD; both cost a try.
            file.copies.remove(0);
            if file.copies.is_empty() {
                // Locked, when the issuer can unlock it; else wiped.
                if let Some(copy) = &file.unlock {
                    write(store, &file)?;
                    return Err(copy.locked(store));
                }
                let _ = std::fs::remove_file(store);
                return Err(wiped(store));
            }
            write(store, &file)?;
            let then = if file.unlock.is_some() {
                "locked"
            } else {
                "wiped"
            };
            Err(format!(
                "wrong PIN (or a damaged file); {} tries left before the token is {then}",
                file.copies.len()
            ))
        }
    }
}

pub(crate) fn wiped(store: &Path) -> String {
    format!(
        "wrong PIN {MAX_TRIES} times: the token in {} has been wiped; activate it again",
        store.display()
    )
}

/// The file's text, if only its owner may read or write it.
pub(crate) fn read_owned(store: &Path) -> Result<String, String> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = std::fs::metadata(store).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "{} does not exist: activate or scan a token first",
            store.display()
        ),
        _ => format!("cannot read {}: {e}", store.display()),
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "{} may be read or written by other users (mode {mode:04o}): run `chmod 600 {}` \
             and try again",
            store.display(),
            store.display()
        ));
    }
    std::fs::read_to_string(store).map_err(|e| format!("cannot read {}: {e}", store.display()))
}
