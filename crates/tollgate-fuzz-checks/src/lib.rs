//! The properties that the fuzz targets in `fuzz/` assert.
//!
//! Each function takes the fuzzer's bytes, must never panic on any input except where a
//! property is broken, and asserts the round trips that apply. The targets in
//! `fuzz/fuzz_targets/` are one-line calls to these functions, and `tests/corpus.rs` replays
//! every committed corpus file through the same functions on stable Rust, so CI checks the
//! corpora without a nightly toolchain.

#![forbid(unsafe_code)]

use tollgate_otp::{Code, ConstantTimeEq, Digits, Secret, Totp, TotpParams, UnixTime, Window};

/// A target: its directory name under `fuzz/corpus/` and the property it checks.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by corpus directory name.
pub const TARGETS: &[Target] = &[("secret_base32", secret_base32), ("otp_code", otp_code)];

/// Base32 secrets: whatever the lenient parser accepts re-encodes canonically, and the canonical
/// text parses strictly to the same key; whatever the strict parser accepts, the lenient one
/// accepts with the same key.
///
/// # Panics
/// When one of those properties does not hold.
pub fn secret_base32(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
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
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
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
        let at = UnixTime::from_secs(u64::from_le_bytes(
            data.iter()
                .copied()
                .chain(core::iter::repeat(0))
                .take(8)
                .collect::<Vec<u8>>()
                .try_into()
                .unwrap_or([0; 8]),
        ));
        let _ = totp.verify(&code, at, Window::default(), None);
    }
    for digits in [Digits::SIX, Digits::SEVEN, Digits::EIGHT] {
        if let Ok(code) = Code::parse(text, digits) {
            assert_eq!(code.digits(), digits);
        }
    }
}
