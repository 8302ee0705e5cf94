//! A file written by the last version before the rebuilt login core (schema version 1, kept as
//! `tests/data/schema_v1.db`, described in `tests/data/schema_v1.txt`) opens, and what it
//! held is there: the token logs in, the counts are kept, the old logins and the activation
//! in progress are gone, and a wrong key changes nothing. And a file of the version before the
//! audit trail (schema version 3, `tests/data/schema_v3.db`, its states from before several
//! authenticators) gains the trail and keeps everything else.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::Arc;

use tollgate_login::UserId;
use tollgate_store::conformance;
use tollgate_store::{SealingKey, Store, StoreError};
use tollgate_store_sqlite::{SCHEMA_VERSION, SqliteStore};

fn fixture() -> (tempfile::TempDir, std::path::PathBuf) {
    copy_of("schema_v1.db")
}

/// A private copy of `tests/data/NAME`.
fn copy_of(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
        &path,
    )
    .unwrap();
    // A copy takes the checked-out file's mode; the store opens only files their owner alone
    // can read.
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    (dir, path)
}

fn user_version(path: &std::path::Path) -> u32 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_version_1_file_is_refused_untouched_under_another_key() {
    let (_dir, path) = fixture();
    let before = std::fs::read(&path).unwrap();
    let refused = SqliteStore::open(&path, SealingKey::new([0x22; 32])).unwrap_err();
    assert!(matches!(refused, StoreError::Integrity(_)), "{refused}");
    assert_eq!(user_version(&path), 1);
    let tables: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'tollgate_%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0, "the rolled-back migration left tables behind");
    drop(before);
}

#[test]
fn a_version_1_file_migrates_and_keeps_its_accounts() {
    let (_dir, path) = fixture();
    let store = SqliteStore::open(&path, SealingKey::new([0x11; 32])).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 7);
    store.integrity_check().unwrap();

    let store: Arc<dyn Store> = Arc::new(store);
    conformance::version_1_fixture(store.clone()).unwrap();

    // Opening again changes nothing.
    drop(store);
    let again = SqliteStore::open(&path, SealingKey::new([0x11; 32])).unwrap();
    let john: UserId = "john.smith@example.com".parse().unwrap();
    assert_eq!(again.user(&john).unwrap().unwrap().account.version(), 6);
}

#[test]
fn a_version_3_file_gains_the_audit_trail_and_keeps_its_accounts() {
    use tollgate_login::Config;
    use tollgate_otp::{Secret, Totp, UnixTime};
    use tollgate_store::conformance::{Cluster, later_login};
    use tollgate_store::{AuditRecord, ClientKey};

    let (_dir, path) = copy_of("schema_v3.db");
    assert_eq!(user_version(&path), 3);
    let store = SqliteStore::open(&path, SealingKey::new([0x33; 32])).unwrap();
    assert_eq!(store.schema_version().unwrap(), 7);
    store.integrity_check().unwrap();
    let john: UserId = "john.smith@example.com".parse().unwrap();
    let record = store.user(&john).unwrap().unwrap();
    assert_eq!(record.account.version(), 4);
    let tokens = &record.account.state().tokens();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].serial.to_string(), "34777-25430");
    assert_eq!(
        *tokens[0].secret.expose_base32(),
        "72U7HTY5X4IXGZ6ZZ6NF3UHIB4"
    );
    assert_eq!((tokens[0].kind, tokens[0].enrolled_at), (None, None));
    assert_eq!(record.account.state().recovery_codes().len(), 10);
    assert!(
        store
            .user(&"bob@example.com".parse().unwrap())
            .unwrap()
            .is_some()
    );
    let client = ClientKey::of("192.0.2.9".parse().unwrap());
    let now = UnixTime::from_secs(1_700_000_010);
    assert_eq!(store.client_failures(&client, now, 3600).unwrap(), 1);
    // The new table works, empty to begin with.
    assert!(store.audit_of(&john, 10).unwrap().is_empty());
    let event = tollgate_login::AuditEvent::Authenticated { user: john.clone() };
    store
        .append_audit(&AuditRecord::of(&event, now).unwrap())
        .unwrap();
    assert_eq!(store.audit_of(&john, 10).unwrap()[0].kind, "authenticated");
    // The token logs in (the fixture's seed gives the same keys), and the state is written
    // back in today's format.
    let store: Arc<dyn Store> = Arc::new(store);
    let cluster = Cluster::unregistered(vec![store.clone()], &Config::default(), 51).unwrap();
    cluster.clock.set(UnixTime::from_secs(1_700_000_090));
    let secret = Secret::from_base32("72U7HTY5X4IXGZ6ZZ6NF3UHIB4").unwrap();
    later_login(cluster.first(), &Totp::new(&secret, tokens[0].params)).unwrap();
    assert_eq!(store.user(&john).unwrap().unwrap().account.version(), 5);
}

