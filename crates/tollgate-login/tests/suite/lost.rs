//! Recovery codes and "I no longer have my authenticator" (SP 800-63B-4 §3.1.2, §4.2) on the
//! simulator: codes issued with the token and shown once, one of them with the password and a
//! PIN replacing a lost token, each code good once, new codes replacing the old; and the
//! password holder of `THREATS.md`, who cannot get a new token with the password alone.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::sim;

use sim::{JOHN, Login, PASSWORD, Sim, notice, sim};
use tollgate_login::recovery::RECOVERY_CODES;
use tollgate_login::{AuditEvent, Input, MessageId, NIST_MAX_FAILURES, Notification, Screen};
use tollgate_otp::Totp;

/// John enrolled; the recovery codes his enrollment showed (shown once: the page again has
/// none).
fn enrolled(sim: &mut Sim) -> (Totp, Vec<String>) {
    let login = sim.past_the_pin(JOHN, PASSWORD);
    sim.enroll_from(login)
}

/// A later login of John's, at the recovery code.
fn lost_token(sim: &mut Sim) -> (Login, usize) {
    let (mut login, output) = sim.log_in(JOHN, PASSWORD);
    assert!(
        matches!(output.screen, Screen::EnterTokenCode { .. }),
        "{:?}",
        output.screen
    );
    let output = sim.submit(&mut login, Input::LostToken);
    let Screen::EnterRecoveryCode { left, .. } = output.screen else {
        panic!("{:?}", output.screen);
    };
    (login, left)
}

#[test]
fn a_recovery_code_and_a_pin_replace_a_lost_token() {
    let mut sim = sim();
    let (old, codes) = enrolled(&mut sim);
    assert_eq!(codes.len(), RECOVERY_CODES);
    assert_eq!(
        sim.account(JOHN).state().recovery_codes().len(),
        RECOVERY_CODES
    );
    let (mut login, left) = lost_token(&mut sim);
    assert_eq!(left, RECOVERY_CODES);
    let output = sim.submit(&mut login, Input::RecoveryCode(codes[0].to_lowercase()));
    assert!(
        matches!(output.screen, Screen::EnterPin { .. }),
        "{:?}",
        output.screen
    );
    assert!(
        sim.notifications
            .iter()
            .any(|(_, n)| *n == Notification::RecoveryCodeUsed)
    );
    let pin = sim.last_pin();
    let output = sim.submit(&mut login, Input::Pin(pin));
    assert!(
        matches!(output.screen, Screen::ChooseEnrollment { .. }),
        "{:?}",
        output.screen
    );
    assert!(
        sim.account(JOHN).state().tokens().is_empty(),
        "the lost token is revoked"
    );
    assert!(sim.audit.iter().any(|e| matches!(
        e,
        AuditEvent::TokenReplaced { serials, .. } if serials.len() == 1
    )));
    assert!(
        sim.notifications
            .iter()
            .any(|(_, n)| *n == Notification::AuthenticatorReplaced)
    );
    // The new token, with new codes: the old token's codes and the old recovery codes are dead.
    let (new, fresh) = sim.enroll_from(login);
    assert!(fresh.iter().all(|c| !codes.contains(c)));
    let (mut login, _) = sim.log_in(JOHN, PASSWORD);
    sim.advance(30);
    let output = sim.submit(
        &mut login,
        Input::TokenCode(old.generate(sim.at()).unwrap().to_string()),
    );
    assert_eq!(notice(&output), Some(MessageId::WrongCode));
    let output = sim.submit(
        &mut login,
        Input::TokenCode(new.generate(sim.at()).unwrap().to_string()),
    );
    assert!(
        matches!(output.screen, Screen::Authenticated { .. }),
        "{:?}",
        output.screen
    );
    let (mut login, _) = lost_token(&mut sim);
    let output = sim.submit(&mut login, Input::RecoveryCode(codes[1].clone()));
    assert_eq!(notice(&output), Some(MessageId::WrongRecoveryCode));
}

