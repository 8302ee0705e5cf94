//! The [`ledger`](crate::ledger) in SQL: every read of an account checks its bucket, and every
//! write of one checks it under the root's lock and then moves the bucket, its group and the
//! root on in the same transaction.

use tollgate_login::UserId;

use super::SqlStore;
use crate::error::StoreError;
use crate::ledger::{self, Group, Place, Root};
use crate::row::AccountRow;
use crate::sealing::SealingKeys;
use crate::sql::{Backend, Connection, Value, failed, to_i64};
use crate::{PasswordHash, UserRecord};

/// A bucket's rows, its group and the root in one statement: one snapshot in both databases
/// (a statement sees one in PostgreSQL, and is its own read transaction in SQLite), so a write
/// cannot land between them. The first column says which: 0 a row, 1 a ledger value (whose
/// id is in the version's place).
const SELECT_BUCKET: &str = "SELECT 0, id, password_hash, mobile, email, version, state \
     FROM tollgate_users WHERE bucket = $1 \
     UNION ALL SELECT 1, NULL, NULL, NULL, NULL, id, body \
     FROM tollgate_ledger WHERE id = -1 OR id = $2";
/// Takes the root's row lock (PostgreSQL; SQLite's write transactions are exclusive already):
/// every write of an account goes through it, one at a time.
const LOCK_ROOT: &str = "UPDATE tollgate_ledger SET id = id WHERE id = -1";
/// The group and the root, written together.
const WRITE_LEDGER: &str = "INSERT INTO tollgate_ledger (id, body) VALUES ($1, $2), (-1, $3) \
     ON CONFLICT (id) DO UPDATE SET body = excluded.body";
const UPSERT_GROUP: &str = "INSERT INTO tollgate_ledger (id, body) VALUES ($1, $2) \
     ON CONFLICT (id) DO UPDATE SET body = excluded.body";
const ALL_USERS: &str = "SELECT id, password_hash, mobile, email, version, state \
     FROM tollgate_users ORDER BY id";
const SET_BUCKET: &str = "UPDATE tollgate_users SET bucket = $2, state = $3 WHERE id = $1";
const INSERT_ROOT: &str = "INSERT INTO tollgate_ledger (id, body) VALUES (-1, $1)";

/// How many times a read starts again when it finds a root older than one this handle read.
const READ_TRIES: usize = 32;

/// One account row as the database holds it. Its `Debug` shows the User ID and version alone
/// (the row holds a password hash and contacts).
#[derive(Clone)]
pub(super) struct RawRow {
    pub(super) id: UserId,
    pub(super) password: String,
    pub(super) mobile: Option<String>,
    pub(super) email: Option<String>,
    pub(super) version: u64,
    pub(super) sealed: Vec<u8>,
}

