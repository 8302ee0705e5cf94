//! A cluster load run: later logins per second and per-login p50/p99 through one node and
//! through two, on one PostgreSQL, at several concurrencies, with where each login's time went.
//!
//! `cargo run --release -p tollgate-web-example --example cluster_load -- [--store URL]
//! [--users N] [--seconds S] [--concurrency 1,2,4,8,16] [--svg FILE]`
//!
//! The server of `--store` (or `TOLLGATE_POSTGRES_URL`) gets a database `tollgate_cluster_load`
//! (a run's leftover one is dropped). Each node is what a one-core machine runs: its own service,
//! its own pool of connections and its own router on its own port, sessions in the database, at
//! most one Argon2id check at a time. The driver sends each request to the next node in turn
//! (round robin, no stickiness), and a whole later login is: the page, User ID, password (one
//! Argon2id check), the token's code, the logged-in page. The nodes, the database and the
//! driver share this machine's cores: two nodes can only double one node while the cores left
//! over from the two checks carry the rest.
//!
//! Beside each figure: the Argon2id parameters and one check's time measured in the same run,
//! and the share of the logins' time spent in Argon2id (checks × that time), in the account
//! store and in the session store (every call timed). A row of users whose hashes are cheap
//! (m = 8 KiB) gives a later login's cost beyond its Argon2id check. The virtual clock runs 60
//! times faster than the wall clock, so that each user's code is a fresh one at every login.

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
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tollgate::otp::{Totp, UnixTime};
use tollgate::store::{
    ServiceKeys, SessionId, SessionSave, SessionStore, StoreError, StoredSession,
};
use tollgate::{Clock, Outbox, PasswordLimits, Passwords, Service, danger};
use tollgate_axum::{Login, WebConfig};
use tollgate_store_postgres::PostgresStore;

const DATABASE: &str = "tollgate_cluster_load";

/// Nanoseconds spent in store calls, by kind, since the last reset.
static ACCOUNT_NANOS: AtomicU64 = AtomicU64::new(0);
static SESSION_NANOS: AtomicU64 = AtomicU64::new(0);

fn timed<T: Send>(counter: &AtomicU64, f: impl FnOnce() -> T + Send) -> T {
    let at = Instant::now();
    let out = f();
    counter.fetch_add(at.elapsed().as_nanos() as u64, Ordering::Relaxed);
    out
}

fn account_call<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    timed(&ACCOUNT_NANOS, f)
}

/// The service's store, every call timed as account-store time.
struct Accounts {
    inner: Arc<PostgresStore>,
}

tollgate::store::forward_store!(Accounts, inner, account_call);

/// The router's sessions, every call timed as session-store time.
struct Sessions(Arc<PostgresStore>);

impl SessionStore for Sessions {
    fn load_session(
        &self,
        id: &SessionId,
        now: UnixTime,
    ) -> Result<Option<StoredSession>, StoreError> {
        timed(&SESSION_NANOS, || self.0.load_session(id, now))
    }

    fn save_session(&self, save: &SessionSave<'_>) -> Result<bool, StoreError> {
        timed(&SESSION_NANOS, || self.0.save_session(save))
    }

    fn delete_session(&self, id: &SessionId) -> Result<bool, StoreError> {
        timed(&SESSION_NANOS, || self.0.delete_session(id))
    }

    fn delete_sessions_of(&self, user: &tollgate::login::UserId) -> Result<u64, StoreError> {
        timed(&SESSION_NANOS, || self.0.delete_sessions_of(user))
    }
}

struct Options {
    url: String,
    users: usize,
    seconds: u64,
    concurrency: Vec<usize>,
    svg: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        url: std::env::var("TOLLGATE_POSTGRES_URL").unwrap_or_default(),
        users: 192,
        seconds: 6,
        concurrency: vec![1, 2, 4, 8, 16],
        svg: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--store" => options.url = value()?,
            "--users" => options.users = value()?.parse().map_err(|_| "--users: a number")?,
            "--seconds" => options.seconds = value()?.parse().map_err(|_| "--seconds: a number")?,
            "--concurrency" => {
                options.concurrency = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|_| "--concurrency: numbers, as 1,2,4")?;
            }
            "--svg" => options.svg = Some(value()?),
            "--help" | "-h" => {
                return Err("usage: cluster_load [--store postgres://…] [--users N] \
                     [--seconds S] [--concurrency 1,2,4] [--svg FILE]"
                    .into());
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if options.url.is_empty() {
        return Err(
            "give the PostgreSQL server: --store postgres://… or TOLLGATE_POSTGRES_URL \
             (`source .ci/postgres.sh && pg_start` starts a throwaway one)"
                .into(),
        );
    }
    Ok(options)
}

