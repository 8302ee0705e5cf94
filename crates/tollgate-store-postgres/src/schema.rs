//! The schema and its migrations: the same steps as the SQLite store's, in PostgreSQL's types,
//! applied on connect in one transaction under an advisory lock (so that nodes starting
//! together migrate once) and recorded in `tollgate_schema`.

use postgres::GenericClient;
use tollgate::Error;

/// Each migration takes the schema from its index to its index + 1. Append; never edit.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: users with their account columns, the serial numbers they hold, logins.
    "CREATE TABLE tollgate_users (
        id TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        mobile TEXT,
        email TEXT,
        version BIGINT NOT NULL CHECK (version >= 0),
        password_failures BIGINT NOT NULL CHECK (password_failures >= 0),
        code_failures BIGINT NOT NULL CHECK (code_failures >= 0),
        lockouts BIGINT NOT NULL CHECK (lockouts >= 0),
        locked_until BIGINT,
        -- The enrolled token; its secret sealed (XChaCha20-Poly1305) by the service's key.
        token_serial TEXT,
        token_secret BYTEA,
        token_algorithm TEXT,
        token_digits BIGINT,
        token_period BIGINT,
        token_t0 BIGINT,
        token_last_step BIGINT,
        token_drift BIGINT,
        -- The pending activation; its activation code sealed. No activation password.
        pending_serial TEXT,
        pending_activation_code BYTEA,
        pending_policy TEXT,
        pending_expires_at BIGINT,
        pending_kind TEXT CHECK (pending_kind IN ('mobile', 'desktop')),
        CHECK ((token_serial IS NULL) = (token_secret IS NULL)),
        CHECK ((pending_serial IS NULL) = (pending_activation_code IS NULL))
    );
    -- A serial number belongs to one account, whether as its token or its pending activation.
    CREATE TABLE tollgate_serials (
        serial TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES tollgate_users (id) ON DELETE CASCADE
    );
    CREATE INDEX tollgate_serials_by_user ON tollgate_serials (user_id);
    -- Logins in progress, under a SHA-256 of their key.
    CREATE TABLE tollgate_logins (
        id BYTEA PRIMARY KEY,
        state TEXT NOT NULL,
        expires_at BIGINT NOT NULL
    );
    CREATE INDEX tollgate_logins_by_expiry ON tollgate_logins (expires_at);",
];

/// The schema version this crate writes and reads.
#[expect(
    clippy::cast_possible_truncation,
    reason = "a handful of migrations; checked by a test"
)]
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Any value; the same on every node.
const MIGRATION_LOCK: i64 = 0x746f_6c6c_6761_7465; // "tollgate"

fn failed(e: postgres::Error) -> Error {
    Error::Store(format!("postgres: migrating the schema: {e}"))
}

pub(crate) fn version(client: &mut impl GenericClient) -> Result<u32, Error> {
    let row = client
        .query_opt("SELECT version FROM tollgate_schema", &[])
        .map_err(failed)?;
    let Some(row) = row else { return Ok(0) };
    let version: i32 = row.try_get(0).map_err(failed)?;
    u32::try_from(version).map_err(|_| Error::Store(format!("postgres: schema version {version}")))
}

/// Brings the schema up to [`SCHEMA_VERSION`]; refuses a newer one.
pub(crate) fn migrate(client: &mut postgres::Client) -> Result<(), Error> {
    let mut tx = client.transaction().map_err(failed)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(failed)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS tollgate_schema (
            one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
            version INTEGER NOT NULL
        )",
    )
    .map_err(failed)?;
    let found = version(&mut tx)?;
    if found > SCHEMA_VERSION {
        return Err(Error::Store(format!(
            "postgres: the database's schema is version {found}, and this \
             tollgate-store-postgres knows versions up to {SCHEMA_VERSION}: upgrade \
             tollgate-store-postgres (nothing was changed)"
        )));
    }
    for (from, migration) in (found..).zip(MIGRATIONS.iter().skip(found as usize)) {
        tx.batch_execute(migration).map_err(failed)?;
        let to = i32::try_from(from + 1).map_err(|_| Error::Store("schema version".into()))?;
        tx.execute(
            "INSERT INTO tollgate_schema (version) VALUES ($1) \
             ON CONFLICT (one) DO UPDATE SET version = excluded.version",
            &[&to],
        )
        .map_err(failed)?;
    }
    tx.commit().map_err(failed)
}
