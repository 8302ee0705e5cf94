//! The properties that the fuzz targets in `fuzz/` assert.
//!
//! Each function takes the fuzzer's bytes, must never panic on any input except where a
//! property is broken, and asserts the round trips that apply. The targets in
//! `fuzz/fuzz_targets/` are one-line calls to these functions, and `tests/corpus.rs` replays
//! every committed corpus file through the same functions on stable Rust, so CI checks the
//! corpora without a nightly toolchain.

#![forbid(unsafe_code)]

use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::{ActivationCode, ActivationPassword, Policy, RegistrationCode, SerialNumber};
use tollgate_otp::{Code, ConstantTimeEq, Digits, Secret, Totp, TotpParams, UnixTime, Window};
use tollgate_provision::{OtpAuthUri, SecureActivation, migration as ga};

/// A target: its directory name under `fuzz/corpus/` and the property it checks.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by corpus directory name.
pub const TARGETS: &[Target] = &[
    ("secret_base32", secret_base32),
    ("otp_code", otp_code),
    ("serial_number", serial_number),
    ("activation_code", activation_code),
    ("registration_code", registration_code),
    ("activation_password", activation_password),
    ("token_policy", token_policy),
    ("key_uri", key_uri),
    ("migration", migration),
    ("secure_qr", secure_qr),
    ("login_machine", login_machine),
];

/// The fuzzer's bytes as text, or `None` for bytes that are not UTF-8 (no parser takes them).
fn text(data: &[u8]) -> Option<&str> {
    core::str::from_utf8(data).ok()
}

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

/// Key URIs: what parses writes canonically, and the written URI parses to the same token and
/// writes the same text again.
///
/// # Panics
/// When that does not hold.
pub fn key_uri(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Ok(parsed) = OtpAuthUri::parse(text) {
        let written = parsed.uri.expose_uri();
        let again = OtpAuthUri::parse(&written)
            .unwrap_or_else(|e| panic!("written key URI refused: {e}"))
            .uri;
        assert!(
            bool::from(again.ct_eq(&parsed.uri)),
            "round trip changed the URI"
        );
        assert_eq!(again.expose_uri().as_str(), written.as_str());
    }
}

/// Migration links: the bytes as a link and as a raw payload; whatever imports exports and
/// imports again to the same accounts.
///
/// # Panics
/// When that does not hold.
pub fn migration(data: &[u8]) {
    if let Some(text) = text(data) {
        let _ = ga::import(text);
    }
    let link = format!(
        "otpauth-migration://offline?data={}",
        base64::engine::general_purpose::STANDARD.encode(data)
    );
    let Ok(batch) = ga::import(&link) else { return };
    let (links, left_out) = ga::export(&batch.accounts, ga::DEFAULT_BATCH, 1);
    let mut again = Vec::new();
    for link in &links {
        let batch = ga::import(link).unwrap_or_else(|e| panic!("exported link refused: {e}"));
        assert!(batch.skipped.is_empty(), "exported account skipped");
        again.extend(batch.accounts);
    }
    let exported: Vec<_> = batch
        .accounts
        .iter()
        .enumerate()
        .filter(|(i, _)| !left_out.contains(i))
        .map(|(_, a)| a)
        .collect();
    assert_eq!(again.len(), exported.len());
    for (a, b) in exported.iter().zip(&again) {
        assert!(
            bool::from(a.ct_eq(b)),
            "migration round trip changed an account"
        );
    }
}

/// Secure activation QRs, with the fixed password `12345678`: what decodes re-encodes and
/// decodes to the same activation data.
///
/// # Panics
/// When that does not hold.
pub fn secure_qr(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(password) = "12345678".parse::<ActivationPassword>() else {
        return;
    };
    if let Ok(activation) = SecureActivation::decode(text, &password) {
        let mut rng = ChaCha20Rng::seed_from_u64(data.len() as u64);
        let uri = activation.encode(&password, &mut rng);
        let again = SecureActivation::decode(&uri, &password)
            .unwrap_or_else(|e| panic!("re-encoded QR refused: {e}"));
        assert_eq!(again.serial(), activation.serial());
        assert!(bool::from(
            again.activation_code().ct_eq(activation.activation_code())
        ));
        assert_eq!(again.policy(), activation.policy());
        assert_eq!(again.registration_url(), activation.registration_url());
    }
}

