//! The options a page hands to `navigator.credentials.create()` and `.get()`, in the JSON form
//! that `PublicKeyCredential.parseCreationOptionsFromJSON()` and
//! `parseRequestOptionsFromJSON()` read (WebAuthn L3 §5.1.9, §5.1.10).

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Value, json};

use crate::challenge::Challenge;
use crate::cose::Algorithm;
use crate::credential::CredentialId;
use crate::relying_party::RelyingParty;

/// How long the browser waits for the user, in milliseconds: 5 minutes (L3 §5.4.7 suggests
/// 5 to 10 minutes when user verification is required).
pub const TIMEOUT_MS: u64 = 300_000;

/// The user a new credential is for.
#[derive(Clone, Copy, Debug)]
pub struct User<'a> {
    /// The user handle: random bytes kept with the account (L3 §14.6.1: not a name, not an
    /// e-mail address), returned by discoverable credentials at login.
    pub handle: &'a [u8],
    /// The name the authenticator shows in its account chooser (the User ID).
    pub name: &'a str,
    /// The friendlier name beside it.
    pub display_name: &'a str,
}

/// Options for `navigator.credentials.create()`: a discoverable credential (so that it can
/// log in without a User ID typed), ES256 or EdDSA, attestation "none", and the user's
/// credentials excluded (L3 §5.4.3 `excludeCredentials`: an authenticator that holds one does
/// not make a second).
#[must_use]
pub fn creation<'a>(
    rp: &RelyingParty,
    user: User<'_>,
    challenge: &Challenge,
    exclude: impl IntoIterator<Item = &'a CredentialId>,
) -> String {
    let params: Vec<Value> = Algorithm::ALL
        .iter()
        .map(|alg| json!({"type": "public-key", "alg": alg.cose()}))
        .collect();
    json!({
        "rp": {"id": rp.id(), "name": rp.name()},
        "user": {
            "id": crate::base64url::encode(user.handle),
            "name": user.name,
            "displayName": user.display_name,
        },
        "challenge": challenge.to_base64url(),
        "pubKeyCredParams": params,
        "timeout": TIMEOUT_MS,
        "excludeCredentials": descriptors(exclude),
        "authenticatorSelection": {
            "residentKey": "required",
            "requireResidentKey": true,
            "userVerification": rp.user_verification().as_str(),
        },
        "attestation": "none",
    })
    .to_string()
}

/// Options for `navigator.credentials.get()`: the account's credentials when the user is
/// known; when not, no `allowCredentials` (any discoverable credential for this relying party).
#[must_use]
pub fn request<'a>(
    rp: &RelyingParty,
    challenge: &Challenge,
    allow: impl IntoIterator<Item = &'a CredentialId>,
) -> String {
    let mut options = json!({
        "challenge": challenge.to_base64url(),
        "rpId": rp.id(),
        "timeout": TIMEOUT_MS,
        "userVerification": rp.user_verification().as_str(),
    });
    // None listed: the member left out, which every client reads as "any discoverable
    // credential" (some read an empty list as "none of them").
    let allow = descriptors(allow);
    if !allow.is_empty() {
        options["allowCredentials"] = Value::Array(allow);
    }
    options.to_string()
}

fn descriptors<'a>(ids: impl IntoIterator<Item = &'a CredentialId>) -> Vec<Value> {
    ids.into_iter()
        .map(|id| json!({"type": "public-key", "id": id.to_base64url()}))
        .collect()
}
