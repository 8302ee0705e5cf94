//! Web sessions as a store keeps them, so that every node of a service knows every browser:
//! what a web layer (tollgate-axum) files under the digest of a session's cookie, with a
//! version it compare-and-sets, the user the session is logged in as, and when it expires.
//!
//! The store sees the session's contents as bytes. The SQL stores seal them (they hold the
//! login's key, the form token and, for a moment, recovery codes) bound to the session's ID,
//! version, user and expiry; [`MemorySessions`] keeps them in the process.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use sha2::{Digest as _, Sha256};
use tollgate_login::{Poisoned, UserId};
use tollgate_otp::UnixTime;
use zeroize::Zeroizing;

use crate::StoreError;

/// What a store files a session under: a SHA-256 of the cookie's value, so that a copy of the
/// table does not let anyone step into a session.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId([u8; 32]);

impl SessionId {
    /// The ID of the session whose cookie holds `cookie`.
    #[must_use]
    pub fn of(cookie: &str) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"tollgate session v1\0");
        hash.update(cookie.as_bytes());
        Self(hash.finalize().into())
    }

    /// An ID from its bytes, as a store keeps it.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Its bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl core::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "SessionId({:02x}{:02x}{:02x}{:02x}…)",
            self.0[0], self.0[1], self.0[2], self.0[3]
        )
    }
}

/// A session as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// Moves on at every write: what the next write compare-and-sets.
    pub version: u64,
    /// Who the session is logged in as, if anyone (what "log out everywhere" and the bound on
    /// sessions per user go by).
    pub user: Option<UserId>,
    /// When it ends unless written again.
    pub expires: UnixTime,
    /// The web layer's contents.
    pub body: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StoredSession")
            .field("version", &self.version)
            .field("user", &self.user)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// One write of a session.
#[derive(Clone, Copy, Debug)]
pub struct SessionSave<'a> {
    /// Where the session goes.
    pub id: &'a SessionId,
    /// The ID and version it was loaded at, which must still be stored as they were: the same
    /// ID (an update), or the one this ID takes the place of (the ID rotated; the old one ends
    /// in the same step). `None` for a new session, whose ID must be free.
    pub replaces: Option<(&'a SessionId, u64)>,
    /// What to store (its version the new one).
    pub session: &'a StoredSession,
    /// The time of the write: sessions expired by then may be swept.
    pub now: UnixTime,
    /// When the session names a user and is new or under a new ID: how many of that user's
    /// sessions stay (the newest by expiry, this one among them); the others end.
    pub keep_per_user: usize,
    /// Whether the write must reach the disk before it is answered: a logout (its old ID must
    /// stay dead after a crash). Any other change of a session a crash may lose: the browser
    /// then logs in again, or sees a page again.
    pub durable: bool,
}

/// Storage for web sessions, shared by every node of a service. The SQL stores and
/// [`MemorySessions`] implement it; every implementation passes
/// [`conformance::sessions`][checks] (feature `conformance`).
///
/// [checks]: https://docs.rs/tollgate-store/latest/tollgate_store/conformance/fn.sessions.html
pub trait SessionStore: Send + Sync {
    /// The session `id`, unless there is none or it expired by `now`.
    ///
    /// # Errors
    /// [`StoreError::Integrity`] for a row this service did not write;
    /// [`StoreError::Backend`].
    fn load_session(
        &self,
        id: &SessionId,
        now: UnixTime,
    ) -> Result<Option<StoredSession>, StoreError>;

    /// Writes `save`, all of it or nothing; `Ok(false)` when what it replaces is no longer
    /// stored at that version (another request wrote first, or the session ended), or a new
    /// session's ID is taken.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn save_session(&self, save: &SessionSave<'_>) -> Result<bool, StoreError>;

    /// Ends the session `id`; `Ok(false)` when there was none.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn delete_session(&self, id: &SessionId) -> Result<bool, StoreError>;

    /// Ends every session of `user` (log out everywhere); how many there were.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn delete_sessions_of(&self, user: &UserId) -> Result<u64, StoreError>;
}

/// Sessions in this process's memory: the default of a single-process service. Lost on
/// restart, and unknown to any other process: two nodes need a SQL store's sessions.
///
/// Holds at most [`MemorySessions::with_capacity`] sessions (100 000 by default): past it, the
/// one that expires first makes room.
#[derive(Debug)]
pub struct MemorySessions {
    capacity: usize,
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    by_id: HashMap<SessionId, StoredSession>,
    /// Every session by expiry, for the sweep and for making room.
    by_expiry: BTreeSet<(u64, SessionId)>,
    /// The sessions of each logged-in user.
    by_user: HashMap<UserId, BTreeSet<(u64, SessionId)>>,
}

