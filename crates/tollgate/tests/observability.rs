//! Every span and event of whole logins (a first login by the mobile path, the app registering
//! online, a wrong PIN, a wrong token code, a later login) is captured, field by field, and
//! none holds the password, a PIN, a code, activation data or a login key; the metrics count
//! what happened.
//!
//! Its own test binary: a subscriber set for one thread sees a callsite only if no other
//! thread's test decided first that nobody listens to it (tracing caches that per process).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

#[path = "suite/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use common::{JOHN, PASSWORD, world};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::codes::{RegistrationRequest, TokenActivation};
use tollgate::login::{Config, EnrollmentKind, Input, Screen};
use tollgate::provision::SecureActivation;
use tollgate::{Client, MemoryStore};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

/// Everything the service told the tracing subscriber, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<String>>);

impl Visit for Captured {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0.lock().unwrap(), "{}={value:?} ", field.name());
    }
}

impl<S: Subscriber> Layer<S> for Captured {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let _ = write!(
            self.0.lock().unwrap(),
            "\n[span {}] ",
            attrs.metadata().name()
        );
        attrs.record(&mut self.clone());
    }

    fn on_record(&self, _: &Id, values: &Record<'_>, _: Context<'_, S>) {
        values.record(&mut self.clone());
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let _ = write!(self.0.lock().unwrap(), "\n[{}] ", event.metadata().target());
        event.record(&mut self.clone());
    }
}

