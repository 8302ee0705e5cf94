//! Scenario tests on the simulator, one group per part of the portal's first-login guide.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod sim;

use sim::Sim;
use tollgate_codes::{ActivationCode, SerialNumber, TokenActivation};
use tollgate_login::{
    AuditEvent, Catalog, Channel, Config, Destination, EnrollmentKind, Input, LoginState,
    MessageId, Notification, Output, PasswordCheck, Screen,
};
use tollgate_otp::UnixTime;
use tollgate_provision::SecureActivation;

const JOHN: &str = "john.smith@example.com";
const PASSWORD: &str = "correct horse battery staple";

fn sim() -> Sim {
    let mut sim = Sim::new(Config::default());
    sim.register(JOHN, PASSWORD, Some("+1 613 270 1234"), Some(JOHN));
    sim
}

fn notice(output: &Output) -> Option<MessageId> {
    output.notice.as_ref().map(|m| m.id)
}

// 1. User ID → password; unknown users look the same.

#[test]
fn user_id_is_trimmed_and_case_insensitive() {
    let mut sim = sim();
    let (mut state, output) = sim.start();
    assert!(matches!(output.screen, Screen::EnterUserId));
    let output = sim.submit(
        &mut state,
        Input::UserId("  John.Smith@Example.COM ".into()),
    );
    assert!(matches!(output.screen, Screen::EnterPassword { ref user } if user.as_str() == JOHN));
    let output = sim.submit(&mut state, Input::Password(PasswordCheck::Correct));
    assert!(matches!(output.screen, Screen::EnterPin { .. }));

    let (mut state, _) = sim.start();
    let output = sim.submit(&mut state, Input::UserId("john".into()));
    assert_eq!(notice(&output), Some(MessageId::UserIdFormat));
    assert!(matches!(output.screen, Screen::EnterUserId));
}

/// What the user can observe: the screen, the notice, the next deadline.
fn observable(output: &Output) -> String {
    format!(
        "{:?} {:?} {:?}",
        output.screen, output.notice, output.wake_at
    )
    .replace("ghost", "john.smith")
}

#[test]
fn an_unknown_user_is_indistinguishable() {
    let mut sim = sim();
    let (mut known, _) = sim.start();
    let (mut ghost, _) = sim.start();
    let a = sim.submit(&mut known, Input::UserId(JOHN.into()));
    let b = sim.submit(&mut ghost, Input::UserId("ghost@example.com".into()));
    assert_eq!(observable(&a), observable(&b));
    for _ in 0..7 {
        let a = sim.submit(&mut known, Input::Password(PasswordCheck::Incorrect));
        let b = sim.submit(&mut ghost, Input::Password(PasswordCheck::Incorrect));
        assert_eq!(observable(&a), observable(&b));
        assert_eq!(notice(&a), Some(MessageId::WrongPassword));
    }
    let a = sim.submit(&mut known, Input::ForgotPassword);
    let b = sim.submit(&mut ghost, Input::ForgotPassword);
    assert_eq!(observable(&a), observable(&b));
    assert_eq!(sim.password_help.len(), 2);
    // The log alone knows.
    assert!(sim.audit.contains(&AuditEvent::PasswordRefused {
        user: "ghost@example.com".parse().unwrap(),
        known: false
    }));
}

// 2. The one-time PIN.

#[test]
fn the_pin_goes_by_sms_and_works_once() {
    let mut sim = sim();
    let (mut state, output) = sim.log_in(JOHN, PASSWORD);
    let Screen::EnterPin {
        sent_to,
        channel,
        alternative,
        ..
    } = &output.screen
    else {
        panic!("{:?}", output.screen)
    };
    assert_eq!(sent_to, "+1 ••• ••• 1234");
    assert_eq!(*channel, Channel::Sms);
    assert!(alternative);
    assert!(matches!(sim.outbox[0].0, Destination::Sms(_)));
    let pin = sim.last_pin();
    assert_eq!(pin.len(), 6);
    let output = sim.submit(
        &mut state,
        Input::Pin(format!(" {} {} ", &pin[..3], &pin[3..])),
    );
    assert!(matches!(output.screen, Screen::ChooseEnrollment { .. }));
    // Bound to that login: the same PIN in another login does nothing.
    let (mut other, _) = sim.log_in(JOHN, PASSWORD);
    let output = sim.submit(&mut other, Input::Pin(pin));
    assert_eq!(notice(&output), Some(MessageId::WrongPin));
}

