//! The test server: a fresh database per test, or a loud skip without a server.

/// A fresh, empty database named `name` on the test server, and its URL; `None` (said loudly)
/// when there is no server, unless one is required.
pub(crate) fn database(name: &str) -> Option<String> {
    tollgate_test_kit::postgres::database(name, name)
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
