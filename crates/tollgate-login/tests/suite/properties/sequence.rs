//! One generated sequence of inputs, and its run through the simulator with the test's own
//! bookkeeping of what each login has proved.

use proptest::prelude::*;
use tollgate_codes::TokenActivation;
use tollgate_login::{
    Config, DriveError, EnrollmentKind, Event, Input, LoginState, PasswordCheck, Report, Screen,
};

use super::sim::Sim;
use super::{ADDED, JOHN, NEW_PASSWORDS, ONLINE_ENROLLMENTS, REMOVED, REPLACED};

#[derive(Clone, Debug)]
pub(crate) enum Op {
    UserId(u8),
    Password(bool),
    RightPin,
    WrongPin,
    Resend,
    Alternative,
    Choose(bool),
    RightRegistration,
    WrongRegistration,
    /// The app registers online, then the user clicks OK.
    OnlineRegistration,
    /// OK without a registration.
    Ok,
    Continue,
    RightCode,
    WrongCode,
    Forgot,
    /// "I no longer have my authenticator".
    NoToken,
    /// The same, at a later login's token code.
    LostToken,
    /// The next recovery code the last enrollment showed (each tried once, in turn).
    RecoveryCode,
    /// The service's verdict on a reset's new password: stored, or refused.
    SetPassword(bool),
    /// "Add an authenticator".
    Add,
    /// "Remove" beside the oldest authenticator.
    RemoveOldest,
    /// "Rename" the oldest, to a name or to what is not one.
    Rename(bool),
    Cancel,
    Tick,
    Wait(u16),
}

/// Inputs, weighted towards the path that succeeds so that many sequences get through.
pub(crate) fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop_oneof![4 => Just(0u8), 1 => Just(1), 1 => Just(2)].prop_map(Op::UserId),
        4 => prop_oneof![3 => Just(true), 1 => Just(false)].prop_map(Op::Password),
        4 => Just(Op::RightPin),
        1 => Just(Op::WrongPin),
        1 => Just(Op::Resend),
        1 => Just(Op::Alternative),
        3 => any::<bool>().prop_map(Op::Choose),
        4 => Just(Op::RightRegistration),
        1 => Just(Op::WrongRegistration),
        2 => Just(Op::OnlineRegistration),
        1 => Just(Op::Ok),
        3 => Just(Op::Continue),
        4 => Just(Op::RightCode),
        1 => Just(Op::WrongCode),
        1 => Just(Op::Forgot),
        1 => Just(Op::NoToken),
        2 => Just(Op::LostToken),
        2 => Just(Op::RecoveryCode),
        1 => any::<bool>().prop_map(Op::SetPassword),
        2 => Just(Op::Add),
        1 => Just(Op::RemoveOldest),
        1 => any::<bool>().prop_map(Op::Rename),
        1 => Just(Op::Cancel),
        1 => Just(Op::Tick),
        1 => (0u16..400).prop_map(Op::Wait),
    ]
}

/// What this login has proved so far, by the test's own bookkeeping.
#[derive(Default)]
struct Proof {
    password: bool,
    second_factor: bool,
}