impl Table {
    fn remove(&mut self, id: &SessionId) -> Option<StoredSession> {
        let gone = self.by_id.remove(id)?;
        let entry = (gone.expires.as_secs(), *id);
        self.by_expiry.remove(&entry);
        if let Some(user) = &gone.user
            && let Some(theirs) = self.by_user.get_mut(user)
        {
            theirs.remove(&entry);
            if theirs.is_empty() {
                self.by_user.remove(user);
            }
        }
        Some(gone)
    }

    fn insert(&mut self, id: SessionId, session: StoredSession) {
        self.remove(&id);
        let entry = (session.expires.as_secs(), id);
        self.by_expiry.insert(entry);
        if let Some(user) = &session.user {
            self.by_user.entry(user.clone()).or_default().insert(entry);
        }
        self.by_id.insert(id, session);
    }

    /// Drops what expired by `now`, then the first to expire while there is no room.
    fn sweep(&mut self, now: u64, capacity: usize) {
        while let Some(&(expires, id)) = self.by_expiry.first() {
            if expires > now && self.by_id.len() < capacity {
                break;
            }
            self.remove(&id);
        }
    }
}

/// How many sessions [`MemorySessions::default`] holds.
pub const MEMORY_SESSIONS: usize = 100_000;

impl Default for MemorySessions {
    fn default() -> Self {
        Self::with_capacity(MEMORY_SESSIONS)
    }
}

impl MemorySessions {
    /// An empty table that holds at most `capacity` sessions (at least one).
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            table: Mutex::default(),
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Table>, Poisoned> {
        self.table.lock().map_err(|_| Poisoned)
    }

    /// How many sessions the table holds (expired ones included until swept).
    ///
    /// # Errors
    /// [`StoreError::Poisoned`].
    pub fn len(&self) -> Result<usize, StoreError> {
        Ok(self.lock()?.by_id.len())
    }

    /// Whether the table is empty.
    ///
    /// # Errors
    /// [`StoreError::Poisoned`].
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }
}

impl SessionStore for MemorySessions {
    fn load_session(
        &self,
        id: &SessionId,
        now: UnixTime,
    ) -> Result<Option<StoredSession>, StoreError> {
        Ok(self
            .lock()?
            .by_id
            .get(id)
            .filter(|s| s.expires > now)
            .cloned())
    }

    fn save_session(&self, save: &SessionSave<'_>) -> Result<bool, StoreError> {
        let mut table = self.lock()?;
        let current = |table: &Table, id: &SessionId, version: u64| {
            table.by_id.get(id).is_some_and(|s| s.version == version)
        };
        match save.replaces {
            Some((from, version)) if from == save.id => {
                if !current(&table, from, version) {
                    return Ok(false);
                }
                table.insert(*save.id, save.session.clone());
                return Ok(true);
            }
            Some((from, version)) => {
                if !current(&table, from, version) || table.by_id.contains_key(save.id) {
                    return Ok(false);
                }
                table.remove(from);
            }
            None => {
                if table.by_id.contains_key(save.id) {
                    return Ok(false);
                }
            }
        }
        if let Some(user) = &save.session.user {
            let older: Vec<SessionId> = table
                .by_user
                .get(user)
                .into_iter()
                .flatten()
                .rev()
                .skip(save.keep_per_user.saturating_sub(1))
                .map(|&(_, id)| id)
                .collect();
            for id in &older {
                table.remove(id);
            }
        }
        table.sweep(save.now.as_secs(), self.capacity);
        table.insert(*save.id, save.session.clone());
        Ok(true)
    }

    fn delete_session(&self, id: &SessionId) -> Result<bool, StoreError> {
        Ok(self.lock()?.remove(id).is_some())
    }

    fn delete_sessions_of(&self, user: &UserId) -> Result<u64, StoreError> {
        let mut table = self.lock()?;
        let theirs: Vec<SessionId> = table
            .by_user
            .get(user)
            .into_iter()
            .flatten()
            .map(|&(_, id)| id)
            .collect();
        for id in &theirs {
            table.remove(id);
        }
        Ok(theirs.len() as u64)
    }
}
