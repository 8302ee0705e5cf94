//! The online registration's request and proof: known-answer vectors from
//! `tests/data/online_registration.txt` (written by the Python script beside it), each tampered
//! with and refused, and hostile request bodies.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use common::{Block, blocks, hex, issued, other_nonce, token};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::{
    Activation, OnlineError, RegistrationCode, RegistrationRequest, RegistrationScheme,
    RequestError, SerialNumber, TokenActivation,
};
use tollgate_otp::UnixTime;

const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

fn vectors() -> Vec<Block> {
    let all = blocks("online_registration.txt");
    assert_eq!(all.len(), 3);
    all
}

fn code(block: &Block) -> RegistrationCode {
    block["RegistrationCode"].parse().unwrap()
}

#[test]
fn the_token_writes_the_vectors_bodies_and_the_issuer_accepts_them() {
    for block in vectors() {
        let request = RegistrationRequest::new(&token(&block), &code(&block));
        assert_eq!(request.to_json().as_str(), block["Body"]);
        let read = RegistrationRequest::from_json(block["Body"].as_bytes()).unwrap();
        assert_eq!(
            read.serial(),
            block["Serial"].parse::<SerialNumber>().unwrap()
        );
        let scheme: RegistrationScheme = block["Scheme"].parse().unwrap();
        let token = issued(&block).complete_online(&read, scheme, NOW).unwrap();
        assert_eq!(token.secret().expose_secret(), hex(&block["Secret"]));
        if scheme == RegistrationScheme::AnyField {
            // The public vector's validation field is not tollgate's: refused, but only
            // after the proof verified.
            assert_eq!(
                issued(&block)
                    .complete_online(&read, RegistrationScheme::Tollgate, NOW)
                    .unwrap_err(),
                OnlineError::NotForThisActivation
            );
        }
    }
}

/// Every hexadecimal digit of every proof, changed: refused.
#[test]
fn a_tampered_proof_is_refused() {
    for block in vectors() {
        let body = &block["Body"];
        let proof = &block["Proof"];
        let at = body.find(proof.as_str()).unwrap();
        for i in 0..proof.len() {
            let mut tampered = body.clone().into_bytes();
            tampered[at + i] = if tampered[at + i] == b'0' { b'1' } else { b'0' };
            let request = RegistrationRequest::from_json(&tampered).unwrap();
            assert_eq!(
                issued(&block)
                    .complete_online(&request, RegistrationScheme::AnyField, NOW)
                    .unwrap_err(),
                OnlineError::WrongProof,
                "digit {i}"
            );
        }
    }
}

/// A proof is for its registration code, its serial number and its activation code.
#[test]
fn a_proof_does_not_carry_over() {
    for block in vectors() {
        let request = RegistrationRequest::from_json(block["Body"].as_bytes()).unwrap();
        let other = other_nonce(&code(&block));
        let swapped = block["Body"].replace(&block["RegistrationCode"], &other.to_string());
        let swapped = RegistrationRequest::from_json(swapped.as_bytes()).unwrap();
        let activation = issued(&block);
        let any = RegistrationScheme::AnyField;
        assert_eq!(
            activation.complete_online(&swapped, any, NOW).unwrap_err(),
            OnlineError::WrongProof
        );
        // The same serial number, another activation code: a stranger's guess.
        let stranger = Activation::from_parts(
            activation.serial(),
            "0505-4283-4011-0157".parse().unwrap(),
            activation.policy().cloned(),
            UnixTime::from_secs(u64::MAX),
        );
        assert_eq!(
            stranger.complete_online(&request, any, NOW).unwrap_err(),
            OnlineError::WrongProof
        );
        let elsewhere = Activation::from_parts(
            "69350-19387".parse().unwrap(),
            activation.activation_code().clone(),
            None,
            UnixTime::from_secs(u64::MAX),
        );
        assert_eq!(
            elsewhere.complete_online(&request, any, NOW).unwrap_err(),
            OnlineError::OtherSerial
        );
    }
}

