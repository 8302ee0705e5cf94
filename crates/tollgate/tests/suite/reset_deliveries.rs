//! A password reset's messages do not hold up the answer (THREATS.md: a stranger who knows
//! User IDs times the reset's steps to learn which are accounts; only a real account's send a
//! PIN). The delivery here holds every PIN at a gate the test opens: the reset's screen comes
//! back while its PIN is still held, the PIN goes out once the gate opens, and it works. A
//! login's PIN (behind the password) still goes out before its answer, which says whether it
//! did. No sleep: the gate is a condition variable, and its only wait is a guard against a hang.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tollgate::login::{Destination, Input, Notification, Screen, UserId};
use tollgate::otp::Pin;
use tollgate::{Delivered, Delivery, DeliveryError, Outbox};

use crate::common;

use common::{JOHN, delivered, delivering, to_the_pin};

/// An outbox whose PINs wait at a gate until it opens.
#[derive(Clone)]
struct Gated {
    outbox: Outbox,
    gate: Arc<(Mutex<bool>, Condvar)>,
    /// PINs that gave up waiting: the service held its answer for them.
    hung: Arc<Mutex<usize>>,
}

impl Gated {
    fn new() -> Self {
        Self {
            outbox: Outbox::new(),
            gate: Arc::new((Mutex::new(false), Condvar::new())),
            hung: Arc::new(Mutex::new(0)),
        }
    }

    fn open(&self) {
        *self.gate.0.lock().unwrap() = true;
        self.gate.1.notify_all();
    }

    fn pins(&self) -> usize {
        self.outbox
            .messages()
            .iter()
            .filter(|m| matches!(m, Delivered::Pin { .. }))
            .count()
    }
}

impl Delivery for Gated {
    fn send_pin(&self, to: &Destination, pin: &Pin) -> Result<(), DeliveryError> {
        let (open, opened) = &*self.gate;
        // A guard, not a timing: a service that waited for this send would hang here.
        let (_open, waited) = opened
            .wait_timeout_while(open.lock().unwrap(), Duration::from_secs(30), |o| !*o)
            .unwrap();
        if waited.timed_out() {
            *self.hung.lock().unwrap() += 1;
        }
        self.outbox.send_pin(to, pin)
    }

    fn notify(
        &self,
        to: &Destination,
        user: &UserId,
        notification: Notification,
    ) -> Result<(), DeliveryError> {
        self.outbox.notify(to, user, notification)
    }

    fn password_help(&self, user: &UserId) -> Result<(), DeliveryError> {
        self.outbox.password_help(user)
    }
}

/// User ID, then "Password locked or forgotten?", then "I no longer have my authenticator".
fn reset_without_token(service: &tollgate::Service, user: &str) -> tollgate::View {
    let view = service.start().unwrap();
    let view = service
        .submit(
            &view.login,
            Input::UserId(user.into()),
            tollgate::Client::default(),
        )
        .unwrap();
    let view = service
        .submit(
            &view.login,
            Input::ForgotPassword,
            tollgate::Client::default(),
        )
        .unwrap();
    assert!(matches!(view.screen, Screen::ResetStart { .. }));
    service
        .submit(
            &view.login,
            Input::NoAuthenticator,
            tollgate::Client::default(),
        )
        .unwrap()
}

#[test]
fn a_resets_pin_goes_out_after_the_answer_and_works() {
    let gated = Gated::new();
    let w = delivering(Arc::new(gated.clone()), Some("+1 613 270 1234"));
    let view = reset_without_token(&w.service, JOHN);
    assert!(
        matches!(view.screen, Screen::ResetPin { .. }),
        "{:?}",
        view.screen
    );
    // The answer is here; the PIN is still at the gate.
    assert_eq!(gated.pins(), 0, "the answer waited for the PIN");
    gated.open();
    w.service.wait_for_deliveries();
    assert_eq!(gated.pins(), 1);
    assert_eq!(*gated.hung.lock().unwrap(), 0);
    let pin = gated.outbox.last_pin().unwrap();
    let view = w
        .service
        .submit(&view.login, Input::Pin(pin), tollgate::Client::default())
        .unwrap();
    assert!(
        matches!(
            view.screen,
            Screen::ResetPin { .. } | Screen::NewPassword { .. }
        ),
        "the reset's PIN was not taken: {:?}",
        view.screen
    );
    assert!(view.notice.is_none(), "{:?}", view.notice);
}

#[test]
fn a_strangers_reset_sends_nothing_and_answers_alike() {
    let gated = Gated::new();
    let w = delivering(Arc::new(gated.clone()), Some("+1 613 270 1234"));
    let john = reset_without_token(&w.service, JOHN);
    let stranger = reset_without_token(&w.service, "jane.doe@example.com");
    assert_eq!(
        std::mem::discriminant(&john.screen),
        std::mem::discriminant(&stranger.screen)
    );
    assert_eq!(john.notice, stranger.notice);
    gated.open();
    w.service.wait_for_deliveries();
    // John's one PIN, none for the stranger.
    assert_eq!(gated.pins(), 1);
}

#[test]
fn a_logins_pin_still_goes_out_before_its_answer() {
    let gated = Gated::new();
    gated.open();
    let w = delivering(Arc::new(gated.clone()), Some("+1 613 270 1234"));
    let view = to_the_pin(&w.service);
    // Behind the password, the page says whether the PIN went: it was sent before the answer.
    assert_eq!(delivered(&view), Some(true));
    assert_eq!(gated.pins(), 1);
    let pin = gated.outbox.last_pin().unwrap();
    let view = w
        .service
        .submit(&view.login, Input::Pin(pin), tollgate::Client::default())
        .unwrap();
    assert!(matches!(view.screen, Screen::ChooseEnrollment { .. }));
}
