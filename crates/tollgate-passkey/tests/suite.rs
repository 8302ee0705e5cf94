//! tollgate-passkey's tests, one binary: the W3C's vectors, the attacks of THREATS.md's phisher
//! and cloner on the ceremony, and the parsers under hostile input.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/attacks.rs"]
mod attacks;
#[path = "suite/properties.rs"]
mod properties;
#[path = "suite/vectors.rs"]
mod vectors;
