//! Several authenticators (SP 800-63B-4 §4.1.2.1; privacyIDEA's `max_token_per_user`): a
//! whole login adds one beside the others, a later login takes the code of any, each is
//! named and dated, a limit per user holds, the last is never removed. And `THREATS.md`'s
//! password holder (with the victim's phone and mailbox too), who must not add one of their
//! own: the password and a PIN never reach an activation screen once the account has a token.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::sim;

use sim::{JOHN, Login, PASSWORD, Sim, notice, sim};
use tollgate_login::{
    AuditEvent, Authenticator, Config, EnrollmentKind, Input, MessageId, NIST_MAX_FAILURES,
    Notification, Output, Screen,
};
use tollgate_otp::Totp;

/// The authenticators the session's screen lists, and whether it offers to add one.
fn listed(output: &Output) -> (Vec<Authenticator>, bool) {
    match &output.screen {
        Screen::Authenticated {
            authenticators,
            can_add,
            ..
        } => (authenticators.clone(), *can_add),
        other => panic!("expected the session, got {other:?}"),
    }
}

/// A later login of John's with `token`'s current code (a step after the last one used).
fn log_in_with(sim: &mut Sim, token: &Totp) -> (Login, Output) {
    sim.advance(30);
    let (mut login, output) = sim.log_in(JOHN, PASSWORD);
    assert!(
        matches!(output.screen, Screen::EnterTokenCode { .. }),
        "{:?}",
        output.screen
    );
    let code = token.generate(sim.at()).unwrap().to_string();
    let output = sim.submit(&mut login, Input::TokenCode(code));
    (login, output)
}

/// "Add an authenticator" from a whole login, through the desktop path and "Continue": the
/// new app's token.
fn add(sim: &mut Sim, login: &mut Login) -> Totp {
    let output = sim.submit(login, Input::AddAuthenticator);
    assert!(
        matches!(output.screen, Screen::ChooseEnrollment { .. }),
        "{:?}",
        output.screen
    );
    let (token, output) = sim.register_desktop(login);
    let Screen::Enrolled { recovery_codes, .. } = &output.screen else {
        panic!("{:?}", output.screen);
    };
    assert!(recovery_codes.is_empty(), "the user's recovery codes stay");
    let output = sim.submit(login, Input::Continue);
    assert!(login.is_authenticated(), "{:?}", output.screen);
    token
}

#[test]
fn a_whole_login_adds_a_second_authenticator_and_either_logs_in() {
    let mut sim = sim();
    let first = sim.enroll_desktop(JOHN, PASSWORD);
    let codes = sim.account(JOHN).state().recovery_codes().to_vec();
    let (mut login, output) = log_in_with(&mut sim, &first);
    let (before, can_add) = listed(&output);
    assert_eq!(before.len(), 1);
    assert!(can_add);
    assert_eq!(before[0].kind, Some(EnrollmentKind::Desktop));
    assert!(before[0].enrolled_at.is_some() && before[0].last_used.is_some());
    let second = add(&mut sim, &mut login);
    let output = sim.submit(&mut login, Input::Tick);
    let (after, _) = listed(&output);
    assert_eq!(after.len(), 2);
    assert_eq!(after[0].serial, before[0].serial, "oldest first");
    assert_eq!(after[1].last_used, None);
    assert!(
        sim.notifications
            .iter()
            .any(|(_, n)| *n == Notification::AuthenticatorAdded)
    );
    assert_eq!(sim.account(JOHN).state().recovery_codes(), codes);
    for token in [&second, &first, &second] {
        let (login, output) = log_in_with(&mut sim, token);
        assert!(login.is_authenticated(), "{:?}", output.screen);
    }
}

/// The password holder of `THREATS.md`, with the victim's phone and mailbox: every input
/// there is, in every order a short script tries, from the password on. Today's account has
/// a token: they reach no activation screen, and the account's tokens stay the owner's.
#[test]
fn the_password_and_the_phone_cannot_add_an_authenticator() {
    let mut sim = sim();
    sim.enroll_desktop(JOHN, PASSWORD);
    let serial = sim.account(JOHN).state().tokens()[0].serial;
    let tries = [
        Input::AddAuthenticator,
        Input::ChooseEnrollment(EnrollmentKind::Mobile),
        Input::ChooseEnrollment(EnrollmentKind::Desktop),
        Input::Continue,
        Input::ForgotPassword,
        Input::NoAuthenticator,
        Input::LostToken,
        Input::ResendPin,
        Input::AlternativeAuthentication,
        Input::RemoveAuthenticator(serial),
    ];
    let mut activations = 0;
    for first in &tries {
        for second in &tries {
            sim.advance(600);
            let (mut login, _) = sim.log_in(JOHN, PASSWORD);
            for input in [first, second, &Input::AddAuthenticator] {
                let output = sim.submit(&mut login, input.clone());
                // The phone and the mailbox are the attacker's: any PIN sent is typed.
                if matches!(
                    output.screen,
                    Screen::EnterPin { .. } | Screen::ResetPin { .. }
                ) {
                    let pin = sim.last_pin();
                    sim.step(&mut login, Input::Pin(pin));
                }
                let output =
                    sim.submit(&mut login, Input::ChooseEnrollment(EnrollmentKind::Desktop));
                if matches!(
                    output.screen,
                    Screen::DesktopActivation(_) | Screen::MobileActivation(_)
                ) {
                    activations += 1;
                }
                assert!(!login.is_authenticated());
            }
        }
    }
    assert_eq!(activations, 0, "the attacker reached an activation screen");
    let account = sim.account(JOHN);
    let tokens = account.state().tokens();
    assert_eq!((tokens.len(), tokens[0].serial), (1, serial));
}

