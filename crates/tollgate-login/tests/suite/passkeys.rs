//! Passkeys through the machine (WebAuthn L3, NIST SP 800-63B-4 §3.2.5): added from a whole
//! login with a fresh second factor, used instead of the token's code, and "phishing-resistant
//! only". Each attack is one of `THREATS.md`'s rows, run against the real machine and store
//! with the test kit's software passkey; each was first run against the machine with its check
//! taken out, and got in.

use crate::sim;

use sim::{JOHN, Login, PASSWORD, Sim};
use tollgate_login::{AuditEvent, Config, Input, MessageId, NIST_MAX_FAILURES, Output, Screen};
use tollgate_otp::Totp;
use tollgate_passkey::RelyingParty;
use tollgate_test_kit::authenticator::{Kind, SoftPasskey};

const ORIGIN: &str = "https://login.example.com";
const RELAY: &str = "https://login.examp1e.com";
const ANNA: &str = "anna@example.com";

fn config() -> Config {
    let rp = RelyingParty::new("example.com", [ORIGIN]).unwrap();
    Config::default().with_passkeys(rp)
}

/// A simulator with John and Anna, John with a soft token and logged in now.
fn enrolled() -> (Sim, Totp, Login) {
    let mut sim = Sim::new(config());
    sim.register(JOHN, PASSWORD, Some("+1 613 270 1234"), Some(JOHN));
    sim.register(ANNA, PASSWORD, Some("+1 613 270 9999"), Some(ANNA));
    let mut login = sim.past_the_pin(JOHN, PASSWORD);
    let (token, _) = sim.register_desktop(&mut login);
    let output = sim.submit(&mut login, Input::Continue);
    assert!(matches!(output.screen, Screen::Authenticated { .. }));
    (sim, token, login)
}

fn options(output: &Output) -> String {
    match &output.screen {
        Screen::CreatePasskey { options, .. } | Screen::UsePasskey { options, .. } => {
            options.clone()
        }
        other => panic!("expected a passkey ceremony, got {other:?}"),
    }
}

/// "Add a passkey" from `login` (a whole login with a fresh second factor).
fn add(sim: &mut Sim, login: &mut Login, passkey: &mut SoftPasskey) -> Output {
    let output = sim.submit(login, Input::BeginPasskey);
    let response = passkey.register(&options(&output));
    sim.submit(login, Input::Passkey(response))
}

/// A later login's password, then "Use a passkey": the login and the ceremony's options.
fn at_passkey(sim: &mut Sim, user: &str) -> (Login, String) {
    sim.advance(30);
    let (mut login, output) = sim.log_in(user, PASSWORD);
    assert!(
        matches!(output.screen, Screen::EnterTokenCode { passkey: true, .. }),
        "{:?}",
        output.screen
    );
    let output = sim.submit(&mut login, Input::BeginPasskey);
    let options = options(&output);
    (login, options)
}

fn refused(sim: &Sim) -> usize {
    sim.audit
        .iter()
        .filter(|e| {
            matches!(
                e,
                AuditEvent::PasskeyRefused { .. } | AuditEvent::PasskeyCloneSuspected { .. }
            )
        })
        .count()
}

