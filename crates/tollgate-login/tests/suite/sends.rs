//! The password holder as a flood (`THREATS.md`: the attacker who has the password, here
//! against the owner's phone and the service's SMS bill), played on the simulator for a day:
//! new logins, resends and the e-mail alternative as fast as the service answers. Each login
//! allows five sends; before the account's own budget, every new login sent five more, so the
//! flood was bounded only by how fast logins start: this play got 640 SMS in a day (28 in the
//! worst hour) and 960 e-mails (41). Now: 120 and 240, at most 5 and 10 an hour.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::sim;

use sim::{JOHN, PASSWORD, sim};
use tollgate_login::{Destination, Input, MessageId, Screen};

const HOUR: u64 = 3600;

/// Sends per channel in each hour of `sends` (times), the most in any one hour starting at a
/// send.
fn worst_hour(times: &[u64]) -> usize {
    times
        .iter()
        .map(|start| {
            times
                .iter()
                .filter(|t| (*start..start + HOUR).contains(t))
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn a_password_holder_cannot_flood_the_owner_past_the_hourly_budget() {
    let mut sim = sim();
    let t0 = sim.now;
    let mut sms = Vec::new();
    let mut email = Vec::new();
    let mut logins = 0;
    let mut seen = sim.outbox.len();
    let mut file = |sim: &sim::Sim, sms: &mut Vec<u64>, email: &mut Vec<u64>| {
        for (to, _) in &sim.outbox[seen..] {
            match to {
                Destination::Sms(_) => sms.push(sim.now),
                Destination::Email(_) => email.push(sim.now),
            }
        }
        seen = sim.outbox.len();
    };
    while sim.now < t0 + 24 * HOUR {
        let (mut login, output) = sim.log_in(JOHN, PASSWORD);
        file(&sim, &mut sms, &mut email);
        logins += 1;
        assert!(matches!(output.screen, Screen::EnterPin { .. }));
        // Every resend the login allows, each as soon as the service takes it, alternating
        // the SMS and the e-mail.
        for i in 0..8 {
            sim.advance(30);
            let input = if i % 2 == 0 {
                Input::ResendPin
            } else {
                Input::AlternativeAuthentication
            };
            sim.step(&mut login, input);
            file(&sim, &mut sms, &mut email);
        }
        sim.advance(30);
    }
    let (sms_hour, email_hour) = (worst_hour(&sms), worst_hour(&email));
    println!(
        "24 h, {logins} logins by the password holder: {} SMS (at most {sms_hour} in an hour, \
         budget 5), {} e-mails (at most {email_hour} in an hour, budget 10)",
        sms.len(),
        email.len()
    );
    assert!(sms_hour <= 5, "{sms_hour} SMS in one hour");
    assert!(email_hour <= 10, "{email_hour} e-mails in one hour");
    assert!(sms.len() <= 5 * 24 + 5, "{} SMS in a day", sms.len());
}

/// A cool-down holds the sends too: ten wrong PINs, then a resend gets "try again in …" and no
/// PIN, until the cool-down ends.
#[test]
fn no_pin_is_sent_while_the_account_cools_down() {
    let mut sim = sim();
    let (mut login, _) = sim.log_in(JOHN, PASSWORD);
    for _ in 0..10 {
        sim.step(&mut login, Input::Pin("000000".into()));
    }
    assert!(sim.account(JOHN).is_locked(sim.at()));
    let sent = sim.outbox.len();
    sim.advance(30);
    let output = sim.submit(&mut login, Input::ResendPin);
    assert_eq!(
        output.notice.as_ref().map(|m| m.id),
        Some(MessageId::TryLater)
    );
    assert_eq!(
        sim.outbox.len(),
        sent,
        "a PIN went out during the cool-down"
    );
    sim.advance(60);
    sim.step(&mut login, Input::ResendPin);
    assert_eq!(sim.outbox.len(), sent + 1);
}
