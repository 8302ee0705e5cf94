//! The integration tests of `tollgate-store`, one binary: each module (in `tests/suite/`) is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/vectors/mod.rs"]
mod vectors;

#[path = "suite/memory.rs"]
mod memory;
#[path = "suite/rotation.rs"]
mod rotation;
#[path = "suite/sealed.rs"]
mod sealed;
#[path = "suite/sealed_v2.rs"]
mod sealed_v2;
