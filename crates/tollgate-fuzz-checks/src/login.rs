//! The login state machine (`tollgate-login`), run by its one driver over its memory store.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::TokenActivation;
use tollgate_login::{
    Account, AccountState, Config, DeviceId, DriveError, Driven, Driver, Effect, EnrollmentKind,
    Event, Input, LoginKey, LoginMachine, LoginStore, MemoryLoginStore, PasswordCheck, PinKey,
    Report, Screen, StateKey, UserId,
};
use tollgate_otp::{Algorithm, Secret, Totp, TotpParams, UnixTime};

/// What one run has seen, for the properties.
struct Run {
    driver: Driver,
    store: MemoryLoginStore,
    user: UserId,
    rng: ChaCha20Rng,
    now: u64,
    key: LoginKey,
    /// Every PIN sent, and (once this login passed the password) the first that belongs to it.
    pins: Vec<String>,
    password_at: Option<usize>,
    /// The state the driver returned last, and when.
    state: Option<(tollgate_login::LoginState, UnixTime)>,
    /// Whether the login was authenticated after the last input.
    authenticated: bool,
    /// Whether the mobile path was chosen once already.
    mobile_issued: bool,
    /// The app's token, once registered or scanned.
    app: Option<TokenActivation>,
    token: Option<Totp>,
    open: Option<Totp>,
    /// The device cookie of the last whole login.
    device: Option<DeviceId>,
}

impl Run {
    fn carry_out(&mut self, driven: &Driven) {
        for effect in &driven.effects {
            match effect {
                Effect::SendPin { pin, .. } => self.pins.push(pin.expose_secret().to_owned()),
                Effect::RememberDevice { device, .. } => self.device = Some(*device),
                _ => {}
            }
        }
    }

    fn account(&self) -> Option<Account> {
        self.store.account(&self.user).ok().flatten()
    }

    fn start(&mut self) {
        let now = UnixTime::from_secs(self.now);
        let driven = self
            .driver
            .start(&self.store, now, &mut self.rng)
            .unwrap_or_else(|e| panic!("start: {e}"));
        self.key = driven.key;
        self.state = Some((driven.state, UnixTime::from_secs(self.now)));
        self.password_at = None;
        self.authenticated = false;
    }
}

/// Inputs per run: enough for a first login, an enrollment, a lockout and later logins.
const MAX_STEPS: usize = 128;

