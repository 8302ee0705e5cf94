#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod row;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use tollgate::login::{AccountUpdate, UserId};
use tollgate::otp::UnixTime;
use tollgate::store::{SealingKey, StoredAccount, login_digest};

use crate::row::{SELECT_USER, stored_row, to_i64, write_login, write_state};
use tollgate::{Error, Store, UserRecord};

pub use schema::SCHEMA_VERSION;

/// How long a connection waits for another one's write transaction before it reports
/// [`Error::Store`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Expired logins are deleted once every this many loads.
const SWEEP_EVERY: u64 = 1024;

/// How hard a commit is pushed to disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Durability {
    /// `synchronous = FULL`: the write-ahead log is synced at every commit, so an acknowledged
    /// update survives a power cut as well as a crash. The default.
    #[default]
    Full,
    /// `synchronous = NORMAL`: an acknowledged update survives the process being killed, but
    /// the last ones may be lost with the machine's power. Faster.
    Normal,
}

/// A [`Store`] in one SQLite file: users, their accounts (token secrets and activation codes
/// sealed under a [`SealingKey`]), and logins in progress (under a SHA-256 of their key).
///
/// Every handle keeps a small pool of connections; several handles, in one process or in
/// several, may open the same file: account updates are compare-and-set in `BEGIN IMMEDIATE`
/// transactions, so no two of them can both spend one code or lose a failure.
pub struct SqliteStore {
    path: PathBuf,
    key: SealingKey,
    durability: Durability,
    idle: Mutex<Vec<Connection>>,
    loads: AtomicU64,
}

impl core::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("durability", &self.durability)
            .finish_non_exhaustive()
    }
}

fn store_error(context: &str) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
    move |e| Error::Store(format!("sqlite: {context}: {e}"))
}

