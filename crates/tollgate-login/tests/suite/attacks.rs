//! The attackers of the project's threat model (`THREATS.md`), played on the simulator: the
//! real machine, run by the crate's one driver over the memory store, on a virtual clock with
//! seeded randomness. Each test says which attacker it plays and the standard behind its bound,
//! counts what the attacker got, and asserts the bound. (The password holder's 30 days of
//! guessing are in `guessing.rs`.)
//!
//! Each was first run against the code before the login core was rebuilt, where it got what
//! it must not (the figures are in the tests' comments).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::sim;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sim::{JOHN, PASSWORD, Sim, notice, sim};
use tollgate_codes::TokenActivation;
use tollgate_login::{
    Config, DriveError, EnrollmentKind, Input, MessageId, Refusal, Screen, SealedLogin,
};
use tollgate_otp::{Algorithm, Totp, UnixTime};
use tollgate_provision::OtpAuthUri;

/// Database writer (THREATS.md; ASVS 5.0 V14): a row the service did not write is refused, and
/// removed, and the login starts over. Before, `LoginState::from_json` took any JSON: a written
/// `authenticated` row was a login, and a written `expect_enrollment_choice` row enrolled a
/// token with no password and no PIN.
#[test]
fn a_forged_stored_login_is_refused() {
    let mut sim = sim();
    let (mine, _) = sim.start();
    let digest = mine.key.digest();
    let authenticated = r#"{"v":2,"id":"00000000000000000000000000000000","deadline":1800000000,"stage":{"s":"authenticated","user":"john.smith@example.com"}}"#;
    let enrolling = r#"{"v":2,"id":"00000000000000000000000000000000","deadline":1800000000,"stage":{"s":"expect_enrollment_choice","user":"john.smith@example.com"}}"#;
    let forgeries = [
        // Today's format, with a tag made up.
        format!("tl2:{}:{authenticated}", "00".repeat(32)),
        format!("tl2:{}:{enrolling}", "ab".repeat(32)),
        // The format before stored logins were authenticated.
        authenticated.replace("\"v\":2", "\"v\":1"),
        enrolling.to_owned(),
        String::new(),
    ];
    let mut refused = 0;
    for text in forgeries {
        let row = SealedLogin {
            version: 0,
            expires: UnixTime::from_secs(1_800_000_000),
            text,
        };
        sim.put_row(digest, row);
        let mut login = mine.clone();
        let result = sim.try_submit(&mut login, Input::ChooseEnrollment(EnrollmentKind::Desktop));
        assert!(matches!(
            result,
            Err(DriveError::Refused(Refusal::Unverified))
        ));
        assert!(sim.store.raw_login(&digest).unwrap().is_none(), "removed");
        refused += 1;
    }
    assert_eq!(refused, 5);
    assert!(sim.account(JOHN).state().pending().is_none());
    assert!(sim.account(JOHN).state().tokens().is_empty());
}

/// Database writer: a row of the service's own, altered; and another login's row copied under
/// this login's digest.
#[test]
fn a_tampered_or_swapped_stored_login_is_refused() {
    let mut sim = sim();
    // The attacker's own login, at the password: turned into an authenticated one.
    let (mut mine, _) = sim.start();
    sim.step(&mut mine, Input::UserId(JOHN.into()));
    let mut row = sim.row(&mine);
    row.text = row.text.replace(
        r#"{"sign_in":{"expect_password":{"user":"john.smith@example.com"}}}"#,
        r#"{"session":{"user":"john.smith@example.com"}}"#,
    );
    assert!(row.text.contains("session"));
    sim.put_row(mine.key.digest(), row);
    let result = sim.try_submit(&mut mine, Input::Tick);
    assert!(matches!(
        result,
        Err(DriveError::Refused(Refusal::Unverified))
    ));

    // The victim's authenticated login, copied under the attacker's own key.
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    sim.advance(30);
    let (mut victim, _) = sim.log_in(JOHN, PASSWORD);
    let code = token.generate(sim.at()).unwrap().to_string();
    sim.step(&mut victim, Input::TokenCode(code));
    assert!(victim.is_authenticated());
    let victim_row = sim.row(&victim);
    let (mut mine, _) = sim.start();
    let mut copied = victim_row.clone();
    copied.version = mine.key.generation();
    sim.put_row(mine.key.digest(), victim_row);
    let result = sim.try_submit(&mut mine, Input::Tick);
    assert!(matches!(
        result,
        Err(DriveError::Refused(Refusal::Unverified))
    ));
    let (mut again, _) = sim.start();
    sim.put_row(again.key.digest(), copied);
    let result = sim.try_submit(&mut again, Input::Tick);
    assert!(matches!(
        result,
        Err(DriveError::Refused(Refusal::Unverified))
    ));
}

