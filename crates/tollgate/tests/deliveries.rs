//! Deliveries that can fail: a PIN the gateway does not take is tried again with growing waits
//! until the policy's deadline, then voided and not counted as sent; the page says it was not
//! sent; the user tries again (after the resend interval) or takes the alternative, and logs in
//! once the gateway is back. No real sleep: the service's waits are recorded.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::login::{AuditEvent, Input, MessageId, Screen};
use tollgate::otp::UnixTime;
use tollgate::{
    AuditLog, Delivered, DeliveryError, ManualClock, Outbox, RetryPolicy, Service, danger,
};

const JOHN: &str = "john.smith@example.com";
const PASSWORD: &str = "correct horse battery staple";

struct World {
    service: Service,
    outbox: Outbox,
    audit: AuditLog,
    clock: ManualClock,
    waits: Arc<Mutex<Vec<Duration>>>,
}

fn world() -> World {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let outbox = Outbox::new();
    let audit = AuditLog::default();
    let clock = ManualClock::new(UnixTime::from_secs(1_700_000_000));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let record = waits.clone();
    let service = Service::builder()
        .delivery(Arc::new(outbox.clone()))
        .audit(Arc::new(audit.clone()))
        .clock(Arc::new(clock.clone()))
        .passwords(danger::weak_passwords_for_tests(&mut rng).unwrap())
        .sleep(Arc::new(move |wait| record.lock().unwrap().push(wait)))
        .rng(Box::new(rng))
        .build()
        .unwrap();
    service
        .register_user(JOHN, PASSWORD, Some("+1 613 270 1234"), Some(JOHN))
        .unwrap();
    World {
        service,
        outbox,
        audit,
        clock,
        waits,
    }
}

fn pins(outbox: &Outbox) -> usize {
    outbox
        .messages()
        .iter()
        .filter(|m| matches!(m, Delivered::Pin { .. }))
        .count()
}

#[test]
fn a_pin_the_gateway_does_not_take_is_not_counted_and_the_page_says_so() {
    let w = world();
    w.outbox.fail_next(usize::MAX);
    let view = w.service.start().unwrap();
    let view = w
        .service
        .submit(&view.login, Input::UserId(JOHN.into()))
        .unwrap();
    let view = w
        .service
        .submit(&view.login, Input::Password(PASSWORD.to_owned().into()))
        .unwrap();
    let Screen::EnterPin { delivered, .. } = &view.screen else {
        panic!("{:?}", view.screen)
    };
    assert!(!delivered, "the page must not say the PIN was sent");
    assert_eq!(
        view.notice.as_ref().map(|n| n.id),
        Some(MessageId::SendFailed)
    );
    // Three tries with growing waits (the default policy: 200 ms, then 400 ms).
    assert_eq!(
        *w.waits.lock().unwrap(),
        [Duration::from_millis(200), Duration::from_millis(400)]
    );
    assert!(
        w.audit
            .events()
            .iter()
            .any(|e| matches!(e, AuditEvent::PinNotDelivered { .. }))
    );

    // The gateway stays down for twelve tries, one a resend interval (more than the login's five
    // sends and the hour's five SMS): nothing is counted, so both are whole when it is back.
    let mut key = view.login;
    for _ in 0..12 {
        w.clock.advance(31);
        let view = w.service.submit(&key, Input::ResendPin).unwrap();
        assert_eq!(
            view.notice.as_ref().map(|n| n.id),
            Some(MessageId::SendFailed)
        );
        key = view.login;
    }
    let john = JOHN.parse().unwrap();
    let account = w.service.store().user(&john).unwrap().unwrap().account;
    assert!(
        account.state.sms_sent.is_empty(),
        "{:?}",
        account.state.sms_sent
    );
    assert_eq!(pins(&w.outbox), 0);

    // Back up: the next resend goes, and the login finishes its PIN step.
    w.outbox.fail_next(0);
    w.clock.advance(31);
    let view = w.service.submit(&key, Input::ResendPin).unwrap();
    assert!(matches!(
        view.screen,
        Screen::EnterPin {
            delivered: true,
            ..
        }
    ));
    assert_eq!(view.notice, None);
    let view = w
        .service
        .submit(&view.login, Input::Pin(w.outbox.last_pin().unwrap()))
        .unwrap();
    assert!(
        matches!(view.screen, Screen::ChooseEnrollment { .. }),
        "{:?}",
        view.screen
    );
}

#[test]
fn the_voided_pin_is_refused_and_the_alternative_is_not_held() {
    let w = world();
    w.outbox.fail_next(1);
    let view = w.service.start().unwrap();
    let view = w
        .service
        .submit(&view.login, Input::UserId(JOHN.into()))
        .unwrap();
    // The first try fails, the second goes: a retry inside the policy is a success.
    let view = w
        .service
        .submit(&view.login, Input::Password(PASSWORD.to_owned().into()))
        .unwrap();
    assert!(matches!(
        view.screen,
        Screen::EnterPin {
            delivered: true,
            ..
        }
    ));
    assert_eq!(pins(&w.outbox), 1);
    // Now the SMS gateway is down for good; the e-mail goes at once, not held by the SMS.
    w.outbox.fail_next(3);
    w.clock.advance(31);
    let view = w.service.submit(&view.login, Input::ResendPin).unwrap();
    assert_eq!(
        view.notice.as_ref().map(|n| n.id),
        Some(MessageId::SendFailed)
    );
    let view = w
        .service
        .submit(&view.login, Input::AlternativeAuthentication)
        .unwrap();
    assert!(
        matches!(
            view.screen,
            Screen::EnterPin {
                delivered: true,
                ..
            }
        ),
        "{:?}",
        view.notice
    );
    let pin = w.outbox.last_pin().unwrap();
    let view = w.service.submit(&view.login, Input::Pin(pin)).unwrap();
    assert!(matches!(view.screen, Screen::ChooseEnrollment { .. }));
}

#[test]
fn the_policy_stops_at_its_deadline_and_at_a_permanent_failure() {
    let policy = RetryPolicy {
        attempts: 10,
        first: Duration::from_millis(100),
        deadline: Duration::from_millis(1000),
    };
    let w = world();
    let waits = w.waits.clone();
    let mut tries = 0;
    let transient: &mut dyn FnMut() -> Result<(), DeliveryError> = &mut || {
        tries += 1;
        Err(DeliveryError::Transient("timeout".into()))
    };
    // 100 + 200 + 400 = 700 ms waited; 800 more would pass the deadline: 4 tries.
    let sleep = |d| waits.lock().unwrap().push(d);
    let result = run(&policy, &sleep, transient);
    assert!(result.is_err());
    assert_eq!(tries, 4);
    let mut tries = 0;
    let permanent = run(&policy, &sleep, &mut || {
        tries += 1;
        Err(DeliveryError::Permanent("no such number".into()))
    });
    assert!(matches!(permanent, Err(DeliveryError::Permanent(_))));
    assert_eq!(tries, 1);
}

/// The policy as the service runs it, through a service whose delivery is `send`.
fn run(
    policy: &RetryPolicy,
    sleep: &dyn Fn(Duration),
    send: &mut dyn FnMut() -> Result<(), DeliveryError>,
) -> Result<(), DeliveryError> {
    policy.run(sleep, send)
}
