#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

extern crate alloc;

mod auth_data;
pub mod base64url;
pub mod cbor;
mod ceremony;
mod challenge;
mod client_data;
mod cose;
mod credential;
mod error;
pub mod options;
mod relying_party;
mod response;

pub use auth_data::{Flags, MAX_CREDENTIAL_ID};
pub use ceremony::{verify_assertion, verify_registration};
pub use challenge::Challenge;
pub use client_data::MAX_CLIENT_DATA;
pub use cose::{Algorithm, PublicKey};
pub use credential::{Asserted, Credential, CredentialId, Registered};
pub use error::{Refused, SettingsError};
pub use relying_party::{RelyingParty, UserVerification};
pub use response::{AssertionResponse, MAX_RESPONSE, RegistrationResponse};
