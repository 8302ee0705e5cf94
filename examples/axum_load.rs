//! A load run of the embedded login (`tollgate-axum` under `/login`, as `embed_axum` mounts it):
//! `cargo run --release --example axum_load -- [--users N] [--concurrency C] [--seconds S]`.
//! With `--seconds`, the logins go round the users again and again for that long (on a clock
//! that runs 60 times faster than the wall clock, so that each login's code is a fresh one);
//! without, each user logs in once.
//!
//! Users are enrolled first, through the service; then, on loopback:
//! 1. pages that need no hash (the User ID screen), C at a time: their p50 and p99;
//! 2. whole later logins (User ID, password, the token's code: one Argon2id check each), C at
//!    a time: logins per second, beside the Argon2 limit measured in the same run (cores ÷ the
//!    time of one check), each login's p50 and p99, and the p99 of hash-free pages fetched
//!    meanwhile.
//!
//! Several nodes on PostgreSQL, for a set time at several concurrencies: `cluster_load`.
//!
//! Peers: none of the compared products ships an embeddable login whose throughput could be
//! run here; the limit beside our figure is the hash itself.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "figures for a person: a percentile's index from its fraction, counts as rates"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "a load driver measures wall-clock time: that is its figure"
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::{Extension, Router};
use tollgate::otp::Totp;
use tollgate::{Outbox, Passwords, Service};
use tollgate_axum::{AuthenticatedUser, Login, WebConfig};

#[path = "load_kit.rs"]
mod kit;

use kit::{FastClock, PASSWORD, enroll, form, http, percentile};

/// A page and its cookie.
async fn page(to: SocketAddr, cookie: Option<&str>) -> (Option<String>, String) {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let (_, set, body) = http(
        to,
        format!("GET /login HTTP/1.1\r\nHost: x\r\n{cookie}"),
        "",
    )
    .await;
    (set, body)
}