#[test]
fn a_passkey_is_added_after_the_token_and_logs_in_instead_of_a_code() {
    let (mut sim, _token, mut login) = enrolled();
    let mut passkey = SoftPasskey::new(Kind::Es256, 1, ORIGIN);
    let output = add(&mut sim, &mut login, &mut passkey);
    assert_eq!(sim::notice(&output), Some(MessageId::PasskeyAdded));
    let Screen::Authenticated { passkeys, .. } = &output.screen else {
        panic!("{:?}", output.screen);
    };
    assert_eq!(passkeys.len(), 1);
    assert!(
        sim.audit
            .iter()
            .any(|e| matches!(e, AuditEvent::PasskeyAdded { .. }))
    );
    assert!(
        !sim.notifications.is_empty(),
        "the user is told of the new authenticator"
    );

    // A whole login with it, and an EdDSA passkey added from that login.
    let (mut login, options) = at_passkey(&mut sim, JOHN);
    let before = login.key.expose_secret();
    let output = sim.submit(&mut login, Input::Passkey(passkey.assert(&options)));
    assert!(login.is_authenticated(), "{:?}", output.screen);
    assert_ne!(
        login.key.expose_secret(),
        before,
        "a new key at the whole login"
    );
    let mut second = SoftPasskey::new(Kind::Ed25519, 2, ORIGIN);
    let output = add(&mut sim, &mut login, &mut second);
    assert_eq!(sim::notice(&output), Some(MessageId::PasskeyAdded));
    for passkey in [&mut second, &mut passkey] {
        let (mut login, options) = at_passkey(&mut sim, JOHN);
        let output = sim.submit(&mut login, Input::Passkey(passkey.assert(&options)));
        assert!(login.is_authenticated(), "{:?}", output.screen);
    }
    // Named like any authenticator, and refused a name that is none.
    let id = sim.account(JOHN).state().passkeys()[1].id_text();
    let (mut login, options) = at_passkey(&mut sim, JOHN);
    let _ = sim.submit(&mut login, Input::Passkey(passkey.assert(&options)));
    let output = sim.submit(
        &mut login,
        Input::RenamePasskey {
            id: id.clone(),
            name: "Laptop\u{202E}".into(),
        },
    );
    assert_eq!(
        sim::notice(&output),
        Some(MessageId::AuthenticatorNameFormat)
    );
    let output = sim.submit(
        &mut login,
        Input::RenamePasskey {
            id,
            name: " Work laptop ".into(),
        },
    );
    assert_eq!(sim::notice(&output), Some(MessageId::AuthenticatorRenamed));
    let account = sim.account(JOHN);
    assert_eq!(account.state().passkeys().len(), 2);
    assert_eq!(
        account.state().passkeys()[1].name().map(|n| n.as_str()),
        Some("Work laptop")
    );
    assert!(account.state().passkeys()[0].counter() >= 2);
}

/// THREATS.md, password holder (SP 800-63B-4 §4.1.2.1): a session whose second factor is
/// older than the step-up window cannot add a passkey of its own without the token's code.
#[test]
fn a_passkey_is_not_added_without_a_fresh_second_factor() {
    let (mut sim, _token, mut login) = enrolled();
    sim.advance(tollgate_login::STEP_UP_WINDOW + 1);
    let output = sim.submit(&mut login, Input::BeginPasskey);
    assert!(
        matches!(output.screen, Screen::EnterTokenCode { .. }),
        "{:?}",
        output.screen
    );
    assert_eq!(sim::notice(&output), Some(MessageId::ConfirmWithCode));
    // The thief's own registration, posted anyway: nothing is added.
    let mut thief = SoftPasskey::new(Kind::Es256, 9, ORIGIN);
    let forged = thief.register(&format!(
        r#"{{"rp":{{"id":"example.com"}},"user":{{"id":"AAAA"}},"challenge":"{}"}}"#,
        "A".repeat(43)
    ));
    let _ = sim.submit(&mut login, Input::Passkey(forged));
    assert!(sim.account(JOHN).state().passkeys().is_empty());
}

