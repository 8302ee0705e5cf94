//! The stranger who knows a User ID (`THREATS.md`: denial of service against one account),
//! played on the simulator for 30 days: wrong passwords from a thousand browsers, never the
//! password. NIST SP 800-63B-4 §3.2.2 asks that throttling not let an attacker lock the owner
//! out; OWASP's "device cookies" (Blocking Brute Force Attacks) are how: a browser the account
//! has seen log in is counted on its own.
//!
//! Before the devices, the same play kept the owner out whenever the stranger's cool-down ran:
//! the second half of the test shows it, with the owner on a browser the account does not know.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::sim;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sim::{JOHN, Login, PASSWORD, Sim, sim};
use tollgate_login::{DeviceId, Input, PasswordCheck, Screen};
use tollgate_otp::Totp;

const DAY: u64 = 86_400;
const DAYS: u64 = 30;
const CLIENTS: usize = 1000;
const GUESSES_PER_DAY: u64 = 10_000;
/// The owner tries to log in this often.
const OWNER_EVERY: u64 = 15 * 60;

/// How the owner's browser presents itself.
#[derive(Clone, Copy)]
enum Owner {
    /// With the device cookie of an earlier login.
    KnownDevice(DeviceId),
    /// Without one (a new browser): every login was like this before devices existed.
    NewBrowser,
}

/// The most wrong passwords from unknown browsers the service can check in `seconds`: a run of
/// `every` per cool-down, each cool-down twice the last from a minute, at most a day.
fn bound(seconds: u64, every: u64) -> u64 {
    let (mut t, mut allowed, mut lockouts) = (0u64, 0u64, 0u32);
    while t < seconds {
        allowed += every;
        t += (60u64 << lockouts.min(20)).min(DAY);
        lockouts += 1;
    }
    allowed + every
}

/// Plays `days` days; returns how many of the owner's logins succeeded, of how many, and how many
/// of the stranger's guesses the service checked.
fn play(sim: &mut Sim, days: u64, owner: Owner, token: &Totp, seed: u64) -> (u64, u64, u64) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut clients: Vec<Login> = (0..CLIENTS).map(|_| sim.start().0).collect();
    let gap = DAY / GUESSES_PER_DAY;
    let (mut owner_ok, mut owner_tries) = (0, 0);
    let mut next_owner = sim.now + OWNER_EVERY;
    let end = sim.now + days * DAY;
    let mut turn = 0usize;
    while sim.now < end {
        // The stranger: the next browser's wrong password (one in ten with a made-up device
        // cookie, which is no device of the account's).
        let client = &mut clients[turn % CLIENTS];
        turn += 1;
        let forged = (rng.next_u32() % 10 == 0).then(|| forged_device(&mut rng));
        let check = PasswordCheck::of(false, forged);
        // A browser whose login expired (and was swept) starts a new one.
        if !client.state.expects_password() || sim.try_submit(client, Input::Tick).is_err() {
            *client = sim.start().0;
            sim.step(client, Input::UserId(JOHN.into()));
        }
        sim.step(client, Input::Password(check));
        sim.advance(gap);

        if sim.now >= next_owner {
            next_owner += OWNER_EVERY;
            owner_tries += 1;
            owner_ok += u64::from(owner_logs_in(sim, owner, token));
        }
    }
    let checked = u64::from(sim.account(JOHN).state().password_failures());
    (owner_ok, owner_tries, checked)
}

fn forged_device(rng: &mut ChaCha20Rng) -> DeviceId {
    let mut hex = String::from("d1.");
    for _ in 0..16 {
        hex.push_str(&format!("{:02x}", rng.next_u32() % 256));
    }
    DeviceId::parse(&hex).unwrap()
}

/// The owner's later login: User ID, the right password, the token's code.
fn owner_logs_in(sim: &mut Sim, owner: Owner, token: &Totp) -> bool {
    let (mut login, _) = sim.start();
    sim.step(&mut login, Input::UserId(JOHN.into()));
    let device = match owner {
        Owner::KnownDevice(device) => Some(device),
        Owner::NewBrowser => None,
    };
    let output = sim.submit(&mut login, Input::Password(PasswordCheck::of(true, device)));
    if !matches!(output.screen, Screen::EnterTokenCode { .. }) {
        return false;
    }
    let code = token.generate(sim.at()).unwrap();
    sim.step(&mut login, Input::TokenCode(code.to_string()));
    login.is_authenticated()
}

fn enrolled() -> (Sim, Totp, DeviceId) {
    let mut sim = sim();
    let token = sim.enroll_desktop(JOHN, PASSWORD);
    let device = sim.devices.last().map(|(_, d)| *d).unwrap();
    (sim, token, device)
}

#[test]
fn a_stranger_from_a_thousand_browsers_cannot_keep_the_owner_out_of_a_known_device() {
    let (mut sim, token, device) = enrolled();
    let (ok, tries, checked) = play(&mut sim, DAYS, Owner::KnownDevice(device), &token, 1);
    let limit = bound(DAYS * DAY, 5);
    println!(
        "30 days, {GUESSES_PER_DAY} wrong passwords a day from {CLIENTS} browsers: the owner on \
         a known device logged in {ok} of {tries} times; the stranger's guesses checked: \
         {checked} (limit {limit})"
    );
    assert_eq!(ok, tries, "the owner was kept out of a known device");
    assert!(checked <= limit, "{checked} guesses checked, limit {limit}");
    // The owner's own logins did not hand the stranger new guesses: the count never reset.
    assert!(
        checked >= 5 * 30,
        "the stranger was checked only {checked} times"
    );
}

#[test]
fn on_a_browser_the_account_does_not_know_the_owner_waits_like_everyone_else() {
    let (mut sim, token, _) = enrolled();
    // Three days show it (and keep the suite quick).
    let (ok, tries, checked) = play(&mut sim, 3, Owner::NewBrowser, &token, 2);
    println!(
        "3 days, the owner on a new browser (as every login was before devices): {ok} of \
         {tries} logins; the stranger's guesses checked: {checked}"
    );
    // The stranger's cool-down holds every unknown browser, the owner's too: that is the way
    // in the stranger still blocks, and why the recovery path exists.
    assert!(ok < tries / 10, "{ok} of {tries}");
    assert!(checked <= bound(3 * DAY, 5));
}

/// The owner's device is counted on its own: five wrong passwords there cool it down (and
/// only it), and a stolen cookie gets no more guesses than the stranger's.
#[test]
fn a_known_devices_own_wrong_passwords_cool_down_only_that_device() {
    let (mut sim, token, device) = enrolled();
    let (mut login, _) = sim.start();
    sim.step(&mut login, Input::UserId(JOHN.into()));
    for _ in 0..5 {
        sim.step(
            &mut login,
            Input::Password(PasswordCheck::IncorrectOn(device)),
        );
    }
    let account = sim.account(JOHN);
    assert_eq!(
        account.state().password_failures(),
        0,
        "counted on the device"
    );
    assert_eq!(account.state().devices()[0].failures, 5);
    assert!(
        account.state().devices()[0]
            .locked_until
            .is_some_and(|until| sim.at() < until)
    );
    // The device waits; a new browser (with the password) does not.
    let output = sim.submit(
        &mut login,
        Input::Password(PasswordCheck::CorrectOn(device)),
    );
    assert!(matches!(output.screen, Screen::EnterPassword { .. }));
    assert!(owner_logs_in(&mut sim, Owner::NewBrowser, &token));
    // That login, from a new browser, was given a device cookie of its own.
    assert_eq!(sim.account(JOHN).state().devices().len(), 2);
    assert_eq!(sim.devices.len(), 2);
}
