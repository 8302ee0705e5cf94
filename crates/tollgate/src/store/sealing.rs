//! Sealing at rest: XChaCha20-Poly1305 under the service's key, each value bound to what it is,
//! whose it is and which serial number it belongs to.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use rand_core::CryptoRng;
use tollgate_login::UserId;
use zeroize::Zeroizing;

use crate::error::Error;

/// The key that seals token secrets and activation codes at rest. 256 random bits, kept
/// outside the database (a secrets manager, a key file readable by the service alone).
#[derive(Clone)]
pub struct SealingKey(Zeroizing<[u8; 32]>);

impl SealingKey {
    /// A key from its 32 bytes.
    #[must_use]
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// A fresh random key.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *bytes);
        Self(bytes)
    }

    /// The key's bytes, to keep in a key file or a secrets manager. A secret.
    #[must_use]
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.0).into())
    }
}

impl core::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SealingKey(<redacted>)")
    }
}

/// The sealed format: this byte, a 24-byte random nonce, then ciphertext and tag.
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 24;

/// What a sealed field is, in its associated data: a token secret cannot be opened as an
/// activation code, nor one user's secret as another's, nor one serial number's as another's.
#[derive(Clone, Copy)]
pub(crate) enum Field {
    TokenSecret,
    ActivationCode,
}

fn associated_data(field: Field, user: &UserId, serial: &str) -> Vec<u8> {
    let label: &[u8] = match field {
        Field::TokenSecret => b"tollgate sealed token secret v1",
        Field::ActivationCode => b"tollgate sealed activation code v1",
    };
    let mut aad = Vec::with_capacity(label.len() + user.as_str().len() + serial.len() + 2);
    aad.extend_from_slice(label);
    aad.push(0);
    aad.extend_from_slice(user.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(serial.as_bytes());
    aad
}

pub(crate) fn seal(
    key: &SealingKey,
    field: Field,
    user: &UserId,
    serial: &str,
    plaintext: &[u8],
) -> Result<Vec<u8>, Error> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce)
        .map_err(|e| Error::Store(format!("no randomness for a nonce: {e}")))?;
    let aad = associated_data(field, user, serial);
    let sealed = key
        .cipher()
        .encrypt(
            &nonce.into(),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| Error::Store("sealing failed".into()))?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
    out.push(SEALED_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

pub(crate) fn open(
    key: &SealingKey,
    field: Field,
    user: &UserId,
    serial: &str,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let what = match field {
        Field::TokenSecret => "token secret",
        Field::ActivationCode => "activation code",
    };
    let refused = || {
        Error::Integrity(format!(
            "the sealed {what} of {user} does not open under this key: wrong key, or the row \
             was altered or moved"
        ))
    };
    let Some((&SEALED_V1, rest)) = sealed.split_first() else {
        return Err(Error::Integrity(format!(
            "the sealed {what} of {user} is not in a format this version knows"
        )));
    };
    if rest.len() < NONCE_LEN {
        return Err(refused());
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| refused())?;
    let aad = associated_data(field, user, serial);
    key.cipher()
        .decrypt(
            &nonce.into(),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| refused())
}
