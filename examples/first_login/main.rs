//! The portal's first login, end to end on one machine: User ID → password → SMS PIN →
//! enrollment of a soft token → "Continue" → a later login with the token's code.
//!
//! `cargo run --example first_login` takes the desktop path; `-- --mobile` the mobile path (the
//! secure activation QR drawn in the terminal); `-- --open-path` the open path (an `otpauth://`
//! QR any authenticator app scans, confirmed by its first code); `-- --interactive` lets a
//! person type every answer, with `cargo run --example soft_token` in another terminal as the
//! app (or, on the open path, the authenticator app of their phone).
//!
//! `-- --store sqlite:PATH` (or `-- --store postgres://USER@HOST:PORT/DB`) keeps the account in
//! a database: run it twice, and the second run finds the enrolled account and logs in with the
//! token's code straight away.
//!
//! It exits 0 only if the final login is authenticated.

#[allow(dead_code, reason = "shared with rotate_keys, which uses the rest")]
mod keys;
mod login;
mod scenarios;
mod screens;
mod store;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use tollgate::codes::RegistrationScheme;
use tollgate::login::{Catalog, Config};
use tollgate::otp::{Algorithm, Totp, UnixTime};
use tollgate::{ManualClock, Outbox, Service};

use scenarios::Scenario;

const USER: &str = "john.smith@example.com";
const PASSWORD: &str = "correct horse battery staple";
const USAGE: &str =
    "usage: first_login [--mobile | --open-path] [--interactive] [--french] [--store STORE]
                   [--scenario S]

Runs the portal's first login and a later login, printing each screen.

  --mobile       enroll by the mobile path (secure activation QR) instead of the desktop path
  --open-path    enroll by the open path: an otpauth:// QR any authenticator app scans, and its
                   first code typed back
  --interactive  type every answer yourself; run the soft-token app in another terminal:
                   cargo run --example soft_token -- --help
  --french       show the screens in French
  --registration-scheme tollgate|any-field
                 how the registration code is checked: tollgate (the default) refuses a code
                 made for another token; any-field accepts any code whose check digit is
                 right, for apps that cannot compute tollgate's field (weaker: a wrong code
                 enrolls a wrong secret, found only at the first login)
  --at SECONDS   run at this Unix time, on a clock that moves only when the app waits for
                 its next code (for tests: no waiting)
  --store STORE  where the account lives: memory (the default), sqlite:PATH, or
                   postgres://USER@HOST:PORT/DB; run twice to see the account survive
  --help         show this text";

fn usage() -> String {
    let (head, help) = USAGE.split_at(USAGE.find("  --help").unwrap_or(USAGE.len()));
    format!("{head}{}\n{help}", scenarios::HELP)
}

struct Options {
    mobile: bool,
    open_path: bool,
    interactive: bool,
    catalog: Catalog,
    store: store::Choice,
    /// `--at UNIX_SECONDS`: a clock that moves only when the app waits for its next code.
    at: Option<ManualClock>,
    scheme: RegistrationScheme,
    scenario: Scenario,
}

