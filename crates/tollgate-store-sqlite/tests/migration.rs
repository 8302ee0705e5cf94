//! A file written by the last version before the rebuilt login core (schema version 1, kept as
//! `tests/data/schema_v1.db`, described in `tests/data/schema_v1.txt`) opens, and what it
//! held is there: the token logs in, the counts are kept, the old logins and the activation
//! in progress are gone, and a wrong key changes nothing.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::Arc;

use tollgate_login::{Config, DriveError, LoginKey, UserId};
use tollgate_otp::{Secret, Totp, UnixTime};
use tollgate_store::conformance::{self, Cluster};
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
    assert_eq!(SCHEMA_VERSION, 2);
    store.integrity_check().unwrap();

    let john: UserId = "john.smith@example.com".parse().unwrap();
    let account = store.user(&john).unwrap().unwrap().account;
    assert_eq!(account.version, 5);
    let token = account.state.token.as_ref().unwrap();
    assert_eq!(token.serial.to_string(), "07106-22051");
    assert_eq!(&*token.secret.expose_base32(), "65HHK3QSHJ5COXRMXWMYLR7SKE");

    let jane = store
        .user(&"jane.doe@example.com".parse().unwrap())
        .unwrap()
        .unwrap();
    assert!(
        jane.account.state.pending.is_none(),
        "the activation in progress is dropped"
    );
    let bob = store
        .user(&"bob@example.com".parse().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(bob.account.state.password_failures, 3);
    assert!(bob.account.mobile.is_some());

    // The old login is gone; the token logs in through the new driver.
    let store: Arc<dyn Store> = Arc::new(store);
    let cluster = Cluster::unregistered(vec![store.clone()], &Config::default(), 1).unwrap();
    let old: LoginKey = "332d37df106678332c34c90d6362e538.0".parse().unwrap();
    assert!(matches!(
        cluster
            .first()
            .driver
            .load(&*store, &old, cluster.clock.now()),
        Err(DriveError::UnknownLogin)
    ));
    cluster.clock.set(UnixTime::from_secs(1_700_000_090));
    let secret = Secret::from_base32("65HHK3QSHJ5COXRMXWMYLR7SKE").unwrap();
    let app = Totp::new(&secret, token.params);
    conformance::later_login(cluster.first(), &app).unwrap();

    // Jane's old serial number is free again, and she can enroll.
    let jane_token = conformance::enroll_as(cluster.first(), "jane.doe@example.com", 3);
    assert!(jane_token.is_ok(), "{jane_token:?}");

    // Opening again changes nothing.
    drop(cluster);
    drop(store);
    let again = SqliteStore::open(&path, SealingKey::new([0x11; 32])).unwrap();
    assert_eq!(again.user(&john).unwrap().unwrap().account.version, 6);
}
