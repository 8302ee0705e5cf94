//! The ledger: a hash tree over every account row of a database, whose root is sealed under the
//! service's key, so that one row put back as it was earlier (from a backup, or copied before)
//! no longer matches the tree, and the tree cannot be put back with it without putting back
//! every account written since.
//!
//! The seal on a row ([`AccountRow`](crate::AccountRow)) proves that the service wrote it for
//! this user at this version, but not that it is the newest: a database writer who kept an
//! older `(version, state)` pair can write it back, and it opens. What the ledger adds:
//!
//! - Each account falls into one of 65 536 *buckets* by a hash of its User ID. A bucket's
//!   digest is a SHA-256 over the leaves of its rows, in User ID order; a row's *leaf* is a
//!   SHA-256 of its User ID, version and sealed bytes.
//! - 256 buckets make a *group*, stored as one value (its sequence number and its buckets'
//!   digests); the *root* holds the SHA-256 of each of the 256 groups and a sequence number that
//!   every write moves on, sealed under the current sealing key.
//! - Every read of an account checks its bucket's rows against its group, the group against
//!   the root, and the root's seal; every write checks the same before it writes, then writes the
//!   row, the group and the root in the same transaction.
//!
//! So a row written back alone no longer matches its bucket's digest; the group and the root
//! written back with it no longer match the other groups' accounts written since (and the
//! running nodes, which keep the highest sequence number they saw, refuse a root that went
//! back). A whole database put back to one moment is what the ledger cannot tell from the real
//! thing: the crate's README says what that gives and what closes it.

use sha2::{Digest as _, Sha256};
use tollgate_login::{KeyId, RingKey as _, UserId};

use crate::error::StoreError;
use crate::sealing::{SealingKeys, open_body, seal};

/// Buckets in a group, and groups under the root.
pub const FANOUT: usize = 256;

/// A SHA-256.
pub type Hash = [u8; 32];

/// The digest of a bucket with no rows, and of a group with no rows in any bucket.
pub const EMPTY: Hash = [0; 32];

const ROOT_V1: u8 = 1;
const GROUP_V1: u8 = 1;
const BODY_LEN: usize = 1 + 8 + FANOUT * 32;

/// Where an account sits in the tree: its group, and its bucket's place in the group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// The group (`0..FANOUT`).
    pub group: usize,
    /// The bucket within the group (`0..FANOUT`).
    pub slot: usize,
}

impl Place {
    /// The place of `user`'s account.
    #[must_use]
    pub fn of(user: &UserId) -> Self {
        let hash = Sha256::new()
            .chain_update(b"tollgate ledger bucket\0")
            .chain_update(user.as_str().as_bytes())
            .finalize();
        Self {
            group: usize::from(hash[0]),
            slot: usize::from(hash[1]),
        }
    }

    /// The bucket's number, as the `bucket` column holds it.
    #[must_use]
    pub fn bucket(self) -> i64 {
        i64::try_from(self.group * FANOUT + self.slot).unwrap_or_default()
    }

    /// The group's row id in the ledger table.
    #[must_use]
    pub fn group_id(self) -> i64 {
        i64::try_from(self.group).unwrap_or_default()
    }
}

/// A row's leaf: what its bucket's digest covers of it.
#[must_use]
pub fn leaf(user: &UserId, version: u64, sealed: &[u8]) -> Hash {
    Sha256::new()
        .chain_update(b"tollgate ledger leaf\0")
        .chain_update((user.as_str().len() as u64).to_be_bytes())
        .chain_update(user.as_str().as_bytes())
        .chain_update(version.to_be_bytes())
        .chain_update(sealed)
        .finalize()
        .into()
}

/// The digest of a bucket whose rows have these `(User ID, leaf)` pairs, in any order.
#[must_use]
pub fn bucket_digest<'a>(rows: impl IntoIterator<Item = (&'a UserId, Hash)>) -> Hash {
    let mut rows: Vec<_> = rows.into_iter().collect();
    if rows.is_empty() {
        return EMPTY;
    }
    rows.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    let mut hash = Sha256::new().chain_update(b"tollgate ledger bucket digest\0");
    for (user, leaf) in rows {
        hash.update((user.as_str().len() as u64).to_be_bytes());
        hash.update(user.as_str().as_bytes());
        hash.update(leaf);
    }
    hash.finalize().into()
}