/// THREATS.md, phisher (SP 800-63B-4 §3.2.5, WebAuthn L3 §13.4.9): a relay page passes the
/// real site's challenges to John's browser for a week, logging in with his password each
/// time; the browser answers for the page's origin. Not one session, and every answer counts
/// against the second factor's hard limit.
#[test]
fn a_relay_page_gets_no_session_in_a_week() {
    let (mut sim, _token, mut login) = enrolled();
    let mut passkey = SoftPasskey::new(Kind::Es256, 1, ORIGIN);
    let _ = add(&mut sim, &mut login, &mut passkey);
    let mut relayed = passkey.clone();
    relayed.origin = RELAY.into();
    let mut sessions = 0;
    let mut tries = 0;
    for _ in 0..7 * 24 * 12 {
        sim.advance(300);
        let (mut login, output) = sim.log_in(JOHN, PASSWORD);
        if !matches!(output.screen, Screen::EnterTokenCode { .. }) {
            continue;
        }
        let output = sim.submit(&mut login, Input::BeginPasskey);
        if !matches!(output.screen, Screen::UsePasskey { .. }) {
            continue;
        }
        tries += 1;
        let _ = sim.submit(
            &mut login,
            Input::Passkey(relayed.assert(&options(&output))),
        );
        sessions += usize::from(login.is_authenticated());
    }
    assert_eq!(sessions, 0);
    assert!(tries > 0);
    let failures = sim.account(JOHN).state().second_factor_failures();
    assert!(failures <= NIST_MAX_FAILURES, "{failures}");
    assert_eq!(refused(&sim), tries);
    assert!(sim.audit.iter().any(|e| matches!(
        e,
        AuditEvent::PasskeyRefused {
            reason: "wrong origin",
            ..
        }
    )));
}

/// A replayed assertion, one for another challenge, one without user verification, another
/// account's passkey, a counter going back (a clone, audited as one): all refused.
#[test]
fn replays_clones_and_other_accounts_passkeys_are_refused() {
    let (mut sim, _token, mut login) = enrolled();
    let mut passkey = SoftPasskey::new(Kind::Es256, 1, ORIGIN);
    let _ = add(&mut sim, &mut login, &mut passkey);

    // A whole login, then the same answer again at the next login's challenge.
    let (mut login, options) = at_passkey(&mut sim, JOHN);
    let answer = passkey.assert(&options);
    let _ = sim.submit(&mut login, Input::Passkey(answer.clone()));
    assert!(login.is_authenticated());
    let (mut login, _) = at_passkey(&mut sim, JOHN);
    let output = sim.submit(&mut login, Input::Passkey(answer));
    assert!(!login.is_authenticated());
    assert_eq!(sim::notice(&output), Some(MessageId::PasskeyRefused));

    // The user not verified.
    let (mut login, options) = at_passkey(&mut sim, JOHN);
    let mut unverified = passkey.clone();
    unverified.verifies_user = false;
    let _ = sim.submit(&mut login, Input::Passkey(unverified.assert(&options)));
    assert!(!login.is_authenticated());

    // A copy of the authenticator whose counter is behind.
    let (mut login, options) = at_passkey(&mut sim, JOHN);
    let mut clone = passkey.clone();
    clone.counter = 0;
    let _ = sim.submit(&mut login, Input::Passkey(clone.assert(&options)));
    assert!(!login.is_authenticated());
    assert!(
        sim.audit
            .iter()
            .any(|e| matches!(e, AuditEvent::PasskeyCloneSuspected { .. }))
    );

    // Anna's passkey, at John's login.
    let mut anna_login = sim.past_the_pin(ANNA, PASSWORD);
    let _ = sim.register_desktop(&mut anna_login);
    let _ = sim.submit(&mut anna_login, Input::Continue);
    let mut annas = SoftPasskey::new(Kind::Es256, 5, ORIGIN);
    let _ = add(&mut sim, &mut anna_login, &mut annas);
    assert_eq!(sim.account(ANNA).state().passkeys().len(), 1);
    let (mut login, options) = at_passkey(&mut sim, JOHN);
    let _ = sim.submit(&mut login, Input::Passkey(annas.assert(&options)));
    assert!(!login.is_authenticated());
    assert_eq!(refused(&sim), 4);
    assert_eq!(sim.account(JOHN).state().second_factor_failures(), 4);
}

