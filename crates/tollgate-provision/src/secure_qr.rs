//! The secure activation QR of the mobile path (Entrust-compatible):
//! `igmobileotp://?action=secactivate&enc=<base64>&v=1&mac=<base64>`.
//!
//! ```text
//! enc = base64(salt (8 bytes) || AES-128-CBC-PKCS#7(key, iv, plaintext JSON))
//! dk  = PBKDF2-HMAC-SHA-256(activation password, 8 ASCII digits; salt; 1000 rounds; 64 bytes)
//! key = dk[0..16], HMAC key = dk[16..48], iv = dk[48..64]
//! mac = base64(HMAC-SHA-256(HMAC key, the query as it stands in the URI up to "&mac=")[0..12])
//! ```
//!
//! The plaintext is `{"sn": serial, "ac": activation code, "policy": JSON as a string,
//! "regurl": registration address}`; `policy` and `regurl` may be absent.
//!
//! Weakness: the password is 8 digits and the KDF 1000 rounds, so whoever has the QR image
//! finds the password offline in about an hour on a large machine. Send the password by
//! another channel, and expire the activation.

use aes::Aes128;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use pbkdf2::pbkdf2_hmac;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tollgate_codes::{ActivationCode, ActivationPassword, Policy, SerialNumber};
use zeroize::{Zeroize, Zeroizing};

use crate::error::SecureQrError;
use crate::percent;

const ROUNDS: u32 = 1000;
const SALT_LEN: usize = 8;
const MAC_LEN: usize = 12;
/// The longest URI accepted: a policy and an address make a few hundred bytes.
const MAX_LEN: usize = 8192;

/// What a secure activation QR carries.
#[derive(Clone, Debug)]
pub struct SecureActivation {
    serial: SerialNumber,
    activation_code: ActivationCode,
    policy: Option<Policy>,
    registration_url: Option<String>,
}

/// The plaintext JSON, as the app expects it.
#[derive(Serialize, Deserialize)]
struct Plaintext {
    sn: String,
    ac: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    regurl: Option<String>,
}

impl Drop for Plaintext {
    fn drop(&mut self) {
        self.ac.zeroize();
    }
}

/// The keys derived from the activation password and the salt; wiped on drop.
struct Keys(Zeroizing<[u8; 64]>);

impl Keys {
    fn derive(password: &ActivationPassword, salt: &[u8]) -> Self {
        let mut dk = Zeroizing::new([0u8; 64]);
        pbkdf2_hmac::<Sha256>(&*password.expose_ascii(), salt, ROUNDS, &mut *dk);
        Self(dk)
    }

    fn cipher_key(&self) -> &[u8; 16] {
        self.0.first_chunk().unwrap_or(&[0; 16])
    }

    fn mac(&self, query: &str) -> [u8; MAC_LEN] {
        let mut tag = [0u8; MAC_LEN];
        if let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0[16..48]) {
            mac.update(query.as_bytes());
            tag.copy_from_slice(&mac.finalize().into_bytes()[..MAC_LEN]);
        }
        tag
    }

    fn iv(&self) -> &[u8; 16] {
        self.0.last_chunk().unwrap_or(&[0; 16])
    }
}

impl SecureActivation {
    /// Activation data for a token, as the issuer puts them into the QR.
    #[must_use]
    pub fn new(
        serial: SerialNumber,
        activation_code: ActivationCode,
        policy: Option<Policy>,
        registration_url: Option<String>,
    ) -> Self {
        Self {
            serial,
            activation_code,
            policy,
            registration_url,
        }
    }

    /// The serial number.
    #[must_use]
    pub fn serial(&self) -> SerialNumber {
        self.serial
    }

    /// The activation code (a secret).
    #[must_use]
    pub fn activation_code(&self) -> &ActivationCode {
        &self.activation_code
    }

    /// The token policy, if the QR had one.
    #[must_use]
    pub fn policy(&self) -> Option<&Policy> {
        self.policy.as_ref()
    }

    /// The address the app reports its registration code to, if any.
    #[must_use]
    pub fn registration_url(&self) -> Option<&str> {
        self.registration_url.as_deref()
    }

    /// Encrypts the activation data under `password` into the QR's URI, with a fresh salt.
    #[must_use]
    pub fn encode(&self, password: &ActivationPassword, rng: &mut impl CryptoRng) -> String {
        let plaintext = Plaintext {
            sn: self.serial.to_string(),
            ac: self.activation_code.expose_grouped().to_string(),
            policy: self.policy.as_ref().map(|p| p.as_str().to_owned()),
            regurl: self.registration_url.clone(),
        };
        let json = Zeroizing::new(serde_json::to_vec(&plaintext).unwrap_or_default());
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        let keys = Keys::derive(password, &salt);
        let ciphertext = cbc::Encryptor::<Aes128>::new(keys.cipher_key().into(), keys.iv().into())
            .encrypt_padded_vec::<Pkcs7>(&json);
        let mut enc = Vec::with_capacity(SALT_LEN + ciphertext.len());
        enc.extend_from_slice(&salt);
        enc.extend_from_slice(&ciphertext);
        let query = format!(
            "action=secactivate&enc={}&v=1",
            percent::encode(&STANDARD.encode(&enc))
        );
        let mac = keys.mac(&query);
        format!(
            "igmobileotp://?{query}&mac={}",
            percent::encode(&STANDARD.encode(mac))
        )
    }

