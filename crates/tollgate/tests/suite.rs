//! The integration tests of `tollgate`, one binary: each module is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod common;

mod abuse;
mod admin;
mod attacks;
mod deliveries;
mod grant;
mod online;
#[cfg(feature = "png")]
mod open_path;
mod reads;
mod redaction;
mod reset;
mod reset_deliveries;
#[cfg(feature = "sms-http")]
mod sms_http;
#[cfg(feature = "smtp")]
mod smtp;
mod trail;
