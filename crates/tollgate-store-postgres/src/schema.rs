//! The schema and its migrations: the same steps as the SQLite store's, in PostgreSQL's types,
//! applied on connect in one transaction under an advisory lock (so that nodes starting
//! together migrate once) and recorded in `tollgate_schema`.

use std::collections::HashMap;

use rand_core::CryptoRng;
use tollgate_store::legacy::{Migration, migrate_v1};
use tollgate_store::sql::build_ledger;
use tollgate_store::{SealingKeys, StoreError};

use crate::backend::{Statements, postgres_error};

/// What a migration needs besides the transaction: the sealing key and a source of nonces,
/// for the steps that re-seal rows.
pub(crate) struct Sealing<'a> {
    pub(crate) key: &'a SealingKeys,
    pub(crate) rng: &'a mut dyn CryptoRng,
}

/// One step of the schema's history.
enum Step {
    /// Statements alone.
    Sql(&'static str),
    /// Statements, and rows the code must rewrite.
    Code(fn(&mut postgres::Transaction<'_>, &mut Sealing<'_>) -> Result<(), StoreError>),
}

/// Each migration takes the schema from its index to its index + 1. Append; never edit.
const MIGRATIONS: &[Step] = &[
    Step::Sql(
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
    ),
    // 1 → 2: an account's whole state sealed as one value; logins with a version, under
    // authenticated states. Logins in progress are dropped (they were not authenticated), and
    // so are activations in progress (they belonged to those logins).
    Step::Code(to_v2),
    Step::Sql(
        // 2 → 3: wrong passwords by client (a digest of its network), in fixed windows.
        "CREATE TABLE tollgate_throttle (
            client BYTEA PRIMARY KEY,
            window_start BIGINT NOT NULL,
            failures BIGINT NOT NULL CHECK (failures >= 0)
        );
        CREATE INDEX tollgate_throttle_by_window ON tollgate_throttle (window_start);",
    ),
    Step::Sql(
        // 3 → 4: each account's audit trail, for its administrators. No foreign key: the
        // trail outlives the user it names.
        "CREATE TABLE tollgate_audit (
            seq BIGSERIAL PRIMARY KEY,
            at BIGINT NOT NULL,
            user_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX tollgate_audit_by_user ON tollgate_audit (user_id, seq);
        CREATE INDEX tollgate_audit_by_time ON tollgate_audit (at);",
    ),
    // 4 → 5: every row sealed whole (the password hash and the contacts with the state), and
    // the ledger over them, which tells a row put back from an earlier copy.
    Step::Code(to_v5),
    Step::Sql(
        // 5 → 6: web sessions, shared by every node: under a SHA-256 of the cookie, the
        // contents sealed by the service's key and bound to the ID, version, user and expiry.
        "CREATE TABLE tollgate_sessions (
            id BYTEA PRIMARY KEY NOT NULL,
            version BIGINT NOT NULL CHECK (version >= 0),
            user_id TEXT,
            expires_at BIGINT NOT NULL,
            body BYTEA NOT NULL
        );
        CREATE INDEX tollgate_sessions_by_user ON tollgate_sessions (user_id, expires_at);
        CREATE INDEX tollgate_sessions_by_expiry ON tollgate_sessions (expires_at);",
    ),
    Step::Sql(
        // 6 → 7: signing credentials, each sealed by the service's key and bound to its ID,
        // owner and version.
        "CREATE TABLE tollgate_credentials (
            id TEXT PRIMARY KEY NOT NULL,
            version BIGINT NOT NULL CHECK (version >= 0),
            user_id TEXT NOT NULL,
            record BYTEA NOT NULL
        );
        CREATE INDEX tollgate_credentials_by_user ON tollgate_credentials (user_id);",
    ),
];

fn to_v5(tx: &mut postgres::Transaction<'_>, sealing: &mut Sealing<'_>) -> Result<(), StoreError> {
    tx.batch_execute(
        "ALTER TABLE tollgate_users ADD COLUMN bucket BIGINT NOT NULL DEFAULT 0;
        CREATE INDEX tollgate_users_by_bucket ON tollgate_users (bucket);
        -- The ledger (tollgate_store::ledger): its groups (rows 0 to 255) and its sealed root
        -- (row -1), a hash tree over every row of tollgate_users.
        CREATE TABLE tollgate_ledger (
            id BIGINT PRIMARY KEY,
            body BYTEA NOT NULL
        );",
    )
    .map_err(postgres_error("postgres: migrating to version 5"))?;
    let mut cache = HashMap::new();
    let mut statements = Statements {
        client: tx,
        cache: &mut cache,
    };
    build_ledger(&mut statements, sealing.key, &mut *sealing.rng)
}

