//! The integration tests of `tollgate`, one binary: each module (in `tests/suite/`) is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/common/mod.rs"]
mod common;

#[path = "suite/abuse.rs"]
mod abuse;
#[path = "suite/admin.rs"]
mod admin;
#[path = "suite/attacks.rs"]
mod attacks;
#[path = "suite/deliveries.rs"]
mod deliveries;
#[path = "suite/grant.rs"]
mod grant;
#[path = "suite/online.rs"]
mod online;
#[cfg(feature = "png")]
#[path = "suite/open_path.rs"]
mod open_path;
#[cfg(feature = "pkcs11")]
#[path = "suite/pkcs11.rs"]
mod pkcs11;
#[path = "suite/reads.rs"]
mod reads;
#[path = "suite/redaction.rs"]
mod redaction;
#[path = "suite/reset.rs"]
mod reset;
#[path = "suite/reset_deliveries.rs"]
mod reset_deliveries;
#[path = "suite/rollback.rs"]
mod rollback;
#[cfg(feature = "signing")]
#[path = "suite/signing.rs"]
mod signing;
#[cfg(feature = "sms-http")]
#[path = "suite/sms_http.rs"]
mod sms_http;
#[cfg(feature = "smtp")]
#[path = "suite/smtp.rs"]
mod smtp;
#[path = "suite/stranger.rs"]
mod stranger;
#[path = "suite/trail.rs"]
mod trail;
