//! The integration tests of `tollgate-provision`, one binary: each module is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod eci;
mod key_uri;
mod migration;
mod qr_images;
mod secure_qr;