#[test]
fn no_mobile_number_means_email_and_the_alternative_is_email() {
    let mut sim = sim();
    sim.register("jane@example.com", "pw", None, None);
    let (_, output) = sim.log_in("jane@example.com", "pw");
    let Screen::EnterPin {
        sent_to,
        channel,
        alternative,
        ..
    } = &output.screen
    else {
        panic!()
    };
    assert_eq!(
        (sent_to.as_str(), *channel, *alternative),
        ("j•••@example.com", Channel::Email, false)
    );
    assert!(matches!(&sim.outbox[0].0, Destination::Email(e) if e.as_str() == "jane@example.com"));

    let (mut state, _) = sim.log_in(JOHN, PASSWORD);
    let output = sim.submit(&mut state, Input::AlternativeAuthentication);
    assert!(matches!(
        output.screen,
        Screen::EnterPin {
            channel: Channel::Email,
            ..
        }
    ));
    assert!(matches!(
        sim.outbox.last().unwrap().0,
        Destination::Email(_)
    ));
    let output = sim.submit(&mut state, Input::Pin(sim.last_pin()));
    assert!(matches!(output.screen, Screen::ChooseEnrollment { .. }));
}

#[test]
fn resend_is_throttled_replaces_the_pin_and_keeps_the_failures() {
    let mut sim = sim();
    let (mut state, _) = sim.log_in(JOHN, PASSWORD);
    let first = sim.last_pin();
    let wrong = if first == "000000" {
        "111111"
    } else {
        "000000"
    };
    sim.step(&mut state, Input::Pin(wrong.into()));
    sim.step(&mut state, Input::Pin(wrong.into()));
    assert_eq!(sim.account(JOHN).state.code_failures, 2);

    sim.advance(10);
    let output = sim.submit(&mut state, Input::ResendPin);
    let message = output.notice.clone().unwrap();
    assert_eq!(message.id, MessageId::ResendTooSoon);
    assert_eq!(
        Catalog::english().render(&message),
        "Please wait 20 seconds before asking for another one-time password."
    );
    assert_eq!(sim.outbox.len(), 1);

    sim.advance(20);
    sim.step(&mut state, Input::ResendPin);
    assert_eq!(sim.outbox.len(), 2);
    let second = sim.last_pin();
    // The failures survive the resend; the old PIN is void.
    assert_eq!(sim.account(JOHN).state.code_failures, 2);
    if first != second {
        let output = sim.submit(&mut state, Input::Pin(first));
        assert_eq!(notice(&output), Some(MessageId::WrongPin));
        assert_eq!(sim.account(JOHN).state.code_failures, 3);
    }
    // At most five sends per login.
    for _ in 0..5 {
        sim.advance(30);
        sim.step(&mut state, Input::ResendPin);
    }
    assert_eq!(sim.outbox.len(), 5);
    sim.advance(30);
    let output = sim.submit(&mut state, Input::ResendPin);
    assert_eq!(notice(&output), Some(MessageId::TooManySends));
    let output = sim.submit(&mut state, Input::Pin(sim.last_pin()));
    assert!(matches!(output.screen, Screen::ChooseEnrollment { .. }));
    assert_eq!(sim.account(JOHN).state.code_failures, 0);
}

