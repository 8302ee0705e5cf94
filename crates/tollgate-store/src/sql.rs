//! The store both SQL databases share: the statements, and every rule of reading and writing
//! them, written once over a small [`Backend`] trait that the SQLite and PostgreSQL crates
//! implement (a transaction, a statement, a row of [`Value`]s).
//!
//! The statements use `$1`, `$2`, … for their parameters (PostgreSQL's form; the SQLite backend
//! reads them as `?1`, `?2`, …) and the tables `tollgate_users`, `tollgate_serials`,
//! `tollgate_logins`, `tollgate_throttle`, `tollgate_audit`, `tollgate_ledger`,
//! `tollgate_sessions` and `tollgate_credentials` (schema version 7 of both stores).

mod forward;
mod store;

pub use store::{SqlStore, build_ledger};

use crate::error::{Source, StoreError};

/// A value in a row or a statement's parameters: what both databases' columns hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `NULL`.
    Null,
    /// An integer (`INTEGER`, `BIGINT`).
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes (`BLOB`, `BYTEA`).
    Blob(Vec<u8>),
}

impl Value {
    /// The integer, if this is one.
    #[must_use]
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// `Some(None)` for `NULL`, `Some(Some(i))` for an integer, `None` for anything else.
    #[must_use]
    pub fn as_opt_int(&self) -> Option<Option<i64>> {
        match self {
            Self::Null => Some(None),
            Self::Int(i) => Some(Some(*i)),
            _ => None,
        }
    }

    /// `Some(None)` for `NULL`, `Some(Some(text))` for text, `None` for anything else.
    #[must_use]
    pub fn as_opt_text(&self) -> Option<Option<String>> {
        match self {
            Self::Null => Some(None),
            Self::Text(t) => Some(Some(t.clone())),
            _ => None,
        }
    }

    /// `Some(None)` for `NULL`, `Some(Some(bytes))` for bytes, `None` for anything else.
    #[must_use]
    pub fn as_opt_blob(&self) -> Option<Option<Vec<u8>>> {
        match self {
            Self::Null => Some(None),
            Self::Blob(b) => Some(Some(b.clone())),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<Option<&str>> for Value {
    fn from(text: Option<&str>) -> Self {
        text.map_or(Self::Null, Self::from)
    }
}

/// What a statement's failure was, as far as the store's rules care.
#[derive(Debug)]
pub enum SqlError {
    /// A uniqueness constraint refused the row (a serial number or a key already there).
    UniqueViolation,
    /// Anything else.
    Failed(Source),
}

/// A connection inside a transaction.
pub trait Connection {
    /// Runs a statement; how many rows it changed.
    ///
    /// # Errors
    /// [`SqlError`].
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, SqlError>;

    /// Runs a query; its rows.
    ///
    /// # Errors
    /// [`SqlError`].
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, SqlError>;
}

/// How a write transaction ends.
#[derive(Debug)]
pub enum Finish<T> {
    /// Commit, and return this.
    Commit(T),
    /// Roll back, and return this.
    Rollback(T),
}

/// A database: transactions on its connections. SQLite's begins with `BEGIN IMMEDIATE`;
/// PostgreSQL's runs at READ COMMITTED, where a second writer of a row waits for the first and
/// then re-checks the `WHERE version = …` against the committed row.
pub trait Backend: Send + Sync {
    /// Runs `f` in a write transaction, committing or rolling back as it says.
    ///
    /// # Errors
    /// What `f` returns, or [`StoreError::Backend`] when the transaction cannot begin or end.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut dyn Connection) -> Result<Finish<T>, StoreError>,
    ) -> Result<T, StoreError>;

    /// As [`Backend::write`], for a change that a crash may lose without harm (a login in
    /// progress, whose client then starts again; a web session's new notice): its commit need
    /// not reach the disk before this returns. Both databases write their log in order, so the
    /// next durable commit makes it durable too, and a crash loses at most a tail of such
    /// changes, never one without those before it. By default, [`Backend::write`].
    ///
    /// # Errors
    /// As [`Backend::write`].
    fn write_unsynced<T>(
        &self,
        f: impl FnOnce(&mut dyn Connection) -> Result<Finish<T>, StoreError>,
    ) -> Result<T, StoreError> {
        self.write(f)
    }

    /// Runs `f` for reading (one statement, outside an explicit transaction).
    ///
    /// # Errors
    /// What `f` returns, or [`StoreError::Backend`].
    fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError>;
}

/// Runs `f` here and now: how [`forward_store!`](crate::forward_store) calls a store whose
/// driver does not mind where it runs.
pub fn on_this_thread<T>(f: impl FnOnce() -> T + Send) -> T {
    f()
}

/// A failed statement, while doing `context`.
pub fn failed(context: &'static str) -> impl FnOnce(SqlError) -> StoreError {
    move |e| match e {
        SqlError::UniqueViolation => StoreError::Backend {
            context,
            source: "a uniqueness constraint refused the row".into(),
        },
        SqlError::Failed(source) => StoreError::Backend { context, source },
    }
}

/// A `u64` as the databases' signed 64-bit integers.
///
/// # Errors
/// [`StoreError::OutOfRange`] beyond `i64::MAX`.
pub fn to_i64(value: u64, what: &'static str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange { what, value })
}
