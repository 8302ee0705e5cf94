#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod backend;
mod pool;
mod schema;
mod tls;

use std::time::Duration;

use tollgate_store::sql::SqlStore;
use tollgate_store::{SealingKeys, SharedRng, StoreError, os_rng};

pub use backend::Postgres;
pub use schema::SCHEMA_VERSION;
pub use tls::{SslMode, url_for_database};

/// How many connections a store keeps by default.
pub const DEFAULT_POOL_SIZE: u32 = 16;

/// How a store connects.
pub struct Options {
    /// Connections at most.
    pub pool_size: u32,
    /// Where the sealing nonces come from (the operating system's RNG by default).
    pub rng: SharedRng,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            pool_size: DEFAULT_POOL_SIZE,
            rng: os_rng(),
        }
    }
}

impl core::fmt::Debug for Options {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Options")
            .field("pool_size", &self.pool_size)
            .finish_non_exhaustive()
    }
}

/// A [`Store`](tollgate_store::Store) in PostgreSQL, for several service nodes over one
/// database: users, their accounts (each state sealed under a [`SealingKey`](tollgate_store::SealingKey)), and logins in
/// progress (under a SHA-256 of their key, authenticated by the service's state key), through
/// a pool of connections.
#[derive(Debug)]
pub struct PostgresStore {
    inner: SqlStore<Postgres>,
}

tollgate_store::forward_store!(PostgresStore, inner, backend::off_runtime);
#[cfg(feature = "signing")]
tollgate_store::forward_signing_store!(PostgresStore, inner, backend::off_runtime);

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`, or the key=value form; `sslmode` and
    /// `sslrootcert` as libpq takes them, see [`SslMode`]: `verify-full` is the default for a
    /// server on another machine) with a pool of
    /// [`DEFAULT_POOL_SIZE`] connections, and brings the schema up to [`SCHEMA_VERSION`] (a
    /// database of version 1 is re-sealed under `key` on the way).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the URL is not valid or the server cannot be reached;
    /// [`StoreError::SchemaTooNew`]; [`StoreError::Integrity`] when a version 1 row does not
    /// open under `key` (nothing is changed).
    ///
    /// `key` is a [`SealingKey`](tollgate_store::SealingKey), or a [`SealingKeys`] ring: rows
    /// sealed under its old keys still open, and are sealed under the current one at their
    /// next write ([`Store::reseal`](tollgate_store::Store::reseal) does it without waiting).
    pub fn connect(url: &str, key: impl Into<SealingKeys>) -> Result<Self, StoreError> {
        Self::connect_with(url, key, Options::default())
    }

    /// As [`PostgresStore::connect`], with the options chosen.
    ///
    /// # Errors
    /// As [`PostgresStore::connect`].
    pub fn connect_with(
        url: &str,
        key: impl Into<SealingKeys>,
        options: Options,
    ) -> Result<Self, StoreError> {
        let key = key.into();
        backend::off_runtime(move || Self::connect_here(url, key, options))
    }

    fn connect_here(url: &str, key: SealingKeys, mut options: Options) -> Result<Self, StoreError> {
        let manager = pool::Manager(tls::target(url)?);
        // One connection first, for its own error (a refused certificate says why here; the
        // pool would only time out).
        r2d2::ManageConnection::connect(&manager).map_err(|e| StoreError::Backend {
            context: "postgres: cannot connect",
            source: Box::new(e),
        })?;
        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(30))
            // No round trip to test a connection at every checkout: a broken one fails its
            // query (the request reports a store error), and r2d2 drops it on return.
            .test_on_check_out(false)
            .build(manager)
            .map_err(|e| StoreError::Backend {
                context: "postgres: cannot connect",
                source: Box::new(e),
            })?;
        let backend = Postgres::new(pool);
        let sealing = schema::Sealing {
            key: &key,
            rng: &mut *options.rng,
        };
        schema::migrate(&mut backend.connection()?.client, sealing)?;
        Ok(Self {
            inner: SqlStore::new(backend, key, options.rng),
        })
    }

    /// The schema version the database is at.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the database fails.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        backend::off_runtime(|| schema::version(&mut self.inner.backend().connection()?.client))
    }
}

/// A plain driver client for `url`, with the same TLS rules as the store (for administration
/// beside it: creating a database, a dump, a check).
///
/// # Errors
/// [`StoreError::Backend`] as for [`PostgresStore::connect`].
pub fn client(url: &str) -> Result<postgres::Client, StoreError> {
    let target = tls::target(url)?;
    let connected = match &target.tls {
        Some(tls) => target.config.connect(tls.clone()),
        None => target.config.connect(postgres::NoTls),
    };
    connected.map_err(|e| StoreError::Backend {
        context: "postgres: cannot connect",
        source: Box::new(e),
    })
}
