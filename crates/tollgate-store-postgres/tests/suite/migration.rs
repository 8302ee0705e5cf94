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
    assert_eq!(SCHEMA_VERSION, 7);

    let store: Arc<dyn Store> = Arc::new(store);
    conformance::version_1_fixture(store.clone()).unwrap();

    drop(store);
    let again = PostgresStore::connect(&url, SealingKey::new([0x11; 32])).unwrap();
    let john: UserId = "john.smith@example.com".parse().unwrap();
    assert_eq!(again.user(&john).unwrap().unwrap().account.version(), 6);
}

/// The database 0.2.0 wrote (`schema_v4.sql`): every row sealed again whole and the ledger
/// built over them; the accounts keep working, and from then on the row as 0.2.0 left it, put
/// back, is refused.
#[test]
fn a_version_4_database_gains_the_ledger_and_keeps_its_accounts() {
    use tollgate_login::Config;
    use tollgate_otp::{Secret, Totp, UnixTime};
    use tollgate_store::conformance::{Cluster, later_login};

    let Some(url) = server::database_with("tollgate_v4", include_str!("../data/schema_v4.sql"))
    else {
        return;
    };
    let mut writer = tollgate_store_postgres::client(&url).unwrap();
    let old = writer
        .query_one(
            "SELECT version, state FROM tollgate_users WHERE id = 'john.smith@example.com'",
            &[],
        )
        .unwrap();
    let (version, state): (i64, Vec<u8>) = (old.get(0), old.get(1));
    let store = PostgresStore::connect(&url, SealingKey::new([0x45; 32])).unwrap();
    assert_eq!(schema_version(&url), 7);
    let john: UserId = "john.smith@example.com".parse().unwrap();
    let record = store.user(&john).unwrap().unwrap();
    assert_eq!(record.account.version(), 4);
    let tokens = record.account.state().tokens();
    assert_eq!(tokens[0].serial.to_string(), "10164-09458");
    assert!(
        store
            .user(&"bob@example.com".parse().unwrap())
            .unwrap()
            .is_some()
    );

    // Web sessions (version 6) work on the migrated data, beside its accounts.
    conformance::sessions(&store, "v4").unwrap();
    // Signing credentials (version 7) too.
    conformance::credentials(&store, "v4").unwrap();

    let store: Arc<dyn Store> = Arc::new(store);
    let cluster = Cluster::unregistered(vec![store.clone()], &Config::default(), 71).unwrap();
    cluster.clock.set(UnixTime::from_secs(1_700_000_090));
    let secret = Secret::from_base32("3LCPJKRPXX7TG5X33LT37HJPL4").unwrap();
    later_login(cluster.first(), &Totp::new(&secret, tokens[0].params)).unwrap();
    assert_eq!(store.user(&john).unwrap().unwrap().account.version(), 5);

    writer
        .execute(
            "UPDATE tollgate_users SET version = $1, state = $2 \
             WHERE id = 'john.smith@example.com'",
            &[&version, &state],
        )
        .unwrap();
    assert!(matches!(store.user(&john), Err(StoreError::Integrity(_))));
}
