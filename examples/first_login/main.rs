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
mod screens;
mod store;

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use tollgate::codes::{RegistrationCode, RegistrationRequest, RegistrationScheme, TokenActivation};
use tollgate::login::{Catalog, Config, EnrollmentKind, Input, MessageId, Screen};
use tollgate::otp::{Algorithm, Totp, UnixTime};
use tollgate::provision::{OtpAuthUri, SecureActivation};
use tollgate::{ManualClock, Outbox, Service, View};

const USER: &str = "john.smith@example.com";
const PASSWORD: &str = "correct horse battery staple";
const USAGE: &str =
    "usage: first_login [--mobile | --open-path] [--interactive] [--french] [--store STORE]

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

struct Options {
    mobile: bool,
    open_path: bool,
    interactive: bool,
    catalog: Catalog,
    store: store::Choice,
    /// `--at UNIX_SECONDS`: a clock that moves only when the app waits for its next code.
    at: Option<ManualClock>,
    scheme: RegistrationScheme,
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
                    eprintln!("first_login: {message}\n\n{USAGE}");
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
                        eprintln!("first_login: --registration-scheme {name:?}: {e}\n\n{USAGE}");
                        return ExitCode::from(2);
                    }
                }
            }
            "--at" => match args.next().and_then(|t| t.parse().ok()) {
                Some(secs) => options.at = Some(ManualClock::new(UnixTime::from_secs(secs))),
                None => {
                    eprintln!("first_login: --at needs a Unix time in seconds\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("first_login: unknown argument {other:?}\n\n{USAGE}");
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
}

/// An answer: typed by the person in interactive mode, else given by the script.
fn answer(
    interactive: bool,
    label: &str,
    scripted: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    if interactive {
        print!("  {label}: ");
        std::io::stdout().flush().map_err(|e| e.to_string())?;
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim().to_owned())
    } else {
        let value = scripted()?;
        println!("  {label}: {value}");
        Ok(value)
    }
}

fn run(options: &Options) -> Result<(), String> {
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
        .delivery(Arc::new(outbox.clone()));
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
    };
    match service.register_user(USER, PASSWORD, Some("+1 613 270 1234"), None) {
        Ok(_) => {
            println!("Registered {USER} (password {PASSWORD:?}, mobile +1 613 270 1234).");
            println!("\n######## First login ########");
            let view = login(&service, &mut person)?;
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
            let serial = account.state.token.as_ref().map(|t| t.serial);
            println!(
                "The store already holds {USER}: account version {}, token {}.",
                account.version,
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
    println!("\n######## A later login ########");
    let view = login(&service, &mut person)?;
    match view.authenticated() {
        Some(user) => {
            println!("\nDone: {user} logged in with the soft token's code.");
            Ok(())
        }
        None => Err("the later login was not authenticated".into()),
    }
}

/// One login, screen by screen, until it is authenticated.
fn login(service: &Service, person: &mut Person<'_>) -> Result<View, String> {
    let catalog = &person.options.catalog;
    let interactive = person.options.interactive;
    let mut view = service.start().map_err(|e| e.to_string())?;
    for _ in 0..32 {
        screens::show(&view, catalog);
        let submission = match &view.screen {
            Screen::EnterUserId => {
                Input::UserId(answer(interactive, "User ID", || Ok(USER.into()))?)
            }
            Screen::EnterPassword { .. } => {
                if let (Some(notice), false) = (&view.notice, interactive) {
                    // The script's password is right: a refusal is the account's lock.
                    return Err(format!(
                        "the password was refused: {}",
                        catalog.render(notice)
                    ));
                }
                Input::Password(answer(interactive, "Password", || Ok(PASSWORD.into()))?.into())
            }
            Screen::EnterPin { .. } => Input::Pin(answer(interactive, "OTP", || {
                person
                    .outbox
                    .last_pin()
                    .ok_or_else(|| "no PIN was sent".to_owned())
            })?),
            Screen::ChooseEnrollment { .. } => {
                let choice = answer(interactive, "Mobile or Desktop (m/d)", || {
                    Ok(if person.options.mobile { "m" } else { "d" }.into())
                })?;
                Input::ChooseEnrollment(if choice.starts_with(['m', 'M']) {
                    EnrollmentKind::Mobile
                } else {
                    EnrollmentKind::Desktop
                })
            }
            Screen::DesktopActivation(page) => {
                let token = TokenActivation::new(page.serial, page.activation_code.clone(), None);
                let response = answer(interactive, &catalog.text(MessageId::Response), || {
                    println!(
                        "  [soft token] Address, Serial Number and Activation Code typed in; Save."
                    );
                    Ok(register(&token, person)?.to_string())
                })?;
                Input::RegistrationCode(response)
            }
            Screen::MobileActivation(page) if person.options.open_path => {
                let open = page
                    .open
                    .as_ref()
                    .ok_or("the service offers no open path")?;
                let code = answer(interactive, "Code", || {
                    println!("  [authenticator app] scans the otpauth:// QR code, shows a code.");
                    let app = OtpAuthUri::parse(&open.uri).map_err(|e| e.to_string())?.uri;
                    let params = app.totp_params().ok_or("not a TOTP key URI")?;
                    let totp = Totp::new(app.secret(), params);
                    let code = totp.generate(service.now()).map_err(|e| e.to_string())?;
                    if let Some(file) = &person.app {
                        store::save_key_uri(file, &app)?;
                        println!(
                            "  [authenticator app] keeps its token in {}",
                            file.display()
                        );
                    }
                    person.token = Some(totp);
                    Ok(code.to_string())
                })?;
                Input::OpenPathCode(code)
            }
            Screen::MobileActivation(page) => {
                let prompt = format!("{} (Enter alone for OK)", catalog.text(MessageId::Response));
                let response = answer(interactive, &prompt, || {
                    println!(
                        "  [soft token] scans the QR code, asks for the activation password, \
                         activates, and reports its registration code to the registration address."
                    );
                    let scanned = SecureActivation::decode(&page.qr_uri, &page.password)
                        .map_err(|e| e.to_string())?;
                    let token = TokenActivation::new(
                        scanned.serial(),
                        scanned.activation_code().clone(),
                        scanned.policy().cloned(),
                    );
                    let code = register(&token, person)?;
                    let body = RegistrationRequest::new(&token, &code).to_json();
                    let reply = service
                        .register_online(body.as_bytes(), tollgate::Client::default())
                        .map_err(|e| e.to_string())?;
                    println!(
                        "  [registration address] {} {}",
                        reply.status,
                        reply.to_json()
                    );
                    println!("  [you] click OK");
                    Ok(String::new())
                })?;
                if response.trim().is_empty() {
                    Input::RegistrationArrived
                } else {
                    Input::RegistrationCode(response)
                }
            }
            Screen::Enrolled { .. } => {
                answer(interactive, &catalog.text(MessageId::Continue), || {
                    Ok(String::new())
                })?;
                Input::Continue
            }
            Screen::EnterTokenCode { .. } => Input::TokenCode(answer(interactive, "Code", || {
                let token = person.token.as_ref().ok_or("no token was enrolled")?;
                if view.notice.is_some() {
                    // Refused: most likely this step's code was spent already (a run a moment
                    // ago). The app's next code comes with the next step.
                    let wait = token
                        .params()
                        .seconds_until_next_step(service.now())
                        .map_err(|e| e.to_string())?;
                    println!("  [soft token] next code in {wait} s");
                    match &person.options.at {
                        Some(clock) => clock.advance(wait),
                        None => std::thread::sleep(std::time::Duration::from_secs(wait)),
                    }
                }
                let code = token.generate(service.now()).map_err(|e| e.to_string())?;
                println!("  [soft token] shows {code}");
                Ok(code.to_string())
            })?),
            Screen::Authenticated { .. } => return Ok(view),
            other => return Err(format!("unexpected screen {other:?}")),
        };
        view = service
            .submit(&view.login, submission)
            .map_err(|e| e.to_string())?;
    }
    Err("the login did not finish".into())
}

/// The app's side of the activation: a registration code, and the token it keeps.
fn register(token: &TokenActivation, person: &mut Person<'_>) -> Result<RegistrationCode, String> {
    let mut rng = tollgate::os_rng();
    let (code, activated) = token.register(&mut rng);
    println!("  [soft token] registration code: {code}");
    if let Some(app) = &person.app {
        store::save_app(app, USER, &activated)?;
        println!("  [soft token] keeps its token in {}", app.display());
    }
    person.token = Some(activated.totp());
    Ok(code)
}
