//! The portal's first login as a web application: `cargo run --example web_login`, then open
//! the address it prints. A thin `main` over `tollgate-axum`, which serves every screen.
//!
//! Three users are registered at start: `john.smith@example.com`, `jane.doe@example.com` and
//! `joe.bloggs@example.com`, all with the password `correct horse battery staple`. PINs go to
//! the server's console, a stand-in for SMS and e-mail; with `--dev-outbox` each browser session
//! also sees its own at `/outbox` (a development switch: every page says it is on). The app side
//! is `cargo run --example soft_token`: `scan` registers at this server's `/api/mobile`.
//!
//! Options: `--port N` (default 8080; 0 picks a free one), `--registration-address URL` (the
//! address the QR code and the desktop screen give the app: by default this server's own),
//! `--registration-scheme tollgate|any-field`, `--open-path` (the mobile screen also offers an
//! `otpauth://` QR code for any authenticator app), `--dev-outbox`, `--seed N` (a seeded RNG, for
//! tests), `--virtual-clock UNIX_SECONDS` (a clock that stands still; `/dev/clock` moves it: for
//! tests, never for production), `--dev-admin` (the help desk's page at `/dev/admin`: unlock,
//! revoke, temporary password, re-enrollment grant, app unlock code, for anyone who reaches
//! it: development only), `--metrics` (the service's metrics in Prometheus' text format
//! at `/metrics`), `--catalogues DIR` (a `<language>.ftl` file there adds or rewords a language
//! of the pages), `--smtp HOST:PORT` (PINs by e-mail through that SMTP server, without TLS),
//! `--sms-gateway URL` (PINs by SMS as a JSON POST to that gateway), `--passkeys ORIGIN`
//! (passkeys for pages at exactly that origin, such as `http://localhost:8080`: its host is the
//! relying-party ID, and browsers take `http://` for `localhost` alone).
//!
//! The logged-in page offers "Create your Signing Certificate", and the CSC API is served at
//! `/csc/v1/` and `/csc/v2/` (pyHanko's `CSCSigner` signs PDFs through it, each signature
//! authorized by the soft token's code). `--ca DIR` keeps the signing CA and keys in DIR (made
//! the first time; `DIR/ca.pem` is the root a verifier trusts); without it they are made for
//! the run.
//!
//! `--store memory|sqlite:PATH|postgres://…` (default memory) puts the accounts, the logins in
//! progress and the browser sessions in SQLite or PostgreSQL, so that several `web_login`s
//! behind a load balancer serve one user's requests in any order (docs/deployment.md). The
//! keys that seal them come from `--keys FILE`, or the file's text in `TOLLGATE_KEYS`, or (for
//! SQLite alone) `PATH.keys`, made the first time; `--new-keys FILE` writes a new key file
//! and exits. `--proxy ADDRESS` (repeatable) believes `X-Forwarded-For` from that proxy (the
//! client's address, which wrong passwords are throttled by, is then the one the proxy saw);
//! `/health` answers 200 while the node can read its store. `--demo-users N` registers `user1@example.com` … `userN@example.com` besides (the
//! same password), for the two-node test and load runs.

mod admin;
mod clock;
mod health;
mod options;
mod signing;
mod store;

use std::sync::Arc;
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::login::{CatalogName, Config};
use tollgate::otp::{Algorithm, UnixTime};
use tollgate::{Clock, ManualClock, Outbox, Service, SystemClock};
use tollgate_axum::{DevOutbox, Login, REGISTRATION_PATH, WebConfig};

use crate::options::{Options, options};

