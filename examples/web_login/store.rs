//! `--store memory|sqlite:PATH|postgres://…` and `--keys FILE` (or the `TOLLGATE_KEYS`
//! environment variable, which holds the key file's text): where the accounts, the logins in
//! progress and the browser sessions live, and the keys that seal them. Several nodes on one
//! database read the same keys; each checks them against the database before it serves.

use std::sync::Arc;

use tollgate::store::{KEYS_HEADER, ServiceKeys, SessionStore, Store, StoreError};

/// The environment variable that may hold the key file's text.
pub(crate) const KEYS_VARIABLE: &str = "TOLLGATE_KEYS";

/// Where the command line put the store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum StoreChoice {
    /// This process's memory: one node, lost on exit.
    #[default]
    Memory,
    /// A SQLite file: one machine, any number of processes.
    Sqlite(String),
    /// A PostgreSQL URL: any number of nodes.
    Postgres(String),
}

impl core::str::FromStr for StoreChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text == "memory" {
            return Ok(Self::Memory);
        }
        if let Some(path) = text.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err("--store sqlite:PATH needs the database file's path".into());
            }
            return Ok(Self::Sqlite(path.to_owned()));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Self::Postgres(text.to_owned()));
        }
        Err(
            "--store takes memory, sqlite:PATH or postgres://USER@HOST:PORT/DATABASE \
             (with ?sslmode=… as libpq takes it)"
                .into(),
        )
    }
}

/// A database store and what the service needs from it.
pub(crate) struct Opened {
    /// The accounts and logins.
    pub(crate) store: Arc<dyn Store>,
    /// The browser sessions, in the same database.
    pub(crate) sessions: Arc<dyn SessionStore>,
    /// The keys the service seals with.
    pub(crate) keys: ServiceKeys,
    /// The signing credentials, in the same database.
    #[allow(
        dead_code,
        reason = "embed_axum, which shares this file, does not sign"
    )]
    pub(crate) signing: tollgate::signing::SharedSigningStore,
}

/// Opens the store `choice` names with the keys of `keys_file`, or of [`KEYS_VARIABLE`], or
/// (SQLite alone) of `PATH.keys` beside the file, made the first time. `None` for memory.
///
/// # Errors
/// A sentence for a key file that cannot be read, a database that cannot be reached or opened,
/// or keys that do not open what the database holds, before the node serves anyone. Opening
/// has by then done what every open does: made a new SQLite file and its key file, or brought
/// an older schema up to date (a migration that re-seals rows refuses keys that do not open
/// them, and changes nothing).
pub(crate) fn open(
    choice: &StoreChoice,
    keys_file: Option<&str>,
) -> Result<Option<Opened>, String> {
    let (keys, opened) = match choice {
        StoreChoice::Memory => return Ok(None),
        StoreChoice::Sqlite(path) => {
            let keys = keys(keys_file, Some(&format!("{path}.keys")))?;
            let db = tollgate_store_sqlite::SqliteStore::open(path, keys.sealing_keys())
                .map_err(|e| format!("the SQLite store at {path}: {}", chain(&e)))?;
            let db = Arc::new(db);
            (
                keys,
                (
                    db.clone() as Arc<dyn Store>,
                    db.clone() as Arc<dyn SessionStore>,
                    db as tollgate::signing::SharedSigningStore,
                ),
            )
        }
        StoreChoice::Postgres(url) => {
            let keys = keys(keys_file, None)?;
            let db = tollgate_store_postgres::PostgresStore::connect(url, keys.sealing_keys())
                .map_err(|e| format!("the PostgreSQL store: {}", chain(&e)))?;
            let db = Arc::new(db);
            (
                keys,
                (
                    db.clone() as Arc<dyn Store>,
                    db.clone() as Arc<dyn SessionStore>,
                    db as tollgate::signing::SharedSigningStore,
                ),
            )
        }
    };
    let (store, sessions, signing) = opened;
    // Any read checks the ledger's sealed root: keys other than the database's are refused
    // here, before this node serves anyone.
    let probe = "keys-check@tollgate.invalid"
        .parse()
        .map_err(|e| format!("{e}"))?;
    match store.user(&probe) {
        Ok(_) => {}
        Err(StoreError::Integrity(_)) => {
            return Err(
                "these keys are not the ones this database was sealed with: give every \
                 node the same key file (--keys FILE or TOLLGATE_KEYS); this node served nothing"
                    .into(),
            );
        }
        Err(e) => return Err(format!("the store: {}", chain(&e))),
    }
    Ok(Some(Opened {
        store,
        sessions,
        keys,
        signing,
    }))
}

/// The service's keys: from `file`, else from [`KEYS_VARIABLE`], else from `beside` (made the
/// first time), else none: an error that says how to give them.
fn keys(file: Option<&str>, beside: Option<&str>) -> Result<ServiceKeys, String> {
    if let Some(file) = file {
        return tollgate::KeyFile::open(file)
            .map(|f| f.keys().clone())
            .map_err(|e| format!("the key file {file}: {e}"));
    }
    if let Ok(text) = std::env::var(KEYS_VARIABLE) {
        return ServiceKeys::parse(&text).map_err(|e| {
            format!("{KEYS_VARIABLE} does not hold a key file's text (\"{KEYS_HEADER}\" …): {e}")
        });
    }
    match beside {
        Some(path) => tollgate::KeyFile::load_or_create(path)
            .map(|f| f.keys().clone())
            .map_err(|e| format!("the key file {path}: {e}")),
        None => Err(format!(
            "a database that several nodes share needs the keys they share: --keys FILE, or \
             the file's text in {KEYS_VARIABLE} (`web_login --new-keys FILE` writes one)"
        )),
    }
}

/// Writes a new key file at `path` (refusing to replace one).
///
/// # Errors
/// A sentence when the file exists or cannot be written.
pub(crate) fn new_keys(path: &str) -> Result<(), String> {
    if std::path::Path::new(path).exists() {
        return Err(format!("{path} exists: nothing was written"));
    }
    let file = tollgate::KeyFile::load_or_create(path).map_err(|e| format!("{path}: {e}"))?;
    debug_assert!(file.created());
    Ok(())
}

/// An error and its sources, as one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
