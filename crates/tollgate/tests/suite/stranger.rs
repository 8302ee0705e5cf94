//! The stranger of the threat model (`THREATS.md`: a User ID, nothing else) against the two
//! things a reset gives anyone who names an account: PINs sent at the service's cost, and
//! wrong codes that count against the account. They must not keep the owner out, and what they
//! get is bounded over virtual days.

use crate::common;

use common::{JOHN, World, world};
use tollgate::login::{Config, Input, MAX_RESET_SHARE, Screen};
use tollgate::{Client, Delivered, MemoryStore};

fn submit(
    world: &World,
    key: &tollgate::LoginKey,
    input: Input<zeroize::Zeroizing<String>>,
) -> tollgate::View {
    world.service.submit(key, input, Client::default()).unwrap()
}

/// User ID, then "Password locked or forgotten?".
fn reset(world: &World) -> tollgate::View {
    let view = world.service.start().unwrap();
    let view = submit(world, &view.login, Input::UserId(JOHN.into()));
    submit(world, &view.login, Input::ForgotPassword)
}

/// PINs sent to John so far.
fn pins(world: &World) -> usize {
    world
        .outbox
        .messages()
        .iter()
        .filter(|m| matches!(m, Delivered::Pin { .. }))
        .count()
}

/// Stranger: a day of "I no longer have my authenticator", a resend and "Alternative
/// authentication" every minute, for an account whose owner has not logged in yet; every hour
/// the owner starts their first login. Before resets had a budget of their own: 13 PINs an hour
/// went to John, and the owner's first-login PIN was refused (`SendBudget`) within the hour.
/// The bound: the reset budget (3 an hour), and every one of the owner's PINs sent.
#[test]
fn a_stranger_s_resets_neither_drain_the_budget_nor_keep_the_owner_from_the_pin() {
    let world = world(
        std::sync::Arc::new(MemoryStore::new()),
        Config::default(),
        21,
    );
    let mut owner_sent = 0;
    for minute in 0..24 * 60 {
        world.clock.advance(60);
        let view = reset(&world);
        let view = submit(&world, &view.login, Input::NoAuthenticator);
        let view = submit(&world, &view.login, Input::ResendPin);
        let _ = submit(&world, &view.login, Input::AlternativeAuthentication);
        if minute % 60 == 30 {
            let before = pins(&world);
            let view = common::to_the_pin(&world.service);
            let delivered = common::delivered(&view) == Some(true) && pins(&world) == before + 1;
            assert!(
                delivered,
                "minute {minute}: the owner's PIN: {:?}",
                view.notice
            );
            owner_sent += 1;
        }
    }
    let stranger_sent = pins(&world) - owner_sent;
    println!(
        "a stranger's day of resets sent {stranger_sent} PINs; the owner got all {owner_sent}"
    );
    assert!(stranger_sent <= 3 * 24, "{stranger_sent} PINs");
}

/// Stranger: 30 days of wrong authenticator codes at "Password locked or forgotten?", as many as
/// the service checks. Before: the 10th closed self-service reset for good, and a week later the
/// owner's right code was refused. Now each 10 close it for a day, the stranger gets at most
/// `MAX_RESET_SHARE` (50) checked in 30 days, and the owner's logins are never held by them.
#[test]
fn a_stranger_s_wrong_reset_codes_do_not_close_the_owner_s_reset_for_good() {
    let world = world(
        std::sync::Arc::new(MemoryStore::new()),
        Config::default(),
        22,
    );
    let token = world.enroll();

    // A stranger's ten on the first day; a week later the owner's right code is taken.
    for guess in 0..10 {
        let view = reset(&world);
        let _ = submit(
            &world,
            &view.login,
            Input::TokenCode(format!("{:06}", 100_000 + guess)),
        );
    }
    world.clock.advance(7 * 86_400);
    let view = reset(&world);
    let code = token.generate(world.service.now()).unwrap().to_string();
    let view = submit(&world, &view.login, Input::TokenCode(code));
    assert!(
        matches!(view.screen, Screen::ResetPin { .. }),
        "a week later the owner's right code: {:?} {:?}",
        view.screen,
        view.notice
    );

    // Thirty days of guesses: at most the share, ever.
    let before = world.codes_refused();
    let end = world.service.now().as_secs() + 30 * 86_400;
    let mut guess = 7u32;
    while world.service.now().as_secs() < end {
        world.clock.advance(600);
        guess = guess.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let view = reset(&world);
        let _ = submit(
            &world,
            &view.login,
            Input::TokenCode(format!("{:06}", guess % 1_000_000)),
        );
    }
    let checked = world.codes_refused() - before;
    println!("a stranger's 30 days of reset codes: {checked} checked");
    assert!(checked <= MAX_RESET_SHARE as usize, "{checked} checked");
    // The owner's logins were never held by it.
    world.clock.advance(60);
    let key = world.past_the_password();
    let code = token.generate(world.service.now()).unwrap().to_string();
    let view = submit(&world, &key, Input::TokenCode(code));
    assert!(view.authenticated().is_some(), "{:?}", view.screen);
}

/// Stranger with a list of User IDs, from one network: an hour of "I no longer have my
/// authenticator" and resends over forty accounts (SMS pumping at the service's cost). Before
/// resets counted against the network (seen failing first): 60 PINs in the hour, no account's
/// budget ever reached. Now at most the network's 10 steps that may send (5 PINs: a resend
/// right after the first is too soon); and a reset from another network is not held by it.
#[test]
fn a_stranger_s_network_cannot_pump_pins_to_many_accounts() {
    let world = world(
        std::sync::Arc::new(MemoryStore::new()),
        Config::default(),
        23,
    );
    let users: Vec<String> = (0..40).map(|i| format!("user{i}@example.com")).collect();
    for (i, user) in users.iter().enumerate() {
        world
            .service
            .register_user(
                user,
                "a long enough passphrase",
                Some(&format!("+1 613 555 {:04}", 1000 + i)),
                None,
            )
            .unwrap();
    }
    let before = pins(&world);
    let stranger = Client {
        address: Some("198.51.100.9".parse().unwrap()),
        device: None,
    };
    let mut throttled = 0;
    for minute in 0..60 {
        world.clock.advance(60);
        let user = &users[minute % users.len()];
        let view = world.service.start().unwrap();
        let view = submit(&world, &view.login, Input::UserId(user.clone()));
        let view = submit(&world, &view.login, Input::ForgotPassword);
        let mut key = view.login;
        for input in [Input::NoAuthenticator, Input::ResendPin] {
            match world.service.submit(&key, input, stranger) {
                Ok(view) => key = view.login,
                Err(tollgate::Error::Throttled { .. }) => throttled += 1,
                Err(e) => panic!("{e}"),
            }
        }
    }
    let sent = pins(&world) - before;
    println!(
        "an hour of one network's resets over 40 accounts: {sent} PINs, {throttled} throttled"
    );
    assert!(sent <= 10, "{sent} PINs");
    // Another network's reset is not held.
    let owner = Client {
        address: Some("203.0.113.8".parse().unwrap()),
        device: None,
    };
    let view = reset(&world);
    let view = world
        .service
        .submit(&view.login, Input::NoAuthenticator, owner)
        .unwrap();
    assert!(
        matches!(view.screen, Screen::ResetPin { .. }),
        "{:?}",
        view.screen
    );
}
