//! PSKC (RFC 6030), read with quick-xml. What a seed file holds for OATH tokens: each
//! `KeyPackage`'s device (manufacturer, serial number) and key (the HOTP or TOTP algorithm
//! profile, RFC 6030 §10; the response length; the secret, plain or encrypted under a
//! pre-shared key with AES-CBC and its HMAC; the counter, or T0 and the time step).
//!
//! No entity is ever expanded: a DTD is refused before anything else is read, and a reference
//! other than XML's five and character references is refused where it stands (no "billion
//! laughs", no external entity).

use aes::cipher::{BlockModeDecrypt as _, KeyIvInit as _};
use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use subtle::ConstantTimeEq as _;
use tollgate_otp::{Algorithm, Digits, Period, Secret};
use zeroize::Zeroizing;

use super::{SeedError, SeedFile, SeedKind, SeedProblem, SeedToken};

const HOTP: &str = "urn:ietf:params:xml:ns:keyprov:pskc:hotp";
const TOTP: &str = "urn:ietf:params:xml:ns:keyprov:pskc:totp";
/// The profile's other name in files written to the drafts (and by some vendors).
const TOTP_DRAFT: &str = "urn:ietf:params:xml:ns:keyprov:pskc#totp";
const HOTP_DRAFT: &str = "urn:ietf:params:xml:ns:keyprov:pskc#hotp";

/// The pre-shared key a file's secrets are encrypted under (RFC 6030 §6.1), by the name the
/// file gives it (`<EncryptionKey><ds:KeyName>`). Its `Debug` shows the name only.
pub struct PreSharedKey {
    name: String,
    key: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for PreSharedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PreSharedKey")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl PreSharedKey {
    /// The key `name` (as the file names it), its bytes (16, 24 or 32 for AES).
    #[must_use]
    pub fn new(name: &str, key: &[u8]) -> Self {
        Self {
            name: name.to_owned(),
            key: Zeroizing::new(key.to_vec()),
        }
    }
}

/// One key package as read so far.
#[derive(Default)]
struct Package {
    line: usize,
    manufacturer: Option<String>,
    serial: Option<String>,
    key_id: Option<String>,
    algorithm: Option<String>,
    digits: Option<String>,
    suite: Option<String>,
    plain: Option<String>,
    cipher: Option<(String, String)>,
    mac: Option<String>,
    counter: Option<String>,
    time: Option<String>,
    interval: Option<String>,
}

/// The container's encryption: the key's name, the MAC method and its encrypted key.
#[derive(Default)]
struct Encryption {
    key_name: Option<String>,
    mac_method: Option<String>,
    mac_key: Option<(String, String)>,
}