/// Database writer: an earlier copy of the victim's login put back (here, the PIN record before
/// a resend, with its five sends not yet spent). The victim's key has seen a later generation:
/// the row is refused, and nothing in it is used.
#[test]
fn a_rolled_back_stored_login_is_refused() {
    let mut sim = sim();
    let (mut victim, _) = sim.log_in(JOHN, PASSWORD);
    let earlier = sim.row(&victim);
    sim.advance(30);
    sim.step(&mut victim, Input::ResendPin);
    assert!(sim.row(&victim).version > earlier.version);
    sim.put_row(victim.key.digest(), earlier);
    let result = sim.try_submit(&mut victim, Input::Pin(sim.last_pin()));
    assert!(matches!(
        result,
        Err(DriveError::Refused(Refusal::RolledBack { .. }))
    ));
    assert!(sim.store.raw_login(&victim.key.digest()).unwrap().is_none());
}

/// Planter (THREATS.md; OWASP Session Management: renew the session ID at every privilege
/// change): every key the attacker saw before the victim logged in is dead afterwards. Before,
/// `Service::submit` returned the key it was given: the planted key was authenticated.
#[test]
fn a_planted_key_is_dead_after_the_victim_logs_in() {
    let mut sim = sim();
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    sim.advance(60);
    // The attacker starts a login and plants its key in the victim's browser.
    let (planted, _) = sim.start();
    let mut victim = planted.clone();
    sim.step(&mut victim, Input::UserId(JOHN.into()));
    let seen_before_password = victim.clone();
    let check = sim.check(&victim, PASSWORD);
    sim.step(&mut victim, Input::Password(check));
    let code = token.generate(sim.at()).unwrap().to_string();
    sim.step(&mut victim, Input::TokenCode(code));
    assert!(victim.is_authenticated());
    let mut got = 0;
    for key in [&planted.key, &seen_before_password.key] {
        match sim.driver.load(&sim.store, key, sim.at()) {
            Err(DriveError::UnknownLogin) => {}
            other => {
                got += 1;
                println!("a planted key still loads: {other:?}");
            }
        }
    }
    assert_eq!(got, 0);
}

