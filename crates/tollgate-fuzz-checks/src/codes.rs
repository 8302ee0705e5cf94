//! Activation codes and the token policy (`tollgate-codes`).

use tollgate_codes::{
    Activation, ActivationCode, ActivationPassword, Policy, RegistrationCode, RegistrationRequest,
    RegistrationScheme, SerialNumber,
};
use tollgate_otp::ConstantTimeEq;

use super::text;

/// Serial numbers: what parses displays as `ddddd-ddddd` and parses back to itself.
///
/// # Panics
/// When that does not hold.
pub fn serial_number(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Ok(serial) = text.parse::<SerialNumber>() {
        let shown = serial.to_string();
        assert_eq!(shown.len(), 11);
        assert_eq!(shown.parse::<SerialNumber>().ok(), Some(serial));
    }
}

/// Activation codes: what parses shows as `dddd-dddd-dddd-dddd` and parses back to itself.
///
/// # Panics
/// When that does not hold.
pub fn activation_code(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Ok(code) = text.parse::<ActivationCode>() {
        let shown = code.expose_grouped();
        assert_eq!(shown.len(), 19);
        let again: ActivationCode = shown
            .parse()
            .unwrap_or_else(|e| panic!("shown activation code refused: {e}"));
        assert!(bool::from(again.ct_eq(&code)));
    }
}

/// Registration codes: round trip, and the nonce and validation field fit their ranges.
///
/// # Panics
/// When that does not hold.
pub fn registration_code(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Ok(code) = text.parse::<RegistrationCode>() {
        let again: RegistrationCode = code
            .to_string()
            .parse()
            .unwrap_or_else(|e| panic!("shown registration code refused: {e}"));
        assert!(bool::from(again.ct_eq(&code)));
        assert!(code.validation_field() <= 15_258);
    }
}

/// Activation passwords: round trip through the exposed digits.
///
/// # Panics
/// When that does not hold.
pub fn activation_password(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Ok(password) = text.parse::<ActivationPassword>() {
        let again: ActivationPassword = password
            .expose_secret()
            .parse()
            .unwrap_or_else(|e| panic!("exposed password refused: {e}"));
        assert!(bool::from(again.ct_eq(&password)));
    }
}

/// Token policies: what parses keeps its exact text, and reparsing it gives the same policy.
///
/// # Panics
/// When that does not hold.
pub fn token_policy(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Ok(policy) = text.parse::<Policy>() {
        assert_eq!(policy.as_str(), text);
        let again: Policy = policy
            .as_str()
            .parse()
            .unwrap_or_else(|e| panic!("policy text refused on reparse: {e}"));
        assert_eq!(again, policy);
    }
}

/// Online registration requests: what reads writes back to a body that reads as the same
/// request, and checking it against activation data never panics.
///
/// # Panics
/// When that does not hold.
pub fn online_registration(data: &[u8]) {
    let Ok(request) = RegistrationRequest::from_json(data) else {
        return;
    };
    let body = request.to_json();
    let again = RegistrationRequest::from_json(body.as_bytes())
        .unwrap_or_else(|e| panic!("written request refused: {e}"));
    assert_eq!(again.to_json(), body);
    assert_eq!(again.serial(), request.serial());
    let activation = Activation::from_parts(
        request.serial(),
        "1745-7712-6942-8698"
            .parse::<ActivationCode>()
            .unwrap_or_else(|e| panic!("the spec's activation code: {e}")),
        None,
        tollgate_otp::UnixTime::from_secs(u64::MAX),
    );
    for scheme in [RegistrationScheme::Tollgate, RegistrationScheme::AnyField] {
        let _ = activation.complete_online(&request, scheme, tollgate_otp::UnixTime::from_secs(0));
    }
}