/// The file 0.2.0 wrote (`schema_v4.txt`): every row sealed again whole and the ledger built
/// over them; the accounts, the client count and the token keep working, and from then on a
/// row put back to its copy from before the migration, or a written phone number, is refused.
#[test]
fn a_version_4_file_gains_the_ledger_and_keeps_its_accounts() {
    use tollgate_login::Config;
    use tollgate_otp::{Secret, Totp, UnixTime};
    use tollgate_store::ClientKey;
    use tollgate_store::conformance::{Cluster, later_login};

    let (_dir, path) = copy_of("schema_v4.db");
    assert_eq!(user_version(&path), 4);
    let raw = |sql: &str| {
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute(sql, [])
            .unwrap()
    };
    let old_row: (i64, Vec<u8>) = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT version, state FROM tollgate_users WHERE id = 'john.smith@example.com'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let store = SqliteStore::open(&path, SealingKey::new([0x44; 32])).unwrap();
    assert_eq!(store.schema_version().unwrap(), 7);
    store.integrity_check().unwrap();
    let john: UserId = "john.smith@example.com".parse().unwrap();
    let record = store.user(&john).unwrap().unwrap();
    assert_eq!(record.account.version(), 4);
    assert_eq!(
        record.password.as_str(),
        "$argon2id$v=19$m=8,t=1,p=1$c3RhbmQtaW4$c3RhbmQtaW4"
    );
    assert_eq!(
        record.account.mobile().map(|m| m.as_str()),
        Some("+16132701234")
    );
    let tokens = record.account.state().tokens();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].serial.to_string(), "34790-97887");
    assert_eq!(record.account.state().recovery_codes().len(), 10);
    assert!(
        store
            .user(&"bob@example.com".parse().unwrap())
            .unwrap()
            .is_some()
    );
    let client = ClientKey::of("192.0.2.9".parse().unwrap());
    let now = UnixTime::from_secs(1_700_000_010);
    assert_eq!(store.client_failures(&client, now, 3600).unwrap(), 1);

    // Web sessions (version 6) work on the migrated data, beside its accounts.
    conformance::sessions(&store, "v4").unwrap();
    // Signing credentials (version 7) too.
    conformance::credentials(&store, "v4").unwrap();

    // The token logs in.
    let store: Arc<dyn Store> = Arc::new(store);
    let cluster = Cluster::unregistered(vec![store.clone()], &Config::default(), 61).unwrap();
    cluster.clock.set(UnixTime::from_secs(1_700_000_090));
    let secret = Secret::from_base32("OH25GNYL5LE4HFYV3H62W6AUHE").unwrap();
    later_login(cluster.first(), &Totp::new(&secret, tokens[0].params)).unwrap();
    assert_eq!(store.user(&john).unwrap().unwrap().account.version(), 5);

    // The row as 0.2.0 left it, put back: refused (and so is the other format).
    let (version, state) = old_row;
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE tollgate_users SET version = ?1, state = ?2 WHERE id = 'john.smith@example.com'",
            rusqlite::params![version, state],
        )
        .unwrap();
    assert!(matches!(store.user(&john), Err(StoreError::Integrity(_))));
    // A phone number written beside a row that is otherwise right: refused.
    raw("UPDATE tollgate_users SET mobile = '+16135550199' WHERE id = 'bob@example.com'");
    assert!(matches!(
        store.user(&"bob@example.com".parse().unwrap()),
        Err(StoreError::Integrity(_))
    ));
}