#[test]
fn no_secret_in_any_span_or_event_and_the_metrics_count() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(captured.clone());
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let mut secrets: Vec<String> = vec![PASSWORD.into()];
    tracing::subscriber::with_default(subscriber, || {
        metrics::with_local_recorder(&recorder, || {
            let world = world(Arc::new(MemoryStore::new()), Config::default(), 31);
            let service = &world.service;
            let key = world.past_the_password();
            secrets.push(key.expose_secret().to_string());
            let pin = world.outbox.last_pin().unwrap();
            secrets.push(pin.clone());
            let wrong = if pin == "000000" { "111111" } else { "000000" };
            let view = service
                .submit(&key, Input::Pin(wrong.into()), Client::default())
                .unwrap();
            let view = service
                .submit(&view.login, Input::Pin(pin), Client::default())
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
            secrets.push(page.password.expose_secret().to_string());
            secrets.push(page.qr_uri.clone());
            let scanned = SecureActivation::decode(&page.qr_uri, &page.password).unwrap();
            let activation_code = scanned.activation_code().expose_grouped().to_string();
            secrets.push(activation_code.clone());
            secrets.push(activation_code.replace('-', ""));
            let app =
                TokenActivation::new(scanned.serial(), scanned.activation_code().clone(), None);
            let (code, token) = app.register(&mut ChaCha20Rng::seed_from_u64(4));
            secrets.push(code.to_string());
            let body = RegistrationRequest::new(&app, &code).to_json();
            let proof = body.split("\"proof\":\"").nth(1).unwrap()[..64].to_owned();
            secrets.push(proof);
            let reply = service
                .register_online(body.as_bytes(), Client::default())
                .unwrap();
            assert!(reply.is_registered());
            let view = service
                .submit(&view.login, Input::RegistrationArrived, Client::default())
                .unwrap();
            let Screen::Enrolled { recovery_codes, .. } = &view.screen else {
                panic!("{:?}", view.screen)
            };
            let recovery: Vec<String> = recovery_codes
                .iter()
                .map(|c| c.expose_grouped().to_string())
                .collect();
            for code in &recovery {
                secrets.push(code.clone());
                secrets.push(code.replace('-', ""));
            }
            let view = service
                .submit(&view.login, Input::Continue, Client::default())
                .unwrap();
            secrets.push(view.login.expose_secret().to_string());
            assert!(view.authenticated().is_some());

            world.clock.advance(60);
            let key = world.past_the_password();
            let code = token.totp().generate(service.now()).unwrap().to_string();
            secrets.push(code.clone());
            let wrong = if code == "000000" { "111111" } else { "000000" };
            let view = service
                .submit(&key, Input::TokenCode(wrong.into()), Client::default())
                .unwrap();
            let view = service
                .submit(&view.login, Input::TokenCode(code), Client::default())
                .unwrap();
            assert_eq!(view.authenticated().map(|u| u.as_str()), Some(JOHN));
            secrets.push(token.secret().expose_base32().to_string());

            // A reset: the token's code, its PIN, the new password.
            world.clock.advance(60);
            let view = service.start().unwrap();
            let view = service
                .submit(&view.login, Input::UserId(JOHN.into()), Client::default())
                .unwrap();
            let view = service
                .submit(&view.login, Input::ForgotPassword, Client::default())
                .unwrap();
            let code = token.totp().generate(service.now()).unwrap().to_string();
            secrets.push(code.clone());
            let view = service
                .submit(&view.login, Input::TokenCode(code), Client::default())
                .unwrap();
            let pin = world.outbox.last_pin().unwrap();
            secrets.push(pin.clone());
            let view = service
                .submit(&view.login, Input::Pin(pin), Client::default())
                .unwrap();
            let new = "tangerine lighthouse on a hill";
            secrets.push(new.into());
            let view = service
                .submit(
                    &view.login,
                    Input::NewPassword(new.to_owned().into()),
                    Client::default(),
                )
                .unwrap();
            assert!(
                matches!(view.screen, Screen::PasswordChanged { .. }),
                "{:?}",
                view.screen
            );
            // A lost token: the new password, a recovery code, its PIN.
            let view = service
                .submit(&view.login, Input::Continue, Client::default())
                .unwrap();
            let view = service
                .submit(
                    &view.login,
                    Input::Password(new.to_owned().into()),
                    Client::default(),
                )
                .unwrap();
            let view = service
                .submit(&view.login, Input::LostToken, Client::default())
                .unwrap();
            let view = service
                .submit(
                    &view.login,
                    Input::RecoveryCode(recovery[0].clone()),
                    Client::default(),
                )
                .unwrap();
            let pin = world.outbox.last_pin().unwrap();
            secrets.push(pin.clone());
            let view = service
                .submit(&view.login, Input::Pin(pin), Client::default())
                .unwrap();
            assert!(
                matches!(view.screen, Screen::ChooseEnrollment { .. }),
                "{:?}",
                view.screen
            );
        });
    });
    let log = captured.0.lock().unwrap().clone();
    println!("{} bytes of spans and events captured", log.len());
    if std::env::var_os("SHOW_TRACE").is_some() {
        println!("{log}");
    }
    assert!(
        log.contains("[span tollgate.submit] input=\"password\""),
        "{log}"
    );
    assert!(log.contains("screen=\"authenticated\""), "{log}");
    assert!(
        log.contains("[tollgate::audit]") && log.contains("TokenEnrolled"),
        "{log}"
    );
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "{secret:?} in the trace:\n{log}"
        );
    }

    let snapshot = snapshotter.snapshot().into_vec();
    let counter = |name: &str, label: Option<(&str, &str)>| -> u64 {
        snapshot
            .iter()
            .filter(|(key, _, _, _)| key.key().name() == name)
            .filter(|(key, _, _, _)| {
                label
                    .is_none_or(|(k, v)| key.key().labels().any(|l| l.key() == k && l.value() == v))
            })
            .map(|(_, _, _, value)| match value {
                DebugValue::Counter(n) => *n,
                _ => 0,
            })
            .sum()
    };
    assert_eq!(counter("tollgate_logins_started_total", None), 3);
    assert_eq!(
        counter(
            "tollgate_logins_finished_total",
            Some(("outcome", "authenticated"))
        ),
        2
    );
    assert_eq!(counter("tollgate_enrollments_total", None), 1);
    assert_eq!(
        counter("tollgate_failures_total", Some(("factor", "second_factor"))),
        2
    );
    assert_eq!(counter("tollgate_sends_total", Some(("channel", "sms"))), 3);
    assert_eq!(
        counter("tollgate_resets_total", Some(("step", "password_set"))),
        1
    );
    assert_eq!(
        counter("tollgate_recovery_total", Some(("step", "token_replaced"))),
        1
    );
    assert_eq!(
        counter(
            "tollgate_online_registrations_total",
            Some(("result", "registered"))
        ),
        1
    );
}
