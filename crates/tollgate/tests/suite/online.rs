//! The registration address ([`Service::register_online`]) over every store: the mobile path
//! finishes with the app's own report and the user's OK, and strangers who learn a serial
//! number get nothing.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use std::net::IpAddr;

use common::{JOHN, World, backings, world};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng as _, SeedableRng};
use tollgate::codes::{RegistrationRequest, RegistrationScheme, RequestError, TokenActivation};
use tollgate::login::{
    AuditEvent, Config, EnrollmentKind, Input, LoginKey, MAX_ONLINE_FAILURES, MessageId,
    OnlineOutcome, Screen,
};
use tollgate::provision::SecureActivation;
use tollgate::{Client, OnlineAnswer, Service};

fn from(address: &str) -> Client {
    Client {
        address: Some(address.parse::<IpAddr>().unwrap()),
        device: None,
    }
}

/// John past the PIN at the mobile page: the login's key and what the app reads from the QR
/// code with the activation password.
fn at_the_mobile_page(world: &World) -> (LoginKey, TokenActivation) {
    let key = world.past_the_password();
    let service = &world.service;
    let view = service
        .submit(
            &key,
            Input::Pin(world.outbox.last_pin().unwrap()),
            Client::default(),
        )
        .unwrap();
    let view = service
        .submit(
            &view.login,
            Input::ChooseEnrollment(EnrollmentKind::Mobile),
            Client::default(),
        )
        .unwrap();
    let Screen::MobileActivation(page) = &view.screen else {
        panic!("{:?}", view.screen)
    };
    assert!(!page.registration_arrived);
    let scanned = SecureActivation::decode(&page.qr_uri, &page.password).unwrap();
    assert_eq!(
        scanned.registration_url(),
        Some(service.config().registration_address())
    );
    let app = TokenActivation::new(
        scanned.serial(),
        scanned.activation_code().clone(),
        scanned.policy().cloned(),
    );
    (view.login, app)
}

fn ok(service: &Service, key: &LoginKey) -> tollgate::View {
    service
        .submit(key, Input::RegistrationArrived, Client::default())
        .unwrap()
}

#[test]
fn the_app_registers_online_and_ok_finishes_the_enrollment() {
    for backing in backings("tollgate_online_happy") {
        let world = world(backing.store.clone(), Config::default(), 11);
        let service = &world.service;
        let (key, app) = at_the_mobile_page(&world);
        // OK too soon: told so, nothing counted.
        let view = ok(service, &key);
        assert_eq!(
            view.notice.map(|n| n.id),
            Some(MessageId::RegistrationNotArrived)
        );
        assert_eq!(world.account().state().second_factor_failures(), 0);

        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let (code, token) = app.register(&mut rng);
        let body = RegistrationRequest::new(&app, &code).to_json();
        let reply = service
            .register_online(body.as_bytes(), from("192.0.2.7"))
            .unwrap();
        assert_eq!(reply, OnlineAnswer::Decided(OnlineOutcome::Registered));
        assert_eq!(reply.name(), "registered");
        // A retry after a lost answer changes nothing.
        let again = service
            .register_online(body.as_bytes(), from("192.0.2.7"))
            .unwrap();
        assert_eq!(
            again,
            OnlineAnswer::Decided(OnlineOutcome::AlreadyRegistered)
        );
        assert!(again.is_registered());

        let view = service.view(&view.login).unwrap();
        let Screen::MobileActivation(page) = &view.screen else {
            panic!("{:?}", view.screen)
        };
        assert!(page.registration_arrived);
        let view = ok(service, &view.login);
        assert!(
            matches!(view.screen, Screen::Enrolled { .. }),
            "{}: {:?}",
            backing.name,
            view.screen
        );
        let view = service
            .submit(&view.login, Input::Continue, Client::default())
            .unwrap();
        assert!(view.authenticated().is_some());
        let events = world.audit.events();
        assert!(events.iter().any(|e| matches!(
            e,
            AuditEvent::RegistrationReceived { serial, .. } if *serial == app.serial()
        )));

        // Later logins take the app's codes; the activation cannot be registered again.
        world.clock.advance(30);
        let key = world.past_the_password();
        let code_now = token.totp().generate(service.now()).unwrap().to_string();
        let view = service
            .submit(&key, Input::TokenCode(code_now), Client::default())
            .unwrap();
        assert_eq!(view.authenticated().map(|u| u.as_str()), Some(JOHN));
        let used = service
            .register_online(body.as_bytes(), from("192.0.2.7"))
            .unwrap();
        assert_eq!(
            used,
            OnlineAnswer::Decided(OnlineOutcome::Refused),
            "{}",
            backing.name
        );
    }
}

