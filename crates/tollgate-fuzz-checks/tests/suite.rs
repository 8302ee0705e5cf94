//! The integration tests of `tollgate-fuzz-checks`, one binary: each module (in `tests/suite/`) is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/corpus.rs"]
mod corpus;
