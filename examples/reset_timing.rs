//! "Password locked or forgotten?" must answer a User ID that is no account as it answers one
//! that is (OWASP's Forgot Password cheat sheet): the same pages, and the same time, or the
//! time tells a stranger who has an account. This load driver times each step of the reset
//! for known and unknown users alike, on a SQLite file (a real commit) and, when
//! `TOLLGATE_POSTGRES_URL` is set, on PostgreSQL, with an SMS gateway that takes 30 ms, and
//! prints the medians side by side with their difference and the limit.
//!
//! Run: `cargo run --release -p tollgate-bench --example reset_timing [-- TRIALS]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tollgate::Store;
use tollgate::login::{Destination, Input, Notification, UserId};
use tollgate::otp::{Pin, UnixTime};
use tollgate::{Delivery, DeliveryError, ManualClock, Service, danger};
use tollgate_store_postgres::PostgresStore;
use tollgate_store_sqlite::SqliteStore;

/// The limit: a step's medians for known and unknown users differ by at most this much (well
/// under what a stranger can tell apart over the internet from a few hundred tries, and under
/// one commit's time).
const LIMIT: Duration = Duration::from_micros(250);

/// An input as typed.
type Typed = Input<zeroize::Zeroizing<String>>;

/// A step of the reset: its name, and its input.
type Step = (&'static str, fn() -> Typed);

#[expect(
    clippy::disallowed_methods,
    reason = "a load driver measures wall time: it is the application, not the library"
)]
fn now() -> Instant {
    Instant::now()
}

/// An SMS gateway that takes 30 ms to accept a message.
struct SlowGateway;

impl Delivery for SlowGateway {
    fn send_pin(&self, _: &Destination, _: &Pin) -> Result<(), DeliveryError> {
        std::thread::sleep(Duration::from_millis(30));
        Ok(())
    }

    fn notify(&self, _: &Destination, _: &UserId, _: Notification) -> Result<(), DeliveryError> {
        Ok(())
    }

    fn password_help(&self, _: &UserId) -> Result<(), DeliveryError> {
        Ok(())
    }
}

fn main() -> Result<(), String> {
    let trials: usize = std::env::args()
        .nth(1)
        .map_or(Ok(200), |n| n.parse())
        .map_err(|_| "usage: reset_timing [TRIALS]")?;
    let dir = std::env::temp_dir().join(format!("tollgate-reset-timing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let key = tollgate::SealingKey::new([7; 32]);
    let sqlite = SqliteStore::open(dir.join("t.db"), key.clone()).map_err(|e| e.to_string())?;
    let mut over = measure("SQLite", Arc::new(sqlite), trials)?;
    let _ = std::fs::remove_dir_all(&dir);
    match std::env::var("TOLLGATE_POSTGRES_URL") {
        Ok(url) => {
            let mut admin = tollgate_store_postgres::client(&url).map_err(|e| e.to_string())?;
            admin
                .batch_execute("DROP DATABASE IF EXISTS tollgate_timing WITH (FORCE)")
                .and_then(|()| admin.batch_execute("CREATE DATABASE tollgate_timing"))
                .map_err(|e| e.to_string())?;
            let url = tollgate_store_postgres::url_for_database(&url, "tollgate_timing");
            let store = PostgresStore::connect(&url, key).map_err(|e| e.to_string())?;
            over.extend(measure("PostgreSQL", Arc::new(store), trials)?);
        }
        Err(_) => println!("TOLLGATE_POSTGRES_URL is not set: PostgreSQL is not measured"),
    }
    if over.is_empty() {
        println!("every step within the limit");
        Ok(())
    } else {
        Err(format!("over the limit: {}", over.join(", ")))
    }
}

/// Times each step on `store`: the steps over the limit.
fn measure(name: &str, store: Arc<dyn Store>, trials: usize) -> Result<Vec<String>, String> {
    let clock = ManualClock::new(UnixTime::from_secs(1_700_000_000));
    let mut rng = tollgate::os_rng();
    let service = Service::builder()
        .store(store)
        .delivery(Arc::new(SlowGateway))
        .clock(Arc::new(clock.clone()))
        .passwords(danger::weak_passwords_for_tests(&mut rng).map_err(|e| e.to_string())?)
        .build()
        .map_err(|e| e.to_string())?;
    let known = "known@example.com";
    service
        .register_user(
            known,
            "correct horse battery staple",
            Some("+16132701234"),
            Some(known),
        )
        .map_err(|e| e.to_string())?;
    let unknown = "nobody@example.com";
    let steps: [Step; 3] = [
        ("a wrong code", || Input::TokenCode("000000".into())),
        ("no authenticator (a PIN by SMS)", || Input::NoAuthenticator),
        ("a wrong recovery code", || {
            Input::RecoveryCode("0000-0000-0000-0000-0000-0000".into())
        }),
    ];
    println!("{name}: reset steps, {trials} trials each, alternating users (median, µs):");
    println!(
        "  {:<34}{:>10}{:>10}{:>10}{:>10}",
        "step", "known", "unknown", "|diff|", "limit"
    );
    let mut over = Vec::new();
    for (step, input) in steps {
        let mut times = [Vec::new(), Vec::new()];
        for trial in 0..trials * 2 {
            let user = [known, unknown][trial % 2];
            // A new hour for each trial (the account's send budget), and its counts cleared.
            clock.advance(3600);
            service
                .admin("timing")
                .unlock(known)
                .map_err(|e| e.to_string())?;
            let view = service.start().map_err(|e| e.to_string())?;
            let view = service
                .submit(
                    &view.login,
                    Input::UserId(user.into()),
                    tollgate::Client::default(),
                )
                .map_err(|e| e.to_string())?;
            let view = service
                .submit(
                    &view.login,
                    Input::ForgotPassword,
                    tollgate::Client::default(),
                )
                .map_err(|e| e.to_string())?;
            let at = now();
            service
                .submit(&view.login, input(), tollgate::Client::default())
                .map_err(|e| e.to_string())?;
            times[trial % 2].push(at.elapsed());
        }
        // The worker's sends, before the next step is timed.
        service.wait_for_deliveries();
        let [k, u] = times.map(|mut t| {
            t.sort_unstable();
            t[t.len() / 2]
        });
        let diff = k.abs_diff(u);
        println!(
            "  {step:<34}{:>10}{:>10}{:>10}{:>10}",
            k.as_micros(),
            u.as_micros(),
            diff.as_micros(),
            LIMIT.as_micros()
        );
        if diff > LIMIT {
            over.push(format!("{name}: {step}"));
        }
    }
    Ok(over)
}