/// THREATS.md, phisher against "phishing-resistant only": with it on, the relay page's
/// thousand relayed token codes, recovery codes and reset PINs give no session and no new
/// password; the passkey still logs in; turning it off needs a fresh passkey login.
#[test]
fn a_phishing_resistant_account_takes_no_code_of_any_kind() {
    let (mut sim, token, mut login) = enrolled();
    let mut passkey = SoftPasskey::new(Kind::Ed25519, 3, ORIGIN);
    let _ = add(&mut sim, &mut login, &mut passkey);
    let output = sim.submit(&mut login, Input::PhishingResistantOnly(true));
    assert_eq!(sim::notice(&output), Some(MessageId::PhishingResistantOn));
    assert!(sim.account(JOHN).state().phishing_resistant_only());

    let mut sessions = 0;
    for _ in 0..1000 {
        sim.advance(30);
        let (mut login, output) = sim.log_in(JOHN, PASSWORD);
        assert!(
            matches!(
                output.screen,
                Screen::EnterTokenCode {
                    codes: false,
                    passkey: true,
                    ..
                }
            ),
            "{:?}",
            output.screen
        );
        let code = token.generate(sim.at()).unwrap().to_string();
        let output = sim.submit(&mut login, Input::TokenCode(code));
        assert_eq!(sim::notice(&output), Some(MessageId::PasskeyRequired));
        sessions += usize::from(login.is_authenticated());
    }
    assert_eq!(sessions, 0);
    // The reset's code path ends where a token holder's two-PIN reset does.
    let (mut login, _) = sim.start();
    sim.step(&mut login, Input::UserId(JOHN.into()));
    sim.step(&mut login, Input::ForgotPassword);
    sim.advance(30);
    let code = token.generate(sim.at()).unwrap().to_string();
    sim.step(&mut login, Input::TokenCode(code));
    let pin = sim.last_pin();
    let output = sim.submit(&mut login, Input::Pin(pin));
    assert!(!sim::is_new_password(&output), "{:?}", output.screen);

    // The passkey logs in; within the step-up window codes can be allowed again.
    let (mut login, options) = at_passkey(&mut sim, JOHN);
    let _ = sim.submit(&mut login, Input::Passkey(passkey.assert(&options)));
    assert!(login.is_authenticated());
    // Its last passkey stays while only passkeys are taken.
    let id = sim.account(JOHN).state().passkeys()[0].id_text();
    let output = sim.submit(&mut login, Input::RemovePasskey(id));
    assert_eq!(sim::notice(&output), Some(MessageId::LastPasskey));
    let output = sim.submit(&mut login, Input::PhishingResistantOnly(false));
    assert_eq!(sim::notice(&output), Some(MessageId::PhishingResistantOff));
    assert!(!sim.account(JOHN).state().phishing_resistant_only());
}

/// THREATS.md, password holder of another account (WebAuthn L3 §7.1 step 24): Anna registers a
/// credential under the ID of John's passkey, with her own key. The store refuses the claim
/// (each ID belongs to one account), Anna's account gets no passkey, and John's still logs in.
#[test]
fn a_credential_id_belongs_to_one_account() {
    let (mut sim, _token, mut login) = enrolled();
    let mut johns = SoftPasskey::new(Kind::Es256, 1, ORIGIN);
    let _ = add(&mut sim, &mut login, &mut johns);

    let mut anna_login = sim.past_the_pin(ANNA, PASSWORD);
    let _ = sim.register_desktop(&mut anna_login);
    let _ = sim.submit(&mut anna_login, Input::Continue);
    let mut squatter = SoftPasskey::new(Kind::Es256, 6, ORIGIN);
    squatter.id = johns.id.clone();
    let output = sim.submit(&mut anna_login, Input::BeginPasskey);
    let response = squatter.register(&options(&output));
    let refused = sim.try_submit(&mut anna_login, Input::Passkey(response));
    assert!(refused.is_err(), "{refused:?}");
    assert!(sim.account(ANNA).state().passkeys().is_empty());

    let (mut login, options) = at_passkey(&mut sim, JOHN);
    let _ = sim.submit(&mut login, Input::Passkey(johns.assert(&options)));
    assert!(login.is_authenticated());
}

