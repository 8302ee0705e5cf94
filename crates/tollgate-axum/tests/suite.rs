//! The integration tests of `tollgate-axum`, one binary: each module is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod common;

mod authenticators;
mod delivery;
mod recovery;
mod reset;
mod router;
