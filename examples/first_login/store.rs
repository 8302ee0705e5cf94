//! `--store`: where the example keeps its account, so that a second run finds it.
//!
//! A database store needs three keys that outlive the process (the sealing key for accounts'
//! states, the PIN key and the state key for logins in progress): the example keeps them in a
//! key file beside the database (`PATH.keys`, or `first_login.keys` in the working directory
//! for PostgreSQL), created on the first run, readable by its owner alone. A real service takes
//! them from a secrets manager. A key file of an earlier version (two keys) gets a state key
//! added.
//!
//! The example also plays the soft-token app, whose token must survive too: it keeps it as a
//! key URI in `PATH.app` (or `first_login.app`). That file holds the secret in the clear, as a
//! stand-in for the phone; the `soft_token` example is the app that seals it.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate::codes::ActivatedToken;
use tollgate::login::{PinKey, StateKey};
use tollgate::otp::Totp;
use tollgate::provision::OtpAuthUri;
use tollgate::{MemoryStore, SealingKey, Store};
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
    /// The PIN key and the state key, for a store that outlives the process.
    pub(crate) keys: Option<(PinKey, StateKey)>,
    /// Where the app keeps its token, for a store that outlives the process.
    pub(crate) app: Option<PathBuf>,
    pub(crate) describe: String,
}

pub(crate) fn open(choice: &Choice) -> Result<Opened, String> {
    let (base, describe) = match choice {
        Choice::Memory => {
            return Ok(Opened {
                store: Arc::new(MemoryStore::new()),
                keys: None,
                app: None,
                describe: "memory (forgotten at exit)".into(),
            });
        }
        Choice::Sqlite(path) => (path.clone(), format!("SQLite file {}", path.display())),
        Choice::Postgres(_) => (PathBuf::from("first_login"), "PostgreSQL".to_owned()),
    };
    let (sealing, pin, state) = keys(&with_suffix(&base, "keys"))?;
    let store: Arc<dyn Store> = match choice {
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
                        run it as `cargo run --features postgres --example first_login -- \
                        --store postgres://…`"
                    .into(),
            );
        }
        Choice::Memory => unreachable!("returned above"),
    };
    Ok(Opened {
        store,
        keys: Some((pin, state)),
        app: Some(with_suffix(&base, "app")),
        describe,
    })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// The key file: read it, or make it (owner-only) on the first run.
fn keys(path: &Path) -> Result<(SealingKey, PinKey, StateKey), String> {
    let bytes = match std::fs::read_to_string(path) {
        Ok(text) => {
            let mut bytes = unhex(text.trim())
                .filter(|b| b.len() == 64 || b.len() == 96)
                .ok_or_else(|| format!("{} is not a first_login key file", path.display()))?;
            if bytes.len() == 64 {
                // Written before stored logins were authenticated: add the state key.
                let mut state = [0u8; 32];
                getrandom::fill(&mut state).map_err(|e| e.to_string())?;
                bytes.extend_from_slice(&state);
                write_keys(path, &bytes, false)?;
                println!("Added a state key to {}.", path.display());
            }
            bytes
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = vec![0u8; 96];
            getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
            write_keys(path, &bytes, true)?;
            println!(
                "Made the keys in {} (keep it; the store is sealed with it).",
                path.display()
            );
            bytes
        }
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let key = |i: usize| -> [u8; 32] {
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes[32 * i..32 * (i + 1)]);
        key
    };
    Ok((
        SealingKey::new(key(0)),
        PinKey::new(key(1)),
        StateKey::new(key(2)),
    ))
}

fn write_keys(path: &Path, bytes: &[u8], new: bool) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(new)
        .truncate(!new)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    writeln!(file, "{text}").map_err(|e| e.to_string())
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
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
