//! The properties that the fuzz targets in `fuzz/` assert.
//!
//! Each function takes the fuzzer's bytes, must never panic on any input except where a
//! property is broken, and asserts the round trips that apply. The targets in
//! `fuzz/fuzz_targets/` are one-line calls to these functions, and `tests/suite/corpus.rs` replays
//! every committed corpus file through the same functions on stable Rust, so CI checks the
//! corpora without a nightly toolchain.

#![forbid(unsafe_code)]

mod codes;
mod login;
mod otp;
mod passkey;
mod provision;
mod seeds;
mod signing;
mod store;
mod web;

pub use codes::{
    activation_code, activation_password, online_registration, registration_code, serial_number,
    token_policy,
};
pub use login::{login_machine, user_id};
pub use otp::{ocra_suite, otp_code, secret_base32};
pub use passkey::passkey_response;
pub use provision::{key_uri, migration, secure_qr};
pub use seeds::seed_file;
pub use signing::signing_request;
pub use store::{device_id, key_file, login_key, sealed_login, sealed_state, stored_account};
pub use web::forwarded_header;

/// A target: its directory name under `fuzz/corpus/` and the property it checks.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by corpus directory name.
pub const TARGETS: &[Target] = &[
    ("secret_base32", secret_base32),
    ("otp_code", otp_code),
    ("serial_number", serial_number),
    ("activation_code", activation_code),
    ("registration_code", registration_code),
    ("online_registration", online_registration),
    ("activation_password", activation_password),
    ("token_policy", token_policy),
    ("key_uri", key_uri),
    ("migration", migration),
    ("secure_qr", secure_qr),
    ("login_machine", login_machine),
    ("user_id", user_id),
    ("stored_account", stored_account),
    ("sealed_state", sealed_state),
    ("login_key", login_key),
    ("sealed_login", sealed_login),
    ("device_id", device_id),
    ("key_file", key_file),
    ("ocra_suite", ocra_suite),
    ("forwarded_header", forwarded_header),
    ("passkey_response", passkey_response),
    ("signing_request", signing_request),
    ("seed_file", seed_file),
];

/// The fuzzer's bytes as text, or `None` for bytes that are not UTF-8 (no parser takes them).
pub(crate) fn text(data: &[u8]) -> Option<&str> {
    core::str::from_utf8(data).ok()
}