#[test]
fn the_pin_expires_after_five_minutes() {
    let mut sim = sim();
    let (mut state, output) = sim.log_in(JOHN, PASSWORD);
    assert_eq!(output.wake_at, Some(UnixTime::from_secs(sim.now + 300)));
    sim.advance(300);
    let output = sim.submit(&mut state, Input::Pin(sim.last_pin()));
    assert_eq!(notice(&output), Some(MessageId::PinExpired));
    sim.step(&mut state, Input::ResendPin);
    let output = sim.submit(&mut state, Input::Pin(sim.last_pin()));
    assert!(matches!(output.screen, Screen::ChooseEnrollment { .. }));
}

// 3. Enrollment.

#[test]
fn desktop_enrollment_then_a_later_login() {
    let mut sim = sim();
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    assert_eq!(
        sim.notifications,
        vec![(JOHN.parse().unwrap(), Notification::AuthenticatorAdded)]
    );
    assert!(
        sim.audit
            .iter()
            .any(|e| matches!(e, AuditEvent::TokenEnrolled { .. }))
    );
    assert!(sim.account(JOHN).state.pending.is_none());

    sim.advance(3600);
    let (mut state, output) = sim.log_in(JOHN, PASSWORD);
    assert!(matches!(output.screen, Screen::EnterTokenCode { .. }));
    let code = token.generate(sim.at()).unwrap().to_string();
    let output = sim.submit(&mut state, Input::TokenCode(code));
    assert!(matches!(output.screen, Screen::Authenticated { .. }));
}

#[test]
fn mobile_enrollment_through_the_secure_qr() {
    let mut sim = Sim::new(Config::default().with_open_path(true));
    sim.register(JOHN, PASSWORD, Some("+16132701234"), None);
    let (mut state, _) = sim.log_in(JOHN, PASSWORD);
    sim.step(&mut state, Input::Pin(sim.last_pin()));
    let output = sim.submit(&mut state, Input::ChooseEnrollment(EnrollmentKind::Mobile));
    let Screen::MobileActivation(screen) = output.screen else {
        panic!()
    };
    assert!(
        screen
            .open_uri
            .as_ref()
            .unwrap()
            .starts_with("otpauth://totp/tollgate:john.smith@example.com?")
    );
    assert!(!format!("{screen:?}").contains(screen.password.expose_secret().as_str()));
    // The app scans the QR, asks for the activation password, and registers.
    let scanned = SecureActivation::decode(&screen.qr_uri, &screen.password).unwrap();
    assert_eq!(scanned.registration_url(), Some("/api/mobile"));
    let app = TokenActivation::new(scanned.serial(), scanned.activation_code().clone(), None);
    let (code, token) = app.register(&mut sim.rng);
    let output = sim.submit(&mut state, Input::RegistrationCode(code.to_string()));
    assert!(matches!(output.screen, Screen::Enrolled { .. }));
    sim.step(&mut state, Input::Continue);
    assert!(state.is_authenticated());

    let (mut state, _) = sim.log_in(JOHN, PASSWORD);
    let code = token.totp().generate(sim.at()).unwrap().to_string();
    sim.step(&mut state, Input::TokenCode(code));
    assert!(state.is_authenticated());
}

fn to_registration(sim: &mut Sim) -> (LoginState, SerialNumber, ActivationCode) {
    let (mut state, _) = sim.log_in(JOHN, PASSWORD);
    sim.step(&mut state, Input::Pin(sim.last_pin()));
    let output = sim.submit(&mut state, Input::ChooseEnrollment(EnrollmentKind::Desktop));
    let Screen::DesktopActivation(screen) = output.screen else {
        panic!()
    };
    assert_eq!(screen.address, "/api/mobile");
    (state, screen.serial, screen.activation_code.clone())
}

#[test]
fn activation_data_expire_after_ten_minutes() {
    let mut sim = sim();
    let (mut state, serial, code) = to_registration(&mut sim);
    let (registration, _) = TokenActivation::new(serial, code, None).register(&mut sim.rng);
    sim.advance(600);
    let output = sim.submit(
        &mut state,
        Input::RegistrationCode(registration.to_string()),
    );
    assert_eq!(notice(&output), Some(MessageId::ActivationExpired));
    assert!(matches!(output.screen, Screen::ChooseEnrollment { .. }));
    assert!(sim.account(JOHN).state.token.is_none());
}

