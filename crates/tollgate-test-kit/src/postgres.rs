//! The PostgreSQL server `.ci/postgres.sh` starts: a fresh database per test, or a loud skip.

/// The variable that names the test server (an administrator's URL).
pub const URL: &str = "TOLLGATE_POSTGRES_URL";
/// The variable that makes a missing server a failure.
pub const REQUIRE: &str = "TOLLGATE_REQUIRE_POSTGRES";

/// A fresh, empty database named `name` on the test server (dropped first if a run before left
/// it), and its URL; `None`, said loudly, when there is no server (unless one is required).
///
/// # Panics
/// When the server refuses, or when [`REQUIRE`] is set without [`URL`].
#[must_use]
pub fn database(test: &str, name: &str) -> Option<String> {
    let Ok(admin) = std::env::var(URL) else {
        crate::system::skip(
            test,
            REQUIRE,
            "a PostgreSQL server (TOLLGATE_POSTGRES_URL; `source .ci/postgres.sh && pg_start`)",
        );
        return None;
    };
    let mut client = tollgate_store_postgres::client(&admin).expect("the test server");
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .expect("dropping the test database");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("creating the test database");
    Some(tollgate_store_postgres::url_for_database(&admin, name))
}