fn to_v2(tx: &mut postgres::Transaction<'_>, sealing: &mut Sealing<'_>) -> Result<(), StoreError> {
    let failed = || postgres_error("postgres: migrating to version 2");
    tx.batch_execute("ALTER TABLE tollgate_users ADD COLUMN state BYTEA")
        .map_err(failed())?;
    let migration = Migration {
        from: "tollgate_users",
        to: "tollgate_users",
        serials: "tollgate_serials",
    };
    let mut cache = HashMap::new();
    let mut statements = Statements {
        client: tx,
        cache: &mut cache,
    };
    migrate_v1(&mut statements, migration, sealing.key, &mut *sealing.rng)?;
    tx.batch_execute(
        "ALTER TABLE tollgate_users ALTER COLUMN state SET NOT NULL,
            DROP COLUMN password_failures, DROP COLUMN code_failures, DROP COLUMN lockouts,
            DROP COLUMN locked_until, DROP COLUMN token_serial, DROP COLUMN token_secret,
            DROP COLUMN token_algorithm, DROP COLUMN token_digits, DROP COLUMN token_period,
            DROP COLUMN token_t0, DROP COLUMN token_last_step, DROP COLUMN token_drift,
            DROP COLUMN pending_serial, DROP COLUMN pending_activation_code,
            DROP COLUMN pending_policy, DROP COLUMN pending_expires_at, DROP COLUMN pending_kind;
        COMMENT ON COLUMN tollgate_users.state IS 'The account''s whole state (counters, lock, \
            token, pending activation), sealed (XChaCha20-Poly1305) by the service''s key and \
            bound to the user and the version.';
        DROP TABLE tollgate_logins;
        -- Logins in progress, under a SHA-256 of their key, authenticated by the state key.
        CREATE TABLE tollgate_logins (
            id BYTEA PRIMARY KEY,
            version BIGINT NOT NULL CHECK (version >= 0),
            state TEXT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        CREATE INDEX tollgate_logins_by_expiry ON tollgate_logins (expires_at);",
    )
    .map_err(failed())
}

/// The schema version this crate writes and reads.
#[expect(
    clippy::cast_possible_truncation,
    reason = "a handful of migrations; checked by a test"
)]
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Any value; the same on every node.
const MIGRATION_LOCK: i64 = 0x746f_6c6c_6761_7465; // "tollgate"

fn failed(e: postgres::Error) -> StoreError {
    postgres_error("postgres: migrating the schema")(e)
}

pub(crate) fn version(client: &mut impl postgres::GenericClient) -> Result<u32, StoreError> {
    let row = client
        .query_opt("SELECT version FROM tollgate_schema", &[])
        .map_err(failed)?;
    let Some(row) = row else { return Ok(0) };
    let version: i32 = row.try_get(0).map_err(failed)?;
    u32::try_from(version)
        .map_err(|_| StoreError::Integrity(format!("postgres: schema version {version}")))
}

/// Brings the schema up to [`SCHEMA_VERSION`]; refuses a newer one, untouched.
pub(crate) fn migrate(
    client: &mut postgres::Client,
    mut sealing: Sealing<'_>,
) -> Result<(), StoreError> {
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
        return Err(StoreError::SchemaTooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (from, step) in (found..).zip(MIGRATIONS.iter().skip(found as usize)) {
        match step {
            Step::Sql(sql) => tx.batch_execute(sql).map_err(failed)?,
            Step::Code(run) => run(&mut tx, &mut sealing)?,
        }
        let to = i32::try_from(from + 1)
            .map_err(|_| StoreError::Integrity("schema version beyond i32".into()))?;
        tx.execute(
            "INSERT INTO tollgate_schema (version) VALUES ($1) \
             ON CONFLICT (one) DO UPDATE SET version = excluded.version",
            &[&to],
        )
        .map_err(failed)?;
    }
    tx.commit().map_err(failed)
}
