//! The integration tests of `tollgate-otp`, one binary: each module (in `tests/suite/`) is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/boundaries.rs"]
mod boundaries;
#[path = "suite/ocra.rs"]
mod ocra;
#[path = "suite/properties.rs"]
mod properties;
#[path = "suite/vectors.rs"]
mod vectors;
