//! The two ceremonies' checks, in the order of WebAuthn L3 §7.1 (registering a new credential)
//! and §7.2 (verifying an authentication assertion). Each takes what the relying party kept
//! (its settings, the challenge, at login the credential) and the browser's response, and
//! either refuses it, saying which check failed, or returns what only a verified response
//! makes.

use alloc::vec::Vec;

use sha2::{Digest as _, Sha256};

use crate::auth_data::AuthData;
use crate::cbor::Value;
use crate::challenge::Challenge;
use crate::client_data::{self, Ceremony};
use crate::credential::{Asserted, Credential, CredentialId, Registered};
use crate::error::Refused;
use crate::relying_party::{RelyingParty, UserVerification};
use crate::response::{AssertionResponse, RegistrationResponse};

/// Verifies a registration (L3 §7.1): the client data is a `webauthn.create` for `challenge`
/// from an allowed origin, the authenticator data is for this relying party with the user
/// present (and verified, unless `rp` says otherwise) and holds a key this crate verifies, and
/// the attestation is "none" or self attestation whose signature verifies under that key.
///
/// Attestation with a certificate (`x5c`, and formats other than "none" and "packed") is
/// refused: the service asks for "none", which browsers honour by removing it.
///
/// # Errors
/// [`Refused`], naming the first check that failed.
pub fn verify_registration(
    rp: &RelyingParty,
    challenge: &Challenge,
    response: &RegistrationResponse,
) -> Result<Registered, Refused> {
    let client_data = &response.client_data_json;
    client_data::check(client_data, Ceremony::Create, challenge, rp)?;
    let object = Value::decode(&response.attestation_object)
        .map_err(|_| Refused::Malformed("attestation object"))?;
    let auth_data = object
        .get_text("authData")
        .and_then(Value::as_bytes)
        .ok_or(Refused::Malformed("attestation object"))?;
    let format = object
        .get_text("fmt")
        .and_then(Value::as_text)
        .ok_or(Refused::Malformed("attestation object"))?;
    let statement = object
        .get_text("attStmt")
        .filter(|s| s.entries().is_some())
        .ok_or(Refused::Malformed("attestation object"))?;
    let data = AuthData::parse(auth_data)?;
    check_auth_data(rp, &data)?;
    let attested = data
        .credential
        .ok_or(Refused::Malformed("authenticator data"))?;
    if attested.id != response.id.as_bytes() {
        return Err(Refused::WrongCredential);
    }
    match format {
        "none" if statement.entries().is_some_and(<[_]>::is_empty) => {}
        "packed" if statement.get_text("x5c").is_none() => {
            // Self attestation (L3 §8.2): signed by the credential's own key, with its algorithm.
            let alg = statement.get_text("alg").and_then(Value::as_int);
            let sig = statement
                .get_text("sig")
                .and_then(Value::as_bytes)
                .ok_or(Refused::Malformed("attestation statement"))?;
            if alg != Some(attested.public_key.algorithm().cose())
                && !(alg == Some(-19) && attested.public_key.algorithm().cose() == -8)
            {
                return Err(Refused::UnsupportedAttestation);
            }
            attested
                .public_key
                .verify(&signed(auth_data, client_data), sig)?;
        }
        _ => return Err(Refused::UnsupportedAttestation),
    }
    let id = CredentialId::from_bytes(attested.id).ok_or(Refused::Malformed("credential ID"))?;
    Ok(Registered {
        credential: Credential {
            id,
            public_key: attested.public_key,
            counter: data.counter,
            backup_eligible: data.flags.backup_eligible(),
        },
        user_verified: data.flags.user_verified(),
        backed_up: data.flags.backed_up(),
        aaguid: attested.aaguid,
    })
}

/// Verifies an assertion (L3 §7.2) of `credential`, which the caller found by the response's
/// [`id`](AssertionResponse::id) among the credentials of the account it authenticates: the
/// client data is a `webauthn.get` for `challenge` from an allowed origin, the authenticator
/// data is for this relying party with the user present (and verified, unless `rp` says
/// otherwise), backup eligibility is what it was at registration, the signature verifies,
/// and the signature counter went up (or stays 0 on an authenticator that keeps none).
///
/// # Errors
/// [`Refused`], naming the first check that failed; [`Refused::CounterWentBack`] is a
/// possible clone, which a service records.
pub fn verify_assertion(
    rp: &RelyingParty,
    challenge: &Challenge,
    credential: &Credential,
    response: &AssertionResponse,
) -> Result<Asserted, Refused> {
    if response.id != credential.id {
        return Err(Refused::WrongCredential);
    }
    let client_data = &response.client_data_json;
    client_data::check(client_data, Ceremony::Get, challenge, rp)?;
    let data = AuthData::parse(&response.authenticator_data)?;
    if data.credential.is_some() {
        return Err(Refused::Malformed("authenticator data"));
    }
    check_auth_data(rp, &data)?;
    if data.flags.backup_eligible() != credential.backup_eligible {
        return Err(Refused::BackupFlags);
    }
    credential.public_key.verify(
        &signed(&response.authenticator_data, client_data),
        &response.signature,
    )?;
    // L3 §7.2 step 22: a counter that does not go up, where either side keeps one.
    if (data.counter != 0 || credential.counter != 0) && data.counter <= credential.counter {
        return Err(Refused::CounterWentBack);
    }
    Ok(Asserted {
        counter: data.counter,
        user_verified: data.flags.user_verified(),
        backed_up: data.flags.backed_up(),
    })
}

/// The checks of authenticator data both ceremonies make.
fn check_auth_data(rp: &RelyingParty, data: &AuthData<'_>) -> Result<(), Refused> {
    use subtle::ConstantTimeEq as _;
    if !bool::from(data.rp_id_hash.ct_eq(rp.id_hash())) {
        return Err(Refused::WrongRpId);
    }
    if !data.flags.user_present() {
        return Err(Refused::UserNotPresent);
    }
    if rp.user_verification() == UserVerification::Required && !data.flags.user_verified() {
        return Err(Refused::UserNotVerified);
    }
    if data.flags.backed_up() && !data.flags.backup_eligible() {
        return Err(Refused::BackupFlags);
    }
    Ok(())
}

/// What the authenticator signs: its data, then the hash of the client data.
fn signed(auth_data: &[u8], client_data: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(auth_data.len() + 32);
    message.extend_from_slice(auth_data);
    message.extend_from_slice(&Sha256::digest(client_data));
    message
}
