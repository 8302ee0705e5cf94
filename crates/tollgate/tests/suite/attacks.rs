//! The attackers of the project's threat model (`THREATS.md`), played against the service over
//! real stores: the memory store, a SQLite file, and a PostgreSQL database (when a server is
//! there; `.ci/run` starts one). The simulator's suite (`tollgate-login/tests/suite/attacks.rs`) plays
//! the same rows against the machine alone; here the driver, the stores' transactions and the
//! facade's password check are all in the way.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Backing, JOHN, PASSWORD, World, backings, world};
use tollgate::login::{
    AuditEvent, Config, EnrollmentKind, Input, MessageId, NIST_MAX_FAILURES, Refusal, Screen,
    SealedLogin,
};
use tollgate::otp::UnixTime;
use tollgate::{Error, LoginKey};

/// Password holder (THREATS.md; NIST SP 800-63B-4 §3.2.2; RFC 4226 §7.3): 30 days of token
/// guesses with the password, a fresh login whenever the service stops taking them, the clock
/// moved past every cool-down. Before the failure counts were kept apart: 432 000 checked.
#[test]
fn thirty_days_of_token_guesses_get_at_most_the_hard_limit_on_every_store() {
    for backing in backings("tollgate_attack_guesses") {
        let world = world(backing.store.clone(), Config::default(), 1);
        let token = world.enroll();
        let end = world.service.now().as_secs() + 30 * 86_400;
        let mut guess = 7u32;
        let mut won = 0;
        while world.service.now().as_secs() < end {
            if let Some(until) = world.account().state().locked_until()
                && until > world.service.now()
            {
                world.clock.set(until);
                continue;
            }
            let mut key = world.past_the_password();
            let view = world.service.view(&key).unwrap();
            if matches!(view.screen, Screen::SecondFactorLocked { .. }) {
                world.clock.advance(3600);
                continue;
            }
            // Guess until the service stops taking guesses.
            loop {
                guess = guess.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let code = format!("{:06}", guess % 1_000_000);
                let view = world
                    .service
                    .submit(&key, Input::TokenCode(code), tollgate::Client::default())
                    .unwrap();
                key = view.login.clone();
                if view.authenticated().is_some() {
                    won += 1;
                    break;
                }
                if view.notice.as_ref().map(|n| n.id) != Some(MessageId::WrongCode)
                    || world.account().is_locked(world.service.now())
                {
                    break;
                }
            }
        }
        let checked = world.codes_refused();
        println!(
            "{}: {checked} wrong codes checked in 30 days, {won} won",
            backing.name
        );
        assert_eq!(checked, NIST_MAX_FAILURES as usize, "{}", backing.name);
        assert_eq!(won, 0);
        // The owner hears it clearly, and even the right code is not looked at.
        let key = world.past_the_password();
        let view = world.service.view(&key).unwrap();
        assert!(matches!(view.screen, Screen::SecondFactorLocked { .. }));
        let code = token.generate(world.service.now()).unwrap().to_string();
        assert!(
            world
                .service
                .submit(&key, Input::TokenCode(code), tollgate::Client::default())
                .unwrap()
                .authenticated()
                .is_none()
        );
    }
}

/// Database writer (THREATS.md; ASVS 5.0 V14): a forged, an altered, a swapped and a
/// rolled-back stored login, written straight into each store, are refused with
/// [`Error::LoginRefused`] and removed; nothing in them counts. Before, `LoginState::from_json`
/// took any JSON: a written `authenticated` row was a login.
#[test]
fn forged_tampered_swapped_and_rolled_back_logins_are_refused_on_every_store() {
    for backing in backings("tollgate_attack_rows") {
        let world = world(backing.store.clone(), Config::default(), 2);
        let refused = plays(&backing, &world);
        println!("{}: {refused} of 4 rows refused", backing.name);
        assert_eq!(refused, 4, "{}", backing.name);
        let audited = world
            .audit
            .events()
            .iter()
            .filter(|e| matches!(e, AuditEvent::StoredLoginRefused { .. }))
            .count();
        assert_eq!(audited, 4, "every refusal is audited");
    }
}

fn plays(backing: &Backing, world: &World) -> usize {
    let service = &world.service;
    let mut refused = 0;
    let mut expect_refused = |key: &LoginKey, result: Result<tollgate::View, Error>| {
        if matches!(result, Err(Error::LoginRefused(_))) {
            refused += 1;
        }
        assert!(
            matches!(service.view(key), Err(Error::UnknownLogin)),
            "a refused row was left behind"
        );
    };
    let far = UnixTime::from_secs(1_800_000_000);
    // Forged: an authenticated state with a made-up tag, under the attacker's own key.
    let mine = service.start().unwrap().login;
    let json = format!(
        r#"{{"v":2,"id":"00000000000000000000000000000000","deadline":1800000000,"stage":{{"s":"authenticated","user":"{JOHN}"}}}}"#
    );
    let forged = SealedLogin {
        version: 0,
        expires: far,
        text: format!("tl2:{}:{json}", "00".repeat(32)),
    };
    backing.writer.put_login(&mine.digest(), &forged);
    expect_refused(&mine, service.view(&mine));

    // Altered: the attacker's own row at the password step, made authenticated.
    let view = service.start().unwrap();
    let mine = service
        .submit(
            &view.login,
            Input::UserId(JOHN.into()),
            tollgate::Client::default(),
        )
        .unwrap()
        .login;
    let row = service
        .store()
        .login(&mine.digest(), service.now())
        .unwrap()
        .unwrap();
    let altered = SealedLogin {
        text: row.text.replace("\"expect_password\"", "\"authenticated\""),
        ..row
    };
    backing.writer.put_login(&mine.digest(), &altered);
    expect_refused(&mine, service.view(&mine));

    // Swapped: the victim's login past the password, copied under the attacker's key.
    let victim = world.past_the_password();
    let row = service
        .store()
        .login(&victim.digest(), service.now())
        .unwrap()
        .unwrap();
    let mine = service.start().unwrap().login;
    backing
        .writer
        .put_login(&mine.digest(), &SealedLogin { version: 0, ..row });
    expect_refused(&mine, service.view(&mine));

    // Rolled back: the victim's row before a resend, put back under the victim's key.
    let earlier = service
        .store()
        .login(&victim.digest(), service.now())
        .unwrap()
        .unwrap();
    world.clock.advance(30);
    let victim = service
        .submit(&victim, Input::ResendPin, tollgate::Client::default())
        .unwrap()
        .login;
    backing.writer.put_login(&victim.digest(), &earlier);
    let result = service.submit(
        &victim,
        Input::Pin(world.outbox.last_pin().unwrap()),
        tollgate::Client::default(),
    );
    assert!(matches!(
        result,
        Err(Error::LoginRefused(Refusal::RolledBack { .. }))
    ));
    expect_refused(&victim, result);
    refused
}

