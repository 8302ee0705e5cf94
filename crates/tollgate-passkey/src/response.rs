//! The browser's answers, in the JSON form that `PublicKeyCredential.toJSON()` writes (WebAuthn
//! L3 §5.1.8, `RegistrationResponseJSON` and `AuthenticationResponseJSON`): what a page posts
//! back. Byte fields are base64url; fields this crate does not check are ignored.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Deserialize;

use crate::credential::CredentialId;
use crate::error::Refused;

/// The longest response taken, in bytes of JSON: an attestation with a certificate chain is
/// a few kilobytes.
pub const MAX_RESPONSE: usize = 64 * 1024;

/// A registration's response (`navigator.credentials.create()`).
#[derive(Clone, Debug)]
pub struct RegistrationResponse {
    pub(crate) id: CredentialId,
    pub(crate) client_data_json: Vec<u8>,
    pub(crate) attestation_object: Vec<u8>,
}

/// An assertion's response (`navigator.credentials.get()`).
#[derive(Clone, Debug)]
pub struct AssertionResponse {
    pub(crate) id: CredentialId,
    pub(crate) client_data_json: Vec<u8>,
    pub(crate) authenticator_data: Vec<u8>,
    pub(crate) signature: Vec<u8>,
    pub(crate) user_handle: Option<Vec<u8>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Credential<R> {
    raw_id: String,
    #[serde(rename = "type")]
    kind: String,
    response: R,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attestation {
    #[serde(rename = "clientDataJSON")]
    client_data_json: String,
    attestation_object: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Assertion {
    #[serde(rename = "clientDataJSON")]
    client_data_json: String,
    authenticator_data: String,
    signature: String,
    #[serde(default)]
    user_handle: Option<String>,
}

fn read<R: for<'de> Deserialize<'de>>(json: &str) -> Result<(CredentialId, R), Refused> {
    const MALFORMED: Refused = Refused::Malformed("response");
    if json.len() > MAX_RESPONSE {
        return Err(MALFORMED);
    }
    let credential: Credential<R> = serde_json::from_str(json).map_err(|_| MALFORMED)?;
    if credential.kind != "public-key" {
        return Err(MALFORMED);
    }
    let id = bytes(&credential.raw_id)?;
    let id = CredentialId::from_bytes(&id).ok_or(MALFORMED)?;
    Ok((id, credential.response))
}

fn bytes(text: &str) -> Result<Vec<u8>, Refused> {
    crate::base64url::decode(text).ok_or(Refused::Malformed("response"))
}

impl RegistrationResponse {
    /// The response a page posted, as `PublicKeyCredential.toJSON()` wrote it.
    ///
    /// # Errors
    /// [`Refused::Malformed`] for anything else (or more than [`MAX_RESPONSE`] bytes).
    pub fn from_json(json: &str) -> Result<Self, Refused> {
        let (id, response): (_, Attestation) = read(json)?;
        Ok(Self {
            id,
            client_data_json: bytes(&response.client_data_json)?,
            attestation_object: bytes(&response.attestation_object)?,
        })
    }

    /// A response from its parts (as a native client or a test has them).
    #[must_use]
    pub fn new(id: CredentialId, client_data_json: Vec<u8>, attestation_object: Vec<u8>) -> Self {
        Self {
            id,
            client_data_json,
            attestation_object,
        }
    }

    /// The credential ID the browser reports.
    #[must_use]
    pub fn id(&self) -> &CredentialId {
        &self.id
    }
}

impl AssertionResponse {
    /// The response a page posted, as `PublicKeyCredential.toJSON()` wrote it.
    ///
    /// # Errors
    /// [`Refused::Malformed`] for anything else (or more than [`MAX_RESPONSE`] bytes).
    pub fn from_json(json: &str) -> Result<Self, Refused> {
        let (id, response): (_, Assertion) = read(json)?;
        let user_handle = match response.user_handle.as_deref() {
            None | Some("") => None,
            Some(handle) => Some(bytes(handle)?),
        };
        Ok(Self {
            id,
            client_data_json: bytes(&response.client_data_json)?,
            authenticator_data: bytes(&response.authenticator_data)?,
            signature: bytes(&response.signature)?,
            user_handle,
        })
    }

    /// A response from its parts.
    #[must_use]
    pub fn new(
        id: CredentialId,
        client_data_json: Vec<u8>,
        authenticator_data: Vec<u8>,
        signature: Vec<u8>,
        user_handle: Option<Vec<u8>>,
    ) -> Self {
        Self {
            id,
            client_data_json,
            authenticator_data,
            signature,
            user_handle,
        }
    }

    /// The credential the browser used: look up the account's record of it by this.
    #[must_use]
    pub fn id(&self) -> &CredentialId {
        &self.id
    }

    /// The user handle a discoverable credential returns (the `user.id` given at
    /// registration), if any. Not proof of anything until the assertion verified.
    #[must_use]
    pub fn user_handle(&self) -> Option<&[u8]> {
        self.user_handle.as_deref()
    }
}
