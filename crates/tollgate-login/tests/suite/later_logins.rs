//! Scenario tests on the simulator for later logins, lockout, cancel and deadlines, language and
//! stored logins (parts 4 to 7).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::sim;

use sim::{JOHN, Login, PASSWORD, Sim, notice, sim};
use tollgate_login::{
    AuditEvent, Catalog, EnrollmentKind, Input, LoginState, MessageId, PasswordCheck, Screen,
};
use tollgate_otp::UnixTime;

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

/// The account keeps when its last whole login ended; a login that does not end authenticated
/// leaves it as it was.
#[test]
fn the_account_keeps_the_time_of_its_last_whole_login() {
    let mut sim = sim();
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    let enrolled = sim.account(JOHN).state().last_login();
    assert!(enrolled.is_some(), "the first login ends authenticated too");
    sim.advance(3600);
    let code = token.generate(sim.at()).unwrap().to_string();
    let (mut login, _) = sim.log_in(JOHN, PASSWORD);
    sim.step(&mut login, Input::TokenCode(code));
    assert!(login.is_authenticated());
    let at = sim.at();
    assert_eq!(sim.account(JOHN).state().last_login(), Some(at));
    sim.advance(60);
    let (mut wrong, _) = sim.log_in(JOHN, PASSWORD);
    sim.step(&mut wrong, Input::TokenCode("000000".into()));
    assert_eq!(sim.account(JOHN).state().last_login(), Some(at));
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
    assert_eq!(sim.account(JOHN).state().tokens().first().unwrap().drift, 1);
    // Later it runs two steps ahead: outside ±1 of the service's clock, inside ±1 of the
    // learned drift.
    sim.advance(600);
    let (mut state, _) = sim.log_in(JOHN, PASSWORD);
    sim.step(&mut state, Input::TokenCode(ahead(&sim, 2)));
    assert!(state.is_authenticated());
    assert_eq!(sim.account(JOHN).state().tokens().first().unwrap().drift, 2);
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
    let (_, refused) = sim.submit_stale(&mut a, Input::TokenCode(code.clone()), stale.clone());
    assert_eq!(refused, 0);
    let (_, refused) = sim.submit_stale(&mut b, Input::TokenCode(code), stale);
    assert!(a.is_authenticated());
    assert!(!b.is_authenticated(), "one code, two logins");
    assert_eq!(refused, 1, "b's first attempt hit the compare-and-set");
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
    let until = sim.account(JOHN).state().password_locked_until().unwrap();
    assert_eq!(until.as_secs(), sim.now + 60);
    // Only passwords from unknown browsers are held: codes are not (that lock is the second
    // factor's).
    assert!(!sim.account(JOHN).is_locked(sim.at()));
    // Locked: the right password gets the wrong-password answer.
    let output = sim.submit(&mut state, Input::Password(PasswordCheck::Correct));
    assert_eq!(notice(&output), Some(MessageId::WrongPassword));
    assert!(matches!(output.screen, Screen::EnterPassword { .. }));
    // After the cool-down, five more failures lock for twice as long.
    sim.advance(60);
    assert_eq!(five_wrong_passwords(&mut sim, &mut state), 120);
    sim.advance(120);
    let output = sim.submit(&mut state, Input::Password(PasswordCheck::Correct));
    assert!(matches!(output.screen, Screen::EnterPin { .. }));
    // A right password forgives the wrong ones, not the cool-downs: the next run of five
    // would lock for four minutes. Not even a whole login starts them again (the owner's
    // logins would hand a guesser a fresh schedule); a quiet day does.
    assert_eq!(sim.account(JOHN).state().password_failures(), 0);
    assert_eq!(sim.account(JOHN).state().password_lockouts(), 2);
    sim.enroll_desktop(JOHN, PASSWORD);
    assert_eq!(sim.account(JOHN).state().password_lockouts(), 2);
    sim.advance(86_400 + 1);
    let (mut state, _) = sim.start();
    sim.step(&mut state, Input::UserId(JOHN.into()));
    assert_eq!(five_wrong_passwords(&mut sim, &mut state), 60);
}

/// Five wrong passwords on `state`: how long the cool-down they start lasts.
fn five_wrong_passwords(sim: &mut Sim, state: &mut Login) -> u64 {
    for _ in 0..5 {
        sim.step(state, Input::Password(PasswordCheck::Incorrect));
    }
    let until = sim.account(JOHN).state().password_locked_until().unwrap();
    until.as_secs() - sim.now
}

