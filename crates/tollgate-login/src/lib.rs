#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod account;
mod catalog;
mod config;
mod device;
mod driver;
mod error;
mod hex;
mod keys;
mod machine;
mod message;
mod online;
mod output;
mod password;
pub mod recovery;
mod sealed;
mod state;
mod user;

pub use account::{
    Account, AccountState, AccountUpdate, AuthenticatorName, DecodeError, ENCODING_V1,
    EnrollmentKind, Grant, MAX_AUTHENTICATOR_NAME, MAX_ONLINE_FAILURES,
    MAX_ONLINE_FAILURES_PER_NETWORK, MAX_RESET_FAILURES, MAX_RESET_SHARE, MAX_REVOKED_CREDENTIALS,
    MobileQr, OnlineRegistration, OpenToken, PasskeyRecord, PendingActivation, RESET_SHARE_CLOSURE,
    TokenRecord,
};
pub use catalog::{Catalog, CatalogError, CatalogName};
pub use config::{Config, MAX_AUTHENTICATORS, NIST_MAX_FAILURES};
pub use device::{DeviceId, KnownDevice, MAX_DEVICES};
pub use driver::{
    Change, Commit, Driven, Driver, Loaded, LoginStore, MemoryLoginStore, Poisoned, change_account,
};
pub use error::{ConfigError, DriveError, InputError, Refusal, StateError};
pub use keys::{KeyId, KeyRing, PinKeys, RingKey, StateKeys};
pub use machine::{
    CodeProof, Event, Input, LoginMachine, PasswordCheck, Proof, Report, STEP_UP_WINDOW,
};
pub use message::{Message, MessageId};
pub use online::{OnlineOutcome, OnlineReceipt};
pub use output::{
    AdminAction, AuditEvent, Authenticator, Channel, DesktopActivation, Destination, Dispatch,
    Effect, MobileActivation, Notification, OpenPath, Output, Passkey, Screen, SigningAction,
    Transition,
};
pub use password::{PasswordRefusal, PasswordRules, normalize_password};
pub use sealed::{LoginDigest, LoginKey, SealedLogin, StateKey};
pub use state::{FORMAT_VERSION, LoginId, LoginState, PinKey};
pub use user::{EmailAddress, MAX_USERNAME, PhoneNumber, UserId, UserIds};