/// Stranger (THREATS.md; "a stranger who learns a serial cannot register", issue 15): knows
/// John's serial number (it is on the desktop screen, the QR code's holder may show it) and
/// sends registrations with every proof and code they like, from a thousand addresses, for a
/// week of virtual time. They must get no registration filed, no more than
/// `MAX_ONLINE_FAILURES` checks, and no lockout of John, who then finishes by typing Response.
/// Under both schemes: under `tollgate` the registration code's validation field is keyed by
/// the activation code too, but under `any-field` (the vendor's apps) the proof alone stands
/// between the stranger and John's enrollment.
#[test]
fn a_stranger_with_the_serial_registers_nothing_and_locks_nobody_out() {
    for scheme in [RegistrationScheme::Tollgate, RegistrationScheme::AnyField] {
        stranger_plays(scheme);
    }
}

fn stranger_plays(scheme: RegistrationScheme) {
    let world = world(
        std::sync::Arc::new(tollgate::MemoryStore::new()),
        Config::default().with_registration_scheme(scheme),
        12,
    );
    let service = &world.service;
    let (key, app) = at_the_mobile_page(&world);
    let serial = app.serial().to_string();
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    let (mut filed, mut sent) = (0, 0);
    for hour in 0..7 * 24 {
        for i in 0..40 {
            // A registration code of the stranger's own token (a valid one, Luhn and all) and
            // a proof they cannot compute.
            let stranger = TokenActivation::new(
                app.serial(),
                tollgate::codes::ActivationCode::generate(&mut rng),
                None,
            );
            let code = stranger.registration_code(&mut rng);
            let body = if i % 2 == 0 {
                RegistrationRequest::new(&stranger, &code)
                    .to_json()
                    .to_string()
            } else {
                let mut bytes = [0u8; 32];
                rng.fill_bytes(&mut bytes);
                let proof: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                format!(
                    r#"{{"v":1,"serial":"{serial}","registration_code":"{code}","proof":"{proof}"}}"#
                )
            };
            let address = format!("198.51.{}.{}", hour % 250, i + 1);
            let reply = service
                .register_online(body.as_bytes(), from(&address))
                .unwrap();
            sent += 1;
            filed += usize::from(reply.is_registered());
        }
        world.clock.advance(3600);
        if hour % 12 == 0 {
            // John's page stays alive while he looks at it.
            let _ = service.view(&key);
        }
    }
    let refused_checks = world
        .audit
        .events()
        .iter()
        .filter(|e| {
            matches!(
                e,
                AuditEvent::RegistrationRefused {
                    reason: "wrong proof",
                    ..
                }
            )
        })
        .count();
    println!(
        "stranger ({scheme}): {sent} registrations sent, {filed} filed, {refused_checks} checked"
    );
    assert_eq!(filed, 0);
    assert!(refused_checks <= MAX_ONLINE_FAILURES as usize);
    let account = world.account();
    assert_eq!(account.state().second_factor_failures(), 0);
    assert!(account.state().locked_until().is_none());
}

/// A registration of the stranger's own token for `app`'s serial number: a valid code, with a
/// proof made from activation data the stranger made up.
fn strangers_registration(app: &TokenActivation, rng: &mut ChaCha20Rng) -> String {
    let stranger = TokenActivation::new(
        app.serial(),
        tollgate::codes::ActivationCode::generate(rng),
        None,
    );
    let code = stranger.registration_code(rng);
    RegistrationRequest::new(&stranger, &code)
        .to_json()
        .to_string()
}

/// The same as above within the activation's lifetime, where John is still at the page: once
/// the stranger spent the activation's checks, John's app cannot register online, but typing
/// its code into Response still enrolls him (the way back).
#[test]
fn after_a_stranger_spent_the_checks_response_still_works() {
    let world = world(
        std::sync::Arc::new(tollgate::MemoryStore::new()),
        Config::default(),
        13,
    );
    let service = &world.service;
    let (key, app) = at_the_mobile_page(&world);
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    for i in 0..3 * MAX_ONLINE_FAILURES {
        let body = strangers_registration(&app, &mut rng);
        let reply = service
            .register_online(
                body.as_bytes(),
                from(&format!("203.0.{}.{}", i / 200, i % 200 + 1)),
            )
            .unwrap();
        assert!(!reply.is_registered());
    }
    let (code, _) = app.register(&mut rng);
    let body = RegistrationRequest::new(&app, &code).to_json();
    let reply = service
        .register_online(body.as_bytes(), from("192.0.2.7"))
        .unwrap();
    assert_eq!(reply, OnlineAnswer::Decided(OnlineOutcome::TooManyFailures));
    let view = service
        .submit(
            &key,
            Input::RegistrationCode(code.to_string()),
            Client::default(),
        )
        .unwrap();
    assert!(
        matches!(view.screen, Screen::Enrolled { .. }),
        "{:?}",
        view.screen
    );
}