#[test]
fn a_used_recovery_code_fails_the_second_time() {
    let mut sim = sim();
    let (_, codes) = enrolled(&mut sim);
    let (mut login, _) = lost_token(&mut sim);
    sim.step(&mut login, Input::RecoveryCode(codes[4].clone()));
    // The PIN never typed: the code is spent all the same.
    let (mut login, left) = lost_token(&mut sim);
    assert_eq!(left, RECOVERY_CODES - 1);
    let output = sim.submit(&mut login, Input::RecoveryCode(codes[4].clone()));
    assert_eq!(notice(&output), Some(MessageId::WrongRecoveryCode));
    assert!(matches!(
        output.screen,
        Screen::EnterRecoveryCode { left: 9, .. }
    ));
}

#[test]
fn new_codes_replace_the_old_ones_once_logged_in() {
    let mut sim = sim();
    let (token, old) = enrolled(&mut sim);
    let (mut login, _) = sim.log_in(JOHN, PASSWORD);
    sim.advance(30);
    sim.step(
        &mut login,
        Input::TokenCode(token.generate(sim.at()).unwrap().to_string()),
    );
    let output = sim.submit(&mut login, Input::NewRecoveryCodes);
    let Screen::RecoveryCodes { codes, .. } = output.screen else {
        panic!("{:?}", output.screen);
    };
    let new: Vec<String> = codes
        .iter()
        .map(|c| c.expose_grouped().to_string())
        .collect();
    assert_eq!(new.len(), RECOVERY_CODES);
    assert!(
        sim.notifications
            .iter()
            .any(|(_, n)| *n == Notification::RecoveryCodesReplaced)
    );
    let (mut login, _) = lost_token(&mut sim);
    let output = sim.submit(&mut login, Input::RecoveryCode(old[0].clone()));
    assert_eq!(notice(&output), Some(MessageId::WrongRecoveryCode));
    let output = sim.submit(&mut login, Input::RecoveryCode(new[0].clone()));
    assert!(
        matches!(output.screen, Screen::EnterPin { .. }),
        "{:?}",
        output.screen
    );
    // Not logged in, there is nothing to regenerate.
    let (mut login, _) = sim.log_in(JOHN, PASSWORD);
    let output = sim.submit(&mut login, Input::NewRecoveryCodes);
    assert!(matches!(output.screen, Screen::EnterTokenCode { .. }));
}

/// Password holder (THREATS.md; SP 800-63B-4 §3.2.2, §4.2): with the password and no recovery
/// code, guessing codes from fresh logins for a week. Never the enrollment of a new token, and
/// no more codes checked than the hard limit (recovery codes and token codes together).
#[test]
fn the_password_alone_never_reaches_a_new_token() {
    let mut sim = sim();
    enrolled(&mut sim);
    let before = sim.codes_refused(JOHN);
    let end = sim.now + 7 * 24 * 3600;
    let (mut tries, mut reached) = (0u32, 0u32);
    while sim.now < end {
        sim.advance(60);
        let (mut login, output) = sim.log_in(JOHN, PASSWORD);
        // A cool-down refuses the password too: wait it out.
        if !matches!(output.screen, Screen::EnterTokenCode { .. }) {
            continue;
        }
        sim.step(&mut login, Input::LostToken);
        tries += 1;
        let guess = format!("{:024}", tries);
        let output = sim.submit(&mut login, Input::RecoveryCode(guess));
        if matches!(
            output.screen,
            Screen::EnterPin { .. } | Screen::ChooseEnrollment { .. }
        ) {
            reached += 1;
        }
    }
    let checked = sim.codes_refused(JOHN) - before;
    assert_eq!(reached, 0);
    assert!(
        checked <= NIST_MAX_FAILURES as usize,
        "{checked} checked of {tries}"
    );
    assert!(checked >= 90, "the play was too short to matter: {checked}");
    assert!(sim.account(JOHN).state().has_token());
}
