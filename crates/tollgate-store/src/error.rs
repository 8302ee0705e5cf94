//! What goes wrong in a store. A database's own error is kept as the source, so that a caller
//! can find it (`std::error::Error::source`) and a log shows the whole chain.

use thiserror::Error;

/// The source error of a database driver.
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A store failed, or refused what it holds.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed while doing `context`.
    #[error("{context}")]
    Backend {
        /// What the store was doing.
        context: &'static str,
        /// The driver's error.
        #[source]
        source: Source,
    },
    /// A user with this ID is already registered.
    #[error("a user with this ID is already registered")]
    DuplicateUser,
    /// A new user's state holds a serial number that another account holds.
    #[error("a serial number of the new user's state is another account's")]
    SerialTaken,
    /// A stored row is not what this service wrote: a sealed state that does not open under the
    /// sealing key (wrong key, or the row was altered, moved to another user, or put at another
    /// version), or a column that holds what no account can.
    #[error("stored data refused: {0}")]
    Integrity(String),
    /// A number does not fit the database's integers.
    #[error("{what} {value} does not fit the database's integers")]
    OutOfRange {
        /// Which number.
        what: &'static str,
        /// Its value.
        value: u64,
    },
    /// The database's schema is newer than this build knows; nothing was changed.
    #[error(
        "the database's schema is version {found}, and this build knows versions up to \
         {known}: upgrade the store crate (nothing was changed)"
    )]
    SchemaTooNew {
        /// The version found.
        found: u32,
        /// The newest this build knows.
        known: u32,
    },
    /// A thread panicked while it held the store's lock.
    #[error(transparent)]
    Poisoned(#[from] tollgate_login::Poisoned),
    /// A database file that other users of the machine may read or write (it holds password
    /// hashes, sealed secrets and logins): nothing was opened. The message says the fix.
    #[error(
        "{path} may be read or written by other users (mode {mode:04o}): nothing was opened; \
         run `chmod 600 {path}` (and on its -wal and -shm files) and start again"
    )]
    Exposed {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
}

impl StoreError {
    /// A driver's error, while doing `context`.
    pub fn backend(context: &'static str) -> impl FnOnce(Source) -> Self {
        move |source| Self::Backend { context, source }
    }
}