    /// Checks the QR's MAC under `password`, decrypts it and returns the typed contents.
    ///
    /// # Errors
    /// - [`SecureQrError::Malformed`]: not such a URI, a missing part, bad base64, a
    ///   ciphertext of the wrong length;
    /// - [`SecureQrError::WrongPasswordOrTampered`]: the MAC does not match (a wrong password
    ///   and an altered URI look the same);
    /// - [`SecureQrError::Contents`]: the MAC matched but the plaintext is not valid
    ///   activation data (bad padding, not JSON, a serial number or activation code that does
    ///   not check out).
    pub fn decode(uri: &str, password: &ActivationPassword) -> Result<Self, SecureQrError> {
        let json = decrypt(uri, password)?;
        let plaintext: Plaintext = serde_json::from_slice(&json)
            .map_err(|e| SecureQrError::Contents(format!("not the expected JSON: {e}")))?;
        let contents = |e: &dyn core::fmt::Display| SecureQrError::Contents(e.to_string());
        Ok(Self {
            serial: plaintext.sn.parse().map_err(|e| contents(&e))?,
            activation_code: plaintext.ac.parse().map_err(|e| contents(&e))?,
            policy: plaintext
                .policy
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| contents(&e))?,
            registration_url: plaintext.regurl.clone(),
        })
    }
}

/// Checks the MAC and decrypts: the plaintext JSON exactly as the issuer wrote it.
fn decrypt(uri: &str, password: &ActivationPassword) -> Result<Zeroizing<Vec<u8>>, SecureQrError> {
    if uri.len() > MAX_LEN {
        return Err(SecureQrError::Malformed("longer than any activation URI"));
    }
    let uri = uri.trim();
    let query = uri
        .strip_prefix("igmobileotp://?")
        .ok_or(SecureQrError::Malformed("not igmobileotp://?…"))?;
    let (signed, mac) = query
        .rsplit_once("&mac=")
        .ok_or(SecureQrError::Malformed("no mac"))?;
    let mut action = None;
    let mut enc = None;
    let mut version = None;
    for pair in signed.split('&') {
        match pair.split_once('=') {
            Some(("action", v)) => action = Some(v),
            Some(("enc", v)) => enc = Some(v),
            Some(("v", v)) => version = Some(v),
            _ => {}
        }
    }
    if action != Some("secactivate") {
        return Err(SecureQrError::Malformed("action is not secactivate"));
    }
    if version != Some("1") {
        return Err(SecureQrError::Malformed("version is not 1"));
    }
    let enc = base64(enc.ok_or(SecureQrError::Malformed("no enc"))?)?;
    let mac = base64(mac)?;
    if mac.len() != MAC_LEN {
        return Err(SecureQrError::Malformed("mac is not 12 bytes"));
    }
    if enc.len() < SALT_LEN + 16 || !(enc.len() - SALT_LEN).is_multiple_of(16) {
        return Err(SecureQrError::Malformed("ciphertext has the wrong length"));
    }
    let (salt, ciphertext) = enc.split_at(SALT_LEN);
    let keys = Keys::derive(password, salt);
    if !bool::from(keys.mac(signed).ct_eq(&mac[..])) {
        return Err(SecureQrError::WrongPasswordOrTampered);
    }
    let json = cbc::Decryptor::<Aes128>::new(keys.cipher_key().into(), keys.iv().into())
        .decrypt_padded_vec::<Pkcs7>(ciphertext)
        .map_err(|_| SecureQrError::Contents("bad padding".into()))?;
    Ok(Zeroizing::new(json))
}

/// Decodes a percent-encoded standard-base64 value (a `+` that arrived as a space is mended).
fn base64(value: &str) -> Result<Vec<u8>, SecureQrError> {
    let decoded = percent::decode(value).ok_or(SecureQrError::Malformed("bad percent-encoding"))?;
    STANDARD
        .decode(decoded.replace(' ', "+"))
        .map_err(|_| SecureQrError::Malformed("bad base64"))
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    use super::*;

    fn vector(key: &str) -> &'static str {
        include_str!("../tests/data/secure_activation.txt")
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(" = "))
            .unwrap()
    }

    /// The public vector decrypts to exactly the published plaintext, byte for byte.
    #[test]
    fn public_vector_plaintext_is_exact() {
        let password: ActivationPassword = vector("Password").parse().unwrap();
        let json = decrypt(vector("Uri"), &password).unwrap();
        assert_eq!(core::str::from_utf8(&json).unwrap(), vector("Plaintext"));
    }

    /// A correct MAC over a ciphertext whose padding is wrong: a contents error, not a panic.
    #[test]
    fn bad_padding_under_a_good_mac_is_reported() {
        let password: ActivationPassword = "12345678".parse().unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let mut enc = [0u8; SALT_LEN + 32];
        rng.fill_bytes(&mut enc);
        let keys = Keys::derive(&password, &enc[..SALT_LEN]);
        // Make the last plaintext byte 0, which no PKCS#7 padding ends with.
        let mut block = [0u8; 32];
        block.copy_from_slice(&enc[SALT_LEN..]);
        let decrypted = cbc::Decryptor::<Aes128>::new(keys.cipher_key().into(), keys.iv().into())
            .decrypt_padded_vec::<cbc::cipher::block_padding::NoPadding>(&block)
            .unwrap();
        enc[SALT_LEN + 15] ^= decrypted[31];
        let query = format!(
            "action=secactivate&enc={}&v=1",
            percent::encode(&STANDARD.encode(enc))
        );
        let mac = keys.mac(&query);
        let uri = format!(
            "igmobileotp://?{query}&mac={}",
            percent::encode(&STANDARD.encode(mac))
        );
        assert_eq!(
            decrypt(&uri, &password).unwrap_err(),
            SecureQrError::Contents("bad padding".into())
        );
    }
}
