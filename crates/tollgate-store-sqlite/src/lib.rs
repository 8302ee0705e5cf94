#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod backend;
mod schema;

use std::path::Path;

use tollgate_store::sql::{Backend, SqlStore};
use tollgate_store::{SealingKeys, SharedRng, StoreError, os_rng};

pub use backend::Sqlite;
pub use schema::SCHEMA_VERSION;

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

/// How a store is opened.
pub struct Options {
    /// How hard commits are pushed to disk.
    pub durability: Durability,
    /// Where the sealing nonces come from (the operating system's RNG by default).
    pub rng: SharedRng,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            durability: Durability::Full,
            rng: os_rng(),
        }
    }
}

impl core::fmt::Debug for Options {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Options")
            .field("durability", &self.durability)
            .finish_non_exhaustive()
    }
}

/// A [`Store`](tollgate_store::Store) in one SQLite file: users, their accounts (each state
/// sealed under a [`SealingKey`](tollgate_store::SealingKey)), and logins in progress (under a SHA-256 of their key,
/// authenticated by the service's state key).
///
/// Every handle keeps a small pool of connections; several handles, in one process or in
/// several, may open the same file: every commit runs in a `BEGIN IMMEDIATE` transaction and
/// compare-and-sets the account and the login, so no two of them can both spend one code or
/// lose a failure.
#[derive(Debug)]
pub struct SqliteStore {
    inner: SqlStore<Sqlite>,
}

tollgate_store::forward_store!(SqliteStore, inner);
#[cfg(feature = "signing")]
tollgate_store::forward_signing_store!(SqliteStore, inner);

impl SqliteStore {
    /// Opens (or creates) the database at `path` with [`Durability::Full`] and the operating
    /// system's RNG, and brings its schema up to [`SCHEMA_VERSION`] (a file of version 1 is
    /// re-sealed under `key` on the way).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the file cannot be opened or is not a database;
    /// [`StoreError::SchemaTooNew`]; [`StoreError::Integrity`] when a version 1 row does not
    /// open under `key` (nothing is changed).
    ///
    /// `key` is a [`SealingKey`](tollgate_store::SealingKey), or a [`SealingKeys`] ring: rows
    /// sealed under its old keys still open, and are sealed under the current one at their
    /// next write ([`Store::reseal`](tollgate_store::Store::reseal) does it without waiting).
    pub fn open(path: impl AsRef<Path>, key: impl Into<SealingKeys>) -> Result<Self, StoreError> {
        Self::open_with(path, key, Options::default())
    }

    /// As [`SqliteStore::open`], with the options chosen.
    ///
    /// # Errors
    /// As [`SqliteStore::open`].
    pub fn open_with(
        path: impl AsRef<Path>,
        key: impl Into<SealingKeys>,
        mut options: Options,
    ) -> Result<Self, StoreError> {
        let key = key.into();
        owner_only(path.as_ref())?;
        let backend = Sqlite::new(path.as_ref().to_owned(), options.durability);
        let mut connection = backend.connect()?;
        let sealing = schema::Sealing {
            key: &key,
            rng: &mut *options.rng,
        };
        schema::migrate(&mut connection, sealing)?;
        backend.put_back(connection);
        Ok(Self {
            inner: SqlStore::new(backend, key, options.rng),
        })
    }

    /// The schema version the file is at.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the database fails.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.inner.backend().with(|c| schema::version(c))
    }

    /// Runs SQLite's `PRAGMA integrity_check`; `Ok(())` when it reports `ok`.
    ///
    /// # Errors
    /// [`StoreError::Integrity`] with SQLite's report, or [`StoreError::Backend`].
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let report = self.inner.backend().read(|c| {
            c.query("PRAGMA integrity_check", &[])
                .map_err(tollgate_store::sql::failed("sqlite: integrity check"))
        })?;
        let lines: Vec<String> = report
            .into_iter()
            .flatten()
            .map(|v| match v {
                tollgate_store::sql::Value::Text(t) => t,
                other => format!("{other:?}"),
            })
            .collect();
        if lines == ["ok"] {
            Ok(())
        } else {
            Err(StoreError::Integrity(lines.join("; ")))
        }
    }
}

/// A new database file is created readable and writable by its owner alone (SQLite gives its
/// `-wal` and `-shm` files the database file's mode); an existing one, or one of those, that
/// anyone else may read or write is refused with the fix in the message.
fn owner_only(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        let mut files = vec![path.to_owned()];
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            files.push(name.into());
        }
        for file in &files {
            match std::fs::metadata(file) {
                Ok(meta) if meta.is_file() && meta.permissions().mode() & 0o077 != 0 => {
                    return Err(StoreError::Exposed {
                        path: file.display().to_string(),
                        mode: meta.permissions().mode() & 0o7777,
                    });
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && file == path => {
                    std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(path)
                        .map_err(|e| StoreError::Backend {
                            context: "sqlite: create the database file",
                            source: Box::new(e),
                        })?;
                }
                Err(_) => {}
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
