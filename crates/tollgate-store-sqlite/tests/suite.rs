//! The integration tests of `tollgate-store-sqlite`, one binary: each module is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod crash;
mod migration;
mod rotation;
mod store;