#[test]
fn a_registration_code_for_another_token_or_activation_is_refused() {
    let mut sim = sim();
    let (mut state, serial, code) = to_registration(&mut sim);
    // Another token's code.
    let other = TokenActivation::new(
        SerialNumber::generate(&mut sim.rng),
        ActivationCode::generate(&mut sim.rng),
        None,
    );
    let foreign = other.registration_code(&mut sim.rng).to_string();
    let output = sim.submit(&mut state, Input::RegistrationCode(foreign));
    assert_eq!(
        notice(&output),
        Some(MessageId::RegistrationNotForThisActivation)
    );
    // A mistyped one.
    let output = sim.submit(&mut state, Input::RegistrationCode("12345-67890".into()));
    assert_eq!(notice(&output), Some(MessageId::RegistrationMistyped));
    assert_eq!(sim.account(JOHN).state.code_failures, 2);
    // A new activation replaces the old: the old token's code is then refused.
    let (old_code, _) = TokenActivation::new(serial, code, None).register(&mut sim.rng);
    let output = sim.submit(&mut state, Input::ChooseEnrollment(EnrollmentKind::Desktop));
    assert!(matches!(output.screen, Screen::DesktopActivation(_)));
    let output = sim.submit(&mut state, Input::RegistrationCode(old_code.to_string()));
    assert_eq!(
        notice(&output),
        Some(MessageId::RegistrationNotForThisActivation)
    );
}

// 4. Later logins.

#[test]
fn a_replayed_code_is_refused_and_logged() {
    let mut sim = sim();
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    let code = token.generate(sim.at()).unwrap().to_string();
    let (mut first, _) = sim.log_in(JOHN, PASSWORD);
    sim.step(&mut first, Input::TokenCode(code.clone()));
    assert!(first.is_authenticated());
    sim.advance(5);
    let (mut second, _) = sim.log_in(JOHN, PASSWORD);
    let output = sim.submit(&mut second, Input::TokenCode(code));
    assert_eq!(notice(&output), Some(MessageId::WrongCode));
    assert!(!second.is_authenticated());
    assert!(
        sim.audit
            .iter()
            .any(|e| matches!(e, AuditEvent::CodeReplayed { .. }))
    );
}

#[test]
fn drift_is_learned_and_applied() {
    let mut sim = sim();
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    let period = 30;
    // The token's clock runs one step ahead: accepted at the window's edge, drift learned.
    sim.advance(600);
    let (mut state, _) = sim.log_in(JOHN, PASSWORD);
    let ahead = |sim: &Sim, steps: u64| {
        token
            .generate(UnixTime::from_secs(sim.now + steps * period))
            .unwrap()
            .to_string()
    };
    sim.step(&mut state, Input::TokenCode(ahead(&sim, 1)));
    assert!(state.is_authenticated());
    assert_eq!(sim.account(JOHN).state.token.as_ref().unwrap().drift, 1);
    // Later it runs two steps ahead: outside ±1 of the service's clock, inside ±1 of the
    // learned drift.
    sim.advance(600);
    let (mut state, _) = sim.log_in(JOHN, PASSWORD);
    sim.step(&mut state, Input::TokenCode(ahead(&sim, 2)));
    assert!(state.is_authenticated());
    assert_eq!(sim.account(JOHN).state.token.as_ref().unwrap().drift, 2);
}