/// Expiry is told only to whoever holds the activation data.
#[test]
fn expired_activation_data_are_told_after_the_proof() {
    let block = &vectors()[2];
    let activation = issued(block);
    let expired = Activation::from_parts(
        activation.serial(),
        activation.activation_code().clone(),
        None,
        NOW,
    );
    let good = RegistrationRequest::from_json(block["Body"].as_bytes()).unwrap();
    let tollgate = RegistrationScheme::Tollgate;
    assert_eq!(
        expired.complete_online(&good, tollgate, NOW).unwrap_err(),
        OnlineError::Expired
    );
    let forged = block["Body"].replace(&block["Proof"], &"0".repeat(64));
    let forged = RegistrationRequest::from_json(forged.as_bytes()).unwrap();
    assert_eq!(
        expired.complete_online(&forged, tollgate, NOW).unwrap_err(),
        OnlineError::WrongProof
    );
}

#[test]
fn bad_bodies_say_what_is_wrong() {
    let good = vectors()[0]["Body"].clone();
    let read = |body: &str| RegistrationRequest::from_json(body.as_bytes()).unwrap_err();
    assert!(matches!(read("not json"), RequestError::Json(_)));
    assert!(matches!(read("{}"), RequestError::Json(m) if m.contains("serial")));
    assert!(matches!(
        read(&good.replace("\"proof\"", "\"extra\":1,\"proof\"")),
        RequestError::Json(m) if m.contains("extra")
    ));
    assert_eq!(
        read(&good.replace("\"v\":1", "\"v\":2")),
        RequestError::Version(2)
    );
    assert!(matches!(
        read(&good.replace("48244-13456", "48244-13457")),
        RequestError::Serial(_)
    ));
    assert!(matches!(
        read(&good.replace("12211-49352", "12211-4935")),
        RequestError::Code(_)
    ));
    let proof = &vectors()[0]["Proof"];
    assert_eq!(
        read(&good.replace(proof, &proof[..62])),
        RequestError::Proof
    );
    assert_eq!(
        read(&good.replace(proof, &format!("+{}", &proof[1..]))),
        RequestError::Proof
    );
    // Upper-case hexadecimal reads as lower case does.
    let upper = good.replace(proof, &proof.to_uppercase());
    assert!(RegistrationRequest::from_json(upper.as_bytes()).is_ok());
    let long = format!("{good}{}", " ".repeat(2000));
    assert_eq!(read(&long), RequestError::TooLong);
    // Without "v": version 1.
    assert!(RegistrationRequest::from_json(good.replace("\"v\":1,", "").as_bytes()).is_ok());
}

#[test]
fn debug_shows_no_code() {
    let block = &vectors()[0];
    let request = RegistrationRequest::from_json(block["Body"].as_bytes()).unwrap();
    let shown = format!("{request:?}");
    assert!(shown.contains("48244"));
    assert!(!shown.contains("12211") && !shown.contains(&block["Proof"][..8]));
}

proptest! {
    /// Any bytes: a request or an error, never a panic.
    #[test]
    fn any_body_is_read_or_refused(body in proptest::collection::vec(any::<u8>(), 0..1200)) {
        let _ = RegistrationRequest::from_json(&body);
    }

    /// Any JSON-ish text built from the request's own pieces: no panic, and what reads writes
    /// back to itself.
    #[test]
    fn near_miss_bodies(body in r#"\{("(v|serial|registration_code|proof)":("[0-9a-f-]{0,70}"|[0-9]{1,3}),?){0,5}\}"#) {
        if let Ok(request) = RegistrationRequest::from_json(body.as_bytes()) {
            let again = RegistrationRequest::from_json(request.to_json().as_bytes()).unwrap();
            prop_assert_eq!(again.to_json(), request.to_json());
        }
    }

    /// Every token the library makes registers online with the activation that made it.
    #[test]
    fn every_token_registers(seed in any::<u64>(), scheme in prop_oneof![
        Just(RegistrationScheme::Tollgate), Just(RegistrationScheme::AnyField)
    ]) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let activation = Activation::issue(
            SerialNumber::generate(&mut rng),
            None,
            NOW,
            Default::default(),
            &mut rng,
        );
        let token = TokenActivation::new(
            activation.serial(),
            activation.activation_code().clone(),
            None,
        );
        let (code, on_token) = token.register(&mut rng);
        let body = RegistrationRequest::new(&token, &code).to_json();
        let request = RegistrationRequest::from_json(body.as_bytes()).unwrap();
        let issued = activation.complete_online(&request, scheme, NOW).unwrap();
        prop_assert_eq!(issued.secret().expose_secret(), on_token.secret().expose_secret());
    }
}
