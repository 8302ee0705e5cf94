//! The integration tests of `tollgate-codes`, one binary: each module (in `tests/suite/`) is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/common/mod.rs"]
mod common;

#[path = "suite/online.rs"]
mod online;
#[path = "suite/protocol.rs"]
mod protocol;
#[path = "suite/unlock.rs"]
mod unlock;
#[path = "suite/vectors.rs"]
mod vectors;