/// One sequence (from an account with its token when `enrolled`); returns how many times a
/// login was authenticated.
pub(crate) fn run(ops: Vec<Op>, enrolled: bool) -> Result<usize, TestCaseError> {
    let mut authenticated = 0;
    {
        let mut sim = Sim::new(Config::default());
        sim.register(JOHN, "pw", Some("+16132701234"), None);
        // An account with its token already (a desktop enrollment), or none.
        let (mut token, mut recovery) = if enrolled {
            let login = sim.past_the_pin(JOHN, "pw");
            let (token, codes) = sim.enroll_from(login);
            (Some(token), codes)
        } else {
            (None, Vec::new())
        };
        let mut serial: Vec<_> = sim
            .account(JOHN)
            .state()
            .tokens()
            .iter()
            .map(|t| t.serial)
            .collect();
        let (mut state, _) = sim.start();
        let mut proof = Proof::default();
        let mut sent_in_login = sim.outbox.len();
        let mut app: Option<TokenActivation> = None;
        let mut used_codes = Vec::new();
        let mut awaiting_pin = false;
        // A reset's proof: the authenticator's code, and the PINs, in this login.
        let (mut reset_token, mut reset_pins, mut awaiting_reset_pin) = (false, 0u8, false);
        let mut adding = false;
        let mut new_passwords = 0usize;

        for op in ops {
            let before = sim.outbox.len();
            // The service's verdict on a new password is its report, not a user's input.
            let input: Event = match op {
                Op::SetPassword(stored) => Report::PasswordSet(if stored {
                    Ok(())
                } else {
                    Err(tollgate_login::PasswordRefusal::Common)
                })
                .into(),
                op => Event::Input(match op {
                    Op::UserId(i) => Input::UserId(
                        ["john.smith@example.com", "ghost@example.com", "x"][usize::from(i)].into(),
                    ),
                    Op::Password(right) => {
                        let check = if right {
                            sim.check(&state, "pw")
                        } else {
                            PasswordCheck::Incorrect
                        };
                        Input::Password(check)
                    }
                    Op::RightPin => Input::Pin(
                        sim.outbox
                            .last()
                            .map(|(_, p)| p.clone())
                            .unwrap_or_default(),
                    ),
                    Op::WrongPin => Input::Pin("12345".into()),
                    Op::Resend => Input::ResendPin,
                    Op::Alternative => Input::AlternativeAuthentication,
                    Op::Choose(mobile) => Input::ChooseEnrollment(if mobile {
                        EnrollmentKind::Mobile
                    } else {
                        EnrollmentKind::Desktop
                    }),
                    Op::RightRegistration => match &app {
                        Some(app) => {
                            let (code, t) = app.register(&mut sim.rng);
                            token = Some(t.totp());
                            Input::RegistrationCode(code.to_string())
                        }
                        None => Input::RegistrationCode("00000-00000".into()),
                    },
                    Op::WrongRegistration => Input::RegistrationCode("12211-49352".into()),
                    Op::OnlineRegistration => {
                        if let Some(app) = &app {
                            let (code, t) = app.register(&mut sim.rng);
                            let request = tollgate_codes::RegistrationRequest::new(app, &code);
                            let receipt = sim
                                .driver
                                .register_online(&sim.store, &request, sim.at())
                                .unwrap();
                            if receipt.outcome.is_registered() {
                                token = Some(t.totp());
                            }
                        }
                        Input::RegistrationArrived
                    }
                    Op::Ok => Input::RegistrationArrived,
                    Op::Continue => Input::Continue,
                    Op::RightCode => match &token {
                        Some(t) => Input::TokenCode(t.generate(sim.at()).unwrap().to_string()),
                        None => Input::TokenCode("000000".into()),
                    },
                    Op::WrongCode => Input::TokenCode("00000a".into()),
                    Op::Forgot => Input::ForgotPassword,
                    Op::NoToken => Input::NoAuthenticator,
                    Op::LostToken => Input::LostToken,
                    Op::RecoveryCode => Input::RecoveryCode(recovery.pop().unwrap_or_default()),
                    Op::SetPassword(_) => unreachable!("a report, above"),
                    Op::Add => Input::AddAuthenticator,
                    Op::RemoveOldest | Op::Rename(_) => {
                        let oldest = sim.account(JOHN).state().tokens().first().map(|t| t.serial);
                        let serial = oldest.unwrap_or_else(|| "12211-49352".parse().unwrap());
                        match op {
                            Op::Rename(name) => Input::RenameAuthenticator {
                                serial,
                                name: if name {
                                    "Phone".into()
                                } else {
                                    "\u{202E}".into()
                                },
                            },
                            _ => Input::RemoveAuthenticator(serial),
                        }
                    }
                    Op::Cancel => Input::Cancel,
                    Op::Tick => Input::Tick,
                    Op::Wait(seconds) => {
                        sim.advance(u64::from(seconds));
                        continue;
                    }
                }),
            };
            let typed = input.clone();
            let was_authenticated = state.is_authenticated();
            let old_key = state.key.clone();
            let output = sim.submit(&mut state, input);

            // A new login: the proof starts over.
            if matches!(output.screen, Screen::EnterUserId) {
                proof = Proof::default();
                sent_in_login = sim.outbox.len();
            }
            if matches!(output.screen, Screen::ResetStart { .. }) {
                (reset_token, reset_pins) = (false, 0);
            }
            match (&typed, &output.screen) {
                // The authenticator's code, or a recovery code standing in for it.
                (
                    Event::Input(Input::TokenCode(_) | Input::RecoveryCode(_)),
                    Screen::ResetPin { .. },
                ) => {
                    reset_token = true;
                }
                (
                    Event::Input(Input::Pin(_)),
                    Screen::ResetPin { step: 2, .. } | Screen::NewPassword { .. },
                ) if awaiting_reset_pin => {
                    reset_pins += 1;
                }
                _ => {}
            }
            // The new password only after the token's code and a PIN, or two PINs for an
            // account without a token (a reset never goes around the second factor).
            if matches!(output.screen, Screen::NewPassword { .. })
                && !matches!(typed, Event::Report(_) | Event::Input(Input::Tick))
            {
                let has_token = sim.account(JOHN).state().has_token();
                prop_assert!(
                    (reset_token && reset_pins >= 1) || (!has_token && reset_pins >= 2),
                    "the new password without the factors: token {reset_token}, PINs {reset_pins}"
                );
                new_passwords += 1;
            }
            if let Screen::Enrolled { recovery_codes, .. } = &output.screen
                && !recovery_codes.is_empty()
            {
                recovery = recovery_codes
                    .iter()
                    .map(|c| c.expose_grouped().to_string())
                    .collect();
            }
            // The tokens change only by a first enrollment, one added by a whole login, one
            // removed from a session (never the last), or all revoked after a recovery code and
            // a PIN (flow 3): the audit says so whenever they go.
            // (Or the authenticator's code that confirms it, when the session is old.)
            if matches!(
                typed,
                Event::Input(Input::AddAuthenticator | Input::TokenCode(_))
            ) && was_authenticated
                && matches!(output.screen, Screen::ChooseEnrollment { .. })
            {
                adding = true;
            }
            let now_serial: Vec<_> = sim
                .account(JOHN)
                .state()
                .tokens()
                .iter()
                .map(|t| t.serial)
                .collect();
            if now_serial != serial {
                let appended =
                    now_serial.len() == serial.len() + 1 && now_serial.starts_with(&serial);
                let removed = now_serial.len() + 1 == serial.len()
                    && serial.iter().filter(|s| !now_serial.contains(s)).count() == 1;
                if appended {
                    prop_assert!(
                        serial.is_empty() || adding,
                        "a token was added beside others without a whole login"
                    );
                    ADDED.fetch_add(usize::from(adding), std::sync::atomic::Ordering::Relaxed);
                } else if removed && !now_serial.is_empty() {
                    prop_assert!(
                        was_authenticated
                            && matches!(
                                typed,
                                Event::Input(Input::RemoveAuthenticator(_) | Input::TokenCode(_))
                            ),
                        "a token was removed outside a session"
                    );
                    REMOVED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                } else {
                    let replaced = sim
                        .audit
                        .iter()
                        .rev()
                        .take(4)
                        .any(|e| matches!(e, tollgate_login::AuditEvent::TokenReplaced { .. }));
                    prop_assert!(
                        replaced && now_serial.is_empty(),
                        "the tokens changed without flow 3"
                    );
                    REPLACED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
            if state.is_authenticated() || matches!(output.screen, Screen::EnterUserId) {
                adding = false;
            }
            serial = now_serial;
            awaiting_reset_pin = matches!(output.screen, Screen::ResetPin { .. });
            if sim.outbox.len() > before && state.user().is_none() {
                prop_assert!(false, "a PIN was sent before a User ID");
            }
            // Bookkeeping: what the user proved in this login.
            match (&typed, &output.screen) {
                (
                    Event::Input(Input::Password(PasswordCheck::Correct)),
                    Screen::EnterPin { .. } | Screen::EnterTokenCode { .. },
                ) => proof.password = true,
                (Event::Input(Input::Pin(pin)), Screen::ChooseEnrollment { .. })
                    if awaiting_pin =>
                {
                    let sent_here = sim.outbox[sent_in_login..].iter().any(|(_, p)| p == pin);
                    prop_assert!(
                        proof.password && sent_here,
                        "a PIN was accepted that this login did not send after a right password"
                    );
                    proof.second_factor = true;
                }
                (Event::Input(Input::TokenCode(code)), Screen::Authenticated { .. })
                    if !was_authenticated =>
                {
                    prop_assert!(!used_codes.contains(code), "a code was accepted twice");
                    used_codes.push(code.clone());
                    proof.second_factor = true;
                }
                _ => {}
            }
            if typed == Event::Input(Input::RegistrationArrived)
                && matches!(output.screen, Screen::Enrolled { .. })
            {
                ONLINE_ENROLLMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            awaiting_pin = matches!(output.screen, Screen::EnterPin { .. });
            if let Screen::DesktopActivation(screen) = &output.screen {
                app = Some(TokenActivation::new(
                    screen.serial,
                    screen.activation_code.clone(),
                    None,
                ));
            }
            if let Screen::MobileActivation(screen) = &output.screen {
                let scanned =
                    tollgate_provision::SecureActivation::decode(&screen.qr_uri, &screen.password)
                        .unwrap();
                app = Some(TokenActivation::new(
                    scanned.serial(),
                    scanned.activation_code().clone(),
                    None,
                ));
            }
            if state.is_authenticated() && !was_authenticated {
                prop_assert!(
                    proof.password && proof.second_factor,
                    "authenticated without both factors"
                );
                // The key that got here is dead: a planted one is worth nothing.
                let old = sim.driver.load(&sim.store, &old_key, sim.at());
                prop_assert!(matches!(old, Err(DriveError::UnknownLogin)));
                authenticated += 1;
            }
            // Every stored login round-trips and stays small.
            let json = state.state.to_json();
            prop_assert!(json.len() <= 512, "{} bytes", json.len());
            prop_assert_eq!(LoginState::from_json(&json).unwrap(), state.state.clone());
            let row = sim.row(&state);
            prop_assert!(row.text.len() <= 512, "{} bytes sealed", row.text.len());
        }
        NEW_PASSWORDS.fetch_add(new_passwords, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(authenticated)
}
