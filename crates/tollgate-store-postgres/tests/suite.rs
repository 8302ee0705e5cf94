//! The integration tests of `tollgate-store-postgres`, one binary: each module is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod server;

mod migration;
mod rotation;
mod store;
mod tls;