#[path = "load_kit.rs"]
mod kit;

use kit::{FastClock, PASSWORD, enroll, form, http, percentile};

/// The nodes, each request to the next.
struct Balancer {
    nodes: Vec<SocketAddr>,
    next: AtomicUsize,
}

impl Balancer {
    fn pick(&self) -> SocketAddr {
        self.nodes[self.next.fetch_add(1, Ordering::Relaxed) % self.nodes.len()]
    }

    async fn page(&self, cookie: Option<&str>) -> (Option<String>, String) {
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        let (_, set, body) = http(
            self.pick(),
            format!("GET / HTTP/1.1\r\nHost: x\r\n{cookie}"),
            "",
        )
        .await;
        (set, body)
    }

    async fn post(&self, cookie: &str, page: &str, action: &str, value: &str) -> Option<String> {
        let form = form(page, action, value);
        let head = format!(
            "POST /submit HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n"
        );
        http(self.pick(), head, &form).await.1
    }

    /// One whole later login; whether it ended on the logged-in page.
    async fn later_login(&self, user: &str, totp: &Totp, clock: &FastClock) -> bool {
        let (cookie, body) = self.page(None).await;
        let Some(mut cookie) = cookie else {
            return false;
        };
        self.post(&cookie, &body, "user_id", user).await;
        let (_, body) = self.page(Some(&cookie)).await;
        if let Some(new) = self.post(&cookie, &body, "password", PASSWORD).await {
            cookie = new;
        }
        let (_, body) = self.page(Some(&cookie)).await;
        let code = totp
            .generate(clock.now())
            .map(|c| c.to_string())
            .unwrap_or_default();
        if let Some(new) = self.post(&cookie, &body, "token", &code).await {
            cookie = new;
        }
        let (_, body) = self.page(Some(&cookie)).await;
        let done = body.contains(r#"data-screen="authenticated""#);
        if !done && std::env::var_os("CLUSTER_LOAD_DEBUG").is_some() {
            let screen = body
                .split("data-screen=\"")
                .nth(1)
                .map_or("?", |s| &s[..s.find('"').unwrap_or(0)]);
            let notice = body
                .split("class=\"notice\"")
                .nth(1)
                .map_or("", |s| &s[..s.len().min(200)]);
            eprintln!("{user}: ended on {screen}: {notice}");
        }
        done
    }
}

/// `n` nodes on `url`, each on its own port; their addresses.
async fn start_nodes(
    n: usize,
    url: &str,
    keys: &ServiceKeys,
    clock: &Arc<FastClock>,
) -> Vec<SocketAddr> {
    let mut addresses = Vec::new();
    for _ in 0..n {
        let store = Arc::new(
            PostgresStore::connect_with(
                url,
                keys.sealing_keys(),
                tollgate_store_postgres::Options {
                    pool_size: 8,
                    ..Default::default()
                },
            )
            .expect("a node's store"),
        );
        let limits = PasswordLimits {
            concurrent: 1,
            queue: 64,
            ..PasswordLimits::default()
        };
        let service = Service::builder()
            .keys(keys)
            .store(Arc::new(Accounts {
                inner: store.clone(),
            }))
            .delivery(Arc::new(Outbox::new()))
            .clock(clock.clone())
            .passwords(Passwords::with_limits(limits, &mut tollgate::os_rng()).expect("hasher"))
            .build()
            .expect("a node's service");
        let web = WebConfig::default().with_sessions(Arc::new(Sessions(store)));
        let router = Login::new(Arc::new(service), web).router();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        addresses.push(listener.local_addr().expect("address"));
        tokio::spawn(tollgate_axum::serve(
            listener,
            router,
            tollgate_axum::ServeLimits::default(),
        ));
    }
    addresses
}

/// One configuration's figures.
struct Run {
    nodes: usize,
    concurrency: usize,
    logins: usize,
    failed: usize,
    per_second: f64,
    p50: f64,
    p99: f64,
    mean: f64,
    account_share: f64,
    session_share: f64,
}

/// `concurrency` drivers logging `users` in through `balancer` for `seconds`.
async fn run(
    balancer: Arc<Balancer>,
    users: Arc<Vec<(String, Totp)>>,
    clock: Arc<FastClock>,
    concurrency: usize,
    seconds: u64,
) -> (usize, usize, f64, Vec<Duration>) {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (balancer, users, clock, next) =
            (balancer.clone(), users.clone(), clock.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut failed) = (Vec::new(), 0);
            while Instant::now() < until {
                let (user, totp) = &users[next.fetch_add(1, Ordering::Relaxed) % users.len()];
                let at = Instant::now();
                if balancer.later_login(user, totp, &clock).await {
                    latencies.push(at.elapsed());
                } else {
                    failed += 1;
                }
            }
            (latencies, failed)
        }));
    }
    let (mut latencies, mut failed) = (Vec::new(), 0);
    for task in tasks {
        let (done, lost) = task.await.expect("a driver");
        latencies.extend(done);
        failed += lost;
    }
    let elapsed = started.elapsed().as_secs_f64();
    (latencies.len(), failed, elapsed, latencies)
}

