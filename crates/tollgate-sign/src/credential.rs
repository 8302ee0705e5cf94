//! A signing credential (CSC API §8.4): a key pair in a backend, its certificate chain, its
//! owner, and the authorizations not spent yet. Every change is a named method on a whole
//! value, which a store writes back with compare-and-set ([`crate::change_credential`]).

use rand_core::CryptoRng;
use tollgate_login::UserId;
use tollgate_otp::UnixTime;

use crate::algorithm::{HashAlgorithm, KeyAlgorithm};
use crate::authorization::{self, Authorization, Digest, Sad, SadKeys, SignatureRequest};
use crate::error::Refused;
use crate::keys::KeyRef;

/// Authorizations a credential keeps open at once; a new one past this ends the oldest.
pub const MAX_OPEN_AUTHORIZATIONS: usize = 8;

/// Wrong proofs of the second factor at `credentials/authorize`, in a row, after which the
/// credential locks by default (CSC §8.5: the RSSP "may lock the credential"); an
/// administrator unlocks it. Each one also counts against the account's second-factor budget.
pub const DEFAULT_FAILURE_LIMIT: u32 = 5;

/// A credential's ID: 128 random bits, base64url (22 characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CredentialId(String);

impl CredentialId {
    /// A new random ID.
    pub fn generate(rng: &mut (impl CryptoRng + ?Sized)) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        Self(crate::base64_serde::encode_url(&bytes))
    }

    /// The ID's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::str::FromStr for CredentialId {
    type Err = Refused;

    /// An ID as a client sends it: 22 base64url characters, or [`Refused::NotAuthorized`]
    /// (an ID that cannot exist is answered as one that does not).
    fn from_str(text: &str) -> Result<Self, Refused> {
        let ok = text.len() == 22
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(Refused::NotAuthorized)
        }
    }
}

impl core::fmt::Display for CredentialId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a credential signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// It signs once authorized.
    Active,
    /// Too many wrong proofs: it signs nothing until an administrator unlocks it.
    Locked {
        /// Since when.
        #[serde(with = "crate::unix_serde")]
        at: UnixTime,
    },
    /// Revoked by its owner or an administrator: for good.
    Revoked {
        /// Since when.
        #[serde(with = "crate::unix_serde")]
        at: UnixTime,
    },
}

/// A signing credential.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Credential {
    id: String,
    owner: String,
    description: String,
    #[serde(with = "crate::unix_serde")]
    created_at: UnixTime,
    key: KeyRef,
    key_algorithm: KeyAlgorithm,
    /// The chain, the credential's own certificate first, DER.
    #[serde(with = "crate::base64_serde::list")]
    certificates: Vec<Vec<u8>>,
    #[serde(flatten)]
    status: Status,
    /// Wrong proofs in a row.
    failures: u32,
    authorizations: Vec<Authorization>,
    /// Signatures made, ever.
    signatures: u64,
}

/// What a credential's encoding starts with: the format's version.
const ENCODING: u8 = 1;

/// The record does not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the credential's record does not decode")]
pub struct DecodeError;

impl Credential {
    /// A new credential of `owner`, with its key and its certificate chain (its own first).
    #[must_use]
    pub fn new(
        id: CredentialId,
        owner: &UserId,
        key: KeyRef,
        key_algorithm: KeyAlgorithm,
        certificates: Vec<Vec<u8>>,
        description: &str,
        now: UnixTime,
    ) -> Self {
        Self {
            id: id.0,
            owner: owner.as_str().to_owned(),
            description: description
                .chars()
                .take(authorization::MAX_DESCRIPTION)
                .collect(),
            created_at: now,
            key,
            key_algorithm,
            certificates,
            status: Status::Active,
            failures: 0,
            authorizations: Vec::new(),
            signatures: 0,
        }
    }

    /// Its ID.
    #[must_use]
    pub fn id(&self) -> CredentialId {
        CredentialId(self.id.clone())
    }

    /// Whether `user` owns it.
    #[must_use]
    pub fn is_owned_by(&self, user: &UserId) -> bool {
        self.owner == user.as_str()
    }

    /// Its owner's User ID, as text.
    #[must_use]
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// What it is called.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }

    /// When it was made.
    #[must_use]
    pub fn created_at(&self) -> UnixTime {
        self.created_at
    }

    /// Where its key is.
    #[must_use]
    pub fn key(&self) -> &KeyRef {
        &self.key
    }

    /// Its key's algorithm.
    #[must_use]
    pub fn key_algorithm(&self) -> KeyAlgorithm {
        self.key_algorithm
    }

    /// Its certificate chain, its own first (DER).
    #[must_use]
    pub fn certificates(&self) -> &[Vec<u8>] {
        &self.certificates
    }

