//! An account's state as a database row holds it: the account's own encoding
//! ([`AccountState::encode`]: counters, locks, tokens, pending activation, all of it) sealed as
//! one value under the service's [`SealingKey`](crate::SealingKey), bound to its user and its
//! version, beside the serial numbers it holds in the clear (for their uniqueness). The store
//! seals and indexes those bytes and never looks inside them.
//!
//! Because the whole state is sealed, a database writer can neither read a secret nor reset a
//! failure count, spend a code again by editing a step, or move one user's state to another:
//! any of those is refused as [`StoreError::Integrity`].

use tollgate_login::{AccountState, KeyId, RingKey as _, UserId};

use crate::error::StoreError;
use crate::sealing::{SealingKeys, Unsealed, open, open_body, seal};

/// The sealed format of an account's state before key identifiers: this byte, a 24-byte
/// nonce, then the ciphertext and tag of the state's encoding. Still read (under every key of the
/// ring); no longer written.
const STATE_V2: u8 = 2;
/// Since key rotation: this byte, the sealing key's 4-byte [`KeyId`], a 24-byte nonce, then
/// the ciphertext and tag of the state's encoding; the associated data also covers the key id.
const STATE_V3: u8 = 3;

/// An account's state, sealed, with the serial numbers it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    /// The sealed state.
    pub sealed: Vec<u8>,
    /// The serial numbers of its token and pending activation, which the store keeps unique
    /// across accounts.
    pub serials: Vec<String>,
}

fn associated_data(key: Option<KeyId>, user: &UserId, version: u64) -> Vec<u8> {
    let label: &[u8] = match key {
        Some(_) => b"tollgate account state v3\0",
        None => b"tollgate account state v2\0",
    };
    let mut aad = Vec::with_capacity(label.len() + user.as_str().len() + 13);
    aad.extend_from_slice(label);
    if let Some(id) = key {
        aad.extend_from_slice(&id.to_bytes());
    }
    aad.extend_from_slice(user.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(&version.to_be_bytes());
    aad
}

impl AccountRow {
    /// `state`, sealed under the ring's current key for `user` at `version` (the version the
    /// row will have once written), with a nonce from `rng`.
    pub fn seal(
        state: &AccountState,
        user: &UserId,
        version: u64,
        keys: &SealingKeys,
        rng: &mut (impl rand_core::CryptoRng + ?Sized),
    ) -> Self {
        let key = keys.current();
        let plain = state.encode();
        let aad = associated_data(Some(key.id()), user, version);
        let [a, b, c, d] = key.id().to_bytes();
        Self {
            sealed: seal(key, &[STATE_V3, a, b, c, d], &aad, &plain, rng),
            serials: state.serials().map(|s| s.to_string()).collect(),
        }
    }

    /// The identifier of the key `sealed` was sealed under; `None` for a row sealed before key
    /// identifiers (or not a sealed state at all).
    #[must_use]
    pub fn key_id(sealed: &[u8]) -> Option<KeyId> {
        match sealed {
            [STATE_V3, a, b, c, d, ..] => Some(KeyId::from_bytes([*a, *b, *c, *d])),
            _ => None,
        }
    }

    /// The state `sealed` holds, if it was sealed under a key of `keys` for `user` at
    /// `version`.
    ///
    /// # Errors
    /// [`StoreError::Integrity`] when it does not open (a key the ring does not hold, altered,
    /// another user's, another version's) or holds what no account can.
    pub fn open(
        sealed: &[u8],
        user: &UserId,
        version: u64,
        keys: &SealingKeys,
    ) -> Result<AccountState, StoreError> {
        let refused = || {
            StoreError::Integrity(format!(
                "the sealed state of {user} at version {version} does not open under this key: \
                 wrong key, or the row was altered, moved or put back at another version"
            ))
        };
        let plain = match Self::key_id(sealed) {
            Some(id) => {
                let key = keys.find(id).ok_or_else(|| {
                    StoreError::Integrity(format!(
                        "the sealed state of {user} is sealed under key {id}, which this service \
                         was not given (it holds {})",
                        keys.ids()
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
                // After the format byte and the key id: nonce, ciphertext and tag.
                let body = sealed.get(5..).unwrap_or_default();
                open_body(key, &associated_data(Some(id), user, version), body)
                    .map_err(|_| refused())?
            }
            None => {
                let aad = associated_data(None, user, version);
                let mut opened = Err(Unsealed::Refused);
                for key in keys.all() {
                    opened = open(key, STATE_V2, &aad, sealed);
                    if !matches!(opened, Err(Unsealed::Refused)) {
                        break;
                    }
                }
                opened.map_err(|e| match e {
                    Unsealed::Format => StoreError::Integrity(format!(
                        "the sealed state of {user} is not in a format this version knows"
                    )),
                    Unsealed::Refused => refused(),
                })?
            }
        };
        AccountState::decode(&plain)
            .map_err(|e| StoreError::Integrity(format!("the sealed state of {user} is {e}")))
    }
}
