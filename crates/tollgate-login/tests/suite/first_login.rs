//! Scenario tests on the simulator for the first login: User ID and password, the one-time
//! PIN, enrollment (parts 1 to 3 of the portal's first-login guide).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::sim;

use sim::{JOHN, Login, PASSWORD, Sim, notice, sim};
use tollgate_codes::{ActivationCode, SerialNumber, TokenActivation};
use tollgate_login::{
    AuditEvent, Catalog, Channel, Config, Destination, EnrollmentKind, Input, MessageId,
    Notification, Output, PasswordCheck, Screen,
};
use tollgate_otp::{Algorithm, UnixTime};
use tollgate_provision::SecureActivation;

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

/// What the user can observe: the screen, the notice, the next deadline, and the generation
/// of the key their cookie holds.
fn observable(output: &Output, login: &Login) -> String {
    format!(
        "{:?} {:?} {:?} {}",
        output.screen,
        output.notice,
        output.wake_at,
        login.key.generation()
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
    assert_eq!(observable(&a, &known), observable(&b, &ghost));
    for _ in 0..7 {
        let a = sim.submit(&mut known, Input::Password(PasswordCheck::Incorrect));
        let b = sim.submit(&mut ghost, Input::Password(PasswordCheck::Incorrect));
        assert_eq!(observable(&a, &known), observable(&b, &ghost));
        assert_eq!(notice(&a), Some(MessageId::WrongPassword));
    }
    let a = sim.submit(&mut known, Input::ForgotPassword);
    let b = sim.submit(&mut ghost, Input::ForgotPassword);
    assert_eq!(observable(&a, &known), observable(&b, &ghost));
    assert!(
        matches!(a.screen, Screen::ResetStart { .. }),
        "{:?}",
        a.screen
    );
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
    assert_eq!(sim.account(JOHN).state().second_factor_failures(), 2);

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
    assert_eq!(sim.account(JOHN).state().second_factor_failures(), 2);
    if first != second {
        let output = sim.submit(&mut state, Input::Pin(first));
        assert_eq!(notice(&output), Some(MessageId::WrongPin));
        assert_eq!(sim.account(JOHN).state().second_factor_failures(), 3);
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
    assert_eq!(sim.account(JOHN).state().second_factor_failures(), 0);
}

#[test]
fn the_pin_expires_after_five_minutes() {
    let mut sim = sim();
    let (mut state, output) = sim.log_in(JOHN, PASSWORD);
    assert_eq!(output.wake_at, Some(UnixTime::from_secs(sim.now + 300)));
    let sent = sim.now;
    let _ = sim.run_to_wake(&mut state, &output);
    assert_eq!(sim.now, sent + 300);
    let output = sim.submit(&mut state, Input::Pin(sim.last_pin()));
    assert_eq!(notice(&output), Some(MessageId::PinExpired));
    sim.step(&mut state, Input::ResendPin);
    let output = sim.submit(&mut state, Input::Pin(sim.last_pin()));
    assert!(matches!(output.screen, Screen::ChooseEnrollment { .. }));
}

/// A login left alone, run from one wake time to the next: the PIN's expiry, then the login's
/// deadline, where it starts over with a notice; nothing in between needed a sleep.
#[test]
fn a_login_left_alone_runs_from_wake_to_wake_and_starts_over() {
    let mut sim = sim();
    let start = sim.now;
    let (mut state, output) = sim.log_in(JOHN, PASSWORD);
    let output = sim.run_to_wake(&mut state, &output);
    assert_eq!(sim.now, start + 300, "the PIN's expiry first");
    assert!(matches!(output.screen, Screen::EnterPin { .. }));
    let output = sim.run_to_wake(&mut state, &output);
    assert!(
        matches!(output.screen, Screen::EnterUserId),
        "{:?}",
        output.screen
    );
    assert_eq!(notice(&output), Some(MessageId::LoginExpired));
    assert!(sim.now > start + 300, "then the login's deadline");
}

// 3. Enrollment.

#[test]
fn desktop_enrollment_then_a_later_login() {
    let mut sim = sim();
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    // At every address on file (SP 800-63B-4 §4.6): the e-mail address and the phone.
    let added = (JOHN.parse().unwrap(), Notification::AuthenticatorAdded);
    assert_eq!(sim.notifications, vec![added.clone(), added]);
    assert!(matches!(
        &sim.notified[..],
        [Destination::Email(_), Destination::Sms(_)]
    ));
    assert!(
        sim.audit
            .iter()
            .any(|e| matches!(e, AuditEvent::TokenEnrolled { .. }))
    );
    assert!(sim.account(JOHN).state().pending().is_none());

    sim.advance(3600);
    let (mut state, output) = sim.log_in(JOHN, PASSWORD);
    assert!(matches!(output.screen, Screen::EnterTokenCode { .. }));
    let code = token.generate(sim.at()).unwrap().to_string();
    let output = sim.submit(&mut state, Input::TokenCode(code));
    assert!(matches!(output.screen, Screen::Authenticated { .. }));
}

#[test]
fn mobile_enrollment_through_the_secure_qr() {
    let mut sim = Sim::new(Config::default().with_open_path(Algorithm::Sha1));
    sim.register(JOHN, PASSWORD, Some("+16132701234"), None);
    let (mut state, _) = sim.log_in(JOHN, PASSWORD);
    sim.step(&mut state, Input::Pin(sim.last_pin()));
    let output = sim.submit(&mut state, Input::ChooseEnrollment(EnrollmentKind::Mobile));
    let Screen::MobileActivation(screen) = output.screen else {
        panic!()
    };
    assert!(
        screen
            .open
            .as_ref()
            .unwrap()
            .uri
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

fn to_registration(sim: &mut Sim) -> (Login, SerialNumber, ActivationCode) {
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
    assert!(sim.account(JOHN).state().tokens().is_empty());
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
    assert_eq!(sim.account(JOHN).state().second_factor_failures(), 2);
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