/// Reads a PSKC file's OATH tokens. `key` opens encrypted secrets (the file names which key it
/// wants; a file without encryption needs none).
///
/// # Errors
/// The first [`SeedError`]: not XML, a DTD or an unknown entity, not PSKC 1.0, a value that
/// does not read, a missing or wrong key, a MAC that does not match, a secret too short, the
/// same serial number twice, too large a file or too many tokens.
pub fn read_pskc(bytes: &[u8], key: Option<&PreSharedKey>) -> Result<SeedFile, SeedError> {
    if bytes.len() > super::MAX_SEED_FILE {
        return Err(SeedProblem::TooLarge.at(1));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| SeedProblem::Xml("not UTF-8".into()).at(line_of(bytes, e.valid_up_to())))?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut state = State::default();
    let mut file = SeedFile::default();
    // Each token's key ID and line, beside it: a device with several keys (RFC 6030 Figure 10)
    // names each of them by both.
    let mut keys: Vec<(Option<String>, usize)> = Vec::new();
    // Lines counted as the reader moves on, never from the start again (a 70 MB file has
    // millions of events).
    let mut counted = (0usize, 1usize);
    let mut text_of = String::new();
    loop {
        // Where the next event starts: past the whitespace the reader trims.
        let mut at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        let line = {
            let (from, lines) = counted;
            let to = at.clamp(from, bytes.len());
            let line = lines + bytes[from..to].iter().filter(|&&b| b == b'\n').count();
            counted = (to, line);
            line
        };
        let event = reader
            .read_event()
            .map_err(|e| SeedProblem::Xml(e.to_string()).at(line))?;
        match event {
            Event::DocType(_) => return Err(SeedProblem::Dtd.at(line)),
            Event::Start(start) => {
                state.open(&start, line).map_err(|p| p.at(line))?;
                state.path.push(local(&start));
                text_of.clear();
            }
            Event::Empty(start) => state.open(&start, line).map_err(|p| p.at(line))?,
            Event::Text(t) => text_of.push_str(&t.xml10_content()),
            Event::CData(_) => {
                return Err(SeedProblem::Value("CDATA sections are not read".into()).at(line));
            }
            Event::GeneralRef(r) => text_of.push(entity(&r).map_err(|p| p.at(line))?),
            Event::End(end) => {
                let name = end.local_name().as_ref().to_owned();
                state.path.pop();
                state.close(&name, std::mem::take(&mut text_of));
                if name == "KeyPackage"
                    && let Some(done) = state.package.take()
                {
                    let (key_id, at) = (done.key_id.clone(), done.line);
                    match token(done, &state.encryption, key)? {
                        Ok(token) => {
                            if file.tokens.len() >= super::MAX_SEED_TOKENS {
                                return Err(SeedProblem::TooManyTokens.at(line));
                            }
                            file.tokens.push(token);
                            keys.push((key_id, at));
                        }
                        Err(skipped) => file.skipped.push(skipped),
                    }
                }
            }
            Event::Eof if !state.path.is_empty() => {
                return Err(SeedProblem::Xml(format!(
                    "the file ends inside <{}>",
                    state.path.last().map_or("", String::as_str)
                ))
                .at(line));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let root_seen = state.root_seen;
    if !root_seen {
        return Err(SeedProblem::NotPskc.at(1));
    }
    name_shared_devices(&mut file.tokens, &keys)?;
    Ok(file)
}

/// A device with several keys: each token named `SERIAL:KEY-ID` (distinct key IDs), else the
/// same serial twice is refused.
fn name_shared_devices(
    tokens: &mut [SeedToken],
    keys: &[(Option<String>, usize)],
) -> Result<(), SeedError> {
    let mut count: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for token in tokens.iter() {
        *count.entry(token.serial.clone()).or_default() += 1;
    }
    for (token, (key_id, _)) in tokens.iter_mut().zip(keys) {
        if count.get(&token.serial).is_some_and(|&n| n > 1)
            && let Some(id) = key_id
        {
            token.serial = format!("{}:{}", token.serial, id.trim());
        }
    }
    if let Some(at) = super::first_duplicate(tokens) {
        let line = keys.get(at).map_or(1, |(_, line)| *line);
        return Err(SeedProblem::DuplicateSerial(tokens[at].serial.clone()).at(line));
    }
    Ok(())
}

fn local(start: &BytesStart<'_>) -> String {
    start.local_name().as_ref().to_owned()
}

/// An attribute's value by local name, entities resolved (XML's five and character references
/// only).
fn attribute(start: &BytesStart<'_>, name: &str) -> Result<Option<String>, SeedProblem> {
    for attr in start.attributes() {
        let attr = attr.map_err(|e| SeedProblem::Xml(e.to_string()))?;
        if attr.key.local_name().as_ref() == name {
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| SeedProblem::Value(format!("attribute {name}: {e}")))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// The 1-based line of byte offset `at`.
pub(super) fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Where the reader stands: the open elements, the container's encryption, the package
/// being read.
#[derive(Default)]
struct State {
    path: Vec<String>,
    root_seen: bool,
    encryption: Encryption,
    package: Option<Package>,
}

impl State {
    /// An element opens: its attributes, where they matter.
    fn open(&mut self, start: &BytesStart<'_>, line: usize) -> Result<(), SeedProblem> {
        let name = local(start);
        if !self.root_seen {
            self.root_seen = true;
            if name != "KeyContainer" || attribute(start, "Version")?.as_deref() != Some("1.0") {
                return Err(SeedProblem::NotPskc);
            }
        }
        let parent = self.path.last().map(String::as_str);
        match (parent, name.as_str()) {
            (_, "KeyPackage") => {
                self.package = Some(Package {
                    line,
                    ..Package::default()
                });
            }
            (Some("KeyPackage"), "Key") => {
                if let Some(p) = self.package.as_mut() {
                    p.key_id = attribute(start, "Id")?;
                    p.algorithm = attribute(start, "Algorithm")?;
                }
            }
            (Some("AlgorithmParameters"), "ResponseFormat") => {
                if let Some(p) = self.package.as_mut() {
                    if let Some(encoding) = attribute(start, "Encoding")?
                        && encoding != "DECIMAL"
                    {
                        return Err(SeedProblem::Unsupported(format!(
                            "response encoding {encoding}"
                        )));
                    }
                    p.digits = attribute(start, "Length")?;
                }
            }
            (_, "MACMethod") => self.encryption.mac_method = attribute(start, "Algorithm")?,
            (Some(within @ ("EncryptedValue" | "MACKey")), "EncryptionMethod") => {
                let method = attribute(start, "Algorithm")?.unwrap_or_default();
                if within == "MACKey" {
                    self.encryption.mac_key = Some((method, String::new()));
                } else if let Some(p) = self.package.as_mut() {
                    p.cipher = Some((method, String::new()));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// An element closes (already off the path): its text, where it belongs.
    fn close(&mut self, name: &str, value: String) {
        let value = value.trim().to_owned();
        let depth = self.path.len();
        let parent = self.path.last().map(String::as_str);
        let grandparent = depth
            .checked_sub(2)
            .and_then(|i| self.path.get(i))
            .map(String::as_str);
        match (grandparent, parent, name) {
            (_, Some("EncryptionKey"), "KeyName") => self.encryption.key_name = Some(value),
            (Some("MACKey"), Some("CipherData"), "CipherValue") => {
                if let Some((_, cipher)) = self.encryption.mac_key.as_mut() {
                    *cipher = value;
                }
            }
            _ => {
                let Some(p) = self.package.as_mut() else {
                    return;
                };
                match (grandparent, parent, name) {
                    (_, Some("DeviceInfo"), "Manufacturer") => p.manufacturer = Some(value),
                    (_, Some("DeviceInfo"), "SerialNo") => p.serial = Some(value),
                    (_, Some("AlgorithmParameters"), "Suite") => p.suite = Some(value),
                    (_, Some("Secret"), "PlainValue") => p.plain = Some(value),
                    (_, Some("Secret"), "ValueMAC") => p.mac = Some(value),
                    (Some("EncryptedValue"), Some("CipherData"), "CipherValue") => {
                        if let Some((_, cipher)) = p.cipher.as_mut() {
                            *cipher = value;
                        }
                    }
                    (_, Some("Counter"), "PlainValue") => p.counter = Some(value),
                    (_, Some("Time"), "PlainValue") => p.time = Some(value),
                    (_, Some("TimeInterval"), "PlainValue") => p.interval = Some(value),
                    _ => {}
                }
            }
        }
    }
}

/// A reference in text: XML's five and character references; any other entity is refused,
/// never expanded.
fn entity(r: &quick_xml::events::BytesRef<'_>) -> Result<char, SeedProblem> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Ok(c),
        Ok(None) => match &*r.xml10_content() {
            "lt" => Ok('<'),
            "gt" => Ok('>'),
            "amp" => Ok('&'),
            "apos" => Ok('\''),
            "quot" => Ok('"'),
            other => Err(SeedProblem::Value(format!(
                "the entity &{other}; is not one of XML's own: entities are not expanded"
            ))),
        },
        Err(e) => Err(SeedProblem::Xml(e.to_string())),
    }
}

fn base64(text: &str, what: &str) -> Result<Vec<u8>, SeedProblem> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| SeedProblem::Value(format!("{what} is not base64")))
}

fn number(text: Option<&str>, what: &str, default: u64) -> Result<u64, SeedProblem> {
    match text {
        None => Ok(default),
        Some(t) => t
            .trim()
            .parse()
            .map_err(|_| SeedProblem::Value(format!("{what} is not a whole number"))),
    }
}

/// AES-CBC decryption of `iv ‖ ciphertext` (XML Encryption's layout), PKCS #7 padding.
fn aes_cbc(method: &str, key: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, SeedProblem> {
    let bits = match method {
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => 128,
        "http://www.w3.org/2001/04/xmlenc#aes192-cbc" => 192,
        "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => 256,
        other => return Err(SeedProblem::Unsupported(other.to_owned())),
    };
    if key.len() * 8 != bits {
        return Err(SeedProblem::Value(format!(
            "the pre-shared key has {} bits; {method} needs {bits}",
            key.len() * 8
        )));
    }
    if data.len() < 32 || !data.len().is_multiple_of(16) {
        return Err(SeedProblem::WrongMac);
    }
    let (iv, body) = data.split_at(16);
    let mut buffer = Zeroizing::new(body.to_vec());
    let plain_len = match bits {
        128 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
            .map_err(|_| SeedProblem::WrongMac)?
            .decrypt_padded::<cbc::cipher::block_padding::Pkcs7>(&mut buffer)
            .map(<[u8]>::len),
        192 => cbc::Decryptor::<aes::Aes192>::new_from_slices(key, iv)
            .map_err(|_| SeedProblem::WrongMac)?
            .decrypt_padded::<cbc::cipher::block_padding::Pkcs7>(&mut buffer)
            .map(<[u8]>::len),
        _ => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(|_| SeedProblem::WrongMac)?
            .decrypt_padded::<cbc::cipher::block_padding::Pkcs7>(&mut buffer)
            .map(<[u8]>::len),
    }
    .map_err(|_| SeedProblem::WrongMac)?;
    buffer.truncate(plain_len);
    Ok(buffer)
}

/// HMAC of `data` under `key` by the MAC method's URI.
fn mac(method: &str, key: &[u8], data: &[u8]) -> Result<Vec<u8>, SeedProblem> {
    match method {
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1" => {
            let mut m =
                hmac::Hmac::<sha1::Sha1>::new_from_slice(key).map_err(|_| SeedProblem::WrongMac)?;
            m.update(data);
            Ok(m.finalize().into_bytes().to_vec())
        }
        "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256" => {
            let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key)
                .map_err(|_| SeedProblem::WrongMac)?;
            m.update(data);
            Ok(m.finalize().into_bytes().to_vec())
        }
        other => Err(SeedProblem::Unsupported(other.to_owned())),
    }
}

/// The secret of `p`: its plain value, or its encrypted value opened with `key` and checked
/// against its MAC (RFC 6030 §6.1.1: the MAC is over the IV and ciphertext).
fn secret(
    p: &Package,
    encryption: &Encryption,
    key: Option<&PreSharedKey>,
) -> Result<Zeroizing<Vec<u8>>, SeedProblem> {
    if let Some(plain) = &p.plain {
        return Ok(Zeroizing::new(base64(plain, "the secret")?));
    }
    let Some((method, cipher)) = &p.cipher else {
        return Err(SeedProblem::Value("the key has no secret".into()));
    };
    let name = encryption.key_name.clone().unwrap_or_default();
    let key = match key {
        Some(k) if k.name == name || encryption.key_name.is_none() => k,
        _ => return Err(SeedProblem::KeyNeeded(name)),
    };
    let data = base64(cipher, "the encrypted secret")?;
    let value_mac = p.mac.as_deref().ok_or(SeedProblem::NoMac)?;
    let (Some(mac_method), Some((mac_key_method, mac_key_cipher))) =
        (&encryption.mac_method, &encryption.mac_key)
    else {
        return Err(SeedProblem::NoMac);
    };
    let mac_key = aes_cbc(
        mac_key_method,
        &key.key,
        &base64(mac_key_cipher, "the MAC key")?,
    )?;
    let expected = base64(value_mac, "the MAC")?;
    let found = mac(mac_method, &mac_key, &data)?;
    if !bool::from(found.ct_eq(&expected)) {
        return Err(SeedProblem::WrongMac);
    }
    aes_cbc(method, &key.key, &data)
}

/// The token of a finished package; `Ok(Err((line, why)))` for a key that is no OATH token.
fn token(
    p: Package,
    encryption: &Encryption,
    key: Option<&PreSharedKey>,
) -> Result<Result<SeedToken, (usize, String)>, SeedError> {
    let line = p.line;
    let algorithm = p.algorithm.clone().unwrap_or_default();
    let hotp = matches!(algorithm.as_str(), HOTP | HOTP_DRAFT);
    let totp = matches!(algorithm.as_str(), TOTP | TOTP_DRAFT);
    if !hotp && !totp {
        return Ok(Err((line, format!("not an OATH token ({algorithm})"))));
    }
    let at = |problem: SeedProblem| problem.at(line);
    let serial = super::serial(
        p.serial
            .as_deref()
            .or(p.key_id.as_deref())
            .unwrap_or_default(),
    )
    .map_err(at)?;
    let digits = u8::try_from(number(p.digits.as_deref(), "the response length", 6).map_err(at)?)
        .ok()
        .and_then(|d| Digits::try_from(d).ok())
        .ok_or_else(|| {
            at(SeedProblem::Value(
                "the response length is not 6 to 8".into(),
            ))
        })?;
    let algorithm = match p.suite.as_deref().map(str::trim) {
        None | Some("HMAC-SHA1" | "SHA1" | "HMAC-SHA-1") => Algorithm::Sha1,
        Some("HMAC-SHA256" | "SHA256" | "HMAC-SHA-256") => Algorithm::Sha256,
        Some("HMAC-SHA512" | "SHA512" | "HMAC-SHA-512") => Algorithm::Sha512,
        Some(other) => return Err(at(SeedProblem::Unsupported(other.to_owned()))),
    };
    let bytes = secret(&p, encryption, key).map_err(at)?;
    let secret = Secret::from_bytes(&bytes).map_err(|e| at(SeedProblem::Secret(e.to_string())))?;
    let kind = if hotp {
        SeedKind::Hotp {
            counter: number(p.counter.as_deref(), "the counter", 0).map_err(at)?,
        }
    } else {
        let step = number(p.interval.as_deref(), "the time interval", 30).map_err(at)?;
        let step = u32::try_from(step)
            .ok()
            .and_then(|s| Period::from_secs(s).ok())
            .ok_or_else(|| {
                at(SeedProblem::Value(
                    "the time interval is out of range".into(),
                ))
            })?;
        SeedKind::Totp {
            step,
            t0: number(p.time.as_deref(), "the time origin", 0).map_err(at)?,
        }
    };
    Ok(Ok(SeedToken {
        serial,
        manufacturer: p.manufacturer,
        kind,
        algorithm,
        digits,
        secret,
    }))
}