const PASSWORD: &str = "correct horse battery staple";
const USERS: [&str; 3] = [
    "john.smith@example.com",
    "jane.doe@example.com",
    "joe.bloggs@example.com",
];
fn main() -> std::process::ExitCode {
    match options().and_then(run) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("web_login: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(options: Options) -> Result<(), String> {
    if let Some(path) = &options.new_keys {
        store::new_keys(path)?;
        println!("wrote the service's keys to {path}: give every node this file");
        return Ok(());
    }
    // The database first: a wrong URL, an unreachable server or other keys stop here.
    let opened = store::open(&options.store, options.keys.as_deref())?;
    // Bound first: the registration address names the port.
    let listener = std::net::TcpListener::bind(("127.0.0.1", options.port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", options.port))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let registration = (options.address.clone())
        .unwrap_or_else(|| format!("http://{address}/{REGISTRATION_PATH}"));
    let manual = (options.virtual_clock).map(|at| ManualClock::new(UnixTime::from_secs(at)));
    let clock: Arc<dyn Clock> = match &manual {
        Some(clock) => Arc::new(clock.clone()),
        None => Arc::new(SystemClock),
    };
    let mut config = Config::default()
        .with_issuer("Remote Signing Service")
        .with_registration_address(&registration)
        .with_registration_scheme(options.scheme);
    if options.open_path {
        config = config.with_open_path(Algorithm::Sha1);
    }
    if let Some(origin) = &options.passkeys {
        let host = origin
            .split_once("://")
            .map(|(_, rest)| rest.rsplit_once(':').map_or(rest, |(host, _)| host))
            .unwrap_or_default();
        let rp = tollgate::passkey::RelyingParty::new(host, [origin.as_str()])
            .map_err(|e| format!("--passkeys {origin}: {e}"))?
            .with_name("Remote Signing Service");
        config = config.with_passkeys(rp);
    }
    let outbox = options.dev_outbox.then(DevOutbox::default);
    // SMS through a gateway's HTTP API, else to the console; e-mail through SMTP, else likewise.
    let sms: Arc<dyn tollgate::Delivery> = match &options.sms_gateway {
        Some(url) => Arc::new(tollgate::HttpSmsDelivery::new(
            url,
            "RSS",
            Duration::from_secs(5),
        )),
        None => Arc::new(Outbox::printing()),
    };
    let delivery: Arc<dyn tollgate::Delivery> = match (&outbox, &options.smtp) {
        (Some(outbox), _) => outbox.delivery(),
        (None, Some((host, port))) => {
            let transport = tollgate::lettre::SmtpTransport::builder_dangerous(host)
                .port(*port)
                .build();
            let smtp = tollgate::SmtpDelivery::new(transport, "Sign-in <no-reply@rss.example>")
                .map_err(|e| e.to_string())?;
            Arc::new(smtp.with_sms(sms))
        }
        (None, None) => sms,
    };
    let mut builder = Service::builder()
        .config(config)
        .delivery(delivery)
        .clock(clock)
        .audit_trail(true);
    let signing_store: tollgate::signing::SharedSigningStore = match &opened {
        Some(opened) => {
            builder = builder.keys(&opened.keys).store(opened.store.clone());
            opened.signing.clone()
        }
        None => {
            let memory = Arc::new(tollgate::MemoryStore::new());
            builder = builder.store(memory.clone());
            memory
        }
    };
    let now = manual
        .as_ref()
        .map_or_else(|| SystemClock.now(), Clock::now);
    builder = builder.signer(signing::signer(options.ca.as_deref(), signing_store, now)?);
    if let Some(seed) = options.seed {
        builder = builder.rng(Box::new(ChaCha20Rng::seed_from_u64(seed)));
    }
    let service = Arc::new(builder.build().map_err(|e| e.to_string())?);
    let demo = (1..=options.demo_users).map(|n| format!("user{n}@example.com"));
    for user in USERS.into_iter().map(str::to_owned).chain(demo) {
        // A database that has them (another node, an earlier run) keeps them as they are.
        match service.register_user(&user, PASSWORD, Some("+1 613 270 1234"), Some(&user)) {
            Ok(_) | Err(tollgate::Error::DuplicateUser) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    // The portal's wording, in English, French and German; and any language of the
    // deployment's own, from its .ftl files.
    let mut web = WebConfig::default()
        .with_title("Remote Signing Service")
        .with_catalogue(CatalogName::Portal);
    if let Some(dir) = &options.catalogues {
        web = web.with_catalogue_dir(std::path::Path::new(dir))?;
    }
    if let Some(opened) = &opened {
        web = web.with_sessions(opened.sessions.clone());
    }
    if !options.proxies.is_empty() {
        web = web.with_client_address(tollgate_axum::ClientAddress::Header {
            name: "x-forwarded-for".into(),
            proxies: options.proxies.clone(),
        });
    }
    let help_desk = options.dev_admin.then(|| admin::routes(service.clone()));
    let login = match outbox {
        Some(outbox) => {
            println!("the development outbox is on: never in production");
            Login::with_dev_outbox(service, web, outbox)
        }
        None => Login::new(service, web),
    };
    let health = health::routes(login.service().clone());
    let mut app = login.router().merge(clock::routes(manual)).merge(health);
    if let Some(help_desk) = help_desk {
        println!("the help desk's page is at /dev/admin, for anyone: never in production");
        app = app.merge(help_desk);
    }
    if options.metrics {
        let prometheus = metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .map_err(|e| e.to_string())?;
        let metrics = move || std::future::ready(prometheus.render());
        app = app.route("/metrics", axum::routing::get(metrics));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
        println!("listening on http://{address}/");
        println!("users: {}; password {PASSWORD:?}", USERS.join(", "));
        // A header-read timeout and a connection cap (axum::serve sets neither).
        tollgate_axum::serve(listener, app, tollgate_axum::ServeLimits::default())
            .await
            .map_err(|e| e.to_string())
    })
}