    /// Whether it signs.
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }

    /// Wrong proofs in a row.
    #[must_use]
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Signatures it made.
    #[must_use]
    pub fn signatures(&self) -> u64 {
        self.signatures
    }

    /// The authorizations open at `now`.
    #[must_use]
    pub fn open_authorizations(&self, now: UnixTime) -> usize {
        self.authorizations
            .iter()
            .filter(|a| a.expires_at > now)
            .count()
    }

    /// Refuses unless it is active.
    ///
    /// # Errors
    /// [`Refused::Revoked`] or [`Refused::Locked`].
    pub fn usable(&self) -> Result<(), Refused> {
        match self.status {
            Status::Active => Ok(()),
            Status::Locked { .. } => Err(Refused::Locked),
            Status::Revoked { .. } => Err(Refused::Revoked),
        }
    }

    /// The second factor was proven for `request`: opens an authorization for it, ending at
    /// `now + lifetime`, and forgives earlier wrong proofs. Expired authorizations are dropped,
    /// and the oldest when [`MAX_OPEN_AUTHORIZATIONS`] are open.
    ///
    /// # Errors
    /// [`Refused::Revoked`], [`Refused::Locked`].
    pub fn authorize(
        &mut self,
        user: &UserId,
        request: &SignatureRequest,
        keys: &SadKeys,
        lifetime: u64,
        now: UnixTime,
        rng: &mut (impl CryptoRng + ?Sized),
    ) -> Result<Sad, Refused> {
        self.usable()?;
        if !self.is_owned_by(user) {
            return Err(Refused::NotAuthorized);
        }
        self.failures = 0;
        self.authorizations.retain(|a| a.expires_at > now);
        while self.authorizations.len() >= MAX_OPEN_AUTHORIZATIONS {
            self.authorizations.remove(0);
        }
        let mut id = vec![0u8; 16];
        rng.fill_bytes(&mut id);
        let sad = authorization::seal(keys, user, &self.id(), &id, rng);
        self.authorizations.push(Authorization {
            id,
            hash_algorithm: request.hash_algorithm(),
            hashes: request.hashes().to_vec(),
            remaining: request.num_signatures(),
            expires_at: UnixTime::from_secs(now.as_secs().saturating_add(lifetime)),
        });
        Ok(sad)
    }

    /// A wrong proof of the second factor at authorize: counted, and the credential locked at
    /// `limit` in a row. Whether it is locked now.
    pub fn proof_refused(&mut self, limit: u32, now: UnixTime) -> bool {
        self.failures = self.failures.saturating_add(1);
        if self.failures >= limit && self.status == Status::Active {
            self.status = Status::Locked { at: now };
        }
        matches!(self.status, Status::Locked { .. })
    }

    /// Spends `sad` on `hashes` of `algorithm` for `user`: each must be one the authorization
    /// names and has not signed, and as many signatures must be left. The hashes signed leave
    /// the authorization, which ends when none are left. Nothing changes when it refuses.
    ///
    /// # Errors
    /// [`Refused::NotAuthorized`] (the SAD does not open for this user and credential, or its
    /// authorization is spent or gone), [`Refused::Expired`], [`Refused::AlgorithmMismatch`],
    /// [`Refused::HashNotAuthorized`], [`Refused::Revoked`], [`Refused::Locked`].
    pub fn spend(
        &mut self,
        user: &UserId,
        sad: &Sad,
        keys: &SadKeys,
        algorithm: HashAlgorithm,
        hashes: &[Digest],
        now: UnixTime,
    ) -> Result<(), Refused> {
        self.usable()?;
        if !self.is_owned_by(user) {
            return Err(Refused::NotAuthorized);
        }
        let id = authorization::open(keys, user, &self.id(), sad)?;
        let at = self
            .authorizations
            .iter()
            .position(|a| a.id == id)
            .ok_or(Refused::NotAuthorized)?;
        let open = &self.authorizations[at];
        if open.expires_at <= now {
            return Err(Refused::Expired);
        }
        if open.hash_algorithm != algorithm {
            return Err(Refused::AlgorithmMismatch);
        }
        if hashes.is_empty()
            || hashes.len() > open.remaining as usize
            || !hashes.iter().all(|h| open.hashes.contains(h))
            || (1..hashes.len()).any(|i| hashes[..i].contains(&hashes[i]))
        {
            return Err(Refused::HashNotAuthorized);
        }
        let open = &mut self.authorizations[at];
        open.hashes.retain(|h| !hashes.contains(h));
        // At most MAX_HASHES, checked above against `remaining`.
        open.remaining = open
            .remaining
            .saturating_sub(u32::try_from(hashes.len()).unwrap_or(u32::MAX));
        if open.remaining == 0 || open.hashes.is_empty() {
            self.authorizations.remove(at);
        }
        self.signatures = self.signatures.saturating_add(hashes.len() as u64);
        Ok(())
    }

    /// Revokes it, ending its authorizations. Whether it was not revoked already.
    pub fn revoke(&mut self, now: UnixTime) -> bool {
        if matches!(self.status, Status::Revoked { .. }) {
            return false;
        }
        self.status = Status::Revoked { at: now };
        self.authorizations.clear();
        true
    }

    /// An administrator unlocks it (a revoked one stays revoked). Whether it was locked.
    pub fn unlock(&mut self) -> bool {
        if !matches!(self.status, Status::Locked { .. }) {
            return false;
        }
        self.status = Status::Active;
        self.failures = 0;
        true
    }

    /// Its stored form: a version byte, then JSON. A store seals it.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = vec![ENCODING];
        // Serialising plain data to a Vec cannot fail.
        bytes.extend(serde_json::to_vec(self).unwrap_or_default());
        bytes
    }

    /// A stored form read back.
    ///
    /// # Errors
    /// [`DecodeError`] for another version or bytes that do not read.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        match bytes.split_first() {
            Some((&ENCODING, json)) => serde_json::from_slice(json).map_err(|_| DecodeError),
            _ => Err(DecodeError),
        }
    }
}