#[test]
fn two_logins_racing_with_one_code_cannot_both_succeed() {
    let mut sim = sim();
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    sim.advance(60);
    let code = token.generate(sim.at()).unwrap().to_string();
    let (mut a, _) = sim.log_in(JOHN, PASSWORD);
    let (mut b, _) = sim.log_in(JOHN, PASSWORD);
    // Both nodes load the account before either stores its update.
    let stale = sim.account(JOHN).clone();
    sim.step_with(&mut a, Input::TokenCode(code.clone()), Some(stale.clone()));
    let conflicts = sim.conflicts;
    sim.step_with(&mut b, Input::TokenCode(code), Some(stale));
    assert!(a.is_authenticated());
    assert!(!b.is_authenticated(), "one code, two logins");
    assert_eq!(
        sim.conflicts,
        conflicts + 1,
        "b's first attempt hit the compare-and-set"
    );
}

// 5. Failures and lockout.

#[test]
fn five_wrong_passwords_lock_with_a_growing_cool_down() {
    let mut sim = sim();
    let (mut state, _) = sim.start();
    sim.step(&mut state, Input::UserId(JOHN.into()));
    for _ in 0..5 {
        sim.step(&mut state, Input::Password(PasswordCheck::Incorrect));
    }
    let until = sim.account(JOHN).state.locked_until.unwrap();
    assert_eq!(until.as_secs(), sim.now + 60);
    // Locked: the right password gets the wrong-password answer.
    let output = sim.submit(&mut state, Input::Password(PasswordCheck::Correct));
    assert_eq!(notice(&output), Some(MessageId::WrongPassword));
    assert!(matches!(output.screen, Screen::EnterPassword { .. }));
    // After the cool-down, five more failures lock for twice as long.
    sim.advance(60);
    for _ in 0..5 {
        sim.step(&mut state, Input::Password(PasswordCheck::Incorrect));
    }
    assert_eq!(
        sim.account(JOHN).state.locked_until.unwrap().as_secs(),
        sim.now + 120
    );
    sim.advance(120);
    let output = sim.submit(&mut state, Input::Password(PasswordCheck::Correct));
    assert!(matches!(output.screen, Screen::EnterPin { .. }));
    assert_eq!(sim.account(JOHN).state.lockouts, 0);
}

#[test]
fn lockout_counts_across_parallel_sessions() {
    let mut sim = sim();
    let mut sessions: Vec<LoginState> = (0..3)
        .map(|_| {
            let (mut s, _) = sim.start();
            sim.step(&mut s, Input::UserId(JOHN.into()));
            s
        })
        .collect();
    // Two wrong passwords in each of two sessions, on stale snapshots: four counted.
    let stale = sim.account(JOHN).clone();
    for session in sessions.iter_mut().take(2) {
        sim.step_with(
            session,
            Input::Password(PasswordCheck::Incorrect),
            Some(stale.clone()),
        );
        sim.step(session, Input::Password(PasswordCheck::Incorrect));
    }
    assert_eq!(sim.account(JOHN).state.password_failures, 4);
    assert!(sim.conflicts >= 1);
    // The fifth, from a third session, locks.
    sim.step(&mut sessions[2], Input::Password(PasswordCheck::Incorrect));
    assert!(sim.account(JOHN).is_locked(sim.at()));
}

#[test]
fn ten_wrong_codes_lock_the_account() {
    let mut sim = sim();
    sim.enroll_desktop(JOHN, PASSWORD);
    let (mut state, _) = sim.log_in(JOHN, PASSWORD);
    for _ in 0..10 {
        let output = sim.submit(&mut state, Input::TokenCode("000000".into()));
        assert_eq!(notice(&output), Some(MessageId::WrongCode));
    }
    assert!(sim.account(JOHN).is_locked(sim.at()));
    let (_, output) = sim.log_in(JOHN, PASSWORD);
    assert_eq!(notice(&output), Some(MessageId::WrongPassword));
}

// 6. Cancel and deadlines.