/// "Log in with a passkey" before any User ID: the browser's discoverable credential names the
/// account (the store finds it by its credential ID) and its user handle must be the account's;
/// the login ends whole, as after the password and a code.
#[test]
fn a_discoverable_passkey_logs_in_without_a_user_id() {
    let (mut sim, _token, mut login) = enrolled();
    let mut passkey = SoftPasskey::new(Kind::Es256, 1, ORIGIN);
    let _ = add(&mut sim, &mut login, &mut passkey);
    sim.advance(30);
    let (mut login, _) = sim.start();
    let output = sim.submit(&mut login, Input::BeginPasskey);
    let Screen::UsePasskey {
        user: None,
        options,
    } = &output.screen
    else {
        panic!("{:?}", output.screen);
    };
    assert!(!options.contains("allowCredentials"), "{options}");
    let output = sim.submit(&mut login, Input::Passkey(passkey.assert(options)));
    assert!(login.is_authenticated(), "{:?}", output.screen);
    assert_eq!(login.user().map(|u| u.as_str()), Some(JOHN));
}

/// THREATS.md, stranger (SP 800-63B §5.2.2: keep the owner out): credential IDs are not
/// secret, so a stranger posts a thousand made-up answers naming John's passkey at "Log in with
/// a passkey", and Anna posts her own passkey's answer carrying John's user handle. No session,
/// and none of it counts against John's second factor.
#[test]
fn answers_naming_someone_elses_passkey_open_nothing_and_lock_nothing() {
    let (mut sim, _token, mut login) = enrolled();
    let mut johns = SoftPasskey::new(Kind::Es256, 1, ORIGIN);
    let _ = add(&mut sim, &mut login, &mut johns);
    let mut forger = SoftPasskey::new(Kind::Es256, 8, ORIGIN);
    forger.id = johns.id.clone();
    forger.user_handle = johns.user_handle.clone();
    let mut sessions = 0;
    for _ in 0..1000 {
        sim.advance(60);
        let (mut login, _) = sim.start();
        let output = sim.submit(&mut login, Input::BeginPasskey);
        let _ = sim.submit(&mut login, Input::Passkey(forger.assert(&options(&output))));
        sessions += usize::from(login.is_authenticated());
    }
    assert_eq!(sessions, 0);
    assert_eq!(sim.account(JOHN).state().second_factor_failures(), 0);
    assert!(!sim.account(JOHN).is_locked(sim.at()));

    // Anna's own passkey, answering with John's user handle.
    let mut anna_login = sim.past_the_pin(ANNA, PASSWORD);
    let _ = sim.register_desktop(&mut anna_login);
    let _ = sim.submit(&mut anna_login, Input::Continue);
    let mut annas = SoftPasskey::new(Kind::Ed25519, 9, ORIGIN);
    let _ = add(&mut sim, &mut anna_login, &mut annas);
    annas.user_handle = johns.user_handle.clone();
    let (mut login, _) = sim.start();
    let output = sim.submit(&mut login, Input::BeginPasskey);
    let _ = sim.submit(&mut login, Input::Passkey(annas.assert(&options(&output))));
    assert!(!login.is_authenticated());
    assert!(sim.audit.iter().any(|e| matches!(
        e,
        AuditEvent::PasskeyRefused {
            reason: "another account's user handle",
            ..
        }
    )));
    // John's own still opens his account.
    let (mut login, _) = sim.start();
    let output = sim.submit(&mut login, Input::BeginPasskey);
    let _ = sim.submit(&mut login, Input::Passkey(johns.assert(&options(&output))));
    assert!(login.is_authenticated());
}
