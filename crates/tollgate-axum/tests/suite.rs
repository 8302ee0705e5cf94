//! The integration tests of `tollgate-axum`, one binary: each module (in `tests/suite/`) is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/common/mod.rs"]
mod common;

#[path = "suite/authenticators.rs"]
mod authenticators;
#[cfg(feature = "signing")]
#[path = "suite/csc.rs"]
mod csc;
#[path = "suite/delivery.rs"]
mod delivery;
#[path = "suite/nodes.rs"]
mod nodes;
#[path = "suite/proxies.rs"]
mod proxies;
#[path = "suite/recovery.rs"]
mod recovery;
#[path = "suite/reset.rs"]
mod reset;
#[path = "suite/router.rs"]
mod router;
#[path = "suite/serving.rs"]
mod serving;
