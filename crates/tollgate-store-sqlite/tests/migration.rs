//! A file written by the last version before the rebuilt login core (schema version 1, kept as
//! `tests/data/schema_v1.db`, described in `tests/data/schema_v1.txt`) opens, and what it
//! held is there: the token logs in, the counts are kept, the old logins and the activation
//! in progress are gone, and a wrong key changes nothing.

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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/schema_v1.db"),
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
    assert_eq!(SCHEMA_VERSION, 3);
    store.integrity_check().unwrap();

    let store: Arc<dyn Store> = Arc::new(store);
    conformance::version_1_fixture(store.clone()).unwrap();

    // Opening again changes nothing.
    drop(store);
    let again = SqliteStore::open(&path, SealingKey::new([0x11; 32])).unwrap();
    let john: UserId = "john.smith@example.com".parse().unwrap();
    assert_eq!(again.user(&john).unwrap().unwrap().account.version, 6);
}
