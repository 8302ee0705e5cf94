//! A load driver for the service's bounded password work: what a crowd of password posts costs
//! in memory, how many later logins all the cores carry, and how fast a page that needs no hash
//! answers while the hashes queue. Each figure is printed beside its limit; the driver exits
//! with an error when one is missed.
//!
//! `cargo run --release -p tollgate-bench --example password_load [-- --concurrent N] [--posts 1000] [--seconds 10]`
//!
//! `--concurrent` sets how many Argon2id checks run at once (by default one per core, the
//! service's default); a large value shows what the service did before the limit (every post a
//! check of its own, 19 MiB each). Linux only: memory and CPU are read from `/proc`.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use rand_core::UnwrapErr;
use tollgate::codes::SerialNumber;
use tollgate::login::{Account, AccountState, Input, Screen, TokenRecord};
use tollgate::otp::{Algorithm, Secret, Totp, TotpParams};
use tollgate::{Error, PasswordLimits, Passwords, Service, Store, UserRecord, os_rng};
use tollgate_store_sqlite::{Durability, Options, SqliteStore};

const PASSWORD: &str = "correct horse battery staple";
/// Argon2id's memory with the service's parameters (OWASP: m = 19 MiB).
const ARGON2_MIB: u64 = 19;

struct Args {
    concurrent: usize,
    posts: usize,
    seconds: u64,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("password_load: a figure missed its limit");
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("password_load: {message}");
            ExitCode::FAILURE
        }
    }
}

fn args() -> Result<Args, String> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut args = Args {
        concurrent: cores,
        posts: 1000,
        seconds: 10,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let value = given.next().ok_or(format!("{flag} needs a value"))?;
        let number = |what: &str| {
            value
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(format!("{what} is a positive number, not {value:?}"))
        };
        match flag.as_str() {
            "--concurrent" => {
                args.concurrent = usize::try_from(number("--concurrent")?).unwrap_or(1)
            }
            "--posts" => args.posts = usize::try_from(number("--posts")?).unwrap_or(1),
            "--seconds" => args.seconds = number("--seconds")?,
            _ => return Err(format!("unknown flag {flag}; see the file's header")),
        }
    }
    Ok(args)
}

fn run() -> Result<bool, String> {
    let args = args()?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let limits = PasswordLimits {
        concurrent: args.concurrent,
        ..PasswordLimits::default()
    };
    println!(
        "{cores} cores; {} Argon2id checks at once, {} may wait {:?}",
        limits.concurrent, limits.queue, limits.wait
    );
    let mut ok = memory(&args, limits)?;
    let per_check = one_check()?;
    println!(
        "one Argon2id check (m = 19 MiB, t = 2, p = 1), alone: {:.1} ms",
        per_check.as_secs_f64() * 1e3
    );
    ok &= throughput(&args, limits, per_check)?;
    Ok(ok)
}

/// `posts` password posts at once, for unknown users (the dummy hash), from `posts` threads.
fn memory(args: &Args, limits: PasswordLimits) -> Result<bool, String> {
    let service = Arc::new(
        Service::builder()
            .passwords(Passwords::with_limits(limits, &mut UnwrapErr(os_rng())).map_err(show)?)
            .build()
            .map_err(show)?,
    );
    let mut keys = Vec::with_capacity(args.posts);
    for i in 0..args.posts {
        let view = service.start().map_err(show)?;
        let typed = Input::UserId(format!("nobody{i}@example.com"));
        keys.push(
            service
                .submit(&view.login, typed, tollgate::Client::default())
                .map_err(show)?
                .login,
        );
    }
    let base = proc_status("VmRSS")?;
    reset_peak();
    let barrier = Arc::new(Barrier::new(args.posts));
    let (checked, busy) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let threads: Vec<_> = keys
        .into_iter()
        .map(|key| {
            let (service, barrier) = (service.clone(), barrier.clone());
            let (checked, busy) = (checked.clone(), busy.clone());
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    barrier.wait();
                    match service.submit(
                        &key,
                        Input::Password("wrong".to_owned().into()),
                        tollgate::Client::default(),
                    ) {
                        Ok(_) => checked.fetch_add(1, Ordering::Relaxed),
                        Err(Error::Busy) => busy.fetch_add(1, Ordering::Relaxed),
                        Err(e) => panic!("a password post failed: {e}"),
                    };
                })
                .map_err(|e| format!("a thread: {e}"))
        })
        .collect::<Result<_, _>>()?;
    for thread in threads {
        thread.join().map_err(|_| "a posting thread panicked")?;
    }
    let peak = proc_status("VmHWM")?;
    let bound = base + (cores_or(limits.concurrent) + 2) * ARGON2_MIB * 1024;
    let within = peak <= bound;
    println!(
        "{} concurrent password posts: {} checked, {} answered busy; peak RSS {} MiB over a base \
         of {} MiB; limit (checks at once + 2) x 19 MiB + base = {} MiB: {}",
        args.posts,
        checked.load(Ordering::Relaxed),
        busy.load(Ordering::Relaxed),
        peak / 1024,
        base / 1024,
        bound / 1024,
        verdict(within)
    );
    Ok(within)
}

