#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod clock;
mod delivery;
mod error;
mod password;
mod service;
pub mod store;

pub use tollgate_codes as codes;
pub use tollgate_login as login;
pub use tollgate_otp as otp;
pub use tollgate_provision as provision;

pub use clock::{Clock, ManualClock, SystemClock};
pub use delivery::{AuditLog, AuditSink, Delivered, Delivery, Outbox};
pub use error::Error;
pub use password::{PasswordHash, Passwords, danger};
pub use service::{Service, ServiceBuilder, SharedRng, View, os_rng};
pub use store::{MemoryStore, SealingKey, Store, UserRecord};