impl core::fmt::Debug for RawRow {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RawRow")
            .field("id", &self.id)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl RawRow {
    fn leaf(&self) -> ledger::Hash {
        ledger::leaf(&self.id, self.version, &self.sealed)
    }

    /// The user the row seals, checked against the plain columns beside it.
    pub(super) fn open(&self, keys: &SealingKeys) -> Result<UserRecord, StoreError> {
        let user = AccountRow::open_user(&self.sealed, &self.id, self.version, keys)?;
        let same = user.password.as_str() == self.password
            && user.account.mobile().map(|m| m.as_str()) == self.mobile.as_deref()
            && user.account.email().map(|e| e.as_str()) == self.email.as_deref();
        if !same {
            return Err(StoreError::Integrity(format!(
                "the plain columns of {} are not what its sealed row holds: they were written \
                 outside this service",
                self.id
            )));
        }
        Ok(user)
    }

    fn parse(row: &[Value]) -> Result<Self, StoreError> {
        let corrupt = || StoreError::Integrity("an account row has the wrong types".into());
        let [
            Value::Text(id),
            Value::Text(password),
            mobile,
            email,
            Value::Int(version),
            Value::Blob(sealed),
        ] = row
        else {
            return Err(corrupt());
        };
        Ok(Self {
            id: id.parse().map_err(|_| corrupt())?,
            password: password.clone(),
            mobile: mobile.as_opt_text().ok_or_else(corrupt)?,
            email: email.as_opt_text().ok_or_else(corrupt)?,
            version: u64::try_from(*version).map_err(|_| corrupt())?,
            sealed: sealed.clone(),
        })
    }
}

/// A bucket read and checked against the ledger.
pub(super) struct Bucket {
    place: Place,
    root: Root,
    group: Group,
    /// Its rows.
    pub(super) rows: Vec<RawRow>,
}

impl Bucket {
    /// The row of `user`, if the bucket holds one.
    pub(super) fn row(&self, user: &UserId) -> Option<&RawRow> {
        self.rows.iter().find(|r| &r.id == user)
    }
}

/// What one pass of reads found, before it is checked.
struct Read {
    root: Option<Vec<u8>>,
    rows: Vec<Vec<Value>>,
    group: Option<Vec<u8>>,
}

/// The bucket's rows, its group and the root, in one statement.
fn read(c: &mut dyn Connection, place: Place) -> Result<Read, StoreError> {
    let all = c
        .query(
            SELECT_BUCKET,
            &[Value::Int(place.bucket()), Value::Int(place.group_id())],
        )
        .map_err(failed("read accounts"))?;
    let mut read = Read {
        root: None,
        rows: Vec::new(),
        group: None,
    };
    for mut row in all {
        let kind = row.first().and_then(Value::as_int);
        match (kind, row.get(5).and_then(Value::as_int), row.pop()) {
            (Some(1), Some(-1), Some(Value::Blob(body))) => read.root = Some(body),
            (Some(1), Some(_), Some(Value::Blob(body))) => read.group = Some(body),
            (Some(0), _, Some(state)) => {
                row.push(state);
                row.remove(0);
                read.rows.push(row);
            }
            _ => {
                return Err(StoreError::Integrity(
                    "a row of the ledger's read has the wrong types".into(),
                ));
            }
        }
    }
    Ok(read)
}

/// Why a pass of reads did not give a bucket.
enum Unchecked {
    /// The root is older than one this handle read before: read again, and if it stays so,
    /// this error.
    Behind(StoreError),
    Failed(StoreError),
}

impl From<StoreError> for Unchecked {
    fn from(e: StoreError) -> Self {
        Self::Failed(e)
    }
}

fn went_back(pinned: u64, seq: u64) -> StoreError {
    StoreError::Integrity(format!(
        "the ledger went back from write {pinned} to write {seq}: the database was put back to \
         an earlier copy while this service ran"
    ))
}

impl<B: Backend> SqlStore<B> {
    /// `user`'s bucket, read outside a transaction (one statement, one snapshot) and checked.
    pub(super) fn bucket(&self, user: &UserId) -> Result<Bucket, StoreError> {
        let place = Place::of(user);
        let mut tries = 0;
        loop {
            let read = self.backend.read(|c| read(c, place))?;
            match self.check(user, place, read, false) {
                Ok(bucket) => return Ok(bucket),
                // Another thread of this handle read a newer root meanwhile: read again; a
                // root that stays behind is a database put back.
                Err(Unchecked::Behind(e)) if tries == READ_TRIES => return Err(e),
                Err(Unchecked::Behind(_)) => tries += 1,
                Err(Unchecked::Failed(e)) => return Err(e),
            }
        }
    }

    /// `user`'s bucket, read and checked inside a write transaction, once the root is locked:
    /// what the write then changes with [`SqlStore::write_bucket`].
    pub(super) fn locked_bucket(
        &self,
        c: &mut dyn Connection,
        user: &UserId,
    ) -> Result<Bucket, StoreError> {
        c.execute(LOCK_ROOT, &[])
            .map_err(failed("lock the ledger"))?;
        let place = Place::of(user);
        let read = read(c, place)?;
        match self.check(user, place, read, true) {
            Ok(bucket) => Ok(bucket),
            Err(Unchecked::Failed(e) | Unchecked::Behind(e)) => Err(e),
        }
    }

    fn check(
        &self,
        user: &UserId,
        place: Place,
        read: Read,
        locked: bool,
    ) -> Result<Bucket, Unchecked> {
        let sealed = read.root.ok_or_else(|| {
            StoreError::Integrity(
                "the ledger has no root: the database was not set up by this service, or its \
                 root was removed"
                    .into(),
            )
        })?;
        let root = Root::open(&sealed, &self.keys)?;
        let pinned = self.pinned.load(std::sync::atomic::Ordering::SeqCst);
        // Outside a transaction, another thread of this handle may have read a newer root
        // since this one was read: read again. Under the lock, or again and again, it went back.
        if root.seq < pinned {
            let behind = went_back(pinned, root.seq);
            return Err(if locked {
                Unchecked::Failed(behind)
            } else {
                Unchecked::Behind(behind)
            });
        }
        let group = read
            .group
            .as_deref()
            .map(Group::from_bytes)
            .transpose()?
            .unwrap_or_else(Group::empty);
        let rows = read
            .rows
            .iter()
            .map(|r| RawRow::parse(r))
            .collect::<Result<Vec<_>, _>>()?;
        let leaves: Vec<_> = rows.iter().map(|r| (&r.id, r.leaf())).collect();
        ledger::check(user, place, &root, &group, leaves)?;
        self.pin(root.seq);
        Ok(Bucket {
            place,
            root,
            group,
            rows,
        })
    }

    fn pin(&self, seq: u64) {
        self.pinned
            .fetch_max(seq, std::sync::atomic::Ordering::SeqCst);
    }

