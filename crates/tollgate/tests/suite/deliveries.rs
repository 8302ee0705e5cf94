//! Deliveries that can fail: a PIN the gateway does not take is tried again with growing waits
//! until the policy's deadline, then voided and not counted as sent; the page says it was not
//! sent; the user tries again (after the resend interval) or takes the alternative, and logs in
//! once the gateway is back. No real sleep: the service's waits are recorded.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::Arc;
use std::time::Duration;

use tollgate::login::{AuditEvent, Input, MessageId, Screen};
use tollgate::{Delivered, DeliveryError, Outbox, RetryPolicy};

use crate::common;

use common::{Delivering, delivered, delivering, to_the_pin};

/// The service over an outbox that can be told to fail, and the outbox.
fn world() -> (Delivering, Outbox) {
    let outbox = Outbox::new();
    (
        delivering(Arc::new(outbox.clone()), Some("+1 613 270 1234")),
        outbox,
    )
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
    let (w, outbox) = world();
    outbox.fail_next(usize::MAX);
    let view = to_the_pin(&w.service);
    assert_eq!(
        delivered(&view),
        Some(false),
        "the page must not say the PIN was sent"
    );
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
        let view = w
            .service
            .submit(&key, Input::ResendPin, tollgate::Client::default())
            .unwrap();
        assert_eq!(
            view.notice.as_ref().map(|n| n.id),
            Some(MessageId::SendFailed)
        );
        key = view.login;
    }
    let john = common::JOHN.parse().unwrap();
    let account = w.service.store().user(&john).unwrap().unwrap().account;
    assert!(
        account.state().sms_sent().is_empty(),
        "{:?}",
        account.state().sms_sent()
    );
    assert_eq!(pins(&outbox), 0);

    // Back up: the next resend goes, and the login finishes its PIN step.
    outbox.fail_next(0);
    w.clock.advance(31);
    let view = w
        .service
        .submit(&key, Input::ResendPin, tollgate::Client::default())
        .unwrap();
    assert_eq!(delivered(&view), Some(true));
    assert_eq!(view.notice, None);
    let view = w
        .service
        .submit(
            &view.login,
            Input::Pin(outbox.last_pin().unwrap()),
            tollgate::Client::default(),
        )
        .unwrap();
    assert!(
        matches!(view.screen, Screen::ChooseEnrollment { .. }),
        "{:?}",
        view.screen
    );
}

#[test]
fn the_voided_pin_is_refused_and_the_alternative_is_not_held() {
    let (w, outbox) = world();
    outbox.fail_next(1);
    // The first try fails, the second goes: a retry inside the policy is a success.
    let view = to_the_pin(&w.service);
    assert_eq!(delivered(&view), Some(true));
    assert_eq!(pins(&outbox), 1);
    // Now the SMS gateway is down for good; the e-mail goes at once, not held by the SMS.
    outbox.fail_next(3);
    w.clock.advance(31);
    let view = w
        .service
        .submit(&view.login, Input::ResendPin, tollgate::Client::default())
        .unwrap();
    assert_eq!(
        view.notice.as_ref().map(|n| n.id),
        Some(MessageId::SendFailed)
    );
    let view = w
        .service
        .submit(
            &view.login,
            Input::AlternativeAuthentication,
            tollgate::Client::default(),
        )
        .unwrap();
    assert_eq!(delivered(&view), Some(true), "{:?}", view.notice);
    let pin = outbox.last_pin().unwrap();
    let view = w
        .service
        .submit(&view.login, Input::Pin(pin), tollgate::Client::default())
        .unwrap();
    assert!(matches!(view.screen, Screen::ChooseEnrollment { .. }));
}

#[test]
fn the_policy_stops_at_its_deadline_and_at_a_permanent_failure() {
    let policy = RetryPolicy {
        attempts: 10,
        first: Duration::from_millis(100),
        deadline: Duration::from_millis(1000),
    };
    let (w, _) = world();
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
