//! The token file: the token sealed under the app PIN (Argon2id → ChaCha20-Poly1305), a
//! header bound to it as associated data, and a wrong-PIN counter that wipes the file at ten.

use std::path::Path;

use argon2::{Algorithm as Argon2Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use rand_core::Rng;
use serde::{Deserialize, Serialize};
use tollgate::codes::{RegistrationCode, SerialNumber};
use tollgate::otp::{Secret, TotpParams};
use zeroize::Zeroizing;

const FORMAT: &str = "tollgate-soft-token";
const MAX_TRIES: u32 = 10;

/// The token, as sealed inside the file.
#[derive(Serialize, Deserialize)]
pub(crate) struct Saved {
    pub(crate) serial: Option<String>,
    pub(crate) registration_code: Option<String>,
    pub(crate) secret: String,
    pub(crate) algorithm: String,
    pub(crate) digits: u8,
    pub(crate) period: u32,
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
        }
    }
}

impl Drop for Saved {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

/// The file: a header in the clear (bound to the ciphertext as associated data) and the
/// sealed token.
#[derive(Serialize, Deserialize)]
pub(crate) struct File {
    format: String,
    version: u32,
    argon2: [u32; 3],
    salt: String,
    nonce: String,
    failures: u32,
    sealed: String,
}

impl File {
    fn associated_data(&self) -> String {
        format!(
            "{}|{}|{:?}|{}|{}",
            self.format, self.version, self.argon2, self.salt, self.nonce
        )
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

pub(crate) fn read_secret(prompt: &str) -> Result<Zeroizing<String>, String> {
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| format!("cannot read from the terminal ({e}); set SOFT_TOKEN_PIN"))
}

pub(crate) fn pin(prompt: &str) -> Result<Zeroizing<String>, String> {
    match std::env::var("SOFT_TOKEN_PIN") {
        Ok(pin) => Ok(Zeroizing::new(pin)),
        Err(_) => read_secret(prompt),
    }
}

pub(crate) fn new_pin() -> Result<Zeroizing<String>, String> {
    let first = pin("Choose an app PIN (6 to 12 digits): ")?;
    if !(6..=12).contains(&first.len()) || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the app PIN must be 6 to 12 digits".into());
    }
    if std::env::var_os("SOFT_TOKEN_PIN").is_none() {
        let again = read_secret("Enter the PIN again: ")?;
        if *again != *first {
            return Err("the two PINs differ; nothing was saved".into());
        }
    }
    Ok(first)
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

pub(crate) fn save(store: &Path, token: &Saved) -> Result<(), String> {
    let pin = new_pin()?;
    let mut rng = tollgate::os_rng();
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    rng.fill_bytes(&mut salt);
    rng.fill_bytes(&mut nonce);
    let mut file = File {
        format: FORMAT.into(),
        version: 1,
        argon2: [
            Params::DEFAULT_M_COST,
            Params::DEFAULT_T_COST,
            Params::DEFAULT_P_COST,
        ],
        salt: hex(&salt),
        nonce: hex(&nonce),
        failures: 0,
        sealed: String::new(),
    };
    let key = key(&pin, &salt, file.argon2)?;
    let plaintext = Zeroizing::new(serde_json::to_vec(token).map_err(|e| e.to_string())?);
    let aad = file.associated_data();
    let sealed = ChaCha20Poly1305::new(&(*key).into())
        .encrypt(
            &nonce.into(),
            Payload {
                msg: &plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| "sealing failed")?;
    file.sealed = hex(&sealed);
    write(store, &file)
}

pub(crate) fn write(store: &Path, file: &File) -> Result<(), String> {
    let text = serde_json::to_string_pretty(file).map_err(|e| e.to_string())?;
    std::fs::write(store, text).map_err(|e| format!("cannot write {}: {e}", store.display()))
}

pub(crate) fn open(store: &Path) -> Result<Saved, String> {
    let text = std::fs::read_to_string(store).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "{} does not exist: activate or scan a token first",
            store.display()
        ),
        _ => format!("cannot read {}: {e}", store.display()),
    })?;
    let mut file: File = serde_json::from_str(&text).map_err(|_| {
        format!(
            "{} is not a soft-token file, or it is corrupted",
            store.display()
        )
    })?;
    if file.format != FORMAT || file.version != 1 {
        return Err(format!(
            "{} is not a version-1 soft-token file",
            store.display()
        ));
    }
    let salt = unhex(&file.salt)?;
    let nonce: [u8; 12] = unhex(&file.nonce)?
        .try_into()
        .map_err(|_| "the token file is corrupted (nonce)")?;
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
            if file.failures > 0 {
                file.failures = 0;
                write(store, &file)?;
            }
            serde_json::from_slice(&plaintext).map_err(|_| "the token file is corrupted".into())
        }
        Err(_) => {
            // A wrong PIN and a corrupted file look the same to the AEAD; both count.
            file.failures += 1;
            if file.failures >= MAX_TRIES {
                let wiped = File {
                    sealed: "0".repeat(file.sealed.len()),
                    ..file
                };
                let _ = write(store, &wiped);
                let _ = std::fs::remove_file(store);
                return Err(format!(
                    "wrong PIN {MAX_TRIES} times: the token has been wiped; activate it again"
                ));
            }
            write(store, &file)?;
            Err(format!(
                "wrong PIN (or a damaged file); {} tries left before the token is wiped",
                MAX_TRIES - file.failures
            ))
        }
    }
}
