//! Property tests of the codes and of the activation protocol, and the measured false-accept
//! rate of tollgate's registration check.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use tollgate_codes::{
    Activation, ActivationCode, ActivationLifetime, ActivationPassword, CodeError, CompletionError,
    RegistrationCode, RegistrationScheme, SerialNumber, TokenActivation, VALIDATION_FIELD_SIZE,
};
use tollgate_otp::{ConstantTimeEq, UnixTime};

/// Deterministic by default (a fixed seed); set `PROPTEST_RNG_SEED` to explore other cases.
fn config() -> ProptestConfig {
    tollgate_test_kit::proptest_config(256, 0xc0de5)
}

fn rng() -> impl Strategy<Value = ChaCha20Rng> {
    any::<u64>().prop_map(ChaCha20Rng::seed_from_u64)
}

/// A separator as people type them between groups.
fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just(""),
        Just("-"),
        Just(" "),
        Just("\u{2013}"),
        Just(" - ")
    ]
}

fn regroup(grouped: &str, sep: &str) -> String {
    format!("  {}\t", grouped.replace('-', sep))
}

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

proptest! {
    #![proptest_config(config())]

    /// Generated codes are valid and survive display → parse, however they are separated.
    #[test]
    fn generated_codes_round_trip(mut rng in rng(), sep in separator()) {
        let serial = SerialNumber::generate(&mut rng);
        let shown = serial.to_string();
        prop_assert_eq!(shown.len(), 11);
        prop_assert_eq!(regroup(&shown, sep).parse::<SerialNumber>().unwrap(), serial);

        let code = ActivationCode::generate(&mut rng);
        let shown = code.expose_grouped();
        prop_assert_eq!(shown.len(), 19);
        let again: ActivationCode = regroup(&shown, sep).parse().unwrap();
        prop_assert!(bool::from(again.ct_eq(&code)));

        let password = ActivationPassword::generate(&mut rng);
        let again: ActivationPassword = password.expose_secret().parse().unwrap();
        prop_assert!(bool::from(again.ct_eq(&password)));

        let token = TokenActivation::new(serial, code, None);
        let (registration, _) = token.register(&mut rng);
        let again: RegistrationCode = regroup(&registration.to_string(), sep).parse().unwrap();
        prop_assert!(bool::from(again.ct_eq(&registration)));
        prop_assert!(registration.validation_field() < VALIDATION_FIELD_SIZE);
    }

    /// The issuer accepts what the token registered, and both derive the same secret.
    #[test]
    fn issuer_accepts_the_token(mut rng in rng(), policy in any::<bool>()) {
        let policy = policy.then(|| r#"{"allowUnsecured":"false"}"#.parse().unwrap());
        let serial = SerialNumber::generate(&mut rng);
        let activation = Activation::issue(serial, policy.clone(), NOW, ActivationLifetime::default(), &mut rng);
        let token = TokenActivation::new(serial, activation.activation_code().clone(), policy);
        let (code, on_token) = token.register(&mut rng);
        for scheme in [RegistrationScheme::Tollgate, RegistrationScheme::AnyField] {
            let on_issuer = activation.complete(&code, scheme, NOW).unwrap();
            prop_assert!(bool::from(on_issuer.secret().ct_eq(on_token.secret())));
            prop_assert_eq!(on_issuer.params(), on_token.params());
        }
        // Restoring from the recorded code gives the same token.
        prop_assert!(bool::from(token.restore(&code).secret().ct_eq(on_token.secret())));
        // Expired activation data are refused, to the second.
        let expiry = activation.expires_at();
        prop_assert_eq!(
            activation.complete(&code, RegistrationScheme::Tollgate, expiry).unwrap_err(),
            CompletionError::Expired
        );
        prop_assert_eq!(expiry.as_secs() - NOW.as_secs(), 600);
    }

    /// No string makes a parser panic, and what parses is what displays.
    #[test]
    fn any_string_is_safe(input in "\\PC{0,40}") {
        if let Ok(serial) = input.parse::<SerialNumber>() {
            prop_assert_eq!(serial.to_string().parse::<SerialNumber>().unwrap(), serial);
        }
        if let Ok(code) = input.parse::<ActivationCode>() {
            let again: ActivationCode = code.expose_grouped().parse().unwrap();
            prop_assert!(bool::from(again.ct_eq(&code)));
        }
        if let Ok(code) = input.parse::<RegistrationCode>() {
            let again: RegistrationCode = code.to_string().parse().unwrap();
            prop_assert!(bool::from(again.ct_eq(&code)));
        }
        let _ = input.parse::<ActivationPassword>();
        let _ = input.parse::<tollgate_codes::Policy>();
    }

    /// Digit strings: exactly the right length parses or fails only on the check digit.
    #[test]
    fn digit_strings(digits in "[0-9]{0,20}") {
        match digits.parse::<SerialNumber>() {
            Ok(_) => prop_assert_eq!(digits.len(), 10),
            Err(CodeError::WrongLength { found, expected, .. }) => {
                prop_assert_eq!((found, expected), (digits.len(), 10));
            }
            Err(CodeError::CheckDigit { .. }) => prop_assert_eq!(digits.len(), 10),
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}

/// Error messages say what to fix, and where.
#[test]
fn errors_say_what_to_fix() {
    assert_eq!(
        "0505-4283-4011-015"
            .parse::<ActivationCode>()
            .unwrap_err()
            .to_string(),
        "activation code has 15 digits, expected 16"
    );
    assert_eq!(
        "69O50-19387"
            .parse::<SerialNumber>()
            .unwrap_err()
            .to_string(),
        "serial number: 'O' at position 3 is not a digit"
    );
    assert_eq!(
        "12211-49353"
            .parse::<RegistrationCode>()
            .unwrap_err()
            .to_string(),
        "registration code does not check out: a digit is mistyped or two are swapped"
    );
    assert_eq!(
        "6770954"
            .parse::<ActivationPassword>()
            .unwrap_err()
            .to_string(),
        "activation password has 7 digits, expected 8"
    );
}

/// Registration codes made by other tokens are accepted by the tollgate scheme at the rate the
/// field size predicts: 1 in 15 258. 1 000 000 trials expect 65.5 false accepts (σ ≈ 8.1);
/// the count must fall within ±5σ.
#[test]
fn other_tokens_codes_are_refused_at_the_field_rate() {
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let serial = SerialNumber::generate(&mut rng);
    let activation = Activation::issue(serial, None, NOW, ActivationLifetime::default(), &mut rng);
    let trials = 1_000_000u32;
    let mut accepted = 0u32;
    for _ in 0..trials {
        // Another token: another activation code (half the time another serial number too).
        let other_serial = if rng.next_u32() % 2 == 0 {
            serial
        } else {
            SerialNumber::generate(&mut rng)
        };
        let other = TokenActivation::new(other_serial, ActivationCode::generate(&mut rng), None);
        let code = other.registration_code(&mut rng);
        if bool::from(RegistrationScheme::Tollgate.accepts(
            &code,
            &serial,
            activation.activation_code(),
        )) {
            accepted += 1;
        }
    }
    let expected = f64::from(trials) / f64::from(VALIDATION_FIELD_SIZE);
    let sigma = expected.sqrt();
    println!("false accepts: {accepted} of {trials} (expected {expected:.1}, σ {sigma:.1})");
    assert!(
        (f64::from(accepted) - expected).abs() < 5.0 * sigma,
        "{accepted}"
    );
}

/// The schemes by name, as a command line or a configuration file gives them.
#[test]
fn schemes_parse_by_name_and_print_back() {
    for scheme in [RegistrationScheme::Tollgate, RegistrationScheme::AnyField] {
        assert_eq!(scheme.as_str().parse::<RegistrationScheme>(), Ok(scheme));
        assert_eq!(scheme.to_string(), scheme.as_str());
    }
    for bad in ["", "Tollgate", "any_field", "entrust", " tollgate"] {
        assert!(bad.parse::<RegistrationScheme>().is_err(), "{bad:?}");
    }
}
