//! `clientDataJSON` (WebAuthn L3 §5.8.1): what the browser says it did, for which origin and
//! which challenge. It is read as JSON (L3 §5.8.1.2 allows any valid JSON, not only the limited
//! serialization) and checked field by field; the signature covers its hash, so the bytes are
//! kept as they came.

use alloc::string::String;

use serde::Deserialize;
use subtle::ConstantTimeEq as _;

use crate::challenge::Challenge;
use crate::error::Refused;
use crate::relying_party::RelyingParty;

/// The longest `clientDataJSON` taken: browsers write about 150 bytes; this leaves room for
/// the fields later levels add.
pub const MAX_CLIENT_DATA: usize = 8 * 1024;

/// Which ceremony a response belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ceremony {
    Create,
    Get,
}

#[derive(Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
    #[serde(rename = "crossOrigin", default)]
    cross_origin: Option<bool>,
}

/// Checks `json` for `ceremony` answering `challenge` at one of `rp`'s origins.
pub(crate) fn check(
    json: &[u8],
    ceremony: Ceremony,
    challenge: &Challenge,
    rp: &RelyingParty,
) -> Result<(), Refused> {
    if json.len() > MAX_CLIENT_DATA {
        return Err(Refused::Malformed("client data"));
    }
    let data: ClientData =
        serde_json::from_slice(json).map_err(|_| Refused::Malformed("client data"))?;
    let expected = match ceremony {
        Ceremony::Create => "webauthn.create",
        Ceremony::Get => "webauthn.get",
    };
    if data.kind != expected {
        return Err(Refused::WrongType);
    }
    let answered =
        crate::base64url::decode(&data.challenge).ok_or(Refused::Malformed("client data"))?;
    if !bool::from(answered.as_slice().ct_eq(challenge.as_bytes())) {
        return Err(Refused::WrongChallenge);
    }
    if !rp.allows_origin(&data.origin) {
        return Err(Refused::WrongOrigin);
    }
    if data.cross_origin == Some(true) {
        return Err(Refused::CrossOrigin);
    }
    Ok(())
}
