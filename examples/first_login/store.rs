//! `--store`: where the example keeps its account, so that a second run finds it.
//!
//! A database store needs three keys that outlive the process (the sealing key for accounts'
//! states, the PIN key and the state key for logins in progress): the example keeps them in a
//! key file beside the database (`PATH.keys`, or `first_login.keys` in the working directory
//! for PostgreSQL), created on the first run, readable by its owner alone. A real service takes
//! them from a secrets manager. A key file of an earlier version is rewritten in today's form
//! (`keys.rs`); the `rotate_keys` example replaces the keys and re-seals the store.
//!
//! The example also plays the soft-token app, whose token must survive too: it keeps it as a
//! key URI in `PATH.app` (or `first_login.app`). That file holds the secret in the clear, as a
//! stand-in for the phone; the `soft_token` example is the app that seals it.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate::codes::ActivatedToken;
use tollgate::login::{PinKeys, StateKeys};
use tollgate::otp::Totp;
use tollgate::provision::OtpAuthUri;
use tollgate::store::SealingKeys;
use tollgate::{MemoryStore, Store};
#[cfg(feature = "postgres")]
use tollgate_store_postgres::PostgresStore;
use tollgate_store_sqlite::SqliteStore;

/// Where the account lives.
pub(crate) enum Choice {
    /// In memory: forgotten at exit (the default).
    Memory,
    /// `sqlite:PATH`.
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`.
    Postgres(
        #[cfg_attr(
            not(feature = "postgres"),
            expect(dead_code, reason = "read only by the PostgreSQL store")
        )]
        String,
    ),
}

impl Choice {
    pub(crate) fn parse(arg: &str) -> Result<Self, String> {
        if arg == "memory" {
            Ok(Self::Memory)
        } else if let Some(path) = arg.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err("--store sqlite: needs a path, as in sqlite:tollgate.db".into());
            }
            Ok(Self::Sqlite(path.into()))
        } else if arg.starts_with("postgres://") || arg.starts_with("postgresql://") {
            Ok(Self::Postgres(arg.to_owned()))
        } else {
            Err(format!(
                "--store {arg:?}: expected memory, sqlite:PATH or postgres://USER@HOST:PORT/DB"
            ))
        }
    }
}

/// An opened store, with the keys and the app file that go with it.
pub(crate) struct Opened {
    pub(crate) store: Arc<dyn Store>,
    /// The PIN keys and the state keys, for a store that outlives the process.
    pub(crate) keys: Option<(PinKeys, StateKeys)>,
    /// Where the app keeps its token, for a store that outlives the process.
    pub(crate) app: Option<PathBuf>,
    pub(crate) describe: String,
}

pub(crate) fn open(choice: &Choice) -> Result<Opened, String> {
    let Some(base) = base(choice) else {
        return Ok(Opened {
            store: Arc::new(MemoryStore::new()),
            keys: None,
            app: None,
            describe: "memory (forgotten at exit)".into(),
        });
    };
    let describe = match choice {
        Choice::Sqlite(path) => format!("SQLite file {}", path.display()),
        _ => "PostgreSQL".to_owned(),
    };
    let file = crate::keys::load_or_create(&with_suffix(&base, "keys"))?;
    let store = database(choice, file.keys().sealing_keys())?;
    Ok(Opened {
        store,
        keys: Some((file.keys().pin_keys(), file.keys().state_keys())),
        app: Some(with_suffix(&base, "app")),
        describe,
    })
}

/// What the files beside the store are named after (`PATH.keys`, `PATH.app`): the SQLite
/// file, or `first_login` in the working directory for PostgreSQL. `None` in memory.
pub(crate) fn base(choice: &Choice) -> Option<PathBuf> {
    match choice {
        Choice::Memory => None,
        Choice::Sqlite(path) => Some(path.clone()),
        Choice::Postgres(_) => Some(PathBuf::from("first_login")),
    }
}

/// The database store, sealing under `sealing`.
pub(crate) fn database(choice: &Choice, sealing: SealingKeys) -> Result<Arc<dyn Store>, String> {
    Ok(match choice {
        Choice::Sqlite(path) => {
            Arc::new(SqliteStore::open(path, sealing).map_err(|e| e.to_string())?)
        }
        #[cfg(feature = "postgres")]
        Choice::Postgres(url) => {
            Arc::new(PostgresStore::connect(url, sealing).map_err(|e| e.to_string())?)
        }
        #[cfg(not(feature = "postgres"))]
        Choice::Postgres(_) => {
            drop(sealing);
            return Err(
                "this build has no PostgreSQL store (it keeps the first command light): \
                 run it with `cargo run --features postgres --example …`"
                    .into(),
            );
        }
        Choice::Memory => Arc::new(MemoryStore::new()),
    })
}

pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// The app keeps its token.
pub(crate) fn save_app(path: &Path, account: &str, token: &ActivatedToken) -> Result<(), String> {
    let uri = OtpAuthUri::totp(
        Some("tollgate"),
        account,
        token.secret().clone(),
        token.params(),
    )
    .map_err(|e| e.to_string())?;
    save_key_uri(path, &uri)
}

/// The app keeps a token it scanned.
pub(crate) fn save_key_uri(path: &Path, uri: &OtpAuthUri) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    writeln!(file, "{}", uri.expose_uri().as_str()).map_err(|e| e.to_string())
}

/// The app's token from an earlier run.
pub(crate) fn load_app(path: &Path) -> Result<Totp, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "the account is in the store, but the app's token is not in {}: {e}",
            path.display()
        )
    })?;
    let parsed = OtpAuthUri::parse(text.trim())
        .map_err(|e| format!("{} is not a key URI: {e}", path.display()))?;
    let params = parsed
        .uri
        .totp_params()
        .ok_or_else(|| format!("{} is not a TOTP key", path.display()))?;
    Ok(Totp::new(parsed.uri.secret(), params))
}
