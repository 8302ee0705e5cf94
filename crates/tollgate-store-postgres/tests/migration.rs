//! A database written by the last version before the rebuilt login core (schema version 1,
//! kept as `tests/data/schema_v1.sql`) migrates on connect, and what it held is there: the
//! token logs in, the counts are kept, the old logins and the activation in progress are gone,
//! and a wrong key changes nothing. Needs a server, as `tests/store.rs`.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod server;

use std::sync::Arc;

use postgres::NoTls;
use tollgate_login::{Config, DriveError, LoginKey, UserId};
use tollgate_otp::{Secret, Totp, UnixTime};
use tollgate_store::conformance::{self, Cluster};
use tollgate_store::{SealingKey, Store, StoreError};
use tollgate_store_postgres::{PostgresStore, SCHEMA_VERSION};

/// A fresh database named `name` holding the version 1 dump, and its URL.
fn version_1_database(name: &str) -> Option<String> {
    server::database_with(name, include_str!("data/schema_v1.sql"))
}

fn schema_version(url: &str) -> i32 {
    postgres::Client::connect(url, NoTls)
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
    let columns: i64 = postgres::Client::connect(&url, NoTls)
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
    assert_eq!(SCHEMA_VERSION, 2);

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
    conformance::later_login(cluster.first(), &Totp::new(&secret, token.params)).unwrap();
    let jane_token = conformance::enroll_as(cluster.first(), "jane.doe@example.com", 3);
    assert!(jane_token.is_ok(), "{jane_token:?}");

    drop(cluster);
    drop(store);
    let again = PostgresStore::connect(&url, SealingKey::new([0x11; 32])).unwrap();
    assert_eq!(again.user(&john).unwrap().unwrap().account.version, 6);
}
