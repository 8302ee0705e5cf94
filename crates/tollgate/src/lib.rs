#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod clock;
mod delivery;
mod error;
mod password;
mod service;

pub use tollgate_codes as codes;
pub use tollgate_login as login;
pub use tollgate_otp as otp;
pub use tollgate_provision as provision;
pub use tollgate_store as store;

pub use clock::{Clock, ManualClock, SystemClock};
pub use delivery::{AuditLog, AuditSink, Delivered, Delivery, Outbox};
pub use error::Error;
pub use password::{MAX_PASSWORD_BYTES, PasswordLimits, Passwords, danger};
pub use service::{Client, ClientLimit, OnlineReply, Service, ServiceBuilder, View};
pub use tollgate_login::{LoginKey, StateKey};
pub use tollgate_store::{
    MemoryStore, PasswordHash, SealingKey, SharedRng, Store, StoreError, UserRecord, os_rng,
};
