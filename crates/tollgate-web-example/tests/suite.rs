//! The integration tests of `tollgate-web-example`, one binary: each module is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod agent;
mod web;

mod embed_axum;
mod lifecycle;
mod mobile_online;
mod web_login;