/// Planter (THREATS.md; OWASP Session Management: renew the session ID at every privilege
/// change): the key an attacker planted before the victim logged in, and every key between, is
/// dead once the victim is in. Before, the service returned the key it was given.
#[test]
fn a_planted_key_is_dead_after_authentication_on_every_store() {
    for backing in backings("tollgate_attack_planter") {
        let world = world(backing.store.clone(), Config::default(), 3);
        let token = world.enroll();
        world.clock.advance(30);
        let planted = world.service.start().unwrap().login;
        let mut seen = vec![planted.clone()];
        let mut key = planted;
        for input in [
            Input::UserId(JOHN.into()),
            Input::Password(PASSWORD.to_owned().into()),
        ] {
            key = world
                .service
                .submit(&key, input, tollgate::Client::default())
                .unwrap()
                .login;
            seen.push(key.clone());
        }
        let code = token.generate(world.service.now()).unwrap().to_string();
        let view = world
            .service
            .submit(&key, Input::TokenCode(code), tollgate::Client::default())
            .unwrap();
        assert!(view.authenticated().is_some());
        let alive = seen
            .iter()
            .filter(|k| !matches!(world.service.view(k), Err(Error::UnknownLogin)))
            .count();
        assert_eq!(
            alive, 0,
            "{}: a key from before authentication still works",
            backing.name
        );
    }
}

/// Racer (THREATS.md; RFC 6238 §5.2; Keycloak #13607, #52646): 64 threads post one right code
/// on one login at once. One is authenticated; the rest are told another request went first;
/// nothing is counted and no replay is logged. Before: the login ended not authenticated, a
/// failure was counted and a false `CodeReplayed` logged.
#[test]
fn sixty_four_posts_of_one_code_authenticate_once_on_every_store() {
    for backing in backings("tollgate_attack_burst") {
        let world = world(backing.store.clone(), Config::default(), 4);
        let token = world.enroll();
        world.clock.advance(30);
        let key = world.past_the_password();
        let code = token.generate(world.service.now()).unwrap().to_string();
        let refused_before = world.codes_refused();
        let (accepted, overtaken) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let barrier = Barrier::new(64);
        std::thread::scope(|scope| {
            for _ in 0..64 {
                scope.spawn(|| {
                    barrier.wait();
                    match world.service.submit(
                        &key,
                        Input::TokenCode(code.clone()),
                        tollgate::Client::default(),
                    ) {
                        Ok(view) if view.authenticated().is_some() => {
                            accepted.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(Error::Superseded | Error::UnknownLogin) => {
                            overtaken.fetch_add(1, Ordering::SeqCst);
                        }
                        other => panic!("{other:?}"),
                    }
                });
            }
        });
        let account = world.account();
        println!(
            "{}: {} authenticated, {} overtaken",
            backing.name,
            accepted.load(Ordering::SeqCst),
            overtaken.load(Ordering::SeqCst)
        );
        assert_eq!(accepted.load(Ordering::SeqCst), 1, "{}", backing.name);
        assert_eq!(overtaken.load(Ordering::SeqCst), 63);
        assert_eq!(account.state().second_factor_failures(), 0);
        assert_eq!(world.codes_refused(), refused_before);
    }
}

/// Phone holder (THREATS.md; NIST SP 800-63B-4 §4.1.2.1): a first login past the password and
/// the PIN before the token was enrolled elsewhere is sent to the token's code, and cannot
/// enroll another over it. Before, it did, and the first token stopped working.
#[test]
fn a_stale_first_login_cannot_replace_the_token_on_every_store() {
    for backing in backings("tollgate_attack_stale") {
        let world = world(backing.store.clone(), Config::default(), 5);
        let key = world.past_the_password();
        let stale = world
            .service
            .submit(
                &key,
                Input::Pin(world.outbox.last_pin().unwrap()),
                tollgate::Client::default(),
            )
            .unwrap()
            .login;
        let token = world.enroll();
        let view = world
            .service
            .submit(
                &stale,
                Input::ChooseEnrollment(EnrollmentKind::Desktop),
                tollgate::Client::default(),
            )
            .unwrap();
        assert_eq!(view.notice.map(|n| n.id), Some(MessageId::AlreadyEnrolled));
        assert!(matches!(view.screen, Screen::EnterTokenCode { .. }));
        world.clock.advance(30);
        let code = token.generate(world.service.now()).unwrap().to_string();
        let view = world
            .service
            .submit(
                &view.login,
                Input::TokenCode(code),
                tollgate::Client::default(),
            )
            .unwrap();
        assert!(
            view.authenticated().is_some(),
            "{}: the first token works",
            backing.name
        );
    }
}