#[test]
fn the_limit_per_user_holds() {
    let mut sim = Sim::new(Config::default().with_max_authenticators(2).unwrap());
    sim.register(JOHN, PASSWORD, Some("+1 613 270 1234"), Some(JOHN));
    let first = sim.enroll_desktop(JOHN, PASSWORD);
    let (mut login, _) = log_in_with(&mut sim, &first);
    add(&mut sim, &mut login);
    let output = sim.submit(&mut login, Input::AddAuthenticator);
    assert_eq!(notice(&output), Some(MessageId::AuthenticatorLimit));
    let (listed, can_add) = listed(&output);
    assert_eq!((listed.len(), can_add), (2, false));
    assert!(login.is_authenticated());
    assert!(Config::default().with_max_authenticators(0).is_err());
    assert!(
        Config::default()
            .with_max_authenticators(tollgate_login::MAX_AUTHENTICATORS + 1)
            .is_err()
    );
}

#[test]
fn the_last_one_stays_and_a_removed_one_logs_in_no_more() {
    let mut sim = sim();
    let first = sim.enroll_desktop(JOHN, PASSWORD);
    let (mut login, _) = log_in_with(&mut sim, &first);
    let serial = sim.account(JOHN).state().tokens()[0].serial;
    let output = sim.submit(&mut login, Input::RemoveAuthenticator(serial));
    assert_eq!(notice(&output), Some(MessageId::LastAuthenticator));
    assert_eq!(sim.account(JOHN).state().tokens().len(), 1);
    let second = add(&mut sim, &mut login);
    let output = sim.submit(&mut login, Input::RemoveAuthenticator(serial));
    assert_eq!(notice(&output), Some(MessageId::AuthenticatorRemoved));
    assert_eq!(listed(&output).0.len(), 1);
    assert!(sim.audit.iter().any(|e| matches!(
        e,
        AuditEvent::TokenRemoved { serial: s, .. } if *s == serial
    )));
    assert!(
        sim.notifications
            .iter()
            .any(|(_, n)| *n == Notification::AuthenticatorRemoved)
    );
    let (login, _) = log_in_with(&mut sim, &first);
    assert!(!login.is_authenticated(), "the removed token's code");
    let (login, _) = log_in_with(&mut sim, &second);
    assert!(login.is_authenticated());
}

#[test]
fn a_name_is_kept_and_what_is_not_a_name_is_refused() {
    let mut sim = sim();
    let first = sim.enroll_desktop(JOHN, PASSWORD);
    let (mut login, _) = log_in_with(&mut sim, &first);
    let serial = sim.account(JOHN).state().tokens()[0].serial;
    let rename = |name: &str| Input::RenameAuthenticator {
        serial,
        name: name.to_owned(),
    };
    let output = sim.submit(&mut login, rename("  Téléphone de travail "));
    assert_eq!(notice(&output), Some(MessageId::AuthenticatorRenamed));
    let name = listed(&output).0[0].name.clone().unwrap();
    assert_eq!(name.as_str(), "Téléphone de travail");
    let long = "x".repeat(41);
    for hostile in [
        "",
        "   ",
        "a\nb",
        "\u{202E}gnp.exe",
        "zero\u{200B}width",
        &long,
    ] {
        let output = sim.submit(&mut login, rename(hostile));
        assert_eq!(
            notice(&output),
            Some(MessageId::AuthenticatorNameFormat),
            "{hostile:?}"
        );
    }
    assert_eq!(
        sim.account(JOHN).state().tokens()[0].name.as_ref(),
        Some(&name)
    );
    assert!(
        !sim.audit
            .iter()
            .any(|e| format!("{e:?}").contains("travail"))
    );
}

#[test]
fn cancel_and_the_clock_end_the_enrollment_not_the_session() {
    let mut sim = sim();
    let first = sim.enroll_desktop(JOHN, PASSWORD);
    let (mut login, _) = log_in_with(&mut sim, &first);
    sim.step(&mut login, Input::AddAuthenticator);
    let output = sim.submit(&mut login, Input::Cancel);
    assert!(login.is_authenticated(), "{:?}", output.screen);
    // An hour in the session, then adding (the code again first: the last one is an hour
    // old): the enrollment has a login's time from then.
    sim.advance(3600);
    sim.step(&mut login, Input::AddAuthenticator);
    let code = first.generate(sim.at()).unwrap().to_string();
    sim.step(&mut login, Input::TokenCode(code));
    let output = sim.submit(&mut login, Input::ChooseEnrollment(EnrollmentKind::Mobile));
    assert!(matches!(output.screen, Screen::MobileActivation(_)));
    sim.advance(16 * 60);
    let output = sim.submit(&mut login, Input::Tick);
    assert!(login.is_authenticated(), "{:?}", output.screen);
    assert_eq!(sim.account(JOHN).state().tokens().len(), 1);
}

