//! The integration tests of `tollgate-examples`, one binary: each module is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod common;

mod admin;
mod first_login;
mod rotate_keys;
mod soft_token;
mod soft_token_accounts;