fn main() -> ExitCode {
    let mut options = Options {
        mobile: false,
        open_path: false,
        interactive: false,
        catalog: Catalog::portal("en"),
        store: store::Choice::Memory,
        at: None,
        scheme: RegistrationScheme::Tollgate,
        scenario: Scenario::FirstLogin,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let store_arg = match arg.as_str() {
            "--store" => Some(args.next().unwrap_or_default()),
            other => other.strip_prefix("--store=").map(str::to_owned),
        };
        if let Some(value) = store_arg {
            match store::Choice::parse(&value) {
                Ok(choice) => options.store = choice,
                Err(message) => {
                    eprintln!("first_login: {message}\n\n{}", usage());
                    return ExitCode::from(2);
                }
            }
            continue;
        }
        match arg.as_str() {
            "--mobile" => options.mobile = true,
            "--open-path" => {
                options.mobile = true;
                options.open_path = true;
            }
            "--interactive" => options.interactive = true,
            "--french" => options.catalog = Catalog::portal("fr"),
            "--registration-scheme" => {
                let name = args.next().unwrap_or_default();
                match name.parse() {
                    Ok(scheme) => options.scheme = scheme,
                    Err(e) => {
                        eprintln!(
                            "first_login: --registration-scheme {name:?}: {e}\n\n{}",
                            usage()
                        );
                        return ExitCode::from(2);
                    }
                }
            }
            "--at" => match args.next().and_then(|t| t.parse().ok()) {
                Some(secs) => options.at = Some(ManualClock::new(UnixTime::from_secs(secs))),
                None => {
                    eprintln!(
                        "first_login: --at needs a Unix time in seconds\n\n{}",
                        usage()
                    );
                    return ExitCode::from(2);
                }
            },
            "--scenario" => {
                let name = args.next().unwrap_or_default();
                let Some(scenario) = Scenario::parse(&name) else {
                    eprintln!(
                        "first_login: --scenario {name:?}: see the list\n\n{}",
                        usage()
                    );
                    return ExitCode::from(2);
                };
                options.scenario = scenario;
            }
            "--help" | "-h" => {
                println!("{}", usage());
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("first_login: unknown argument {other:?}\n\n{}", usage());
                return ExitCode::from(2);
            }
        }
    }
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nfirst_login: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The two sides of the conversation: what the person types, and what their app does.
struct Person<'a> {
    options: &'a Options,
    outbox: Outbox,
    token: Option<Totp>,
    /// Where the app keeps its token between runs, with a database store.
    app: Option<PathBuf>,
    /// The password the person knows now (a reset changes it).
    password: String,
    /// The recovery codes the last enrollment showed.
    recovery: Vec<String>,
    /// What the scenario has the person do at the next chance: forget the password, lose
    /// the token.
    forget: bool,
    lose: bool,
    /// Add an authenticator at the next session.
    add: bool,
    /// A re-enrollment code from the help desk, typed where a recovery code goes.
    grant: Option<String>,
    /// At the next session: new recovery codes, or a new password.
    regenerate: bool,
    change: bool,
    /// The secret of the token the app holds (its unlock code is computed from it).
    secret: Option<tollgate::otp::Secret>,
}

fn run(options: &Options) -> Result<(), String> {
    if !matches!(options.scenario, Scenario::FirstLogin)
        && !matches!(options.store, store::Choice::Memory)
    {
        return Err(
            "--scenario runs on the memory store (only first-login runs on another)".into(),
        );
    }
    let outbox = Outbox::printing();
    let mut config = Config::default()
        .with_issuer("Remote Signing Service")
        .with_registration_address("https://rss.example/api/mobile")
        .with_registration_scheme(options.scheme);
    if options.open_path {
        config = config.with_open_path(Algorithm::Sha1);
    }
    let opened = store::open(&options.store)?;
    println!("Store: {}.", opened.describe);
    let mut builder = Service::builder()
        .config(config)
        .store(opened.store)
        .delivery(Arc::new(outbox.clone()))
        .audit_trail(true);
    if let Some(clock) = &options.at {
        builder = builder.clock(Arc::new(clock.clone()));
    }
    if let Some((pin_key, state_key)) = opened.keys {
        builder = builder.pin_key(pin_key).state_key(state_key);
    }
    let service = builder.build().map_err(|e| e.to_string())?;
    let mut person = Person {
        options,
        outbox,
        token: None,
        app: opened.app,
        password: PASSWORD.to_owned(),
        recovery: Vec::new(),
        forget: false,
        lose: false,
        add: false,
        grant: None,
        regenerate: false,
        change: false,
        secret: None,
    };
    match service.register_user(USER, PASSWORD, Some("+1 613 270 1234"), None) {
        Ok(_) => {
            println!("Registered {USER} (password {PASSWORD:?}, mobile +1 613 270 1234).");
            println!("\n######## First login ########");
            options.scenario.before_first_login(&mut person);
            let view = login::login(&service, &mut person)?;
            if view.authenticated().is_none() {
                return Err("the first login did not end authenticated".into());
            }
        }
        Err(tollgate::Error::DuplicateUser) => {
            let id = USER.parse().map_err(|e| format!("{e}"))?;
            let account = service
                .store()
                .user(&id)
                .map_err(|e| e.to_string())?
                .ok_or("the user vanished")?
                .account;
            let serial = account.state().tokens().first().map(|t| t.serial);
            println!(
                "The store already holds {USER}: account version {}, token {}.",
                account.version(),
                serial.map_or_else(|| "not enrolled".to_owned(), |s| s.to_string())
            );
            if serial.is_some() && !options.interactive {
                let app = person.app.as_deref().ok_or("no app file for this store")?;
                person.token = Some(store::load_app(app)?);
                println!("[soft token] opened its token from {}.", app.display());
            }
        }
        Err(e) => return Err(e.to_string()),
    }
    options.scenario.after_first_login(&service, &mut person)?;
    println!("\n######## A later login ########");
    let view = login::login(&service, &mut person)?;
    match view.authenticated() {
        Some(user) => {
            println!("\nDone: {user} logged in with the soft token's code.");
            Ok(())
        }
        None => Err("the later login was not authenticated".into()),
    }
}