/// "I no longer have my authenticator" with two of them: the user has neither at hand, and
/// both are revoked.
#[test]
fn a_lost_token_replacement_revokes_every_token() {
    let mut sim = sim();
    let login = sim.past_the_pin(JOHN, PASSWORD);
    let (first, codes) = sim.enroll_from(login);
    let (mut login, _) = log_in_with(&mut sim, &first);
    add(&mut sim, &mut login);
    sim.advance(30);
    let (mut login, _) = sim.log_in(JOHN, PASSWORD);
    sim.step(&mut login, Input::LostToken);
    sim.step(&mut login, Input::RecoveryCode(codes[0].clone()));
    let pin = sim.last_pin();
    let output = sim.submit(&mut login, Input::Pin(pin));
    assert!(matches!(output.screen, Screen::ChooseEnrollment { .. }));
    assert!(sim.account(JOHN).state().tokens().is_empty());
    assert!(sim.audit.iter().any(|e| matches!(
        e,
        AuditEvent::TokenReplaced { serials, .. } if serials.len() == 2
    )));
}

/// The password holder guessing codes against an account with the most authenticators the
/// default allows (each guess is then three times as likely to match): over 30 virtual days
/// of logins every ten minutes, the codes checked stay under the hard limit, and none passes.
#[test]
fn guesses_against_several_authenticators_stay_under_the_hard_limit() {
    let mut sim = sim();
    let first = sim.enroll_desktop(JOHN, PASSWORD);
    let (mut login, _) = log_in_with(&mut sim, &first);
    add(&mut sim, &mut login);
    add(&mut sim, &mut login);
    assert_eq!(sim.account(JOHN).state().tokens().len(), 3);
    let before = sim.codes_refused(JOHN);
    let mut authenticated = 0;
    for round in 0..(30 * 24 * 6) {
        sim.advance(600);
        let (mut login, _) = sim.log_in(JOHN, PASSWORD);
        for guess in 0..10 {
            let code = format!("{:06}", (round * 10 + guess) % 1_000_000);
            sim.step(&mut login, Input::TokenCode(code));
            authenticated += usize::from(login.is_authenticated());
        }
    }
    let checked = sim.codes_refused(JOHN) - before;
    assert!(
        checked <= NIST_MAX_FAILURES as usize,
        "{checked} codes checked"
    );
    assert_eq!(authenticated, 0);
}

/// A session's thief (THREATS.md "planter", and the finding: a hijacked session used
/// "Add", "Remove" and "New recovery codes" to stay): an hour after the login, each of them
/// asks for the authenticator's code first; wrong codes count against the account's second
/// factor as a login's do; "Cancel" goes back to the session; the owner's right code makes
/// the change. Before (seen failing first): "Add" went straight to the enrollment's choice.
#[test]
fn an_hour_old_session_proves_the_second_factor_again_before_a_sensitive_change() {
    let mut sim = sim();
    let first = sim.enroll_desktop(JOHN, PASSWORD);
    let (mut login, _) = log_in_with(&mut sim, &first);
    sim.advance(3600);
    let serial = sim.account(JOHN).state().tokens()[0].serial;
    for change in [
        Input::AddAuthenticator,
        Input::RemoveAuthenticator(serial),
        Input::NewRecoveryCodes,
    ] {
        let output = sim.submit(&mut login, change);
        assert!(
            matches!(output.screen, Screen::EnterTokenCode { .. }),
            "{:?}",
            output.screen
        );
        assert_eq!(
            output.notice.map(|n| n.id),
            Some(MessageId::ConfirmWithCode)
        );
        let output = sim.submit(&mut login, Input::TokenCode("000000".into()));
        assert_eq!(output.notice.map(|n| n.id), Some(MessageId::WrongCode));
        let output = sim.submit(&mut login, Input::Cancel);
        assert!(login.is_authenticated(), "{:?}", output.screen);
        assert!(matches!(output.screen, Screen::Authenticated { .. }));
    }
    assert_eq!(sim.account(JOHN).state().second_factor_failures(), 3);
    assert_eq!(sim.account(JOHN).state().tokens().len(), 1);
    // The owner's code: the change is made, and for five minutes the next needs none.
    sim.step(&mut login, Input::AddAuthenticator);
    let code = first.generate(sim.at()).unwrap().to_string();
    let output = sim.submit(&mut login, Input::TokenCode(code));
    assert!(
        matches!(output.screen, Screen::ChooseEnrollment { .. }),
        "{:?}",
        output.screen
    );
    let output = sim.submit(&mut login, Input::Cancel);
    assert!(matches!(output.screen, Screen::Authenticated { .. }));
    let output = sim.submit(&mut login, Input::AddAuthenticator);
    assert!(matches!(output.screen, Screen::ChooseEnrollment { .. }));
    assert_eq!(sim.account(JOHN).state().second_factor_failures(), 0);
}
