//! A database written by the last version before the rebuilt login core (schema version 1,
//! kept as `tests/data/schema_v1.sql`) migrates on connect, and what it held is there: the
//! token logs in, the counts are kept, the old logins and the activation in progress are gone,
//! and a wrong key changes nothing. Needs a server, as `tests/suite/store.rs`.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::server;

use std::sync::Arc;

use tollgate_login::UserId;
use tollgate_store::conformance;
use tollgate_store::{SealingKey, Store, StoreError};
use tollgate_store_postgres::{PostgresStore, SCHEMA_VERSION};

/// A fresh database named `name` holding the version 1 dump, and its URL.
fn version_1_database(name: &str) -> Option<String> {
    server::database_with(name, include_str!("../data/schema_v1.sql"))
}

fn schema_version(url: &str) -> i32 {
    tollgate_store_postgres::client(url)
        .unwrap()
        .query_one("SELECT version FROM tollgate_schema", &[])
        .unwrap()
        .get(0)
}

#[test]
fn a_version_1_database_is_refused_untouched_under_another_key() {
    let Some(url) = version_1_database("tollgate_v1_wrong_key") else {
        return;
    };
    let refused = PostgresStore::connect(&url, SealingKey::new([0x22; 32])).unwrap_err();
    assert!(matches!(refused, StoreError::Integrity(_)), "{refused}");
    assert_eq!(schema_version(&url), 1);
    let columns: i64 = tollgate_store_postgres::client(&url)
        .unwrap()
        .query_one(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'tollgate_users'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(columns, 22, "the rolled-back migration changed the table");
}

#[test]
fn a_version_1_database_migrates_and_keeps_its_accounts() {
    let Some(url) = version_1_database("tollgate_v1") else {
        return;
    };
    let store = PostgresStore::connect(&url, SealingKey::new([0x11; 32])).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 5);

    let store: Arc<dyn Store> = Arc::new(store);
    conformance::version_1_fixture(store.clone()).unwrap();

    drop(store);
    let again = PostgresStore::connect(&url, SealingKey::new([0x11; 32])).unwrap();
    let john: UserId = "john.smith@example.com".parse().unwrap();
    assert_eq!(again.user(&john).unwrap().unwrap().account.version(), 6);
}
