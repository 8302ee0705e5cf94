//! The test server: a fresh database per test, or a loud skip without a server.

use std::io::Write as _;

const URL: &str = "TOLLGATE_POSTGRES_URL";
const REQUIRE: &str = "TOLLGATE_REQUIRE_POSTGRES";

/// A fresh, empty database named `name` on the test server, and its URL; `None` (said loudly)
/// when there is no server, unless one is required.
pub(crate) fn database(name: &str) -> Option<String> {
    let Ok(admin) = std::env::var(URL) else {
        assert!(
            std::env::var_os(REQUIRE).is_none(),
            "{REQUIRE} is set but {URL} is not: no PostgreSQL server to test against"
        );
        // Straight to stderr, past the test harness's capture, so that it shows.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED {name}: no PostgreSQL server. Set {URL} \
             (`source .ci/postgres.sh && pg_start` starts one). ***"
        );
        return None;
    };
    let mut client = tollgate_store_postgres::client(&admin).unwrap();
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    Some(tollgate_store_postgres::url_for_database(&admin, name))
}

/// As [`database`], holding what `sql` writes.
#[allow(dead_code, reason = "not every test file loads a dump")]
pub(crate) fn database_with(name: &str, sql: &str) -> Option<String> {
    let url = database(name)?;
    tollgate_store_postgres::client(&url)
        .unwrap()
        .batch_execute(sql)
        .unwrap();
    Some(url)
}