async fn post(
    to: SocketAddr,
    cookie: &str,
    page: &str,
    action: &str,
    value: &str,
) -> Option<String> {
    let form = form(page, action, value);
    let head = format!(
        "POST /login/submit HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    );
    http(to, head, &form).await.1
}

/// One whole later login; whether it reached the app's page.
async fn later_login(to: SocketAddr, user: String, totp: Arc<Totp>, service: Arc<Service>) -> bool {
    let (cookie, body) = page(to, None).await;
    let Some(mut cookie) = cookie else {
        return false;
    };
    post(to, &cookie, &body, "user_id", &user).await;
    let (_, body) = page(to, Some(&cookie)).await;
    if let Some(new) = post(to, &cookie, &body, "password", PASSWORD).await {
        cookie = new;
    }
    let (_, body) = page(to, Some(&cookie)).await;
    let code = totp
        .generate(service.now())
        .map(|c| c.to_string())
        .unwrap_or_default();
    if let Some(new) = post(to, &cookie, &body, "token", &code).await {
        cookie = new;
    }
    let (status, _, body) = http(
        to,
        format!("GET /account HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n"),
        "",
    )
    .await;
    status == 200 && body.contains(&user)
}

async fn account(user: AuthenticatedUser) -> String {
    user.id().to_string()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (mut users, mut concurrency, mut seconds) = (128usize, 16usize, None);
    while let Some(arg) = args.next() {
        let value = args.next().and_then(|v| v.parse().ok()).expect("a number");
        match arg.as_str() {
            "--users" => users = value,
            "--concurrency" => concurrency = value,
            "--seconds" => seconds = Some(value as u64),
            other => panic!("unknown argument {other:?}"),
        }
    }
    let outbox = Outbox::new();
    let service = Arc::new(
        Service::builder()
            .delivery(Arc::new(outbox.clone()))
            .clock(Arc::new(FastClock::starting_at(1_700_000_000)))
            .build()
            .expect("service"),
    );
    let started = Instant::now();
    let tokens: Vec<(String, Arc<Totp>)> =
        tokio::task::block_in_place(|| enroll(&service, &outbox, "user", users))
            .into_iter()
            .map(|(user, totp)| (user, Arc::new(totp)))
            .collect();
    println!(
        "{users} users enrolled in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The Argon2 limit, measured now: cores ÷ one check's time.
    let passwords = Passwords::new(&mut tollgate::os_rng()).expect("hasher");
    let hash = passwords
        .hash(PASSWORD.as_bytes(), &mut tollgate::os_rng())
        .expect("hash");
    let one = Instant::now();
    for _ in 0..10 {
        let _ = passwords.verify(PASSWORD.as_bytes(), Some(&hash));
    }
    let check = one.elapsed() / 10;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let limit = cores as f64 / check.as_secs_f64();

    let login = Login::new(
        service.clone(),
        WebConfig::default()
            .with_base("/login")
            .with_after_login("/account"),
    );
    let app = Router::new()
        .route("/account", get(account))
        .layer(Extension(login.clone()))
        .merge(login.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let to = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });

    // 1. Hash-free pages alone.
    let pages = |n: usize| async move {
        let mut latencies = Vec::with_capacity(n);
        for _ in 0..n {
            let at = Instant::now();
            let _ = page(to, None).await;
            latencies.push(at.elapsed());
        }
        latencies
    };
    let handles: Vec<_> = (0..concurrency).map(|_| tokio::spawn(pages(100))).collect();
    let mut idle = Vec::new();
    for handle in handles {
        idle.extend(handle.await.expect("pages"));
    }

    // 2. Later logins, with pages fetched beside them.
    let beside = tokio::spawn(pages(200));
    let started = Instant::now();
    let mut handles = Vec::new();
    let until = seconds.map(|s| started + Duration::from_secs(s));
    for chunk in tokens.chunks(users.div_ceil(concurrency)) {
        let chunk = chunk.to_vec();
        let service = service.clone();
        handles.push(tokio::spawn(async move {
            let (mut done, mut latencies) = (0, Vec::new());
            loop {
                for (user, totp) in chunk.clone() {
                    let at = Instant::now();
                    if later_login(to, user, totp, service.clone()).await {
                        done += 1;
                        latencies.push(at.elapsed());
                    }
                }
                if until.is_none_or(|until| Instant::now() >= until) {
                    break;
                }
            }
            (done, latencies)
        }));
    }
    let (mut done, mut per_login) = (0, Vec::new());
    for handle in handles {
        let (finished, latencies) = handle.await.expect("logins");
        done += finished;
        per_login.extend(latencies);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut loaded = beside.await.expect("pages");

    println!("| figure | tollgate-axum | limit |");
    println!("| --- | --- | --- |");
    println!(
        "| later logins (User ID, password, code), {concurrency} at a time | {done} logins ({users} users) in {elapsed:.2} s = {:.0}/s | Argon2id: {cores} cores / {:.1} ms = {limit:.0} checks/s |",
        done as f64 / elapsed,
        check.as_secs_f64() * 1000.0
    );
    println!(
        "| one whole later login, {concurrency} at a time | p50 {:.2} ms, p99 {:.2} ms | Argon2id alone: {:.1} ms |",
        percentile(&mut per_login, 0.5),
        percentile(&mut per_login, 0.99),
        check.as_secs_f64() * 1000.0
    );
    println!(
        "| hash-free page, {concurrency} at a time, idle | p50 {:.2} ms, p99 {:.2} ms | |",
        percentile(&mut idle, 0.5),
        percentile(&mut idle, 0.99)
    );
    println!(
        "| hash-free page during the logins | p50 {:.2} ms, p99 {:.2} ms | |",
        percentile(&mut loaded, 0.5),
        percentile(&mut loaded, 0.99)
    );
    if seconds.is_none() {
        assert_eq!(done, users, "every later login must reach the app's page");
    }
}