/// Whether an error is a uniqueness violation (a serial number another account holds).
fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` with [`Durability::Full`], and brings its
    /// schema up to [`SCHEMA_VERSION`].
    ///
    /// # Errors
    /// [`Error::Store`] when the file cannot be opened, is not a database, or holds a schema
    /// newer than this version of the crate knows.
    pub fn open(path: impl AsRef<Path>, key: SealingKey) -> Result<Self, Error> {
        Self::open_with(path, key, Durability::Full)
    }

    /// As [`SqliteStore::open`], with the durability chosen.
    ///
    /// # Errors
    /// As [`SqliteStore::open`].
    pub fn open_with(
        path: impl AsRef<Path>,
        key: SealingKey,
        durability: Durability,
    ) -> Result<Self, Error> {
        let store = Self {
            path: path.as_ref().to_owned(),
            key,
            durability,
            idle: Mutex::new(Vec::new()),
            loads: AtomicU64::new(0),
        };
        let mut connection = store.connect()?;
        schema::migrate(&mut connection)?;
        store.put_back(connection);
        Ok(store)
    }

    /// The schema version the file is at.
    ///
    /// # Errors
    /// [`Error::Store`] when the database fails.
    pub fn schema_version(&self) -> Result<u32, Error> {
        self.with(|c| schema::version(c))
    }

    /// Runs SQLite's `PRAGMA integrity_check`; `Ok(())` when it reports `ok`.
    ///
    /// # Errors
    /// [`Error::Integrity`] with SQLite's report, or [`Error::Store`].
    pub fn integrity_check(&self) -> Result<(), Error> {
        let report: Vec<String> = self.with(|c| {
            let mut statement = c
                .prepare("PRAGMA integrity_check")
                .map_err(store_error("integrity check"))?;
            let rows = statement
                .query_map([], |row| row.get::<_, String>(0))
                .map_err(store_error("integrity check"))?;
            rows.collect::<Result<_, _>>()
                .map_err(store_error("integrity check"))
        })?;
        if report == ["ok"] {
            Ok(())
        } else {
            Err(Error::Integrity(report.join("; ")))
        }
    }

    fn connect(&self) -> Result<Connection, Error> {
        let connection = Connection::open(&self.path).map_err(|e| {
            Error::Store(format!("sqlite: cannot open {}: {e}", self.path.display()))
        })?;
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(store_error("busy timeout"))?;
        let synchronous = match self.durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        connection
            .execute_batch(&format!(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
                 PRAGMA foreign_keys = ON;"
            ))
            .map_err(store_error("setting up the connection"))?;
        Ok(connection)
    }

    fn put_back(&self, connection: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(connection);
        }
    }

    /// Runs `f` on a pooled connection (a new one when all are busy).
    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, Error>) -> Result<T, Error> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut connection = match pooled {
            Some(connection) => connection,
            None => self.connect()?,
        };
        let result = f(&mut connection);
        self.put_back(connection);
        result
    }
}

impl SqliteStore {
    /// The compare-and-set, and the login saved with it, in one `BEGIN IMMEDIATE` transaction.
    fn update(
        &self,
        id: &UserId,
        update: &AccountUpdate,
        login: Option<(&str, &str, i64)>,
    ) -> Result<bool, Error> {
        let stored = StoredAccount::seal(&update.state, id, &self.key)?;
        let expected = to_i64(update.expected_version)?;
        self.with(|c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(store_error("begin"))?;
            match write_state(&tx, id, expected, &stored) {
                Ok(true) => {}
                // Dropping the transaction rolls it back.
                Ok(false) => return Ok(false),
                Err(e) if is_unique_violation(&e) => return Ok(false),
                Err(e) => return Err(store_error("update account")(e)),
            }
            if let Some((key, state, expires)) = login {
                write_login(&tx, key, state, expires).map_err(store_error("save login"))?;
            }
            tx.commit().map_err(store_error("commit"))?;
            Ok(true)
        })
    }
}

impl Store for SqliteStore {
    fn insert_user(&self, user: UserRecord) -> Result<(), Error> {
        let stored = StoredAccount::seal(&user.account.state, &user.id, &self.key)?;
        self.with(|c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(store_error("begin"))?;
            let inserted = tx.execute(
                "INSERT INTO users (id, password_hash, mobile, email, version, \
                   password_failures, code_failures, lockouts) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, 0)",
                params![
                    user.id.as_str(),
                    user.password.as_str(),
                    user.account.mobile.as_ref().map(|m| m.as_str()),
                    user.account.email.as_ref().map(|e| e.as_str()),
                    to_i64(user.account.version)?,
                ],
            );
            match inserted {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => return Err(Error::DuplicateUser),
                Err(e) => return Err(store_error("insert user")(e)),
            }
            let version = to_i64(user.account.version)?;
            // The state goes in through the same path as every update, then the version is
            // put back to what the record says.
            if !write_state(&tx, &user.id, version, &stored).map_err(store_error("insert user"))? {
                return Err(Error::Store("sqlite: the new user's row vanished".into()));
            }
            tx.execute(
                "UPDATE users SET version = ?2 WHERE id = ?1",
                params![user.id.as_str(), version],
            )
            .map_err(store_error("insert user"))?;
            tx.commit().map_err(store_error("commit"))
        })
    }

    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, Error> {
        let row = self.with(|c| {
            c.prepare_cached(SELECT_USER)
                .map_err(store_error("load user"))?
                .query_row([id.as_str()], stored_row)
                .optional()
                .map_err(store_error("load user"))
        })?;
        row.map(|stored| stored.open(id, &self.key)).transpose()
    }

    fn update_account(&self, id: &UserId, update: &AccountUpdate) -> Result<bool, Error> {
        self.update(id, update, None)
    }

    fn update_account_and_save_login(
        &self,
        id: &UserId,
        update: &AccountUpdate,
        key: &str,
        state: &str,
        expires: UnixTime,
    ) -> Result<bool, Error> {
        self.update(id, update, Some((key, state, to_i64(expires.as_secs())?)))
    }

    fn save_login(&self, key: &str, state: &str, expires: UnixTime) -> Result<(), Error> {
        let expires = to_i64(expires.as_secs())?;
        self.with(|c| write_login(c, key, state, expires).map_err(store_error("save login")))
    }

    fn load_login(&self, key: &str, now: UnixTime) -> Result<Option<String>, Error> {
        let now = to_i64(now.as_secs())?;
        let sweep = self.loads.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1;
        self.with(|c| {
            if sweep {
                c.execute("DELETE FROM logins WHERE expires_at <= ?1", [now])
                    .map_err(store_error("sweep logins"))?;
            }
            c.prepare_cached("SELECT state FROM logins WHERE id = ?1 AND expires_at > ?2")
                .map_err(store_error("load login"))?
                .query_row(params![login_digest(key), now], |row| row.get(0))
                .optional()
                .map_err(store_error("load login"))
        })
    }

    fn remove_login(&self, key: &str) -> Result<(), Error> {
        self.with(|c| {
            c.prepare_cached("DELETE FROM logins WHERE id = ?1")
                .and_then(|mut s| s.execute([login_digest(key)]))
                .map(drop)
                .map_err(store_error("remove login"))
        })
    }
}