/// The input a byte stands for (the low nibble picks the input, the high nibble a variant), or
/// `None` for a wait. The service's reports are among them: the machine must hold up whatever
/// its service reports, wherever.
fn input(run: &mut Run, byte: u8, data: &[u8]) -> Option<Event> {
    let variant = byte >> 4;
    let now = UnixTime::from_secs(run.now);
    Some(Event::Input(match byte & 0x0f {
        0 => Input::UserId(if variant.is_multiple_of(4) {
            "x".into()
        } else {
            "john@example.com".into()
        }),
        // Right or wrong; from a new browser, the device of the last whole login, or a
        // made-up cookie.
        1 => {
            let device = match variant % 3 {
                0 => None,
                1 => run.device,
                _ => DeviceId::parse(&format!("d1.{:032x}", u128::from(byte))).ok(),
            };
            Input::Password(PasswordCheck::of(!(variant / 3).is_multiple_of(3), device))
        }
        2 => Input::Pin(run.pins.last().cloned().unwrap_or_default()),
        3 => Input::Pin(format!("{:06}", u32::from(byte) * 3)),
        4 if variant.is_multiple_of(2) => Input::ResendPin,
        4 => Input::AlternativeAuthentication,
        5 => match &run.open {
            Some(open) if variant.is_multiple_of(2) => Input::OpenPathCode(
                open.generate(now)
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ),
            _ => Input::OpenPathCode(format!("{:06}", u32::from(byte) * 7)),
        },
        // The mobile path once per run: issuing it encrypts the secure QR under 1000 rounds of
        // PBKDF2, which would be most of a run's time (the QR's own coding is `secure_qr`'s).
        6 if variant.is_multiple_of(2) || run.mobile_issued => {
            Input::ChooseEnrollment(EnrollmentKind::Desktop)
        }
        6 => {
            run.mobile_issued = true;
            Input::ChooseEnrollment(EnrollmentKind::Mobile)
        }
        // Half the time the app registers online first and the user clicks OK.
        7 => match run.app.clone() {
            Some(app) if variant.is_multiple_of(2) => {
                let (code, activated) = app.register(&mut run.rng);
                let request = tollgate_codes::RegistrationRequest::new(&app, &code);
                let receipt = run
                    .driver
                    .register_online(&run.store, &request, now)
                    .unwrap_or_else(|e| panic!("online registration: {e}"));
                if receipt.outcome.is_registered() {
                    run.token = Some(activated.totp());
                }
                Input::RegistrationArrived
            }
            Some(app) => {
                let (code, activated) = app.register(&mut run.rng);
                run.token = Some(activated.totp());
                Input::RegistrationCode(code.to_string())
            }
            None => Input::RegistrationCode("12211-49352".into()),
        },
        8 => Input::Continue,
        9 => match run.token.as_ref().or(run.open.as_ref()) {
            Some(t) => Input::TokenCode(t.generate(now).map(|c| c.to_string()).unwrap_or_default()),
            None => Input::TokenCode("123456".into()),
        },
        10 => Input::TokenCode(String::from_utf8_lossy(&data[..data.len().min(12)]).into_owned()),
        11 if variant.is_multiple_of(3) => Input::NoAuthenticator,
        11 if variant % 3 == 1 => {
            return Some(Event::Report(Report::PasswordSet(
                if variant.is_multiple_of(2) {
                    Ok(())
                } else {
                    Err(tollgate_login::PasswordRefusal::TooShort(8))
                },
            )));
        }
        11 => Input::ForgotPassword,
        12 if variant % 4 == 1 => Input::LostToken,
        12 if variant % 4 == 2 => {
            Input::RecoveryCode(String::from_utf8_lossy(&data[..data.len().min(30)]).into_owned())
        }
        12 if variant % 4 == 3 => Input::NewRecoveryCodes,
        12 => Input::Cancel,
        13 => Input::Tick,
        // The authenticators, from a session: add one, remove or rename the first on file.
        14 => {
            let first = run
                .account()
                .and_then(|a| a.state().tokens().first().map(|t| t.serial));
            let Some(serial) = first.filter(|_| !variant.is_multiple_of(3)) else {
                return Some(Event::Input(Input::AddAuthenticator));
            };
            if variant % 3 == 1 {
                Input::RemoveAuthenticator(serial)
            } else {
                let typed = String::from_utf8_lossy(&data[..data.len().min(44)]).into_owned();
                match typed.parse() {
                    Ok(name) => Input::RenameAuthenticator { serial, name },
                    Err(_) => Input::Cancel,
                }
            }
        }
        _ => {
            run.now += u64::from(variant) * 20;
            return None;
        }
    }))
}