/// Stranger with the serial number, from one network: 30 wrong registrations. Before, the 10th
/// spent the activation's checks for everyone and the genuine app, from its own network, was
/// refused (`TooManyFailures`). Now the failures count per (serial, network): the stranger's
/// network is refused unchecked, the app registers.
#[test]
fn a_stranger_s_network_does_not_block_the_genuine_app() {
    let world = world(
        std::sync::Arc::new(tollgate::MemoryStore::new()),
        Config::default(),
        15,
    );
    let service = &world.service;
    let (_key, app) = at_the_mobile_page(&world);
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    for _ in 0..30 {
        let body = strangers_registration(&app, &mut rng);
        let reply = service
            .register_online(body.as_bytes(), from("198.51.100.66"))
            .unwrap();
        assert!(!reply.is_registered());
    }
    let (code, _) = app.register(&mut rng);
    let body = RegistrationRequest::new(&app, &code).to_json();
    let reply = service
        .register_online(body.as_bytes(), from("192.0.2.7"))
        .unwrap();
    assert_eq!(reply, OnlineAnswer::Decided(OnlineOutcome::Registered));
}

/// Unknown serial numbers and wrong proofs get the same answer; bad bodies say what to fix;
/// a network that keeps failing is throttled.
#[test]
fn answers_tell_a_token_what_to_fix_and_a_prober_nothing() {
    let world = world(
        std::sync::Arc::new(tollgate::MemoryStore::new()),
        Config::default(),
        14,
    );
    let service = &world.service;
    let (_, app) = at_the_mobile_page(&world);
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let (code, _) = app.register(&mut rng);
    let good = RegistrationRequest::new(&app, &code).to_json().to_string();
    let unknown = TokenActivation::new("69350-19387".parse().unwrap(), app_code(&mut rng), None);
    let unknown_body = RegistrationRequest::new(&unknown, &code).to_json();
    let wrong_proof = {
        let at = good.find("\"proof\":\"").unwrap() + 9;
        let mut b = good.clone().into_bytes();
        b[at] = if b[at] == b'0' { b'1' } else { b'0' };
        String::from_utf8(b).unwrap()
    };
    let a = service
        .register_online(unknown_body.as_bytes(), from("192.0.2.1"))
        .unwrap();
    let b = service
        .register_online(wrong_proof.as_bytes(), from("192.0.2.1"))
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(a, OnlineAnswer::Decided(OnlineOutcome::Refused));
    let bad = service
        .register_online(b"{\"serial\":1}", from("192.0.2.1"))
        .unwrap();
    assert!(
        matches!(bad, OnlineAnswer::Malformed(RequestError::Json(_))),
        "{bad:?}"
    );
    assert_eq!(bad.name(), "malformed");
    let big = vec![b' '; 5000];
    assert_eq!(
        service.register_online(&big, from("192.0.2.1")).unwrap(),
        OnlineAnswer::Malformed(RequestError::TooLong)
    );
    let bad_serial = good.replacen(&app.serial().to_string(), "12345-67890", 1);
    let reply = service
        .register_online(bad_serial.as_bytes(), from("192.0.2.1"))
        .unwrap();
    assert!(
        matches!(reply, OnlineAnswer::Malformed(RequestError::Serial(_))),
        "{reply:?}"
    );

    // The network's budget (50 an hour by default) runs out; another network is not held.
    let mut throttled = 0;
    for _ in 0..60 {
        let reply = service
            .register_online(unknown_body.as_bytes(), from("192.0.2.1"))
            .unwrap();
        throttled += usize::from(matches!(
            reply,
            OnlineAnswer::Throttled { .. } | OnlineAnswer::Decided(OnlineOutcome::TooManyFailures)
        ));
    }
    assert!(throttled >= 14, "{throttled}");
    let held = service
        .register_online(good.as_bytes(), from("192.0.2.1"))
        .unwrap();
    assert_eq!(held, OnlineAnswer::Throttled { retry_after: 3600 });
    let elsewhere = service
        .register_online(good.as_bytes(), from("192.0.2.200"))
        .unwrap();
    assert!(elsewhere.is_registered());
}

fn app_code(rng: &mut ChaCha20Rng) -> tollgate::codes::ActivationCode {
    tollgate::codes::ActivationCode::generate(rng)
}
