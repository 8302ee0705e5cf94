#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod admin;
mod clock;
mod delivery;
mod error;
mod keyfile;
mod observe;
mod password;
mod service;
#[cfg(feature = "signing")]
pub mod signing;

// Inlined, so that `cargo doc -p tollgate` documents every type the facade hands out on its
// own pages (links into the crates themselves would be dead without their docs built).
#[doc(inline)]
pub use tollgate_codes as codes;
#[doc(inline)]
pub use tollgate_login as login;
#[doc(inline)]
pub use tollgate_otp as otp;
#[cfg(feature = "passkeys")]
#[doc(inline)]
pub use tollgate_passkey as passkey;
#[doc(inline)]
pub use tollgate_provision as provision;
#[cfg(feature = "signing")]
#[doc(inline)]
pub use tollgate_sign as sign;
#[doc(inline)]
pub use tollgate_store as store;

pub use admin::{AccountSummary, Admin, MAX_GRANT_LIFETIME, MAX_RECENT_EVENTS};
pub use clock::{Clock, ManualClock, SystemClock};
#[cfg(feature = "smtp-tokio")]
pub use delivery::AsyncSmtpDelivery;
#[cfg(feature = "sms-http")]
pub use delivery::HttpSmsDelivery;
#[cfg(feature = "smtp")]
pub use delivery::SmtpDelivery;
pub use delivery::{
    AsyncDelivery, AuditLog, AuditSink, Delivered, Delivery, DeliveryError, DeliveryFuture,
    NotDelivered, Outbox, Outgoing, RetryPolicy,
};
pub use error::Error;
pub use keyfile::{KeyFile, KeyFileError, write_whole};
/// lettre itself, whose `SmtpTransport` an [`SmtpDelivery`] takes (hidden: its docs are lettre's).
#[cfg(feature = "smtp")]
#[doc(hidden)]
pub use lettre;
pub use password::{MAX_PASSWORD_BYTES, PasswordLimits, Passwords, danger};
pub use service::{Client, ClientLimit, OnlineAnswer, Service, ServiceBuilder, View};
pub use tollgate_login::{LoginKey, StateKey};
pub use tollgate_store::{
    AuditRecord, KeysError, MemoryStore, PasswordHash, SealingKey, ServiceKeys, SharedRng, Store,
    StoreError, UserRecord, os_rng,
};

/// The repository's README, whose embedding example runs as a doctest (a fresh clone's
/// `cargo test` checks it; the published crate has no README of the repository to read).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct RootReadme;
