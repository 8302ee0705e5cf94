//! Other authenticator apps' plain exports, read into key URIs: Aegis's unencrypted JSON
//! vault (`"header": {"slots": null}`), and lists of `otpauth://` URIs one a line, as andOTP,
//! 2FAS and others write them. An entry this crate cannot keep (Steam, a secret under 80 bits,
//! an encrypted vault's entry) is listed as skipped with its place and why; the others are
//! read.

use serde::Deserialize;
use tollgate_otp::{Algorithm, Counter, Digits, Period, Secret, TotpParams};

use crate::key_uri::OtpAuthUri;

/// The largest export read: 16 MiB.
pub const MAX_EXPORT: usize = 16 * 1024 * 1024;

/// What an export held: the accounts, and what was skipped (its place, from 1: the entry of an
/// Aegis vault, or the line of a list; and why).
#[derive(Debug, Default)]
pub struct AppExport {
    /// The accounts, in the export's order.
    pub accounts: Vec<OtpAuthUri>,
    /// The entries left out.
    pub skipped: Vec<(usize, String)>,
}

/// Why an export was refused as a whole.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AppExportError {
    /// Larger than [`MAX_EXPORT`].
    #[error("the export is larger than {MAX_EXPORT} bytes")]
    TooLarge,
    /// Not an Aegis vault as JSON.
    #[error("not an Aegis vault: {0}")]
    NotAegis(String),
    /// An encrypted Aegis vault (its `header` has key slots): export it unencrypted.
    #[error("the Aegis vault is encrypted: export it without encryption to import it here")]
    Encrypted,
    /// Not text.
    #[error("the list is not UTF-8 text")]
    NotText,
}

#[derive(Deserialize)]
struct Vault {
    version: u32,
    header: Header,
    db: serde_json::Value,
}

#[derive(Deserialize)]
struct Header {
    slots: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Db {
    entries: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type")]
    kind: String,
    name: String,
    #[serde(default)]
    issuer: String,
    info: Info,
}

#[derive(Deserialize)]
struct Info {
    secret: String,
    #[serde(default = "sha1")]
    algo: String,
    #[serde(default = "six")]
    digits: u8,
    period: Option<u32>,
    counter: Option<u64>,
}

fn sha1() -> String {
    "SHA1".into()
}

fn six() -> u8 {
    6
}

/// Reads an Aegis vault exported without encryption.
///
/// # Errors
/// [`AppExportError`] for a file that is no vault, an encrypted vault, or one too large.
pub fn read_aegis(bytes: &[u8]) -> Result<AppExport, AppExportError> {
    if bytes.len() > MAX_EXPORT {
        return Err(AppExportError::TooLarge);
    }
    let vault: Vault =
        serde_json::from_slice(bytes).map_err(|e| AppExportError::NotAegis(e.to_string()))?;
    if vault.version != 1 {
        return Err(AppExportError::NotAegis(format!(
            "version {}",
            vault.version
        )));
    }
    if vault.header.slots.is_some_and(|s| !s.is_null()) || vault.db.is_string() {
        return Err(AppExportError::Encrypted);
    }
    let db: Db =
        serde_json::from_value(vault.db).map_err(|e| AppExportError::NotAegis(e.to_string()))?;
    let mut export = AppExport::default();
    for (index, value) in db.entries.into_iter().enumerate() {
        match serde_json::from_value::<Entry>(value)
            .map_err(|e| e.to_string())
            .and_then(|entry| account(&entry))
        {
            Ok(uri) => export.accounts.push(uri),
            Err(why) => export.skipped.push((index + 1, why)),
        }
    }
    Ok(export)
}

/// One Aegis entry as a key URI, or why not.
fn account(entry: &Entry) -> Result<OtpAuthUri, String> {
    let secret = Secret::from_base32(&entry.info.secret).map_err(|e| e.to_string())?;
    let algorithm = match entry.info.algo.to_ascii_uppercase().as_str() {
        "SHA1" => Algorithm::Sha1,
        "SHA256" => Algorithm::Sha256,
        "SHA512" => Algorithm::Sha512,
        other => return Err(format!("algorithm {other}")),
    };
    let digits = Digits::try_from(entry.info.digits).map_err(|e| e.to_string())?;
    let issuer = Some(entry.issuer.trim()).filter(|i| !i.is_empty());
    let name = entry.name.trim();
    match entry.kind.as_str() {
        "totp" => {
            let period =
                Period::from_secs(entry.info.period.unwrap_or(30)).map_err(|e| e.to_string())?;
            OtpAuthUri::totp(
                issuer,
                name,
                secret,
                TotpParams::new(algorithm, digits, period),
            )
            .map_err(|e| e.to_string())
        }
        "hotp" => OtpAuthUri::hotp(
            issuer,
            name,
            secret,
            algorithm,
            digits,
            Counter::new(entry.info.counter.unwrap_or(0)),
        )
        .map_err(|e| e.to_string()),
        other => Err(format!("{other} tokens are not kept")),
    }
}

/// Reads a list of `otpauth://` URIs, one a line (blank lines skipped).
///
/// # Errors
/// [`AppExportError::TooLarge`], [`AppExportError::NotText`].
pub fn read_uri_list(bytes: &[u8]) -> Result<AppExport, AppExportError> {
    if bytes.len() > MAX_EXPORT {
        return Err(AppExportError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| AppExportError::NotText)?;
    let mut export = AppExport::default();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match OtpAuthUri::parse(line) {
            Ok(parsed) => export.accounts.push(parsed.uri),
            Err(e) => export.skipped.push((index + 1, e.to_string())),
        }
    }
    Ok(export)
}
