//! Known-answer vectors from `tests/data/*.txt`, each also tampered with and refused.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use tollgate_codes::{
    ActivationCode, ActivationPassword, CompletionError, RegistrationCode, RegistrationScheme,
    SerialNumber,
};
use tollgate_otp::{Code, ConstantTimeEq, Digits, UnixTime, VerifyError, Window};

use crate::common;

use common::{Replay, blocks, hex, issued, other_nonce, token};

#[test]
fn entrust_public_vectors() {
    let blocks = blocks("entrust_activation.txt");
    assert_eq!(blocks.len(), 3);
    for block in &blocks {
        let code: RegistrationCode = block["RegistrationCode"].parse().unwrap();
        let expected = hex(&block["Secret"]);

        // Token side, restoring from the recorded registration code.
        let on_token = token(block).restore(&code);
        assert_eq!(on_token.secret().expose_secret(), expected.as_slice());
        assert!(on_token.secret().is_weak(), "128-bit secrets are flagged");

        // Issuer side: Entrust's validation field is not tollgate's, so only the compatibility
        // scheme accepts it; that scheme derives the same secret.
        let activation = issued(block);
        let now = UnixTime::from_secs(0);
        let on_issuer = activation
            .complete(&code, RegistrationScheme::AnyField, now)
            .unwrap();
        assert!(bool::from(on_issuer.secret().ct_eq(on_token.secret())));
        assert_eq!(
            activation
                .complete(&code, RegistrationScheme::Tollgate, now)
                .unwrap_err(),
            CompletionError::NotForThisActivation
        );

        // TOTP with the derived secret.
        if let Some(time) = block.get("Time") {
            let at = UnixTime::from_secs(time.parse().unwrap());
            let totp = on_token.totp();
            assert_eq!(totp.generate(at).unwrap().to_string(), block["Code"]);
            let typed = Code::parse(&block["Code"], Digits::SIX).unwrap();
            assert!(totp.verify(&typed, at, Window::EXACT, None).is_ok());
            // Tampered: another nonce gives another secret, whose codes differ.
            let tampered = token(block).restore(&other_nonce(&code)).totp();
            assert_eq!(
                tampered.verify(&typed, at, Window::EXACT, None),
                Err(VerifyError::Mismatch)
            );
        }

        // Tampered: one digit of the registration code is caught by the check digit.
        let mut text: Vec<char> = block["RegistrationCode"].chars().collect();
        text[0] = if text[0] == '9' { '8' } else { '9' };
        let text: String = text.into_iter().collect();
        assert!(text.parse::<RegistrationCode>().is_err());
        // Tampered: the secret of another nonce differs.
        let other = token(block).restore(&other_nonce(&code));
        assert_ne!(other.secret().expose_secret(), expected.as_slice());
    }
}

#[test]
fn the_policy_changes_the_secret_and_is_hashed_as_given() {
    let blocks = blocks("entrust_activation.txt");
    let with_policy = &blocks[2];
    let code: RegistrationCode = with_policy["RegistrationCode"].parse().unwrap();
    // Re-serialised with a space, the policy means the same but derives another secret.
    let mut spaced = with_policy.clone();
    spaced.insert("Policy".into(), with_policy["Policy"].replace(",", ", "));
    let a = token(with_policy).restore(&code);
    let b = token(&spaced).restore(&code);
    assert_eq!(
        a.secret().expose_secret(),
        hex(&with_policy["Secret"]).as_slice()
    );
    assert!(!bool::from(a.secret().ct_eq(b.secret())));
}

#[test]
fn tollgate_registration_vectors() {
    let blocks = blocks("tollgate_registration.txt");
    assert_eq!(blocks.len(), 5);
    for block in &blocks {
        let nonce = u16::from_str_radix(&block["Nonce"], 16).unwrap();
        let (code, on_token) = token(block).register(&mut Replay(nonce.to_be_bytes().to_vec()));
        assert_eq!(code.to_string(), block["RegistrationCode"]);
        assert_eq!(code.nonce(), nonce.to_be_bytes());
        assert_eq!(code.validation_field().to_string(), block["Field"]);
        assert_eq!(
            on_token.secret().expose_secret(),
            hex(&block["Secret"]).as_slice()
        );

        let activation = issued(block);
        let now = UnixTime::from_secs(0);
        let typed: RegistrationCode = block["RegistrationCode"].parse().unwrap();
        let on_issuer = activation
            .complete(&typed, RegistrationScheme::Tollgate, now)
            .unwrap();
        assert!(bool::from(on_issuer.secret().ct_eq(on_token.secret())));

        // Tampered nonce with a valid check digit: refused as not for this activation.
        assert_eq!(
            activation
                .complete(&other_nonce(&typed), RegistrationScheme::Tollgate, now)
                .unwrap_err(),
            CompletionError::NotForThisActivation
        );
    }
}

/// The values on the portal guide's screens parse and pass their check digits.
#[test]
fn the_seed_screens_values() {
    let serial: SerialNumber = "69350-19387".parse().unwrap();
    assert_eq!(serial.to_string(), "69350-19387");
    let code: ActivationCode = "0505-4283-4011-0157".parse().unwrap();
    assert_eq!(code.expose_grouped().as_str(), "0505-4283-4011-0157");
    let password: ActivationPassword = "67709540".parse().unwrap();
    assert_eq!(password.expose_secret().as_str(), "67709540");
    assert_eq!(format!("{password:?}"), "ActivationPassword(<redacted>)");
}