/// The login state machine fed arbitrary inputs, one per byte (the low nibble picks the input,
/// the high nibble a variant or a wait), against one account in an in-memory store with
/// compare-and-set: no panic, every stored login round-trips, and no login is authenticated
/// without the right password and then a PIN it sent or a token code.
///
/// # Panics
/// When that does not hold.
pub fn login_machine(data: &[u8]) {
    use tollgate_login::{
        Account, AccountState, Action, Config, EnrollmentKind, Input, LoginMachine, LoginState,
        PasswordCheck, Screen,
    };
    use tollgate_otp::UnixTime;

    let machine = LoginMachine::new(Config::default());
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut now = 1_700_000_000u64;
    let mut account = Account {
        version: 0,
        mobile: "+16132701234".parse().ok(),
        email: None,
        state: AccountState::default(),
    };
    let (mut state, _) = machine.start(UnixTime::from_secs(now), &mut rng);
    let mut pins: Vec<String> = Vec::new();
    let mut app: Option<tollgate_codes::TokenActivation> = None;
    let mut token: Option<Totp> = None;
    let (mut password_ok, mut pin_sent_from) = (false, 0usize);

    for &byte in data.iter().take(256) {
        let variant = byte >> 4;
        let input = match byte & 0x0f {
            0 => Input::UserId(if variant % 4 == 0 {
                "x".into()
            } else {
                "john@example.com".into()
            }),
            1 => Input::Password(if variant % 3 == 0 {
                PasswordCheck::Incorrect
            } else {
                PasswordCheck::Correct
            }),
            2 => Input::Pin(pins.last().cloned().unwrap_or_default()),
            3 => Input::Pin(format!("{:06}", u32::from(byte) * 3)),
            4 => Input::ResendPin,
            5 => Input::AlternativeAuthentication,
            6 => Input::ChooseEnrollment(if variant % 2 == 0 {
                EnrollmentKind::Desktop
            } else {
                EnrollmentKind::Mobile
            }),
            7 => match &app {
                Some(app) => {
                    let (code, activated) = app.register(&mut rng);
                    token = Some(activated.totp());
                    Input::RegistrationCode(code.to_string())
                }
                None => Input::RegistrationCode("12211-49352".into()),
            },
            8 => Input::Continue,
            9 => match &token {
                Some(t) => Input::TokenCode(
                    t.generate(UnixTime::from_secs(now))
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ),
                None => Input::TokenCode("123456".into()),
            },
            10 => {
                Input::TokenCode(String::from_utf8_lossy(&data[..data.len().min(12)]).into_owned())
            }
            11 => Input::ForgotPassword,
            12 => Input::Cancel,
            13 => Input::Tick,
            _ => {
                now += u64::from(variant) * 20;
                continue;
            }
        };
        let is_password_ok = input == Input::Password(PasswordCheck::Correct);
        let was_authenticated = state.is_authenticated();
        let (next, output) = machine.handle(
            state.clone(),
            input,
            Some(&account),
            UnixTime::from_secs(now),
            &mut rng,
        );
        for action in output.actions {
            match action {
                Action::UpdateAccount(update) => {
                    assert_eq!(update.expected_version, account.version, "a stale update");
                    account.version += 1;
                    account.state = update.state;
                }
                Action::SendPin { pin, .. } => pins.push(pin.expose_secret().to_owned()),
                _ => {}
            }
        }
        state = next;
        match &output.screen {
            Screen::EnterUserId => {
                password_ok = false;
                pin_sent_from = pins.len();
            }
            Screen::EnterPin { .. } | Screen::EnterTokenCode { .. } if is_password_ok => {
                password_ok = true
            }
            Screen::DesktopActivation(s) => {
                app = Some(tollgate_codes::TokenActivation::new(
                    s.serial,
                    s.activation_code.clone(),
                    None,
                ));
            }
            Screen::MobileActivation(s) => {
                if let Ok(scanned) = SecureActivation::decode(&s.qr_uri, &s.password) {
                    app = Some(tollgate_codes::TokenActivation::new(
                        scanned.serial(),
                        scanned.activation_code().clone(),
                        None,
                    ));
                }
            }
            _ => {}
        }
        if state.is_authenticated() && !was_authenticated {
            assert!(password_ok, "authenticated without the password");
            assert!(
                pins.len() > pin_sent_from || account.state.token.is_some(),
                "authenticated without a second factor"
            );
        }
        let json = state.to_json();
        let again =
            LoginState::from_json(&json).unwrap_or_else(|e| panic!("stored login refused: {e}"));
        assert_eq!(again, state);
    }
}
