//! Deliveries through the router: an `AsyncDelivery` awaited on the request's task (its
//! failures retried on Tokio's paused clock, then voided and said), the blocking pool free
//! while a send is slow and the busy page when it is not, and mail through a real SMTP server
//! with lettre's Tokio transport (`.ci/run` starts one; SKIPPED without it).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use common::{Browser, clock, serve, service, service_with};
use tollgate::login::{Destination, Notification, UserId};
use tollgate::otp::Pin;
use tollgate::{AsyncDelivery, DeliveryError, DeliveryFuture, Outbox};
use tollgate_axum::{Login, WebConfig};

use crate::common;

const PEER: [u8; 4] = [192, 0, 2, 1];
const JOHN: &str = "john.smith@example.com";

/// An async gateway: refuses its next `failing` sends as a gateway that is down would, keeps
/// the PINs it sends, and, when `gate` is set, holds every send until the test opens it.
#[derive(Default)]
struct Gateway {
    failing: AtomicUsize,
    tries: AtomicUsize,
    pins: Mutex<Vec<String>>,
    gate: Option<tokio::sync::Semaphore>,
}

impl AsyncDelivery for Gateway {
    fn send_pin<'a>(&'a self, _: &'a Destination, pin: &'a Pin) -> DeliveryFuture<'a> {
        Box::pin(async move {
            self.tries.fetch_add(1, Ordering::SeqCst);
            if let Some(gate) = &self.gate {
                drop(gate.acquire().await.unwrap());
            }
            let failing = self
                .failing
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
            if failing.is_ok() {
                return Err(DeliveryError::Transient("503 from the gateway".into()));
            }
            let digits = pin.expose_secret().to_owned();
            self.pins.lock().unwrap().push(digits);
            Ok(())
        })
    }

    fn notify<'a>(
        &'a self,
        _: &'a Destination,
        _: &'a UserId,
        _: Notification,
    ) -> DeliveryFuture<'a> {
        Box::pin(async { Ok(()) })
    }

    fn password_help<'a>(&'a self, _: &'a UserId) -> DeliveryFuture<'a> {
        Box::pin(async { Ok(()) })
    }
}

/// John's browser at the PIN step, through a router whose PINs go out by `gateway`.
async fn to_the_pin(login: &Login) -> (Browser, StatusCode) {
    let mut browser = Browser::open(&serve(login, PEER)).await;
    assert_eq!(browser.submit("user_id", JOHN).await, StatusCode::SEE_OTHER);
    let status = browser.submit("password", "right password").await;
    (browser, status)
}