fn cores_or(concurrent: usize) -> u64 {
    u64::try_from(concurrent).unwrap_or(u64::MAX)
}

/// The median of five checks of the real parameters, one at a time.
fn one_check() -> Result<Duration, String> {
    let mut rng = UnwrapErr(os_rng());
    let passwords = Passwords::new(&mut rng).map_err(show)?;
    let hash = passwords
        .hash(PASSWORD.as_bytes(), &mut rng)
        .map_err(show)?;
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let started = now();
            let _ = passwords.verify(PASSWORD.as_bytes(), Some(&hash));
            started.elapsed()
        })
        .collect();
    times.sort();
    Ok(times[2])
}

/// Later logins (User ID, password, token code) on a SQLite file, from twice as many threads as
/// checks run at once, for `seconds`; beside them, a probe that starts a login and shows its
/// page every 10 ms.
fn throughput(args: &Args, limits: PasswordLimits, per_check: Duration) -> Result<bool, String> {
    let dir = tempfile::tempdir().map_err(show)?;
    let options = Options {
        durability: Durability::Normal,
        rng: os_rng(),
    };
    let store = SqliteStore::open_with(
        dir.path().join("load.db"),
        tollgate::SealingKey::new([7; 32]),
        options,
    )
    .map_err(show)?;
    let store: Arc<dyn Store> = Arc::new(store);
    let mut rng = UnwrapErr(os_rng());
    let passwords = Passwords::with_limits(limits, &mut rng).map_err(show)?;
    let hash = passwords
        .hash(PASSWORD.as_bytes(), &mut rng)
        .map_err(show)?;
    // Enough users that none logs in twice in one 30-second step (a code is single use).
    let expected =
        u128::from(cores_or(limits.concurrent)) * 1_000_000_000 / per_check.as_nanos().max(1);
    let expected = u64::try_from(expected).unwrap_or(u64::MAX);
    let count = usize::try_from(expected * (args.seconds + 2) * 2 + 100).unwrap_or(usize::MAX);
    let mut tokens = Vec::with_capacity(count);
    for i in 0..count {
        let secret = Secret::generate(Algorithm::Sha1, &mut rng);
        let token = TokenRecord {
            serial: SerialNumber::generate(&mut rng),
            secret: secret.clone(),
            params: TotpParams::default(),
            last_step: None,
            drift: 0,
            kind: None,
            name: None,
            enrolled_at: None,
        };
        let record = UserRecord {
            id: format!("user{i}@example.com").parse().map_err(show)?,
            password: hash.clone(),
            account: Account::new(0, None, None, {
                let mut state = AccountState::new();
                state.add_authenticator(token);
                state
            }),
        };
        store.insert_user(record).map_err(show)?;
        tokens.push(Totp::new(&secret, TotpParams::default()));
    }
    let service = Arc::new(
        Service::builder()
            .store(store)
            .passwords(passwords)
            .build()
            .map_err(show)?,
    );
    let tokens = Arc::new(tokens);
    let next = Arc::new(AtomicUsize::new(0));
    let (done, stop) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let cpu_before = process_cpu()?;
    let started = now();
    let workers: Vec<_> = (0..2 * limits.concurrent)
        .map(|_| {
            let (service, tokens) = (service.clone(), tokens.clone());
            let (next, done, stop) = (next.clone(), done.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(token) = tokens.get(i) else { break };
                    match later_login(&service, i, token) {
                        Ok(true) => done.fetch_add(1, Ordering::Relaxed),
                        Ok(false) => panic!("a later login was not authenticated"),
                        Err(e) => panic!("a later login failed: {e}"),
                    };
                }
            })
        })
        .collect();
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let probe = {
        let (service, stop, latencies) = (service.clone(), stop.clone(), latencies.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let at = now();
                let shown = service.start().and_then(|view| service.view(&view.login));
                assert!(shown.is_ok(), "a page failed: {shown:?}");
                if let Ok(mut all) = latencies.lock() {
                    all.push(at.elapsed());
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    std::thread::sleep(Duration::from_secs(args.seconds));
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().map_err(|_| "a login thread panicked")?;
    }
    probe.join().map_err(|_| "the probe panicked")?;
    let elapsed = started.elapsed();
    let cpu = process_cpu()? - cpu_before;
    let logins = done.load(Ordering::Relaxed);
    let rate = logins as f64 / elapsed.as_secs_f64();
    let limit = limits.concurrent as f64 / per_check.as_secs_f64();
    let share = rate / limit;
    let driver = driver_cpu(&tokens, logins);
    println!(
        "later logins on SQLite from {} threads for {:.1} s: {logins}, {rate:.1}/s; the \
         limit {} / one check = {limit:.1}/s; {:.0} % of it (at least 90 %): {}",
        2 * limits.concurrent,
        elapsed.as_secs_f64(),
        limits.concurrent,
        share * 100.0,
        verdict(share >= 0.9)
    );
    println!(
        "CPU: the process {:.1} s; the driver's own work (codes, User IDs, counting) {:.1} ms, \
         {:.2} % of it",
        cpu.as_secs_f64(),
        driver.as_secs_f64() * 1e3,
        100.0 * driver.as_secs_f64() / cpu.as_secs_f64().max(1e-9)
    );
    let mut latencies = latencies.lock().map_err(|_| "the probe's figures")?.clone();
    latencies.sort();
    let p99 = latencies
        .get(latencies.len().saturating_mul(99) / 100)
        .copied()
        .unwrap_or_default();
    let fast = p99 < Duration::from_millis(50);
    println!(
        "a page that needs no hash (start a login, show it), while the hashes queue: {} \
         samples, p50 {:.2} ms, p99 {:.2} ms (limit 50 ms): {}",
        latencies.len(),
        latencies
            .get(latencies.len() / 2)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3),
        p99.as_secs_f64() * 1e3,
        verdict(fast)
    );
    Ok(share >= 0.9 && fast)
}