/// A group: the sequence number of the write that last changed it, and its buckets' digests.
#[derive(Clone, PartialEq, Eq)]
pub struct Group {
    /// The root's sequence number when this group was last written.
    pub seq: u64,
    /// Each bucket's digest.
    pub buckets: Box<[Hash; FANOUT]>,
}

impl Group {
    /// A group none of whose buckets holds a row (one never written).
    #[must_use]
    pub fn empty() -> Self {
        Self {
            seq: 0,
            buckets: Box::new([EMPTY; FANOUT]),
        }
    }

    /// The group as the ledger table stores it.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        body(GROUP_V1, self.seq, &self.buckets)
    }

    /// A stored group.
    ///
    /// # Errors
    /// [`StoreError::Integrity`] when it is not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StoreError> {
        let (seq, buckets) = parse_body(GROUP_V1, bytes)
            .ok_or_else(|| StoreError::Integrity("a ledger group is not valid".into()))?;
        Ok(Self { seq, buckets })
    }

    /// What the root holds of this group.
    #[must_use]
    pub fn digest(&self) -> Hash {
        if self.buckets.iter().all(|b| *b == EMPTY) {
            return EMPTY;
        }
        Sha256::new()
            .chain_update(b"tollgate ledger group\0")
            .chain_update(self.to_bytes())
            .finalize()
            .into()
    }
}

impl core::fmt::Debug for Group {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Group")
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

/// The root: the sequence number of the last write, and every group's digest.
#[derive(Clone, PartialEq, Eq)]
pub struct Root {
    /// Moves on by one with every write of an account.
    pub seq: u64,
    /// Each group's [`Group::digest`].
    pub groups: Box<[Hash; FANOUT]>,
}

impl core::fmt::Debug for Root {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Root")
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

fn root_aad(key: KeyId) -> Vec<u8> {
    let mut aad = b"tollgate ledger root v1\0".to_vec();
    aad.extend_from_slice(&key.to_bytes());
    aad
}

impl Root {
    /// The root of a database with no accounts.
    #[must_use]
    pub fn empty() -> Self {
        Self {
            seq: 0,
            groups: Box::new([EMPTY; FANOUT]),
        }
    }

    /// The root sealed under the ring's current key, with a nonce from `rng`.
    pub fn seal(
        &self,
        keys: &SealingKeys,
        rng: &mut (impl rand_core::CryptoRng + ?Sized),
    ) -> Vec<u8> {
        let key = keys.current();
        let [a, b, c, d] = key.id().to_bytes();
        seal(
            key,
            &[ROOT_V1, a, b, c, d],
            &root_aad(key.id()),
            &body(ROOT_V1, self.seq, &self.groups),
            rng,
        )
    }

