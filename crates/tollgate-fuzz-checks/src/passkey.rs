//! What a passkey ceremony reads from the browser: CBOR (attestation objects, COSE keys,
//! extensions), authenticator data, `clientDataJSON`, and the response JSON around them.

use tollgate_passkey::cbor::Value;
use tollgate_passkey::{
    AssertionResponse, Challenge, Credential, CredentialId, PublicKey, RegistrationResponse,
    RelyingParty, UserVerification, verify_assertion, verify_registration,
};

/// The W3C's §16.2 credential (WebAuthn L3), which fuzzed responses are checked against.
const COSE_KEY: &str = "a5010203262001215820afefa16f97ca9b2d23eb86ccb64098d20db90856062eb249c33a9b672f26df61225820930a56b87a2fca66334b03458abf879717c12cc68ed73290af2e2664796b9220";

/// Any bytes, read by each parser: never a panic; CBOR that reads reads the same as a prefix;
/// a COSE key that reads keeps its bytes; and no response made of these bytes verifies
/// (whoever wrote them holds no key), whichever part of it they fill.
///
/// # Panics
/// When that does not hold.
pub fn passkey_response(data: &[u8]) {
    if let Ok(value) = Value::decode(data) {
        assert_eq!(Value::decode_prefix(data), Ok((value, data.len())));
    }
    if let Ok(key) = PublicKey::from_cose(data) {
        assert_eq!(key.to_cose(), data);
    }
    let rp = RelyingParty::new("example.org", ["https://example.org"])
        .unwrap_or_else(|_| unreachable!())
        .with_user_verification(UserVerification::Preferred);
    let challenge = Challenge::from_bytes([0; 32]);
    let key_bytes: Vec<u8> = (0..COSE_KEY.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&COSE_KEY[i..i + 2], 16).ok())
        .collect();
    let Some(id) = CredentialId::from_bytes(&[1; 32]) else {
        return;
    };
    let Ok(public_key) = PublicKey::from_cose(&key_bytes) else {
        return;
    };
    let credential = Credential {
        id: id.clone(),
        public_key,
        counter: 0,
        backup_eligible: true,
    };
    let (part, rest) = data.split_first().map_or((0, data), |(p, r)| (*p, r));
    let fill = |slot: u8| {
        if part % 4 == slot {
            rest.to_vec()
        } else {
            Vec::new()
        }
    };
    let assertion = AssertionResponse::new(id.clone(), fill(0), fill(1), fill(2), None);
    assert!(verify_assertion(&rp, &challenge, &credential, &assertion).is_err());
    let registration = RegistrationResponse::new(id, fill(0), fill(3));
    assert!(verify_registration(&rp, &challenge, &registration).is_err());
    if let Some(text) = crate::text(data) {
        if let Ok(response) = AssertionResponse::from_json(text) {
            assert!(verify_assertion(&rp, &challenge, &credential, &response).is_err());
        }
        if let Ok(response) = RegistrationResponse::from_json(text) {
            // A whole registration can verify only with a key of the fuzzer's own making
            // answering challenge zero at the origin: then it is a well-formed credential.
            if let Ok(registered) = verify_registration(&rp, &challenge, &response) {
                assert!(PublicKey::from_cose(registered.credential().public_key.to_cose()).is_ok());
            }
        }
    }
}
