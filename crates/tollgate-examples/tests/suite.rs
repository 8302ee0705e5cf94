//! The integration tests of `tollgate-examples`, one binary: each module (in `tests/suite/`) is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/common/mod.rs"]
mod common;

#[path = "suite/admin.rs"]
mod admin;
#[path = "suite/first_login.rs"]
mod first_login;
#[path = "suite/rotate_keys.rs"]
mod rotate_keys;
#[path = "suite/soft_token.rs"]
mod soft_token;
#[path = "suite/soft_token_accounts.rs"]
mod soft_token_accounts;
