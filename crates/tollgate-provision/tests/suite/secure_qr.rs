//! The secure activation QR: the public vector, round trips, and every kind of damage refused.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::{ActivationCode, ActivationPassword, Policy, SerialNumber};
use tollgate_otp::ConstantTimeEq;
use tollgate_provision::{SecureActivation, SecureQrError};

fn vector(key: &str) -> &'static str {
    include_str!("../data/secure_activation.txt")
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(" = "))
        .unwrap()
}

fn password(text: &str) -> ActivationPassword {
    text.parse().unwrap()
}

#[test]
fn the_public_vector_decodes_to_its_activation_data() {
    let decoded = SecureActivation::decode(vector("Uri"), &password(vector("Password"))).unwrap();
    assert_eq!(decoded.serial().to_string(), vector("Serial"));
    assert_eq!(
        decoded.activation_code().expose_grouped().as_str(),
        vector("ActivationCode")
    );
    assert_eq!(decoded.policy().unwrap().as_str(), vector("Policy"));
    assert_eq!(decoded.registration_url(), Some(vector("RegistrationUrl")));
}

#[test]
fn a_wrong_password_is_refused() {
    for wrong in ["54998318", "00000000", "45998317"] {
        assert_eq!(
            SecureActivation::decode(vector("Uri"), &password(wrong)).unwrap_err(),
            SecureQrError::WrongPasswordOrTampered
        );
    }
}

/// Every single character of the URI changed: never accepted, never a panic.
#[test]
fn a_changed_character_anywhere_is_refused() {
    let uri = vector("Uri");
    let password = password(vector("Password"));
    for (i, c) in uri.char_indices() {
        let replacement = if c == 'A' { 'B' } else { 'A' };
        let mut tampered = uri.to_owned();
        tampered.replace_range(i..i + c.len_utf8(), &replacement.to_string());
        assert!(
            SecureActivation::decode(&tampered, &password).is_err(),
            "changed at {i}"
        );
    }
}

#[test]
fn truncated_and_malformed_uris_are_refused() {
    let uri = vector("Uri");
    let password = password(vector("Password"));
    for len in 0..uri.len() {
        if uri.is_char_boundary(len) {
            assert!(
                SecureActivation::decode(&uri[..len], &password).is_err(),
                "{len}"
            );
        }
    }
    let bad_base64 = uri.replace("enc=VRUq", "enc=V!Uq");
    assert_eq!(
        SecureActivation::decode(&bad_base64, &password).unwrap_err(),
        SecureQrError::Malformed("bad base64")
    );
    let no_action = uri.replace("action=secactivate", "action=activate");
    assert!(matches!(
        SecureActivation::decode(&no_action, &password),
        Err(SecureQrError::Malformed(_))
    ));
}

#[test]
fn encoded_activations_decode_back() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    for with_extras in [false, true] {
        let serial = SerialNumber::generate(&mut rng);
        let code = ActivationCode::generate(&mut rng);
        let policy: Option<Policy> =
            with_extras.then(|| r#"{"allowUnsecured":"false","x":[1,"é"]}"#.parse().unwrap());
        let url = with_extras.then(|| "https://portal.example/api/mobile".to_owned());
        let pw = ActivationPassword::generate(&mut rng);
        let activation = SecureActivation::new(serial, code.clone(), policy.clone(), url.clone());
        let uri = activation.encode(&pw, &mut rng);
        assert!(uri.starts_with("igmobileotp://?action=secactivate&enc="));
        let decoded = SecureActivation::decode(&uri, &pw).unwrap();
        assert_eq!(decoded.serial(), serial);
        assert!(bool::from(decoded.activation_code().ct_eq(&code)));
        assert_eq!(decoded.policy(), policy.as_ref());
        assert_eq!(decoded.registration_url(), url.as_deref());
        // The same data encode differently each time (fresh salt).
        assert_ne!(activation.encode(&pw, &mut rng), uri);
    }
}
