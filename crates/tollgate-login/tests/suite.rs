//! The integration tests of `tollgate-login`, one binary: each module is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod sim;

mod attacks;
mod authenticators;
mod catalogues;
mod first_login;
mod guessing;
mod later_logins;
mod lost;
mod properties;
mod reset;
mod rotation;
mod sends;
mod strangers;
mod usernames;
