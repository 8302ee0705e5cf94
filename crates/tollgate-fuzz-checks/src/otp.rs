//! Secrets and typed codes (`tollgate-otp`).

use tollgate_otp::{Code, ConstantTimeEq, Digits, Secret, Totp, TotpParams, UnixTime, Window};

use super::text;

/// Base32 secrets: whatever the lenient parser accepts re-encodes canonically, and the canonical
/// text parses strictly to the same key; whatever the strict parser accepts, the lenient one
/// accepts with the same key.
///
/// # Panics
/// When one of those properties does not hold.
pub fn secret_base32(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let strict = Secret::from_base32_strict(text);
    match Secret::from_base32(text) {
        Ok(secret) => {
            let canonical = secret.expose_base32();
            let again = Secret::from_base32_strict(&canonical)
                .unwrap_or_else(|e| panic!("canonical base32 refused: {e}"));
            assert!(
                bool::from(secret.ct_eq(&again)),
                "round trip changed the key"
            );
            assert_eq!(again.expose_base32().as_str(), canonical.as_str());
            if let Ok(strict) = strict {
                assert!(bool::from(strict.ct_eq(&secret)), "modes disagree");
            }
        }
        Err(lenient_error) => {
            assert!(
                strict.is_err(),
                "strict accepted what lenient refused: {lenient_error}"
            );
        }
    }
}

/// Typed codes: whatever parses displays with its leading zeros and parses back to the same
/// code, with the same length; verification of any parsed code never panics.
///
/// # Panics
/// When one of those properties does not hold.
pub fn otp_code(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Ok(code) = text.parse::<Code>() {
        let shown = code.to_string();
        assert_eq!(shown.len(), usize::from(code.digits().get()));
        let again: Code = shown
            .parse()
            .unwrap_or_else(|e| panic!("displayed code refused: {e}"));
        assert!(
            bool::from(code.ct_eq(&again)),
            "round trip changed the code"
        );

        let Ok(secret) = Secret::from_bytes(b"12345678901234567890") else {
            return;
        };
        let params = TotpParams::default();
        let totp = Totp::new(&secret, params);
        let mut seconds = [0u8; 8];
        for (slot, byte) in seconds.iter_mut().zip(data) {
            *slot = *byte;
        }
        let at = UnixTime::from_secs(u64::from_le_bytes(seconds));
        let _ = totp.verify(&code, at, Window::default(), None);
    }
    for digits in [Digits::SIX, Digits::SEVEN, Digits::EIGHT] {
        if let Ok(code) = Code::parse(text, digits) {
            assert_eq!(code.digits(), digits);
        }
    }
}

/// OCRA (RFC 6287): the text before the first newline as a suite string, the rest as the
/// challenge. A suite that parses writes back as it was read; any challenge is answered with
/// the suite's digits or refused, never a panic, and the answer verifies.
///
/// # Panics
/// When one of those properties does not hold.
pub fn ocra_suite(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let (suite, challenge) = text.split_once('\n').unwrap_or((text, "12345678"));
    let Ok(parsed) = suite.parse::<tollgate_otp::OcraSuite>() else {
        return;
    };
    assert_eq!(parsed.to_string(), suite, "a suite wrote back otherwise");
    let input = tollgate_otp::OcraInput {
        counter: Some(u64::from(data[0])),
        pin: Some("1234"),
        session: Some(&data[..data.len().min(8)]),
        time: Some(UnixTime::from_secs(1_700_000_000)),
    };
    // Whatever the suite does not take is refused, not ignored; try with what it takes.
    let key = [0x31; 20];
    let answers = [
        parsed.respond(&key, challenge, &input),
        parsed.respond(&key, challenge, &tollgate_otp::OcraInput::default()),
    ];
    for answer in answers.into_iter().flatten() {
        assert_eq!(answer.len(), usize::from(parsed.digits()));
        assert!(answer.bytes().all(|b| b.is_ascii_digit()));
    }
}