    /// A sealed root, opened under the key it names.
    ///
    /// # Errors
    /// [`StoreError::Integrity`] when it does not open under a key of `keys`, or holds what no
    /// root can.
    pub fn open(sealed: &[u8], keys: &SealingKeys) -> Result<Self, StoreError> {
        let refused = || {
            StoreError::Integrity(
                "the ledger's root does not open under this service's keys: it was altered or \
                 written by another service"
                    .into(),
            )
        };
        let [ROOT_V1, a, b, c, d, rest @ ..] = sealed else {
            return Err(refused());
        };
        let id = KeyId::from_bytes([*a, *b, *c, *d]);
        let key = keys.find(id).ok_or_else(refused)?;
        let plain = open_body(key, &root_aad(id), rest).map_err(|_| refused())?;
        let (seq, groups) = parse_body(ROOT_V1, &plain).ok_or_else(refused)?;
        Ok(Self { seq, groups })
    }
}

fn body(format: u8, seq: u64, hashes: &[Hash; FANOUT]) -> Vec<u8> {
    let mut out = Vec::with_capacity(BODY_LEN);
    out.push(format);
    out.extend_from_slice(&seq.to_be_bytes());
    for hash in hashes {
        out.extend_from_slice(hash);
    }
    out
}

fn parse_body(format: u8, bytes: &[u8]) -> Option<(u64, Box<[Hash; FANOUT]>)> {
    if bytes.len() != BODY_LEN || bytes.first() != Some(&format) {
        return None;
    }
    let seq = u64::from_be_bytes(bytes.get(1..9)?.try_into().ok()?);
    let mut hashes = Box::new([EMPTY; FANOUT]);
    for (hash, chunk) in hashes.iter_mut().zip(bytes.get(9..)?.chunks_exact(32)) {
        hash.copy_from_slice(chunk);
    }
    Some((seq, hashes))
}

/// What one check of a bucket found wrong, in words for [`StoreError::Integrity`].
#[must_use]
pub fn mismatch(user: &UserId, what: &str) -> StoreError {
    StoreError::Integrity(format!(
        "the account rows around {user} do not match the ledger ({what}): a row was put back, \
         written or removed outside this service"
    ))
}

/// Checks a bucket's rows against its group, and the group against the root; the group's
/// bucket digest otherwise.
///
/// # Errors
/// [`StoreError::Integrity`] when they do not match.
pub fn check<'a>(
    user: &UserId,
    place: Place,
    root: &Root,
    group: &Group,
    rows: impl IntoIterator<Item = (&'a UserId, Hash)>,
) -> Result<(), StoreError> {
    if group.digest() != root.groups[place.group] {
        return Err(mismatch(user, "its group is not the root's"));
    }
    if bucket_digest(rows) != group.buckets[place.slot] {
        return Err(mismatch(user, "its bucket's rows are not the group's"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SealingKey;

    fn user(s: &str) -> UserId {
        s.parse().unwrap()
    }

    #[test]
    fn a_bucket_digest_is_its_rows_in_any_order_and_nothing_else() {
        let (a, b) = (user("a@example.com"), user("b@example.com"));
        let (la, lb) = (leaf(&a, 3, b"x"), leaf(&b, 1, b"y"));
        assert_eq!(
            bucket_digest([(&a, la), (&b, lb)]),
            bucket_digest([(&b, lb), (&a, la)])
        );
        assert_ne!(
            bucket_digest([(&a, la), (&b, lb)]),
            bucket_digest([(&a, leaf(&a, 2, b"x")), (&b, lb)]),
            "an older version is another digest"
        );
        assert_ne!(
            bucket_digest([(&a, la)]),
            bucket_digest([(&a, la), (&b, lb)])
        );
        assert_eq!(bucket_digest([]), EMPTY);
    }

    #[test]
    fn the_root_opens_under_its_key_only_and_not_altered() {
        let keys: SealingKeys = SealingKey::new([7; 32]).into();
        let mut root = Root::empty();
        root.seq = 41;
        root.groups[3] = [9; 32];
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let sealed = root.seal(&keys, &mut rng);
        assert_eq!(Root::open(&sealed, &keys).unwrap(), root);
        let other: SealingKeys = SealingKey::new([8; 32]).into();
        assert!(Root::open(&sealed, &other).is_err());
        for i in [0, 5, 40, sealed.len() - 1] {
            let mut altered = sealed.clone();
            altered[i] ^= 1;
            assert!(Root::open(&altered, &keys).is_err(), "byte {i}");
        }
        assert!(Root::open(&sealed[..sealed.len() - 1], &keys).is_err());
    }

    #[test]
    fn a_group_reads_back_and_an_empty_one_digests_to_empty() {
        let mut group = Group::empty();
        assert_eq!(group.digest(), EMPTY);
        group.seq = 5;
        group.buckets[200] = [1; 32];
        assert_eq!(Group::from_bytes(&group.to_bytes()).unwrap(), group);
        assert_ne!(group.digest(), EMPTY);
        assert!(Group::from_bytes(&group.to_bytes()[1..]).is_err());
    }

    use rand_core::SeedableRng as _;
}
