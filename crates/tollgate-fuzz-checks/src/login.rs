//! The login state machine (`tollgate-login`).

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_otp::Totp;
use tollgate_provision::SecureActivation;

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