#[test]
fn cancel_at_every_step_returns_to_the_start() {
    let mut sim = sim();
    let inputs: [fn(&Sim) -> Input; 4] = [
        |_| Input::UserId(JOHN.into()),
        |_| Input::Password(PasswordCheck::Correct),
        |sim| Input::Pin(sim.last_pin()),
        |_| Input::ChooseEnrollment(EnrollmentKind::Desktop),
    ];
    for steps in 0..=inputs.len() {
        let (mut state, _) = sim.start();
        for input in &inputs[..steps] {
            let input = input(&sim);
            sim.step(&mut state, input);
        }
        let output = sim.submit(&mut state, Input::Cancel);
        assert!(
            matches!(output.screen, Screen::EnterUserId),
            "after {steps} steps"
        );
        assert_eq!(state.user(), None);
        assert_eq!(output.notice, None);
    }
}

#[test]
fn a_login_expires_after_fifteen_minutes() {
    let mut sim = sim();
    let (mut state, output) = sim.log_in(JOHN, PASSWORD);
    assert!(output.wake_at.unwrap() <= state.deadline());
    assert_eq!(state.deadline().as_secs(), sim.now + 900);
    sim.advance(900);
    let output = sim.submit(&mut state, Input::Tick);
    assert_eq!(notice(&output), Some(MessageId::LoginExpired));
    assert!(matches!(output.screen, Screen::EnterUserId));
}

// 7. Language.

#[test]
fn both_catalogues_have_every_message() {
    let ids = [
        MessageId::Login,
        MessageId::EnterUserId,
        MessageId::UserIdFormat,
        MessageId::EnterPassword,
        MessageId::PasswordLockedOrForgotten,
        MessageId::WrongPassword,
        MessageId::EnterPin,
        MessageId::PinSentTo,
        MessageId::ResendBySms,
        MessageId::ResendByEmail,
        MessageId::AlternativeAuthentication,
        MessageId::WrongPin,
        MessageId::PinExpired,
        MessageId::ResendTooSoon,
        MessageId::TooManySends,
        MessageId::SetUpAuthentication,
        MessageId::MobileOrDesktop,
        MessageId::Mobile,
        MessageId::Desktop,
        MessageId::ScanQrCode,
        MessageId::ActivationPassword,
        MessageId::ScanOpenQrCode,
        MessageId::CopyActivationParameters,
        MessageId::Address,
        MessageId::SerialNumber,
        MessageId::ActivationCode,
        MessageId::EnterRegistrationCode,
        MessageId::Response,
        MessageId::RegistrationMistyped,
        MessageId::RegistrationNotForThisActivation,
        MessageId::ActivationExpired,
        MessageId::Enrolled,
        MessageId::Continue,
        MessageId::EnterTokenCode,
        MessageId::WrongCode,
        MessageId::LoggedIn,
        MessageId::LoginExpired,
        MessageId::PasswordHelp,
        MessageId::Cancel,
        MessageId::Next,
    ];
    let (en, fr) = (Catalog::english(), Catalog::french());
    let mut differ = 0;
    for id in ids {
        assert!(!en.text(id).is_empty() && !fr.text(id).is_empty(), "{id:?}");
        differ += usize::from(en.text(id) != fr.text(id));
    }
    assert!(
        differ >= ids.len() - 2,
        "only Mobile is the same word in both"
    );
    assert_eq!(
        en.text(MessageId::EnterPin),
        "Enter the one-time password that was just sent to you."
    );
    let custom = Catalog::custom("de", |id| (id == MessageId::Next).then_some("Weiter"));
    assert_eq!(custom.text(MessageId::Next), "Weiter");
    assert_eq!(custom.text(MessageId::Cancel), "Cancel");
}

#[test]
fn stored_logins_are_small_and_versioned() {
    let mut sim = sim();
    let (state, _) = sim.log_in(JOHN, PASSWORD);
    let json = state.to_json();
    assert!(json.len() <= 512, "{} bytes", json.len());
    assert!(!json.contains(&sim.last_pin()));
    assert_eq!(LoginState::from_json(&json).unwrap(), state);
    let future = json.replacen("\"v\":1", "\"v\":2", 1);
    assert_eq!(
        LoginState::from_json(&future).unwrap_err().to_string(),
        "stored login has format version 2, this build reads version 1"
    );
    assert!(LoginState::from_json("{}").is_err());
}
