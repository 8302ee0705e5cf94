//! Known-answer vectors from `tests/data/*.txt`, each also tampered with and refused.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::collections::HashMap;
use std::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};
use tollgate_codes::{
    Activation, ActivationCode, ActivationPassword, CompletionError, Policy, RegistrationCode,
    RegistrationScheme, SerialNumber, TokenActivation,
};
use tollgate_otp::{Code, ConstantTimeEq, Digits, UnixTime, VerifyError, Window};

type Block = HashMap<String, String>;

fn blocks(file: &str) -> Vec<Block> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    text.split("\n\n")
        .map(|chunk| {
            chunk
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(|l| {
                    let (k, v) = l.split_once(" = ").unwrap();
                    (k.to_owned(), v.to_owned())
                })
                .collect::<Block>()
        })
        .filter(|b| !b.is_empty())
        .collect()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// An RNG that returns the given bytes: the token's nonce in a vector.
struct Replay(Vec<u8>);

impl TryRng for Replay {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for d in dst {
            *d = self.0.remove(0);
        }
        Ok(())
    }
}

impl TryCryptoRng for Replay {}

fn token(block: &Block) -> TokenActivation {
    TokenActivation::new(
        block["Serial"].parse().unwrap(),
        block["ActivationCode"].parse().unwrap(),
        block.get("Policy").map(|p| p.parse().unwrap()),
    )
}

fn issued(block: &Block) -> Activation {
    Activation::from_parts(
        block["Serial"].parse().unwrap(),
        block["ActivationCode"].parse().unwrap(),
        block.get("Policy").map(|p| p.parse::<Policy>().unwrap()),
        UnixTime::from_secs(u64::MAX),
    )
}

/// The same registration code with another nonce but a valid check digit: parses, and must
/// give another secret (and, under the tollgate scheme, be refused).
fn other_nonce(code: &RegistrationCode) -> RegistrationCode {
    let digits: String = code
        .to_string()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let number: u32 = digits[..9].parse().unwrap();
    let changed = format!("{:09}", number ^ 1);
    (0..10)
        .map(|check| format!("{changed}{check}"))
        .find_map(|candidate| candidate.parse().ok())
        .unwrap()
}

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