#[test]
fn lockout_counts_across_parallel_sessions() {
    let mut sim = sim();
    let mut sessions: Vec<Login> = (0..3)
        .map(|_| {
            let (mut s, _) = sim.start();
            sim.step(&mut s, Input::UserId(JOHN.into()));
            s
        })
        .collect();
    // Two wrong passwords in each of two sessions, on stale snapshots: four counted.
    let stale = sim.account(JOHN).clone();
    let mut refused = 0;
    for session in sessions.iter_mut().take(2) {
        refused += sim
            .submit_stale(
                session,
                Input::Password(PasswordCheck::Incorrect),
                stale.clone(),
            )
            .1;
        sim.step(session, Input::Password(PasswordCheck::Incorrect));
    }
    assert_eq!(sim.account(JOHN).state().password_failures(), 4);
    assert!(refused >= 1);
    // The fifth, from a third session, locks.
    sim.step(&mut sessions[2], Input::Password(PasswordCheck::Incorrect));
    let until = sim.account(JOHN).state().password_locked_until();
    assert!(until.is_some_and(|until| sim.at() < until));
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
    assert!(output.wake_at.unwrap() <= state.state.deadline());
    assert_eq!(state.state.deadline().as_secs(), sim.now + 900);
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
        MessageId::OpenPathKey,
        MessageId::EnterOpenPathCode,
        MessageId::ActivationReplaced,
        MessageId::AlreadyEnrolled,
        MessageId::SecondFactorLocked,
        MessageId::LoginRefused,
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
        MessageId::Cancel,
        MessageId::Next,
        MessageId::LogIn,
        MessageId::Progress,
        MessageId::DownloadApp,
        MessageId::CopyActivationPassword,
        MessageId::Ok,
        MessageId::ClickOkWhenActivated,
        MessageId::RegistrationArrived,
        MessageId::RegistrationNotArrived,
        MessageId::AppShowsRegistrationCode,
    ];
    let (en, fr) = (Catalog::english(), Catalog::french());
    // The guide's "Progress 1 of 1", with its parameters in either language.
    let progress = tollgate_login::Message::new(MessageId::Progress)
        .with("step", "1")
        .with("steps", "1");
    assert_eq!(en.render(&progress), "Progress 1 of 1");
    assert_eq!(fr.render(&progress), "Étape 1 sur 1");
    assert_eq!(en.text(MessageId::LogIn), "Login");
    let mut differ = 0;
    for id in ids {
        assert!(!en.text(id).is_empty() && !fr.text(id).is_empty(), "{id:?}");
        differ += usize::from(en.text(id) != fr.text(id));
    }
    assert!(
        differ >= ids.len() - 3,
        "only Mobile and OK are the same words in both"
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
    let json = state.state.to_json();
    assert!(json.len() <= 512, "{} bytes", json.len());
    assert!(!json.contains(&sim.last_pin()));
    assert_eq!(LoginState::from_json(&json).unwrap(), state.state);
    let future = json.replacen("\"v\":3", "\"v\":4", 1);
    assert_eq!(
        LoginState::from_json(&future).unwrap_err().to_string(),
        "stored login has format version 4, this build reads version 3"
    );
    let row = sim.row(&state);
    assert!(row.text.len() <= 512, "{} bytes sealed", row.text.len());
    assert!(LoginState::from_json("{}").is_err());
}

/// Logins stored by the previous release (format 2: one flat list of stages, and a flag for a
/// session adding an authenticator) still load, as the same login in today's nested stages, and
/// are written in today's format at their next step.
#[test]
fn logins_stored_by_the_previous_release_still_load() {
    let id = "00112233445566778899aabbccddeeff";
    let v2 = |stage: &str, adding: bool| {
        let adding = if adding { r#","adding":true"# } else { "" };
        format!(r#"{{"v":2,"id":"{id}","deadline":1700000900,"stage":{stage}{adding}}}"#)
    };
    let john = r#""user":"john.smith@example.com""#;
    // A session adding a desktop token: still adding, not authenticated, John's.
    let adding = LoginState::from_json(&v2(
        &format!(r#"{{"s":"expect_registration",{john},"kind":"Desktop"}}"#),
        true,
    ))
    .unwrap();
    assert!(!adding.is_authenticated());
    assert_eq!(adding.user().map(|u| u.as_str()), Some(JOHN));
    let json = adding.to_json();
    assert!(json.starts_with(r#"{"v":3,"#), "{json}");
    assert!(
        json.contains(r#""stage":{"session":{"user":"john.smith@example.com","adding":{"expect_registration":{"kind":"Desktop"}}}}"#),
        "{json}"
    );
    assert_eq!(LoginState::from_json(&json).unwrap(), adding);
    // A first login's enrollment, a session, a reset's new password.
    let enrolling = LoginState::from_json(&v2(
        &format!(r#"{{"s":"expect_enrollment_choice",{john}}}"#),
        false,
    ))
    .unwrap();
    assert!(enrolling.to_json().contains(r#""stage":{"enrollment":"#));
    let session =
        LoginState::from_json(&v2(&format!(r#"{{"s":"authenticated",{john}}}"#), false)).unwrap();
    assert!(session.is_authenticated());
    let reset = LoginState::from_json(&v2(
        &format!(r#"{{"s":"expect_new_password",{john}}}"#),
        false,
    ))
    .unwrap();
    assert!(reset.expects_new_password());
    // What format 2 never wrote is refused.
    assert!(LoginState::from_json(&v2(r#"{"s":"session"}"#, false)).is_err());
}

/// A stored login's PIN hash is keyed: the same stored login under another service key does not
/// accept the PIN it was sent.
#[test]
fn the_pin_hash_is_keyed_by_the_service() {
    use tollgate_login::PinKey;

    let mut sim = Sim::keyed(tollgate_login::Config::default(), PinKey::new([7; 32]));
    sim.register(JOHN, PASSWORD, Some("+16132701234"), None);
    let (state, _) = sim.log_in(JOHN, PASSWORD);
    let pin = sim.last_pin();

    // The same stored login (under the same state key) on a service with another PIN key.
    let mut other = Sim::keyed(tollgate_login::Config::default(), PinKey::new([8; 32]));
    other.register(JOHN, PASSWORD, Some("+16132701234"), None);
    other.put_row(state.key.digest(), sim.row(&state));
    let mut stolen = state.clone();
    let output = other.submit(&mut stolen, Input::Pin(pin.clone()));
    assert_eq!(notice(&output), Some(MessageId::WrongPin));

    let mut own = state;
    let output = sim.submit(&mut own, Input::Pin(pin));
    assert!(matches!(output.screen, Screen::ChooseEnrollment { .. }));
}