fn later_login(service: &Service, i: usize, token: &Totp) -> Result<bool, Error> {
    let view = service.start()?;
    let view = service.submit(
        &view.login,
        Input::UserId(format!("user{i}@example.com")),
        tollgate::Client::default(),
    )?;
    let view = service.submit(
        &view.login,
        Input::Password(PASSWORD.to_owned().into()),
        tollgate::Client::default(),
    )?;
    if !matches!(view.screen, Screen::EnterTokenCode { .. }) {
        return Ok(false);
    }
    let code = token
        .generate(service.now())
        .map_err(|_| Error::Contended)?;
    let view = service.submit(
        &view.login,
        Input::TokenCode(code.to_string()),
        tollgate::Client::default(),
    )?;
    Ok(view.authenticated().is_some())
}

/// What the driver itself spends per login, outside the service: the code and the User ID it
/// makes, and the counting, done `logins` times on one thread.
fn driver_cpu(tokens: &[Totp], logins: usize) -> Duration {
    let counter = AtomicUsize::new(0);
    let at = tollgate::otp::UnixTime::from_secs(1_700_000_000);
    let started = now();
    for i in 0..logins {
        let code = tokens[i % tokens.len()].generate(at).map(|c| c.to_string());
        let id = format!("user{i}@example.com");
        let _ = std::hint::black_box((code, id));
        counter.fetch_add(1, Ordering::Relaxed);
    }
    started.elapsed()
}

fn verdict(ok: bool) -> &'static str {
    if ok { "within" } else { "MISSED" }
}

fn show(e: impl std::fmt::Display) -> String {
    e.to_string()
}

#[expect(
    clippy::disallowed_methods,
    reason = "a load driver measures wall time: it is the application, not the library"
)]
fn now() -> Instant {
    Instant::now()
}

/// A field of `/proc/self/status`, in KiB.
fn proc_status(field: &str) -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(show)?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .ok_or(format!("no {field} in /proc/self/status"))
}

/// Resets the peak RSS (`VmHWM`) to the current one (Linux 4.0 and later).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's user and system CPU time so far (`/proc/self/stat`, at 100 ticks a second).
fn process_cpu() -> Result<Duration, String> {
    let stat = std::fs::read_to_string("/proc/self/stat").map_err(show)?;
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime, fields 14 and 15 of the line, are the 12th and 13th after the name.
    Ok(Duration::from_millis((ticks(11) + ticks(12)) * 10))
}
