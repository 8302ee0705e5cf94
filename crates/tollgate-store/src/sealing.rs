//! Sealing at rest: XChaCha20-Poly1305 under the service's key, with associated data that says
//! what the value is, whose it is, and (for an account's state) at which version.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use rand_core::CryptoRng;
use tollgate_login::{KeyId, KeyRing, RingKey};
use zeroize::Zeroizing;

/// The key that seals accounts' states (token secrets, activation data, counters) at rest.
/// 256 random bits, kept outside the database (a secrets manager, a key file readable by the
/// service alone). Redacted `Debug`, no `Default`, wiped on drop.
///
/// Its [`KeyId`] is written into every row it seals, so that a [`SealingKeys`] ring can hold
/// old keys beside the current one while the rows are re-sealed.
#[derive(Clone)]
pub struct SealingKey(Zeroizing<[u8; 32]>, KeyId);

/// The current sealing key and the old ones that still open rows sealed before a rotation.
pub type SealingKeys = KeyRing<SealingKey>;

impl SealingKey {
    /// A key from its 32 bytes.
    #[must_use]
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(
            Zeroizing::new(bytes),
            KeyId::derive("account sealing", &bytes),
        )
    }

    /// A fresh random key.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *bytes);
        Self::new(*bytes)
    }

    /// The key's bytes, to keep in a key file or a secrets manager.
    ///
    /// # Security
    /// Whoever has it (and the database) has every token secret.
    #[must_use]
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.0).into())
    }
}

impl RingKey for SealingKey {
    fn id(&self) -> KeyId {
        self.1
    }
}

tollgate_otp::redacted_debug!(SealingKey, "id {}", 1);

const NONCE_LEN: usize = 24;

/// `header || nonce || ciphertext || tag`, the nonce drawn from `rng`.
pub(crate) fn seal(
    key: &SealingKey,
    header: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut (impl CryptoRng + ?Sized),
) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    // Encryption fails only for a plaintext beyond 256 GiB.
    let sealed = key
        .cipher()
        .encrypt(
            &nonce.into(),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .unwrap_or_default();
    let mut out = Vec::with_capacity(header.len() + NONCE_LEN + sealed.len());
    out.extend_from_slice(header);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// Why a sealed value did not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unsealed {
    /// Not the format byte expected.
    Format,
    /// Wrong key, or the value or its associated data changed.
    Refused,
}

/// The plaintext of a value [`seal`] made with this format and associated data.
pub(crate) fn open(
    key: &SealingKey,
    format: u8,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Unsealed> {
    let Some((&found, rest)) = sealed.split_first() else {
        return Err(Unsealed::Format);
    };
    if found != format {
        return Err(Unsealed::Format);
    }
    open_body(key, aad, rest)
}

/// The plaintext of `nonce || ciphertext || tag` (what follows a sealed value's header).
pub(crate) fn open_body(
    key: &SealingKey,
    aad: &[u8],
    body: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Unsealed> {
    let Some((nonce, ciphertext)) = body.split_at_checked(NONCE_LEN) else {
        return Err(Unsealed::Refused);
    };
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Unsealed::Refused)?;
    key.cipher()
        .decrypt(
            &nonce.into(),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| Unsealed::Refused)
}
