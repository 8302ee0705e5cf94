//! Known-answer vectors: W3C WebAuthn Level 3 §16 (`tests/data/webauthn_l3_*.txt`), each also
//! tampered with (one bit of the signature, the authenticator data, the client data) and
//! refused.

use tollgate_passkey::{
    AssertionResponse, Challenge, Credential, CredentialId, PublicKey, Refused,
    RegistrationResponse, RelyingParty, UserVerification, verify_assertion, verify_registration,
};
use tollgate_test_kit::{Block, hex};

fn blocks(file: &str) -> Vec<Block> {
    tollgate_test_kit::data(env!("CARGO_MANIFEST_DIR"), file)
}

fn rp(block: &Block) -> RelyingParty {
    let uv = match block["UserVerification"].as_str() {
        "required" => UserVerification::Required,
        _ => UserVerification::Preferred,
    };
    RelyingParty::new("example.org", ["https://example.org"])
        .unwrap()
        .with_user_verification(uv)
}

fn challenge(block: &Block) -> Challenge {
    Challenge::from_bytes(hex(&block["Challenge"]).try_into().unwrap())
}

fn id(block: &Block) -> CredentialId {
    CredentialId::from_bytes(&hex(&block["CredentialId"])).unwrap()
}

fn expect(block: &Block, result: Result<(), Refused>) {
    match block["Expect"].as_str() {
        "ok" => assert_eq!(result, Ok(())),
        "CrossOrigin" => assert_eq!(result, Err(Refused::CrossOrigin)),
        other => panic!("unknown expectation {other}"),
    }
}

/// Flips one bit of byte `at` (counted from the end when negative).
fn flip(mut bytes: Vec<u8>, at: isize) -> Vec<u8> {
    let i = if at < 0 {
        bytes.len() - at.unsigned_abs()
    } else {
        at.unsigned_abs()
    };
    bytes[i] ^= 0x01;
    bytes
}

#[test]
fn w3c_assertions_verify_and_their_tampered_copies_do_not() {
    let blocks = blocks("webauthn_l3_assertions.txt");
    assert_eq!(blocks.len(), 4);
    for block in blocks {
        let credential = Credential {
            id: id(&block),
            public_key: PublicKey::from_cose(&hex(&block["PublicKey"])).unwrap(),
            counter: 0,
            backup_eligible: block["BackupEligible"] == "true",
        };
        let parts = (
            hex(&block["ClientDataJSON"]),
            hex(&block["AuthenticatorData"]),
            hex(&block["Signature"]),
        );
        let verify = |(client, auth, sig): (Vec<u8>, Vec<u8>, Vec<u8>)| {
            let response = AssertionResponse::new(id(&block), client, auth, sig, None);
            verify_assertion(&rp(&block), &challenge(&block), &credential, &response).map(|_| ())
        };
        expect(&block, verify(parts.clone()));
        if block["Expect"] != "ok" {
            continue;
        }
        let (client, auth, sig) = parts;
        // The signature's last byte, the counter's last byte, the origin's last letter.
        let tampered_sig = verify((client.clone(), auth.clone(), flip(sig.clone(), -1)));
        assert_eq!(tampered_sig, Err(Refused::BadSignature));
        let tampered_auth = verify((client.clone(), flip(auth.clone(), -1), sig.clone()));
        assert_eq!(tampered_auth, Err(Refused::BadSignature));
        let tampered_client = String::from_utf8(client.clone())
            .unwrap()
            .replace("example.org\"", "example.orh\"");
        let tampered_client = verify((tampered_client.into_bytes(), auth.clone(), sig.clone()));
        assert_eq!(tampered_client, Err(Refused::WrongOrigin));
        // The same bytes, checked against another challenge: refused.
        let other = Challenge::from_bytes([7; 32]);
        let response = AssertionResponse::new(id(&block), client, auth, sig, None);
        let replayed = verify_assertion(&rp(&block), &other, &credential, &response);
        assert_eq!(replayed, Err(Refused::WrongChallenge));
    }
}

#[test]
fn w3c_registrations_verify_and_their_tampered_copies_do_not() {
    let blocks = blocks("webauthn_l3_registrations.txt");
    assert_eq!(blocks.len(), 2, "none, and packed self attestation");
    for block in blocks {
        let client = hex(&block["ClientDataJSON"]);
        let object = hex(&block["AttestationObject"]);
        let register = |client: Vec<u8>, object: Vec<u8>| {
            let response = RegistrationResponse::new(id(&block), client, object);
            verify_registration(&rp(&block), &challenge(&block), &response)
        };
        let registered = register(client.clone(), object.clone()).unwrap();
        assert_eq!(registered.credential().id, id(&block));
        assert_eq!(
            registered.credential().public_key.to_cose(),
            hex(&block["PublicKey"])
        );
        // The key's last byte: no longer on the curve, or another key; the RP ID hash's first.
        assert!(register(client.clone(), flip(object.clone(), -1)).is_err());
        let rp_hash_at = object.len() - 164;
        assert_eq!(
            register(
                client.clone(),
                flip(object.clone(), rp_hash_at.cast_signed())
            )
            .err(),
            Some(Refused::WrongRpId)
        );
        // The attestation statement's signature (self attestation's), one bit changed.
        if object.starts_with(b"\xa3cfmtfpacked") {
            let sig_at = 40;
            assert_eq!(
                register(client.clone(), flip(object.clone(), sig_at)).err(),
                Some(Refused::BadSignature)
            );
        }
        let as_get = String::from_utf8(client)
            .unwrap()
            .replace("webauthn.create", "webauthn.get");
        assert_eq!(
            register(as_get.into_bytes(), object).err(),
            Some(Refused::WrongType)
        );
    }
}
