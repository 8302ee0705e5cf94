//! The password holder of the project's threat model (`THREATS.md`), played on the simulator:
//! the real machine, run by the crate's one driver over the memory store, on a virtual clock
//! with seeded randomness, guessing the second factor for 30 days. Each test says the standard
//! behind its bound, counts what the attacker got, and asserts the bound. The other attackers
//! are in `attacks.rs`.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::sim;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sim::{JOHN, Login, PASSWORD, Sim, notice, sim};
use tollgate_login::{AuditEvent, Config, Input, MessageId, NIST_MAX_FAILURES, Screen};

const DAY: u64 = 86_400;

/// What a guessing attacker does next.
enum Move {
    Guess,
    Resend,
    Alternative,
    Cancel,
    Wait(u64),
}

fn next_move(rng: &mut ChaCha20Rng) -> Move {
    match rng.next_u32() % 100 {
        0..=69 => Move::Guess,
        70..=74 => Move::Resend,
        75..=77 => Move::Alternative,
        78..=81 => Move::Cancel,
        _ => Move::Wait(u64::from(rng.next_u32() % 120)),
    }
}

/// Plays the password holder for `days` days against John's second factor (the token's code
/// when he has one, else the SMS or e-mail PIN): fresh logins, resends, the e-mail channel,
/// cancels and waits in a seeded random order, a new login whenever the service stops taking
/// guesses, and the clock moved on past every cool-down (the attacker knows the password, and
/// is given perfect knowledge of when the cool-down ends). Returns how many codes the service
/// checked and refused, and how many logins the attacker won.
fn guess_for(sim: &mut Sim, days: u64, seed: u64) -> (usize, usize) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let before = sim.codes_refused(JOHN);
    let end = sim.now + days * DAY;
    let mut won = 0;
    let mut login: Option<Login> = None;
    while sim.now < end {
        let account = sim.account(JOHN);
        if let Some(until) = account.state().locked_until()
            && until > sim.at()
        {
            sim.now = until.as_secs();
            login = None;
            continue;
        }
        let Some(current) = login.as_mut() else {
            let (fresh, output) = sim.log_in(JOHN, PASSWORD);
            if matches!(output.screen, Screen::SecondFactorLocked { .. }) {
                // Nothing more to get here: come back in an hour, in case it ever opens.
                sim.advance(3600);
            } else {
                login = Some(fresh);
            }
            continue;
        };
        let input = match next_move(&mut rng) {
            Move::Guess => {
                let code = format!("{:06}", rng.next_u32() % 1_000_000);
                if sim.account(JOHN).state().has_token() {
                    Input::TokenCode(code)
                } else {
                    Input::Pin(code)
                }
            }
            Move::Resend => Input::ResendPin,
            Move::Alternative => Input::AlternativeAuthentication,
            Move::Cancel => {
                login = None;
                continue;
            }
            Move::Wait(seconds) => {
                sim.advance(seconds);
                continue;
            }
        };
        let output = sim.submit(current, input);
        match output.screen {
            Screen::Authenticated { .. } | Screen::ChooseEnrollment { .. } => {
                won += 1;
                login = None;
            }
            Screen::EnterPin { .. } | Screen::EnterTokenCode { .. } => {}
            // Expired, locked, or back at the start: log in again.
            _ => login = None,
        }
    }
    (sim.codes_refused(JOHN) - before, won)
}

/// Password holder against the token (THREATS.md; NIST SP 800-63B-4 §3.2.2: at most 100
/// consecutive failures; RFC 4226 §7.3: "across login sessions"). Before the failure counts
/// were kept apart, a right password zeroed the lockouts and every cool-down zeroed the code
/// count: 432 000 wrong codes were checked in 30 days, every cool-down a minute long.
#[test]
fn a_password_holder_gets_at_most_the_hard_limit_of_token_guesses_in_30_days() {
    let mut sim = sim();
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    let (checked, won) = guess_for(&mut sim, 30, 1);
    println!("TOTP: {checked} wrong codes checked in 30 days, {won} logins won");
    assert!(
        checked <= NIST_MAX_FAILURES as usize,
        "{checked} guesses checked"
    );
    assert_eq!(
        checked, NIST_MAX_FAILURES as usize,
        "the attacker used the whole budget"
    );
    assert_eq!(won, 0);

    // The owner: the right password, then a clear refusal (and the state to act on).
    let (_, output) = sim.log_in(JOHN, PASSWORD);
    assert!(matches!(output.screen, Screen::SecondFactorLocked { .. }));
    assert_eq!(notice(&output), Some(MessageId::SecondFactorLocked));
    let config = sim.driver.machine().config().clone();
    assert!(config.second_factor_locked(sim.account(JOHN).state()));
    let locked = sim
        .audit
        .iter()
        .filter(|e| matches!(e, AuditEvent::SecondFactorLocked { .. }))
        .count();
    assert_eq!(locked, 1);
    // Even the right code is not looked at any more.
    let (mut login, _) = sim.log_in(JOHN, PASSWORD);
    let code = token.generate(sim.at()).unwrap().to_string();
    sim.step(&mut login, Input::TokenCode(code));
    assert!(!login.is_authenticated());
}

/// Password holder against the first login's PIN (THREATS.md; NIST SP 800-63B-4 §3.2.2),
/// through resends and the e-mail channel. Before: 432 009 wrong PINs checked in 30 days, and
/// one PIN guessed.
#[test]
fn a_password_holder_gets_at_most_the_hard_limit_of_pin_guesses_in_30_days() {
    let mut sim = sim();
    let (checked, won) = guess_for(&mut sim, 30, 2);
    println!("PIN: {checked} wrong PINs checked in 30 days, {won} PINs guessed");
    assert_eq!(checked, NIST_MAX_FAILURES as usize);
    assert_eq!(won, 0);
    assert!(sim.account(JOHN).state().tokens().is_empty());
}

/// The hard limit is the service's to set lower, and a right code in between forgives: the
/// owner who mistypes now and then is never locked.
#[test]
fn a_lower_limit_holds_and_right_codes_forgive() {
    let mut sim = Sim::new(Config::default().with_second_factor_limit(30).unwrap());
    sim.register(JOHN, PASSWORD, Some("+16132701234"), None);
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    // The owner: nine typos and a right code, every day for 30 days.
    for _ in 0..30 {
        sim.advance(DAY);
        let (mut login, _) = sim.log_in(JOHN, PASSWORD);
        for _ in 0..9 {
            sim.step(&mut login, Input::TokenCode("000000".into()));
        }
        let code = token.generate(sim.at()).unwrap().to_string();
        sim.step(&mut login, Input::TokenCode(code));
        assert!(login.is_authenticated());
    }
    assert_eq!(sim.codes_refused(JOHN), 270);
    // Then an attacker with the password: 30 guesses in all, however long they try.
    let (checked, _) = guess_for(&mut sim, 30, 3);
    assert_eq!(checked, 30);
}
