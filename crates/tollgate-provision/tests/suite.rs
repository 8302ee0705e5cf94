//! The integration tests of `tollgate-provision`, one binary: each module (in `tests/suite/`) is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/app_exports.rs"]
mod app_exports;
#[path = "suite/eci.rs"]
mod eci;
#[path = "suite/key_uri.rs"]
mod key_uri;
#[path = "suite/migration.rs"]
mod migration;
#[path = "suite/qr_images.rs"]
mod qr_images;
#[path = "suite/secure_qr.rs"]
mod secure_qr;
#[cfg(feature = "seeds")]
#[path = "suite/seeds.rs"]
mod seeds;