/// Racer (THREATS.md; RFC 6238 §5.2; Keycloak #13607): 64 posts of one right code on one login,
/// all loaded before any is stored. Before, rows were last-writer-wins: the login ended *not*
/// authenticated, a failure was counted and a false `CodeReplayed` logged.
#[test]
fn sixty_four_posts_of_one_code_authenticate_once_and_count_nothing() {
    let mut sim = sim();
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    sim.advance(60);
    let (login, _) = sim.log_in(JOHN, PASSWORD);
    let code = token.generate(sim.at()).unwrap().to_string();
    let loaded: Vec<_> = (0..64)
        .map(|_| sim.driver.load(&sim.store, &login.key, sim.at()).unwrap())
        .collect();
    let audit_before = sim.audit.len();
    let (mut authenticated, mut superseded) = (0, 0);
    for one in loaded {
        let input = Input::TokenCode(code.clone());
        match sim
            .driver
            .submit_loaded(&sim.store, one, input, sim.at(), &mut sim.rng)
        {
            Ok(driven) if driven.state.is_authenticated() => authenticated += 1,
            Err(DriveError::Superseded) => superseded += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((authenticated, superseded), (1, 63));
    assert_eq!(sim.account(JOHN).state().second_factor_failures(), 0);
    assert_eq!(sim.codes_refused(JOHN), 0);
    assert!(
        sim.audit.len() <= audit_before,
        "effects are the caller's to run"
    );

    // A burst of one wrong code is one failure, not 64.
    let (login, _) = sim.log_in(JOHN, PASSWORD);
    let loaded: Vec<_> = (0..64)
        .map(|_| sim.driver.load(&sim.store, &login.key, sim.at()).unwrap())
        .collect();
    for one in loaded {
        let input = Input::TokenCode("000000".into());
        let _ = sim
            .driver
            .submit_loaded(&sim.store, one, input, sim.at(), &mut sim.rng);
    }
    assert_eq!(sim.account(JOHN).state().second_factor_failures(), 1);
}

/// Phone holder (THREATS.md; NIST SP 800-63B-4 §4.1.2.1: a new authenticator needs an existing
/// one): a first login that got past the password and the PIN before the token was enrolled
/// elsewhere cannot enroll another over it. Before, it did, and the first token stopped
/// working.
#[test]
fn a_stale_first_login_cannot_replace_the_token() {
    let mut sim = sim();
    let mut stale = sim.past_the_pin(JOHN, PASSWORD);
    let mut choosing = sim.past_the_pin(JOHN, PASSWORD);
    sim.step(
        &mut choosing,
        Input::ChooseEnrollment(EnrollmentKind::Desktop),
    );
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    let serial = sim.account(JOHN).state().tokens().first().unwrap().serial;

    let mut replaced = 0;
    for login in [&mut stale, &mut choosing] {
        let output = sim.submit(login, Input::ChooseEnrollment(EnrollmentKind::Desktop));
        assert_eq!(notice(&output), Some(MessageId::AlreadyEnrolled));
        assert!(matches!(output.screen, Screen::EnterTokenCode { .. }));
        for input in [
            Input::RegistrationCode("12211-49352".into()),
            Input::OpenPathCode("123456".into()),
            Input::ChooseEnrollment(EnrollmentKind::Mobile),
        ] {
            sim.step(login, input);
        }
        if sim.account(JOHN).state().tokens().first().unwrap().serial != serial {
            replaced += 1;
        }
    }
    assert_eq!(replaced, 0);
    let (mut later, _) = sim.log_in(JOHN, PASSWORD);
    sim.advance(30);
    let code = token.generate(sim.at()).unwrap().to_string();
    sim.step(&mut later, Input::TokenCode(code));
    assert!(later.is_authenticated(), "the first token still works");
}

/// Rendering is pure: the mobile screen shown again (a refresh between scanning and typing)
/// shows the same QR codes and the same activation password. Before, every rendering drew a
/// new password and a new open-path secret.
#[test]
fn the_mobile_screen_shows_the_same_until_the_activation_is_replaced() {
    let mut sim = Sim::new(Config::default().with_open_path(Algorithm::Sha1));
    sim.register(JOHN, PASSWORD, Some("+16132701234"), None);
    let mut login = sim.past_the_pin(JOHN, PASSWORD);
    let shown = |output: tollgate_login::Output| match output.screen {
        Screen::MobileActivation(page) => (
            page.qr_uri.clone(),
            page.password.expose_secret().to_string(),
            page.open.as_ref().unwrap().uri.to_string(),
        ),
        other => panic!("{other:?}"),
    };
    let first = shown(sim.submit(&mut login, Input::ChooseEnrollment(EnrollmentKind::Mobile)));
    let mut differ = 0;
    for _ in 0..5 {
        sim.advance(10);
        differ += usize::from(shown(sim.submit(&mut login, Input::Tick)) != first);
    }
    assert_eq!(differ, 0);
    let replaced = shown(sim.submit(&mut login, Input::ChooseEnrollment(EnrollmentKind::Mobile)));
    assert_ne!(replaced.0, first.0);
    assert_ne!(replaced.2, first.2);
}

/// The open path end to end: the `otpauth://` URI the screen shows, read by an authenticator
/// app, enrolls with its first code, and later logins take its codes.
#[test]
fn the_open_path_enrolls_and_logs_in() {
    let mut sim = Sim::new(Config::default().with_open_path(Algorithm::Sha1));
    sim.register(JOHN, PASSWORD, Some("+16132701234"), None);
    let mut login = sim.past_the_pin(JOHN, PASSWORD);
    let output = sim.submit(&mut login, Input::ChooseEnrollment(EnrollmentKind::Mobile));
    let Screen::MobileActivation(page) = output.screen else {
        panic!()
    };
    let open = page.open.as_ref().unwrap();
    let parsed = OtpAuthUri::parse(&open.uri).unwrap();
    assert!(parsed.forgiven.is_empty());
    let app = parsed.uri;
    assert_eq!(app.secret().bits(), 160);
    assert_eq!(&*app.secret().expose_base32(), &*open.key);
    let totp = Totp::new(app.secret(), app.totp_params().unwrap());
    // A wrong first code counts; the right one enrolls.
    let output = sim.submit(&mut login, Input::OpenPathCode("000000".into()));
    assert_eq!(notice(&output), Some(MessageId::WrongCode));
    let code = totp.generate(sim.at()).unwrap().to_string();
    let output = sim.submit(&mut login, Input::OpenPathCode(code.clone()));
    assert!(matches!(output.screen, Screen::Enrolled { .. }));
    sim.step(&mut login, Input::Continue);
    assert!(login.is_authenticated());
    // The enrolling code is spent: it does not log in again.
    let (mut later, _) = sim.log_in(JOHN, PASSWORD);
    sim.step(&mut later, Input::TokenCode(code));
    assert!(!later.is_authenticated());
    sim.advance(30);
    let (mut later, _) = sim.log_in(JOHN, PASSWORD);
    let code = totp.generate(sim.at()).unwrap().to_string();
    sim.step(&mut later, Input::TokenCode(code));
    assert!(later.is_authenticated());
}

/// An activation belongs to the login that asked for it: another login of the same user does
/// not see it, and completing it from there is refused without a count.
#[test]
fn an_activation_belongs_to_its_login() {
    let mut sim = sim();
    let mut first = sim.past_the_pin(JOHN, PASSWORD);
    let output = sim.submit(&mut first, Input::ChooseEnrollment(EnrollmentKind::Desktop));
    let Screen::DesktopActivation(page) = output.screen else {
        panic!()
    };
    let mut second = sim.past_the_pin(JOHN, PASSWORD);
    sim.step(
        &mut second,
        Input::ChooseEnrollment(EnrollmentKind::Desktop),
    );
    // The first login's activation was replaced by the second's.
    let app = TokenActivation::new(page.serial, page.activation_code.clone(), None);
    let (code, _) = app.register(&mut ChaCha20Rng::seed_from_u64(4));
    let output = sim.submit(&mut first, Input::RegistrationCode(code.to_string()));
    assert_eq!(notice(&output), Some(MessageId::ActivationReplaced));
    assert!(matches!(output.screen, Screen::ChooseEnrollment { .. }));
    assert_eq!(sim.account(JOHN).state().second_factor_failures(), 0);
}
