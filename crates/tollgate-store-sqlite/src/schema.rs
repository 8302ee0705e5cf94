//! The schema and its migrations, applied on open in one `BEGIN IMMEDIATE` transaction and
//! recorded in `PRAGMA user_version`.

use rusqlite::{Connection, TransactionBehavior};
use tollgate::Error;

/// Each migration takes the schema from its index to its index + 1. Append; never edit.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: users with their account columns, the serial numbers they hold, logins.
    "CREATE TABLE users (
        id TEXT PRIMARY KEY NOT NULL,
        password_hash TEXT NOT NULL,
        mobile TEXT,
        email TEXT,
        version INTEGER NOT NULL CHECK (version >= 0),
        password_failures INTEGER NOT NULL CHECK (password_failures >= 0),
        code_failures INTEGER NOT NULL CHECK (code_failures >= 0),
        lockouts INTEGER NOT NULL CHECK (lockouts >= 0),
        locked_until INTEGER,
        -- The enrolled token; its secret sealed (XChaCha20-Poly1305) by the service's key.
        token_serial TEXT,
        token_secret BLOB,
        token_algorithm TEXT,
        token_digits INTEGER,
        token_period INTEGER,
        token_t0 INTEGER,
        token_last_step INTEGER,
        token_drift INTEGER,
        -- The pending activation; its activation code sealed. No activation password.
        pending_serial TEXT,
        pending_activation_code BLOB,
        pending_policy TEXT,
        pending_expires_at INTEGER,
        pending_kind TEXT CHECK (pending_kind IN ('mobile', 'desktop')),
        CHECK ((token_serial IS NULL) = (token_secret IS NULL)),
        CHECK ((pending_serial IS NULL) = (pending_activation_code IS NULL))
    ) STRICT;
    -- A serial number belongs to one account, whether as its token or its pending activation.
    CREATE TABLE serials (
        serial TEXT PRIMARY KEY NOT NULL,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE
    ) STRICT;
    CREATE INDEX serials_by_user ON serials (user_id);
    -- Logins in progress, under a SHA-256 of their key.
    CREATE TABLE logins (
        id BLOB PRIMARY KEY NOT NULL,
        state TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX logins_by_expiry ON logins (expires_at);",
];

/// The schema version this crate writes and reads.
#[expect(
    clippy::cast_possible_truncation,
    reason = "a handful of migrations; checked by a test"
)]
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub(crate) fn version(connection: &Connection) -> Result<u32, Error> {
    connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| Error::Store(format!("sqlite: reading the schema version: {e}")))
}

/// Brings the schema up to [`SCHEMA_VERSION`]; refuses a newer one.
pub(crate) fn migrate(connection: &mut Connection) -> Result<(), Error> {
    let failed = |e: rusqlite::Error| Error::Store(format!("sqlite: migrating the schema: {e}"));
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(failed)?;
    let found = version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(Error::Store(format!(
            "sqlite: the database's schema is version {found}, and this tollgate-store-sqlite \
             knows versions up to {SCHEMA_VERSION}: upgrade tollgate-store-sqlite (nothing was \
             changed)"
        )));
    }
    for (from, migration) in (found..).zip(MIGRATIONS.iter().skip(found as usize)) {
        tx.execute_batch(migration).map_err(failed)?;
        tx.pragma_update(None, "user_version", from + 1)
            .map_err(failed)?;
    }
    tx.commit().map_err(failed)
}
