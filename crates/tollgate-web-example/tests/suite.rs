//! The integration tests of `tollgate-web-example`, one binary: each module (in `tests/suite/`) is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/agent/mod.rs"]
mod agent;
#[path = "suite/web/mod.rs"]
mod web;

#[path = "suite/cluster.rs"]
mod cluster;
#[path = "suite/embed_axum.rs"]
mod embed_axum;
#[path = "suite/lifecycle.rs"]
mod lifecycle;
#[path = "suite/mobile_online.rs"]
mod mobile_online;
#[path = "suite/passkeys.rs"]
mod passkeys;
#[path = "suite/pyhanko.rs"]
mod pyhanko;
#[path = "suite/web_login.rs"]
mod web_login;
