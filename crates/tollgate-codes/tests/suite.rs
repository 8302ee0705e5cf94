//! The integration tests of `tollgate-codes`, one binary: each module is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod common;

mod online;
mod protocol;
mod unlock;
mod vectors;
