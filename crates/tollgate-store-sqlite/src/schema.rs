//! The schema and its migrations, applied on open in one `BEGIN IMMEDIATE` transaction and
//! recorded in `PRAGMA user_version`.

use rand_core::CryptoRng;
use rusqlite::{Connection, TransactionBehavior};
use tollgate_store::legacy::{Migration, migrate_v1};
use tollgate_store::sql::build_ledger;
use tollgate_store::{SealingKeys, StoreError};

use crate::backend::{Statements, sqlite_error};

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
    Code(fn(&rusqlite::Transaction<'_>, &mut Sealing<'_>) -> Result<(), StoreError>),
}

/// Each migration takes the schema from its index to its index + 1. Append; never edit.
const MIGRATIONS: &[Step] = &[
    Step::Sql(
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
    ),
    // 1 → 2: an account's whole state sealed as one value; logins with a version, under
    // authenticated states. Logins in progress are dropped (they were not authenticated), and
    // so are activations in progress (they belonged to those logins).
    Step::Code(to_v2),
    Step::Sql(
        // 2 → 3: wrong passwords by client (a digest of its network), in fixed windows.
        "CREATE TABLE tollgate_throttle (
            client BLOB PRIMARY KEY,
            window_start INTEGER NOT NULL,
            failures INTEGER NOT NULL CHECK (failures >= 0)
        ) STRICT;
        CREATE INDEX tollgate_throttle_by_window ON tollgate_throttle (window_start);",
    ),
    Step::Sql(
        // 3 → 4: each account's audit trail, for its administrators. No foreign key: the
        // trail outlives the user it names.
        "CREATE TABLE tollgate_audit (
            seq INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            user_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL
        ) STRICT;
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
            id BLOB PRIMARY KEY NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 0),
            user_id TEXT,
            expires_at INTEGER NOT NULL,
            body BLOB NOT NULL
        ) STRICT;
        CREATE INDEX tollgate_sessions_by_user ON tollgate_sessions (user_id, expires_at);
        CREATE INDEX tollgate_sessions_by_expiry ON tollgate_sessions (expires_at);",
    ),
    Step::Sql(
        // 6 → 7: signing credentials, each sealed by the service's key and bound to its ID,
        // owner and version.
        "CREATE TABLE tollgate_credentials (
            id TEXT PRIMARY KEY NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 0),
            user_id TEXT NOT NULL,
            record BLOB NOT NULL
        ) STRICT;
        CREATE INDEX tollgate_credentials_by_user ON tollgate_credentials (user_id);",
    ),
];

const V2_TABLES: &str = "CREATE TABLE tollgate_users (
        id TEXT PRIMARY KEY NOT NULL,
        password_hash TEXT NOT NULL,
        mobile TEXT,
        email TEXT,
        version INTEGER NOT NULL CHECK (version >= 0),
        -- The account's whole state (counters, lock, token, pending activation), sealed
        -- (XChaCha20-Poly1305) by the service's key and bound to the user and the version.
        state BLOB NOT NULL
    ) STRICT;
    -- A serial number belongs to one account, whether as its token or its pending activation.
    CREATE TABLE tollgate_serials (
        serial TEXT PRIMARY KEY NOT NULL,
        user_id TEXT NOT NULL REFERENCES tollgate_users (id) ON DELETE CASCADE
    ) STRICT;
    CREATE INDEX tollgate_serials_by_user ON tollgate_serials (user_id);
    -- Logins in progress, under a SHA-256 of their key, authenticated by the state key.
    CREATE TABLE tollgate_logins (
        id BLOB PRIMARY KEY NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 0),
        state TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX tollgate_logins_by_expiry ON tollgate_logins (expires_at);
    INSERT INTO tollgate_users (id, password_hash, mobile, email, version, state)
        SELECT id, password_hash, mobile, email, version, x'' FROM users;";

fn to_v5(tx: &rusqlite::Transaction<'_>, sealing: &mut Sealing<'_>) -> Result<(), StoreError> {
    tx.execute_batch(
        "ALTER TABLE tollgate_users ADD COLUMN bucket INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX tollgate_users_by_bucket ON tollgate_users (bucket);
        -- The ledger (tollgate_store::ledger): its groups (rows 0 to 255) and its sealed root
        -- (row -1), a hash tree over every row of tollgate_users.
        CREATE TABLE tollgate_ledger (
            id INTEGER PRIMARY KEY NOT NULL,
            body BLOB NOT NULL
        ) STRICT;",
    )
    .map_err(sqlite_error("sqlite: migrating to version 5"))?;
    build_ledger(&mut Statements(tx), sealing.key, &mut *sealing.rng)
}

fn to_v2(tx: &rusqlite::Transaction<'_>, sealing: &mut Sealing<'_>) -> Result<(), StoreError> {
    tx.execute_batch(V2_TABLES)
        .map_err(sqlite_error("sqlite: migrating to version 2"))?;
    let migration = Migration {
        from: "users",
        to: "tollgate_users",
        serials: "tollgate_serials",
    };
    migrate_v1(
        &mut Statements(tx),
        migration,
        sealing.key,
        &mut *sealing.rng,
    )?;
    tx.execute_batch("DROP TABLE logins; DROP TABLE serials; DROP TABLE users;")
        .map_err(sqlite_error("sqlite: migrating to version 2"))
}

/// The schema version this crate writes and reads.
#[expect(
    clippy::cast_possible_truncation,
    reason = "a handful of migrations; checked by a test"
)]
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub(crate) fn version(connection: &Connection) -> Result<u32, StoreError> {
    connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(sqlite_error("sqlite: reading the schema version"))
}

/// Brings the schema up to [`SCHEMA_VERSION`]; refuses a newer one, untouched. Foreign keys are
/// off while the tables are rebuilt (SQLite's way of changing a table: a new one, the rows
/// copied, the old one dropped), and checked before the commit.
pub(crate) fn migrate(
    connection: &mut Connection,
    mut sealing: Sealing<'_>,
) -> Result<(), StoreError> {
    let failed = sqlite_error("sqlite: migrating the schema");
    connection
        .execute_batch("PRAGMA foreign_keys = OFF")
        .map_err(sqlite_error("sqlite: migrating the schema"))?;
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite_error("sqlite: migrating the schema"))?;
    let found = version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (from, step) in (found..).zip(MIGRATIONS.iter().skip(found as usize)) {
        match step {
            Step::Sql(sql) => tx
                .execute_batch(sql)
                .map_err(sqlite_error("sqlite: migrating the schema"))?,
            Step::Code(run) => run(&tx, &mut sealing)?,
        }
        tx.pragma_update(None, "user_version", from + 1)
            .map_err(sqlite_error("sqlite: migrating the schema"))?;
    }
    let broken: Option<String> = tx
        .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
        .ok();
    if let Some(table) = broken {
        return Err(StoreError::Integrity(format!(
            "sqlite: the migration left a row of {table} pointing nowhere (nothing was changed)"
        )));
    }
    tx.commit().map_err(failed)?;
    connection
        .execute_batch("PRAGMA foreign_keys = ON")
        .map_err(sqlite_error("sqlite: migrating the schema"))
}