/// The login state machine fed arbitrary inputs, one per byte, by the crate's driver against
/// one account in its memory store: no panic; every stored login opens to what the driver
/// returned; no login is authenticated without a right password and then a PIN this login was
/// sent or the token's code; the old key is dead whenever a new one is handed out past the
/// password; and the second factor never fails more than the hard limit in a row.
///
/// The activation data and the open path's secret are read from the screens and the store (the
/// secure QR's own decoding is fuzzed by `secure_qr`), and the mobile path is issued once per
/// run, so that a run costs microseconds rather than PBKDF2 rounds.
///
/// # Panics
/// When that does not hold.
pub fn login_machine(data: &[u8]) {
    let config = Config::default().with_open_path(Algorithm::Sha1);
    let limit = config.second_factor_limit();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let store = MemoryLoginStore::new();
    let Ok(user) = "john@example.com".parse::<UserId>() else {
        return;
    };
    let account = Account::new(
        0,
        "+16132701234".parse().ok(),
        None,
        AccountState::default(),
    );
    assert!(matches!(
        store.insert_account(user.clone(), account),
        Ok(true)
    ));
    let driver = Driver::new(
        LoginMachine::new(config, PinKey::new([4; 32])),
        StateKey::new([3; 32]),
    );
    let now = 1_700_000_000;
    let key = driver
        .start(&store, UnixTime::from_secs(now), &mut rng)
        .unwrap_or_else(|e| panic!("start: {e}"))
        .key;
    let mut run = Run {
        driver,
        store,
        user,
        rng,
        now,
        key,
        pins: Vec::new(),
        password_at: None,
        state: None,
        authenticated: false,
        mobile_issued: false,
        app: None,
        token: None,
        open: None,
        device: None,
    };

    for &byte in data.iter().take(MAX_STEPS) {
        let Some(input) = input(&mut run, byte, data) else {
            continue;
        };
        let is_password_ok =
            matches!(&input, Event::Input(Input::Password(check)) if check.is_correct());
        let old = run.key.clone();
        let now = UnixTime::from_secs(run.now);
        let was_authenticated = run.authenticated;
        let driven = match run
            .driver
            .submit(&run.store, &old, input, now, &mut run.rng)
        {
            Ok(driven) => driven,
            // Kept an hour past its deadline, then forgotten: start again.
            Err(DriveError::UnknownLogin) => {
                run.start();
                continue;
            }
            Err(e) => panic!("one request at a time cannot fail: {e}"),
        };
        run.carry_out(&driven);
        run.key = driven.key.clone();
        run.authenticated = driven.state.is_authenticated();

        // The next request loads (and verifies) what this one stored; an old key must be dead
        // as soon as a new one is handed out.
        if old.digest() != run.key.digest() {
            assert!(
                matches!(
                    run.driver.load(&run.store, &old, now),
                    Err(DriveError::UnknownLogin)
                ),
                "an old key still loads after a new one was handed out"
            );
        }
        run.state = Some((driven.state.clone(), now));

        match &driven.output.screen {
            Screen::EnterUserId => run.password_at = None,
            // The PIN this login needs was sent by this very transition.
            Screen::EnterPin { .. } if is_password_ok => {
                run.password_at = Some(run.pins.len().saturating_sub(1));
            }
            Screen::EnterTokenCode { .. } | Screen::SecondFactorLocked { .. } if is_password_ok => {
                run.password_at = Some(run.pins.len());
            }
            Screen::DesktopActivation(s) => {
                run.app = Some(TokenActivation::new(
                    s.serial,
                    s.activation_code.clone(),
                    None,
                ));
            }
            Screen::MobileActivation(s) => {
                let account = run.account();
                if let Some(pending) = account.as_ref().and_then(|a| a.state().pending()) {
                    let activation = &pending.activation;
                    run.app = Some(TokenActivation::new(
                        activation.serial(),
                        activation.activation_code().clone(),
                        activation.policy().cloned(),
                    ));
                }
                run.open = s.open.as_ref().and_then(|o| {
                    let secret = Secret::from_base32(&o.key).ok()?;
                    Some(Totp::new(&secret, TotpParams::default()))
                });
            }
            _ => {}
        }
        let account = run.account();
        if driven.state.is_authenticated() && !was_authenticated {
            let since = run
                .password_at
                .unwrap_or_else(|| panic!("authenticated without the password"));
            assert!(
                run.pins.len() > since || account.as_ref().is_some_and(|a| a.state().has_token()),
                "authenticated without a second factor"
            );
        }
        if let Some(account) = account {
            assert!(
                account.state().second_factor_failures() <= limit,
                "more wrong codes counted than the hard limit"
            );
        }
    }
    // The last stored login is the state the driver returned, and verifies.
    if let Some((state, at)) = &run.state {
        let loaded = run
            .driver
            .load(&run.store, &run.key, *at)
            .unwrap_or_else(|e| panic!("the stored login does not load: {e}"));
        assert_eq!(loaded.state(), state);
    }
}

/// User IDs under both rules: what is read prepares to itself, and a user name is 1 to 64
/// characters without white space or controls.
///
/// # Panics
/// When that does not hold.
pub fn user_id(data: &[u8]) {
    let Some(text) = crate::text(data) else {
        return;
    };
    for rule in [
        tollgate_login::UserIds::Email,
        tollgate_login::UserIds::Username,
    ] {
        if let Ok(id) = UserId::parse_as(text, rule) {
            let again = UserId::parse_as(id.as_str(), rule).unwrap_or_else(|e| {
                panic!("{rule:?}: {:?} refused on a second read: {e}", id.as_str())
            });
            assert_eq!(again, id);
            assert_eq!(id.as_str().parse::<UserId>().ok(), Some(id.clone()));
            if rule == tollgate_login::UserIds::Username {
                let count = id.as_str().chars().count();
                assert!((1..=tollgate_login::MAX_USERNAME).contains(&count));
                assert!(
                    !id.as_str()
                        .chars()
                        .any(|c| c.is_whitespace() || c.is_control())
                );
            }
        }
    }
}
