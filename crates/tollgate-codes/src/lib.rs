#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod activation_code;
mod derive;
mod digits;
mod error;
mod issuer;
mod luhn;
mod online;
mod password;
mod policy;
mod registration;
mod serial;
mod token;
mod unlock;

pub use activation_code::ActivationCode;
pub use derive::ActivatedToken;
pub use error::{CodeError, CompletionError, PolicyError};
pub use issuer::{Activation, ActivationLifetime};
pub use online::{
    MAX_REQUEST_LEN, OnlineError, PROTOCOL_VERSION, RegistrationRequest, RequestError,
};
pub use password::ActivationPassword;
pub use policy::Policy;
pub use registration::{RegistrationCode, RegistrationScheme, VALIDATION_FIELD_SIZE};
pub use serial::SerialNumber;
pub use token::TokenActivation;
pub use unlock::{UNLOCK_SUITE, new_reset_code, unlock_code};
