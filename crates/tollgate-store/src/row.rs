//! An account's state as a database row holds it: the account's own encoding
//! ([`AccountState::encode`]: counters, locks, tokens, pending activation, all of it) sealed as
//! one value under the service's [`SealingKey`](crate::SealingKey), bound to its user and its
//! version, beside the serial numbers it holds in the clear (for their uniqueness). The store
//! seals and indexes those bytes and never looks inside them.
//!
//! Since 0.3 a row seals the whole user ([`AccountRow::seal_user`]): the password hash and the
//! contacts with the state, so that nothing the login trusts sits outside the seal (the plain
//! columns a database keeps beside it are checked against it). The state alone
//! ([`AccountRow::seal`], [`AccountRow::open`]) is the format of 0.1 and 0.2, which only
//! migrations read now.
//!
//! Because the whole user is sealed, a database writer can neither read a secret nor reset a
//! failure count, spend a code again by editing a step, write their own password hash or phone
//! number, or move one user's row to another: any of those is refused as
//! [`StoreError::Integrity`]. Putting back an older row of the same user is what the seal alone
//! cannot see; the [`ledger`](crate::ledger) does.

use tollgate_login::{Account, AccountState, KeyId, RingKey as _, UserId};

use crate::error::StoreError;
use crate::sealing::{SealingKeys, Unsealed, open, open_body, seal};
use crate::{PasswordHash, UserRecord};

/// The sealed format of an account's state before key identifiers: this byte, a 24-byte
/// nonce, then the ciphertext and tag of the state's encoding. Still read (under every key of the
/// ring); no longer written.
const STATE_V2: u8 = 2;
/// Since key rotation: this byte, the sealing key's 4-byte [`KeyId`], a 24-byte nonce, then
/// the ciphertext and tag of the state's encoding; the associated data also covers the key id.
const STATE_V3: u8 = 3;
/// Since 0.3: this byte, the key id, a 24-byte nonce, then the ciphertext and tag of the whole
/// user ([`encode_user`]); the associated data covers the key id, the user and the version.
const USER_V4: u8 = 4;

/// An account's state, sealed, with the serial numbers it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    /// The sealed state.
    pub sealed: Vec<u8>,
    /// What the account holds uniquely ([`AccountState::claims`]): the serial numbers of its
    /// tokens and pending activation, and its passkeys' credential IDs (hashed), which the store
    /// keeps unique across accounts.
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

fn user_aad(key: KeyId, user: &UserId, version: u64) -> Vec<u8> {
    let mut aad = b"tollgate account row v4\0".to_vec();
    aad.extend_from_slice(&key.to_bytes());
    aad.extend_from_slice(user.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(&version.to_be_bytes());
    aad
}

/// The plaintext of a [`USER_V4`] row: the password hash, the mobile number and the e-mail
/// address, each a 2-byte length and its UTF-8 (a contact that is absent: the length 0xFFFF),
/// then the state's own encoding.
fn encode_user(user: &UserRecord) -> zeroize::Zeroizing<Vec<u8>> {
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(512));
    let mut field = |text: Option<&str>| match text {
        Some(text) => {
            let bytes = text.as_bytes();
            // Every field is far below 64 KiB (User IDs, PHC strings, contacts are bounded);
            // a longer one is cut rather than written with a wrong length.
            let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX - 1);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(bytes.get(..usize::from(len)).unwrap_or_default());
        }
        None => out.extend_from_slice(&u16::MAX.to_be_bytes()),
    };
    field(Some(user.password.as_str()));
    field(user.account.mobile().map(|m| m.as_str()));
    field(user.account.email().map(|e| e.as_str()));
    out.extend_from_slice(&user.account.state().encode());
    out
}

fn decode_user(id: &UserId, version: u64, plain: &[u8]) -> Option<UserRecord> {
    fn field<'a>(rest: &mut &'a [u8]) -> Option<Option<&'a str>> {
        let (len, tail) = rest.split_first_chunk::<2>()?;
        let len = u16::from_be_bytes(*len);
        if len == u16::MAX {
            *rest = tail;
            return Some(None);
        }
        let (text, tail) = tail.split_at_checked(usize::from(len))?;
        *rest = tail;
        Some(Some(core::str::from_utf8(text).ok()?))
    }
    let mut rest = plain;
    let password = field(&mut rest)??;
    let mobile = field(&mut rest)?.map(str::parse).transpose().ok()?;
    let email = field(&mut rest)?.map(str::parse).transpose().ok()?;
    let state = AccountState::decode(rest).ok()?;
    Some(UserRecord {
        id: id.clone(),
        password: PasswordHash::from_phc(password.to_owned()),
        account: Account::new(version, mobile, email, state),
    })
}

impl AccountRow {
    /// The whole `user` (password hash, contacts, state) sealed under the ring's current key,
    /// bound to their User ID and to `version` (the version the row will have once written),
    /// with a nonce from `rng`. The account's own version is not used.
    pub fn seal_user(
        user: &UserRecord,
        version: u64,
        keys: &SealingKeys,
        rng: &mut (impl rand_core::CryptoRng + ?Sized),
    ) -> Self {
        let key = keys.current();
        let aad = user_aad(key.id(), &user.id, version);
        let [a, b, c, d] = key.id().to_bytes();
        Self {
            sealed: seal(key, &[USER_V4, a, b, c, d], &aad, &encode_user(user), rng),
            serials: user.account.state().claims().collect(),
        }
    }

    /// The user `sealed` holds, at `version`, if the service sealed it for `user` at that
    /// version in the format of 0.3 ([`AccountRow::seal_user`]).
    ///
    /// # Errors
    /// [`StoreError::Integrity`] when it does not open (a key the ring does not hold, altered,
    /// another user's, another version's, or a row of the earlier format, which only migrations
    /// read), or holds what no user can.
    pub fn open_user(
        sealed: &[u8],
        user: &UserId,
        version: u64,
        keys: &SealingKeys,
    ) -> Result<UserRecord, StoreError> {
        let refused = || {
            StoreError::Integrity(format!(
                "the sealed row of {user} at version {version} does not open under this \
                 service's keys: wrong key, or the row was altered, moved, put back at another \
                 version, or written in an earlier format"
            ))
        };
        let [USER_V4, a, b, c, d, body @ ..] = sealed else {
            return Err(refused());
        };
        let id = KeyId::from_bytes([*a, *b, *c, *d]);
        let key = keys.find(id).ok_or_else(refused)?;
        let plain = open_body(key, &user_aad(id, user, version), body).map_err(|_| refused())?;
        decode_user(user, version, &plain).ok_or_else(|| {
            StoreError::Integrity(format!("the sealed row of {user} holds no valid user"))
        })
    }

    /// `state` alone, sealed under the ring's current key for `user` at `version` (the version
    /// the row will have once written), with a nonce from `rng`: the format of 0.1 and 0.2, kept
    /// for migrations and their tests. A store writes [`AccountRow::seal_user`].
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
            serials: state.claims().collect(),
        }
    }

    /// The identifier of the key `sealed` was sealed under; `None` for a row sealed before key
    /// identifiers (or not a sealed state at all).
    #[must_use]
    pub fn key_id(sealed: &[u8]) -> Option<KeyId> {
        match sealed {
            [STATE_V3 | USER_V4, a, b, c, d, ..] => Some(KeyId::from_bytes([*a, *b, *c, *d])),
            _ => None,
        }
    }

    /// The state `sealed` holds, if it was sealed under a key of `keys` for `user` at
    /// `version` in the format of 0.1 and 0.2 ([`AccountRow::seal`]): what a migration reads.
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