/// Throughput against concurrency, one line per node count, as an SVG image.
fn svg(runs: &[Run], check_ms: f64) -> String {
    let (width, height, left, bottom) = (640.0, 400.0, 60.0, 50.0);
    let levels: Vec<usize> = {
        let mut c: Vec<usize> = runs.iter().map(|r| r.concurrency).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let top = runs.iter().map(|r| r.per_second).fold(1.0, f64::max) * 1.15;
    let x = |i: usize| left + (width - left - 20.0) * i as f64 / (levels.len().max(2) - 1) as f64;
    let y = |v: f64| height - bottom - (height - bottom - 20.0) * v / top;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{}" y="14" text-anchor="middle">Later logins per second through 1 and 2 nodes (PostgreSQL; Argon2id {check_ms:.1} ms a check)</text>
<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="black"/>
<line x1="{left}" y1="20" x2="{left}" y2="{}" stroke="black"/>
<text x="{}" y="{}" text-anchor="middle">concurrent logins</text>
<text x="14" y="{}" transform="rotate(-90 14 {})" text-anchor="middle">logins / s</text>
"#,
        width / 2.0,
        height - bottom,
        width - 20.0,
        height - bottom,
        height - bottom,
        (width + left) / 2.0,
        height - 12.0,
        height / 2.0,
        height / 2.0,
    );
    for (i, level) in levels.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{level}</text>\n",
            x(i),
            height - bottom + 16.0
        ));
    }
    for tick in 0..=4 {
        let v = top * f64::from(tick) / 4.0;
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{v:.0}</text>\n<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#ddd\"/>\n",
            left - 6.0,
            y(v) + 4.0,
            y(v),
            width - 20.0,
            y(v)
        ));
    }
    for (nodes, colour) in [(1, "#0b3d6b"), (2, "#c0392b")] {
        let points: Vec<String> = levels
            .iter()
            .enumerate()
            .filter_map(|(i, level)| {
                runs.iter()
                    .find(|r| r.nodes == nodes && r.concurrency == *level)
                    .map(|r| format!("{:.1},{:.1}", x(i), y(r.per_second)))
            })
            .collect();
        out.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>\n",
            points.join(" ")
        ));
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" fill=\"{colour}\">{nodes} node{}</text>\n",
            width - 90.0,
            30.0 + 16.0 * nodes as f64,
            if nodes == 1 { "" } else { "s" }
        ));
    }
    out.push_str("</svg>\n");
    out
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("cluster_load: {message}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // A fresh database on the server (the driver's own: nothing else is touched).
    let admin_url = options.url.clone();
    let url = tokio::task::spawn_blocking(move || {
        let mut admin = tollgate_store_postgres::client(&admin_url).expect("the server");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
            .and_then(|()| admin.batch_execute(&format!("CREATE DATABASE {DATABASE}")))
            .expect("a database for the run");
        tollgate_store_postgres::url_for_database(&admin_url, DATABASE)
    })
    .await
    .expect("the server");
    let keys = ServiceKeys::generate(&mut tollgate::os_rng());
    let clock = Arc::new(FastClock::starting_at(1_700_000_000));

    // The users: real Argon2id hashes, and cheap ones for the cost beyond the check.
    let started = Instant::now();
    let (real, cheap) = {
        let (url, keys, clock) = (url.clone(), keys.clone(), clock.clone());
        let users = options.users;
        tokio::task::spawn_blocking(move || {
            let store = Arc::new(PostgresStore::connect(&url, keys.sealing_keys()).expect("store"));
            let outbox = Outbox::new();
            let build = |passwords: Passwords| {
                Service::builder()
                    .keys(&keys)
                    .store(store.clone())
                    .delivery(Arc::new(outbox.clone()))
                    .clock(clock.clone())
                    .passwords(passwords)
                    .build()
                    .expect("service")
            };
            let real = build(Passwords::new(&mut tollgate::os_rng()).expect("hasher"));
            let cheap =
                build(danger::weak_passwords_for_tests(&mut tollgate::os_rng()).expect("hasher"));
            (
                enroll(&real, &outbox, "user", users),
                enroll(&cheap, &outbox, "cheap", users),
            )
        })
        .await
        .expect("enrollment")
    };
    println!(
        "{} users enrolled twice over in {:.1} s",
        options.users,
        started.elapsed().as_secs_f64()
    );
    let (real, cheap) = (Arc::new(real), Arc::new(cheap));

    // One Argon2id check, alone, with the service's parameters.
    let passwords = Passwords::new(&mut tollgate::os_rng()).expect("hasher");
    let hash = passwords
        .hash(PASSWORD.as_bytes(), &mut tollgate::os_rng())
        .expect("hash");
    let one = Instant::now();
    for _ in 0..10 {
        let _ = passwords.verify(PASSWORD.as_bytes(), Some(&hash));
    }
    let check = one.elapsed() / 10;
    let check_ms = check.as_secs_f64() * 1000.0;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "Argon2id {} (KiB, passes, lanes): {check_ms:.1} ms a check; {cores} cores",
        hash.as_str().split('$').nth(3).unwrap_or("?")
    );

    let mut runs = Vec::new();
    let mut beyond = None;
    for nodes in [1, 2] {
        let addresses = start_nodes(nodes, &url, &keys, &clock).await;
        let balancer = Arc::new(Balancer {
            nodes: addresses,
            next: AtomicUsize::new(0),
        });
        if nodes == 1 {
            // A later login's cost beyond its Argon2id check: users with cheap hashes, one at a
            // time.
            let (done, _, _, mut latencies) =
                run(balancer.clone(), cheap.clone(), clock.clone(), 1, 3).await;
            beyond = Some((
                done,
                percentile(&mut latencies, 0.5),
                percentile(&mut latencies, 0.99),
            ));
        }
        for &concurrency in &options.concurrency {
            ACCOUNT_NANOS.store(0, Ordering::Relaxed);
            SESSION_NANOS.store(0, Ordering::Relaxed);
            let (logins, failed, elapsed, mut latencies) = run(
                balancer.clone(),
                real.clone(),
                clock.clone(),
                concurrency,
                options.seconds,
            )
            .await;
            let total: f64 = latencies
                .iter()
                .map(Duration::as_secs_f64)
                .sum::<f64>()
                .max(1e-9);
            let run = Run {
                nodes,
                concurrency,
                logins,
                failed,
                per_second: logins as f64 / elapsed,
                p50: percentile(&mut latencies, 0.5),
                p99: percentile(&mut latencies, 0.99),
                mean: total / logins.max(1) as f64 * 1000.0,
                account_share: ACCOUNT_NANOS.load(Ordering::Relaxed) as f64 / 1e9 / total,
                session_share: SESSION_NANOS.load(Ordering::Relaxed) as f64 / 1e9 / total,
            };
            println!(
                "{nodes} node(s), {concurrency} at a time: {:.1} logins/s, p50 {:.1} ms, p99 {:.1} ms",
                run.per_second, run.p50, run.p99
            );
            runs.push(run);
        }
    }

    println!();
    println!(
        "| nodes | concurrent | later logins/s | p50 ms | p99 ms | Argon2id | account store | session store | logins (failed) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for run in &runs {
        // One check a login, at its time alone, against the mean login.
        let argon2 = check_ms / run.mean.max(1e-9);
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.0} % | {:.0} % | {:.0} % | {} ({}) |",
            run.nodes,
            run.concurrency,
            run.per_second,
            run.p50,
            run.p99,
            (argon2 * 100.0).min(100.0),
            run.account_share * 100.0,
            run.session_share * 100.0,
            run.logins,
            run.failed
        );
    }
    println!();
    for &concurrency in &options.concurrency {
        let at = |n| {
            runs.iter()
                .find(|r| r.nodes == n && r.concurrency == concurrency)
        };
        if let (Some(one), Some(two)) = (at(1), at(2)) {
            println!(
                "{concurrency} at a time: two nodes give {:.2}× one node (goal ≥ 1.80×)",
                two.per_second / one.per_second
            );
        }
    }
    if let Some((done, p50, p99)) = beyond {
        println!(
            "a later login beyond its Argon2id check (cheap hashes, one at a time, {done} logins): \
             p50 {p50:.2} ms, p99 {p99:.2} ms (goal p99 < 2 ms)"
        );
    }
    if let Some(file) = &options.svg {
        std::fs::write(file, svg(&runs, check_ms)).expect("the SVG");
        println!("wrote {file}");
    }
    std::process::ExitCode::SUCCESS
}
