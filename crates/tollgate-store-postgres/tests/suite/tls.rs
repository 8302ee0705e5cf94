//! TLS to the server (`THREATS.md`: the network attacker between a node and its database).
//! `.ci/postgres.sh` starts the server with a throwaway CA; the store connects with
//! `verify-full`, and a wrong CA or a wrong host name is refused with the reason. Before, every
//! connection was plain TCP (`NoTls`).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::server;

use tollgate_store::{SealingKey, StoreError};
use tollgate_store_postgres::PostgresStore;

/// The server's address and the CAs, when a TLS test server is there.
fn setup() -> Option<(String, String, String)> {
    server::database("tollgate_tls")?;
    let url = std::env::var("TOLLGATE_POSTGRES_URL").unwrap();
    let (Ok(ca), Ok(other)) = (
        std::env::var("TOLLGATE_POSTGRES_CA"),
        std::env::var("TOLLGATE_POSTGRES_OTHER_CA"),
    ) else {
        eprintln!(
            "\n*** SKIPPED the TLS tests: the server has no TLS (.ci/postgres.sh gives it one) ***"
        );
        return None;
    };
    // postgres://user@host:port/db?… → user@host:port
    let rest = url.split_once("://").unwrap().1;
    let server = rest.split_once('/').unwrap().0.to_owned();
    Some((server, ca, other))
}

fn encrypted(url: &str) -> bool {
    tollgate_store_postgres::client(url)
        .unwrap()
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0)
}

fn cause(e: &StoreError) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

#[test]
fn verify_full_connects_and_a_wrong_ca_or_host_is_refused() {
    let Some((server, ca, other)) = setup() else {
        return;
    };
    let key = || SealingKey::new([3; 32]);
    let url = |query: &str| format!("postgres://{server}/tollgate_tls?{query}");

    let good = url(&format!("sslmode=verify-full&sslrootcert={ca}"));
    PostgresStore::connect(&good, key()).unwrap();
    assert!(encrypted(&good), "verify-full did not encrypt");

    let wrong_ca = url(&format!("sslmode=verify-full&sslrootcert={other}"));
    let refused = PostgresStore::connect(&wrong_ca, key()).unwrap_err();
    assert!(
        cause(&refused).contains("UnknownIssuer"),
        "{}",
        cause(&refused)
    );

    // The certificate is for 127.0.0.1 and localhost; the same server under another name.
    let port = server.rsplit_once(':').unwrap().1;
    let user = server.split_once('@').unwrap().0;
    let wrong_host = format!(
        "postgres://{user}@db.example:{port}/tollgate_tls?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert={ca}"
    );
    let refused = PostgresStore::connect(&wrong_host, key()).unwrap_err();
    assert!(
        cause(&refused).contains("not valid for name"),
        "{}",
        cause(&refused)
    );

    // require encrypts without verifying (any CA); disable is plain, on this machine only by
    // default.
    let require = url("sslmode=require");
    assert!(encrypted(&require));
    assert!(!encrypted(&url("sslmode=disable")));
    assert!(!encrypted(&format!("postgres://{server}/tollgate_tls")));
}