    /// Moves the ledger on after the bucket's rows changed: `rows` are the bucket's rows as
    /// the transaction has left them.
    pub(super) fn write_bucket(
        &self,
        c: &mut dyn Connection,
        mut bucket: Bucket,
        rows: &[(UserId, u64, Vec<u8>)],
    ) -> Result<(), StoreError> {
        let seq = bucket.root.seq.saturating_add(1);
        bucket.group.seq = seq;
        bucket.group.buckets[bucket.place.slot] = ledger::bucket_digest(
            rows.iter()
                .map(|(id, version, sealed)| (id, ledger::leaf(id, *version, sealed))),
        );
        bucket.root.seq = seq;
        bucket.root.groups[bucket.place.group] = bucket.group.digest();
        let sealed = {
            let mut rng = self.rng.lock().map_err(|_| tollgate_login::Poisoned)?;
            bucket.root.seal(&self.keys, &mut **rng)
        };
        // Not pinned here: the transaction may still roll back. The next read pins it.
        c.execute(
            WRITE_LEDGER,
            &[
                Value::Int(bucket.place.group_id()),
                Value::Blob(bucket.group.to_bytes()),
                Value::Blob(sealed),
            ],
        )
        .map_err(failed("write the ledger"))?;
        Ok(())
    }
}

/// The bucket's rows as `(User ID, version, sealed)`, with `user`'s replaced by `new` (or
/// removed, for `None`).
pub(super) fn rows_with(
    bucket: &Bucket,
    user: &UserId,
    new: Option<(u64, &[u8])>,
) -> Vec<(UserId, u64, Vec<u8>)> {
    bucket
        .rows
        .iter()
        .filter(|r| &r.id != user)
        .map(|r| (r.id.clone(), r.version, r.sealed.clone()))
        .chain(new.map(|(version, sealed)| (user.clone(), version, sealed.to_vec())))
        .collect()
}

/// Brings the rows of 0.1 and 0.2 under the ledger (schema version 5 of both databases): each
/// user's state, sealed alone, is opened and sealed again with the password hash and the
/// contacts of its columns ([`AccountRow::seal_user`]); its bucket is set; and the ledger is
/// built over them, at write 1. The columns are taken as they are at this moment: a row written
/// before the migration is what the ledger starts from.
///
/// # Errors
/// [`StoreError::Integrity`] for a row that opens under no key of `keys`;
/// [`StoreError::Backend`].
pub fn build_ledger(
    c: &mut dyn Connection,
    keys: &SealingKeys,
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<(), StoreError> {
    let rows = c
        .query(ALL_USERS, &[])
        .map_err(failed("migrate: read accounts"))?;
    let mut groups = std::collections::BTreeMap::<usize, Vec<(Place, UserId, ledger::Hash)>>::new();
    for row in &rows {
        let row = RawRow::parse(row)?;
        let state = AccountRow::open(&row.sealed, &row.id, row.version, keys)?;
        let corrupt = |what: &str| {
            StoreError::Integrity(format!("the stored {what} of {} is not valid", row.id))
        };
        let user = UserRecord {
            id: row.id.clone(),
            password: PasswordHash::from_phc(row.password.clone()),
            account: tollgate_login::Account::new(
                row.version,
                row.mobile
                    .as_deref()
                    .map(str::parse)
                    .transpose()
                    .map_err(|_| corrupt("mobile number"))?,
                row.email
                    .as_deref()
                    .map(str::parse)
                    .transpose()
                    .map_err(|_| corrupt("e-mail address"))?,
                state,
            ),
        };
        let sealed = AccountRow::seal_user(&user, row.version, keys, rng).sealed;
        let place = Place::of(&row.id);
        c.execute(
            SET_BUCKET,
            &[
                row.id.as_str().into(),
                Value::Int(place.bucket()),
                Value::Blob(sealed.clone()),
            ],
        )
        .map_err(failed("migrate: reseal an account"))?;
        groups.entry(place.group).or_default().push((
            place,
            row.id.clone(),
            ledger::leaf(&row.id, row.version, &sealed),
        ));
    }
    let mut root = Root::empty();
    root.seq = 1;
    for (index, members) in groups {
        let mut group = Group::empty();
        group.seq = 1;
        for slot in 0..ledger::FANOUT {
            group.buckets[slot] = ledger::bucket_digest(
                members
                    .iter()
                    .filter(|(p, _, _)| p.slot == slot)
                    .map(|(_, id, leaf)| (id, *leaf)),
            );
        }
        root.groups[index] = group.digest();
        c.execute(
            UPSERT_GROUP,
            &[
                Value::Int(to_i64(index as u64, "group")?),
                Value::Blob(group.to_bytes()),
            ],
        )
        .map_err(failed("migrate: write the ledger"))?;
    }
    c.execute(INSERT_ROOT, &[Value::Blob(root.seal(keys, rng))])
        .map_err(failed("migrate: write the ledger"))?;
    Ok(())
}
