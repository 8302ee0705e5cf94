//! The integration tests of `tollgate-login`, one binary: each module (in `tests/suite/`) is one suite.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/sim/mod.rs"]
mod sim;

#[path = "suite/attacks.rs"]
mod attacks;
#[path = "suite/authenticators.rs"]
mod authenticators;
#[path = "suite/catalogues.rs"]
mod catalogues;
#[path = "suite/first_login.rs"]
mod first_login;
#[path = "suite/guessing.rs"]
mod guessing;
#[path = "suite/later_logins.rs"]
mod later_logins;
#[path = "suite/lost.rs"]
mod lost;
#[cfg(feature = "passkeys")]
#[path = "suite/passkeys.rs"]
mod passkeys;
#[path = "suite/properties/mod.rs"]
mod properties;
#[path = "suite/reset.rs"]
mod reset;
#[path = "suite/rotation.rs"]
mod rotation;
#[path = "suite/sends.rs"]
mod sends;
#[path = "suite/strangers.rs"]
mod strangers;
#[path = "suite/usernames.rs"]
mod usernames;
