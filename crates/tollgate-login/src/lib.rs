#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod account;
mod config;
mod error;
mod machine;
mod message;
mod output;
mod state;
mod user;

pub use account::{
    Account, AccountState, AccountUpdate, EnrollmentKind, PendingActivation, TokenRecord,
};
pub use config::{Config, NIST_MAX_FAILURES};
pub use error::{ConfigError, InputError, StateError};
pub use machine::{Input, LoginMachine, PasswordCheck};
pub use message::{Catalog, Message, MessageId};
pub use output::{
    Action, AuditEvent, Channel, DesktopActivation, Destination, MobileActivation, Notification,
    Output, Screen,
};
pub use state::{FORMAT_VERSION, LoginState, PinKey};
pub use user::{EmailAddress, PhoneNumber, UserId};
