//! The integration tests of `tollgate-store`, one binary: each module is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod vectors;

mod memory;
mod rotation;
mod sealed;
mod sealed_v2;
