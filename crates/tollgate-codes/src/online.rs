//! Online registration: the token reports its registration code to the registration address
//! itself (the mobile path's "click OK in your browser"), with a proof that it holds the
//! activation data.
//!
//! ```text
//! POST <registration address>        Content-Type: application/json
//! {"v":1,"serial":"48244-13456","registration_code":"12211-49352","proof":"<64 hex digits>"}
//!
//! secret = the token secret (PBKDF2 as in the crate docs) of that registration code
//! proof  = HMAC-SHA-256(key = secret,
//!                       "tollgate online registration v1" || serial (10 ASCII digits)
//!                                                         || registration code (10 ASCII digits))
//! ```
//!
//! The proof is keyed with the secret the registration code yields, so only a party that knows
//! the activation code can make it: a stranger who learns a serial number cannot register,
//! and a proof made for one registration code does not carry over to another.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use thiserror::Error;
use tollgate_otp::Secret;
use zeroize::Zeroizing;

use crate::derive::{ActivatedToken, token_secret};
use crate::issuer::Activation;
use crate::registration::{RegistrationCode, RegistrationScheme};
use crate::serial::SerialNumber;
use crate::token::TokenActivation;
use tollgate_otp::UnixTime;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u64 = 1;

/// The largest request body read, in bytes: a request is about 150.
pub const MAX_REQUEST_LEN: usize = 1024;

/// The domain-separation prefix of the proof's HMAC.
const PROOF_LABEL: &[u8] = b"tollgate online registration v1";

/// A token's online registration, as sent to the registration address.
///
/// `Debug` is redacted: with the activation code, the registration code gives the secret.
#[derive(Clone)]
pub struct RegistrationRequest {
    serial: SerialNumber,
    code: RegistrationCode,
    proof: [u8; 32],
}

/// Why a request body is not a registration request. Each says what to fix.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RequestError {
    /// Longer than [`MAX_REQUEST_LEN`].
    #[error("the request is longer than {MAX_REQUEST_LEN} bytes")]
    TooLong,
    /// Not a JSON object of the expected fields.
    #[error("the request is not a registration request: {0}")]
    Json(String),
    /// A version this build does not speak.
    #[error("protocol version {0} is not supported (this server speaks version 1)")]
    Version(u64),
    /// The serial number does not read.
    #[error("serial: {0}")]
    Serial(crate::CodeError),
    /// The registration code does not read.
    #[error("registration_code: {0}")]
    Code(crate::CodeError),
    /// The proof is not 64 hexadecimal digits.
    #[error("proof: expected 64 hexadecimal digits")]
    Proof,
}

/// Why an issuer refuses an online registration for activation data it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum OnlineError {
    /// The request is for another serial number.
    #[error("the request is for another serial number")]
    OtherSerial,
    /// The proof does not verify: whoever sent it does not hold the activation data.
    #[error("the proof does not verify")]
    WrongProof,
    /// The proof verifies but the registration code is not valid under the issuer's scheme.
    #[error("the registration code does not belong to this activation")]
    NotForThisActivation,
    /// The activation data have expired.
    #[error("the activation has expired")]
    Expired,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire<'a> {
    #[serde(default = "version_one")]
    v: u64,
    #[serde(borrow)]
    serial: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    registration_code: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    proof: std::borrow::Cow<'a, str>,
}

fn version_one() -> u64 {
    PROTOCOL_VERSION
}

/// The proof for `code` of the token `serial` whose secret is `secret`.
fn proof(secret: &Secret, serial: &SerialNumber, code: &RegistrationCode) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose_secret())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(PROOF_LABEL);
    mac.update(&serial.ascii());
    mac.update(&*code.ascii());
    mac.finalize().into_bytes().into()
}

impl RegistrationRequest {
    /// The token side: the request that reports `code` (which `activation` made, see
    /// [`TokenActivation::registration_code`]).
    #[must_use]
    pub fn new(activation: &TokenActivation, code: &RegistrationCode) -> Self {
        let token = activation.restore(code);
        Self {
            serial: activation.serial(),
            code: code.clone(),
            proof: proof(token.secret(), &activation.serial(), code),
        }
    }

    /// The serial number the request is for: which activation to look up.
    #[must_use]
    pub fn serial(&self) -> SerialNumber {
        self.serial
    }

    /// The registration code reported.
    #[must_use]
    pub fn registration_code(&self) -> &RegistrationCode {
        &self.code
    }

    /// Reads a request body.
    ///
    /// # Errors
    /// [`RequestError`], saying which part is wrong.
    pub fn from_json(body: &[u8]) -> Result<Self, RequestError> {
        if body.len() > MAX_REQUEST_LEN {
            return Err(RequestError::TooLong);
        }
        let wire: Wire<'_> =
            serde_json::from_slice(body).map_err(|e| RequestError::Json(e.to_string()))?;
        if wire.v != PROTOCOL_VERSION {
            return Err(RequestError::Version(wire.v));
        }
        let serial = wire.serial.parse().map_err(RequestError::Serial)?;
        let code = wire.registration_code.parse().map_err(RequestError::Code)?;
        let hex = wire.proof.as_bytes();
        if hex.len() != 64 || !hex.iter().all(u8::is_ascii_hexdigit) {
            return Err(RequestError::Proof);
        }
        let mut proof = [0u8; 32];
        let digit = |b: &u8| char::from(*b).to_digit(16).unwrap_or(0);
        for (byte, pair) in proof.iter_mut().zip(hex.chunks_exact(2)) {
            let value = pair.iter().fold(0, |acc, b| acc * 16 + digit(b));
            *byte = u8::try_from(value).map_err(|_| RequestError::Proof)?;
        }
        Ok(Self {
            serial,
            code,
            proof,
        })
    }

    /// The request body to send (the registration code in it is a secret: send it over TLS).
    #[must_use]
    pub fn to_json(&self) -> Zeroizing<String> {
        let code = self.code.to_string();
        let proof: String = self.proof.iter().map(|b| format!("{b:02x}")).collect();
        let wire = Wire {
            v: PROTOCOL_VERSION,
            serial: self.serial.to_string().into(),
            registration_code: code.as_str().into(),
            proof: proof.as_str().into(),
        };
        Zeroizing::new(serde_json::to_string(&wire).unwrap_or_default())
    }
}

impl fmt::Debug for RegistrationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrationRequest")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

impl Activation {
    /// Checks an online registration against these activation data: the serial number, the
    /// proof (in constant time), the expiry, then the registration code under `scheme`; and
    /// derives the token, as [`Activation::complete`] does.
    ///
    /// The proof is checked before anything else is told, so that only a holder of the
    /// activation data learns that they expired or that the code is not valid.
    ///
    /// # Errors
    /// [`OnlineError`], in that order.
    pub fn complete_online(
        &self,
        request: &RegistrationRequest,
        scheme: RegistrationScheme,
        now: UnixTime,
    ) -> Result<ActivatedToken, OnlineError> {
        if request.serial != self.serial() {
            return Err(OnlineError::OtherSerial);
        }
        let secret = token_secret(
            &request.serial,
            self.activation_code(),
            request.code.nonce(),
            self.policy(),
        );
        let expected = proof(&secret, &request.serial, &request.code);
        if !bool::from(expected.ct_eq(&request.proof)) {
            return Err(OnlineError::WrongProof);
        }
        self.complete(&request.code, scheme, now)
            .map_err(|e| match e {
                crate::CompletionError::Expired => OnlineError::Expired,
                _ => OnlineError::NotForThisActivation,
            })
    }
}
