//! The integration tests of `tollgate-store-postgres`, one binary: each module (in `tests/suite/`) is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/server/mod.rs"]
mod server;

#[path = "suite/migration.rs"]
mod migration;
#[path = "suite/rotation.rs"]
mod rotation;
#[path = "suite/store.rs"]
mod store;
#[path = "suite/tls.rs"]
mod tls;