#[tokio::test(start_paused = true)]
async fn a_pin_the_gateway_refuses_is_tried_three_times_then_voided_and_said() {
    let clock = clock();
    let outbox = Outbox::new();
    let service = service_with(Arc::new(outbox.clone()), clock.clone());
    let gateway = Arc::new(Gateway {
        failing: AtomicUsize::new(3),
        ..Gateway::default()
    });
    let login = Login::new(service, WebConfig::default().with_delivery(gateway.clone()));
    let started = tokio::time::Instant::now();
    let (mut browser, status) = to_the_pin(&login).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Three tries, 200 ms then 400 ms apart on the paused clock; none through the service's
    // own delivery.
    assert_eq!(gateway.tries.load(Ordering::SeqCst), 3);
    assert_eq!(started.elapsed(), Duration::from_millis(600));
    assert!(outbox.messages().is_empty());
    assert_eq!(browser.screen(), "enter-pin");
    assert!(
        browser
            .page
            .contains("We could not send the one-time password"),
        "{}",
        browser.page
    );
    assert!(!browser.page.contains("We sent it to"), "{}", browser.page);
    // The gateway is back: after the resend interval, a new PIN goes out and logs John in.
    clock.advance(60);
    assert_eq!(browser.submit("resend", "").await, StatusCode::SEE_OTHER);
    let pin = gateway.pins.lock().unwrap().last().cloned().unwrap();
    assert_eq!(gateway.tries.load(Ordering::SeqCst), 4);
    assert_eq!(browser.submit("pin", &pin).await, StatusCode::SEE_OTHER);
    assert_eq!(browser.screen(), "choose-enrollment", "{}", browser.page);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_send_holds_no_turn_of_the_blocking_pool() {
    let gateway = Arc::new(Gateway {
        gate: Some(tokio::sync::Semaphore::new(0)),
        ..Gateway::default()
    });
    // One turn, and no wait for it: a request that finds it taken is answered busy at once.
    let config = WebConfig::default()
        .with_blocking(1, Duration::ZERO)
        .with_delivery(gateway.clone());
    let login = Login::new(service(), config);
    let slow = tokio::spawn({
        let login = login.clone();
        async move { to_the_pin(&login).await.1 }
    });
    while gateway.tries.load(Ordering::SeqCst) == 0 {
        tokio::task::yield_now().await;
    }
    // John's PIN is on its way, slowly; another visitor's page still has the pool.
    let other = Browser::open(&serve(&login, [198, 51, 100, 7])).await;
    assert_eq!(other.screen(), "enter-user-id");
    gateway.gate.as_ref().unwrap().add_permits(1);
    assert_eq!(slow.await.unwrap(), StatusCode::SEE_OTHER);
    assert_eq!(gateway.pins.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_resets_pin_does_not_hold_up_its_page() {
    let gateway = Arc::new(Gateway {
        gate: Some(tokio::sync::Semaphore::new(0)),
        ..Gateway::default()
    });
    let service = service();
    let ann = "ann@example.com";
    service
        .register_user(ann, "forgotten", Some("+1 613 555 0100"), Some(ann))
        .unwrap();
    let login = Login::new(service, WebConfig::default().with_delivery(gateway.clone()));
    let mut browser = Browser::open(&serve(&login, PEER)).await;
    browser.submit("user_id", ann).await;
    assert_eq!(browser.submit("forgot", "").await, StatusCode::SEE_OTHER);
    // The gateway holds every send, and the page comes back all the same.
    assert_eq!(
        browser.submit("no_authenticator", "").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(browser.screen(), "reset-pin", "{}", browser.page);
    assert!(gateway.pins.lock().unwrap().is_empty());
    gateway.gate.as_ref().unwrap().add_permits(1);
    // The send is a task of its own: it finishes once it gets its turn.
    for _ in 0..1000 {
        if !gateway.pins.lock().unwrap().is_empty() {
            break;
        }
        tokio::task::yield_now().await;
    }
    let pin = gateway.pins.lock().unwrap().last().cloned();
    let pin = pin.expect("the reset's PIN went out once the gateway let it");
    browser.submit("pin", &pin).await;
    assert!(
        browser.page.contains("Step 2 of 2"),
        "the reset's PIN was not taken: {}",
        browser.page
    );
}

/// A blocking delivery that holds its thread until the test lets it go.
struct Stuck {
    entered: std::sync::mpsc::SyncSender<()>,
    release: Mutex<std::sync::mpsc::Receiver<()>>,
}

impl tollgate::Delivery for Stuck {
    fn send_pin(&self, _: &Destination, _: &Pin) -> Result<(), DeliveryError> {
        self.entered.send(()).unwrap();
        self.release.lock().unwrap().recv().unwrap();
        Ok(())
    }

    fn notify(&self, _: &Destination, _: &UserId, _: Notification) -> Result<(), DeliveryError> {
        Ok(())
    }

    fn password_help(&self, _: &UserId) -> Result<(), DeliveryError> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_pool_taken_the_next_request_is_answered_busy() {
    let (entered, sending) = std::sync::mpsc::sync_channel(1);
    let (release, released) = std::sync::mpsc::sync_channel(1);
    let stuck = Stuck {
        entered,
        release: Mutex::new(released),
    };
    let config = WebConfig::default().with_blocking(1, Duration::ZERO);
    let login = Login::new(service_with(Arc::new(stuck), clock()), config);
    let slow = tokio::spawn({
        let login = login.clone();
        async move { to_the_pin(&login).await.1 }
    });
    // The service's own (blocking) delivery holds the one turn while it sends.
    tokio::task::spawn_blocking(move || sending.recv().unwrap())
        .await
        .unwrap();
    let (status, _, body) = common::send(
        &serve(&login, [198, 51, 100, 7]),
        common::get("/", None, &[]),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("busy"), "{body}");
    release.send(()).unwrap();
    assert_eq!(slow.await.unwrap(), StatusCode::SEE_OTHER);
}

/// The SMTP server `.ci/run` starts (`TOLLGATE_SMTP=host:port`) and its Maildir.
fn smtp_server() -> Option<(String, u16, std::path::PathBuf)> {
    let found = std::env::var("TOLLGATE_SMTP").ok().and_then(|address| {
        let (host, port) = address.rsplit_once(':')?;
        let maildir = std::env::var_os("TOLLGATE_SMTP_MAILDIR")?;
        Some((host.to_owned(), port.parse().ok()?, maildir.into()))
    });
    if found.is_none() {
        assert!(
            std::env::var_os("TOLLGATE_REQUIRE_SMTP").is_none(),
            "TOLLGATE_REQUIRE_SMTP is set but TOLLGATE_SMTP and TOLLGATE_SMTP_MAILDIR are not"
        );
        eprintln!(
            "*** SKIPPED the async SMTP test: no server. .ci/run starts one (python3 -m \
             aiosmtpd) and sets TOLLGATE_SMTP and TOLLGATE_SMTP_MAILDIR. ***"
        );
    }
    found
}

/// The PIN in a mail of the Maildir sent from `from`.
fn pin_from(maildir: &std::path::Path, from: &str) -> Option<String> {
    std::fs::read_dir(maildir.join("new"))
        .ok()?
        .filter_map(Result::ok)
        .find_map(|entry| {
            let mail = std::fs::read_to_string(entry.path()).ok()?;
            if !mail.contains(from) {
                return None;
            }
            let at = mail.find("one-time password is ")? + 21;
            Some(mail.get(at..at + 6)?.to_owned())
        })
}

#[tokio::test]
async fn the_pin_arrives_through_lettres_tokio_transport() {
    use tollgate::lettre::{AsyncSmtpTransport, Tokio1Executor};
    let Some((host, port, maildir)) = smtp_server() else {
        return;
    };
    // A sender of this run alone, so that the mail is found among the other tests' mail.
    let from = format!("tollgate-axum-{}@example.com", std::process::id());
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .timeout(Some(Duration::from_secs(5)))
        .build();
    let mail = tollgate::AsyncSmtpDelivery::new(transport, &from).unwrap();
    let outbox = Outbox::new();
    let service = service_with(Arc::new(outbox.clone()), clock());
    let login = Login::new(service, WebConfig::default().with_delivery(Arc::new(mail)));
    let (mut browser, status) = to_the_pin(&login).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(browser.page.contains("We sent it to"), "{}", browser.page);
    assert!(outbox.messages().is_empty());
    // The server files the message before it answers the DATA command.
    let pin = pin_from(&maildir, &from).expect("the PIN's mail arrived");
    assert_eq!(browser.submit("pin", &pin).await, StatusCode::SEE_OTHER);
    assert_eq!(browser.screen(), "choose-enrollment", "{}", browser.page);
}
