//! The portal's first login as a web application: `cargo run --example web_login`, then open
//! the address it prints. Server-rendered HTML on axum; the tollgate service behind it.
//!
//! Three users are registered at start: `john.smith@example.com`, `jane.doe@example.com` and
//! `joe.bloggs@example.com`, all with the password `correct horse battery staple`. PINs go to
//! the server's console, a stand-in for SMS and e-mail; with `--dev-outbox` each browser session
//! also sees its own at `/outbox` (a development switch: every page says it is on). Run the token
//! side with `cargo run --example soft_token`.
//!
//! Why axum: it is the Tokio project's own web framework, the most used one in Rust, with no
//! macros between a handler and the function you read, and the `tower` middleware ecosystem
//! behind it. The tollgate service is synchronous, so handlers call it through
//! `spawn_blocking` (the Argon2id check takes ~14 ms).
//!
//! The soft-token app registers itself at `/api/mobile` (the QR code's registration address
//! and the desktop screen's Address), and the user clicks OK: `soft_token scan` does it.
//!
//! Options: `--port N` (default 8080; 0 picks a free one), `--registration-address URL` (the
//! address the QR code and the desktop screen give the app: by default this server's own
//! `http://127.0.0.1:PORT/api/mobile`; behind a proxy, its public `https://` one),
//! `--open-path` (the mobile screen
//! also offers an `otpauth://` QR code for any authenticator app), `--seed N` (a seeded RNG,
//! for tests), `--virtual-clock UNIX_SECONDS` (a clock that stands still; `/dev/clock` moves
//! it: for tests, never for production), `--dev-outbox` (as above: never for production).

mod api;
mod extra;
mod forms;
mod outbox;
mod pages;
mod session;
mod steps;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::codes::RegistrationScheme;
use tollgate::login::{Config, Screen};
use tollgate::otp::{Algorithm, UnixTime};
use tollgate::{Clock, Error, ManualClock, Outbox, Service, SystemClock};

use crate::outbox::{DevOutbox, Sink};

use crate::pages::Page;
use crate::session::{Lang, Sessions};

const PASSWORD: &str = "correct horse battery staple";
const USERS: [&str; 3] = [
    "john.smith@example.com",
    "jane.doe@example.com",
    "joe.bloggs@example.com",
];

pub(crate) struct App {
    pub(crate) service: Service,
    /// Where messages go; the development outbox only with `--dev-outbox`.
    pub(crate) outbox: Sink,
    pub(crate) sessions: Sessions,
    /// The virtual clock, when the example runs on one.
    pub(crate) clock: Option<ManualClock>,
    /// The CSRF token of the virtual clock's form.
    pub(crate) clock_token: String,
    /// Pages rendered so far.
    renders: std::sync::atomic::AtomicU64,
}

pub(crate) type Shared = State<Arc<App>>;

struct Options {
    port: u16,
    open_path: bool,
    dev_outbox: bool,
    seed: Option<u64>,
    virtual_clock: Option<u64>,
    scheme: RegistrationScheme,
    registration_address: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        port: 8080,
        open_path: false,
        dev_outbox: false,
        seed: None,
        virtual_clock: None,
        scheme: RegistrationScheme::Tollgate,
        registration_address: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--port" => {
                options.port = u16::try_from(value("--port")?).map_err(|_| "--port: 0 to 65535")?;
            }
            "--open-path" => options.open_path = true,
            "--dev-outbox" => options.dev_outbox = true,
            "--seed" => options.seed = Some(value("--seed")?),
            "--virtual-clock" => options.virtual_clock = Some(value("--virtual-clock")?),
            "--registration-address" => {
                options.registration_address =
                    Some(args.next().ok_or("--registration-address needs a URL")?);
            }
            "--registration-scheme" => {
                let name = args.next().unwrap_or_default();
                options.scheme = name
                    .parse()
                    .map_err(|e| format!("--registration-scheme {name:?}: {e}"))?;
            }
            "--help" | "-h" => {
                return Err(
                    "usage: web_login [--port N] [--registration-address URL] [--open-path] \
                     [--dev-outbox] [--seed N] [--virtual-clock UNIX_SECONDS] \
                     [--registration-scheme tollgate|any-field]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

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
    // Bound first: the registration address names the port.
    let listener = std::net::TcpListener::bind(("127.0.0.1", options.port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", options.port))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let registration_address = options
        .registration_address
        .clone()
        .unwrap_or_else(|| format!("http://{address}{}", api::PATH));
    let outbox = if options.dev_outbox {
        Sink::Dev(DevOutbox::default())
    } else {
        Sink::Console(Outbox::printing())
    };
    let manual = options
        .virtual_clock
        .map(|start| ManualClock::new(UnixTime::from_secs(start)));
    let clock: Arc<dyn Clock> = match &manual {
        Some(clock) => Arc::new(clock.clone()),
        None => Arc::new(SystemClock),
    };
    let mut config = Config::default()
        .with_issuer("Remote Signing Service")
        .with_registration_address(&registration_address)
        .with_registration_scheme(options.scheme);
    if options.open_path {
        config = config.with_open_path(Algorithm::Sha1);
    }
    let mut builder = Service::builder()
        .config(config)
        .delivery(outbox.delivery())
        .clock(clock);
    if let Some(seed) = options.seed {
        builder = builder.rng(Box::new(ChaCha20Rng::seed_from_u64(seed)));
    }
    let service = builder.build().map_err(|e| e.to_string())?;
    for user in USERS {
        service
            .register_user(user, PASSWORD, Some("+1 613 270 1234"), Some(user))
            .map_err(|e| e.to_string())?;
    }
    let app = Arc::new(App {
        service,
        outbox,
        sessions: Sessions::default(),
        clock: manual,
        clock_token: session::random_token(),
        renders: std::sync::atomic::AtomicU64::new(0),
    });
    let router = Router::new()
        .route("/", get(page))
        .route("/submit", post(forms::submit))
        .route("/lang", post(forms::language))
        .route(
            api::PATH,
            post(api::register).layer(axum::extract::DefaultBodyLimit::max(4096)),
        )
        .route("/qr.png", get(extra::qr))
        .route("/open-qr.png", get(extra::open_qr))
        .route(
            "/dev/clock",
            get(extra::clock_page).post(extra::advance_clock),
        )
        .route(
            "/style.css",
            get(|| async { asset("text/css", pages::STYLE) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript", pages::SCRIPT) }),
        );
    let router = if options.dev_outbox {
        println!("the development outbox is on: never in production");
        router.route("/outbox", get(extra::outbox_page))
    } else {
        router
    }
    .with_state(app);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
        println!("listening on http://{address}/");
        println!("users: {}; password {PASSWORD:?}", USERS.join(", "));
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service)
            .await
            .map_err(|e| e.to_string())
    })
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(CONTENT_TYPE, kind)], body).into_response()
}

/// Headers on every page: no caching (pages show codes), no framing, no referrer, scripts and
/// styles from this origin only.
pub(crate) fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (CACHE_CONTROL, "no-store"),
        (HeaderName::from_static("x-frame-options"), "DENY"),
        (HeaderName::from_static("referrer-policy"), "no-referrer"),
        (HeaderName::from_static("x-content-type-options"), "nosniff"),
        (
            HeaderName::from_static("content-security-policy"),
            "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

pub(crate) fn redirect_home() -> Response {
    secure((StatusCode::SEE_OTHER, [(LOCATION, "/")]).into_response())
}

/// A failure of the service itself: the user sees that it failed, the log sees why (the store's
/// error and its causes are not for the user's eyes).
pub(crate) fn service_failure(e: &Error) -> Response {
    let mut cause = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(e) = source {
        cause.push_str(&format!(": {e}"));
        source = e.source();
    }
    eprintln!("web_login: the service failed{cause}");
    failure(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the service failed; try again in a moment",
    )
}

pub(crate) fn failure(status: StatusCode, message: &str) -> Response {
    let html = format!(
        r#"<!doctype html><html><head><title>Refused</title><link rel="stylesheet" href="/style.css"></head>
<body><main data-screen="refused"><p id="refused">{}</p><p><a href="/">Back</a></p></main></body></html>"#,
        pages::escape(message)
    );
    secure((status, Html(html)).into_response())
}

/// Runs blocking service work (the Argon2id check) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Response> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| failure(StatusCode::INTERNAL_SERVER_ERROR, "the request failed"))
}

/// The session of this request and its login, starting both when missing or expired.
async fn session(
    app: &Arc<App>,
    headers: &HeaderMap,
) -> Result<(String, Option<String>), Response> {
    let now = app.service.now().as_secs();
    if let Some(id) = session::cookie(headers)
        && app.sessions.touch(&id, now)
    {
        return Ok((id, None));
    }
    let service_app = app.clone();
    let view = blocking(move || service_app.service.start())
        .await?
        .map_err(|e| service_failure(&e))?;
    let id = app.sessions.create(view.login, Lang::English, now);
    let cookie = session::set_cookie(&id);
    Ok((id, Some(cookie)))
}

async fn page(State(app): Shared, headers: HeaderMap) -> Response {
    let (id, cookie) = match session(&app, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(login) = app.sessions.with(&id, |s| s.login.clone()) else {
        return redirect_home();
    };
    let worker = app.clone();
    let key = login.clone();
    let viewed = blocking(move || worker.service.view(&key)).await;
    let view = match viewed {
        Ok(Ok(view)) => {
            // A page shown again moves no key, but the generation may have moved on.
            app.sessions.advance(&id, &login, view.login.clone(), None);
            view
        }
        Ok(Err(Error::UnknownLogin | Error::LoginRefused(_))) => {
            // The login expired, finished, or could not be trusted: a new one, same session.
            let worker = app.clone();
            match blocking(move || worker.service.start()).await {
                Ok(Ok(view)) => {
                    app.sessions.with(&id, |s| s.login = view.login.clone());
                    view
                }
                Ok(Err(e)) => return service_failure(&e),
                Err(response) => return response,
            }
        }
        Ok(Err(e)) => return service_failure(&e),
        Err(response) => return response,
    };
    let render = app
        .renders
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let html = app
        .sessions
        .with(&id, |s| {
            (s.qr_uri, s.open_uri) = match &view.screen {
                Screen::MobileActivation(page) => (
                    Some(page.qr_uri.clone()),
                    page.open.as_ref().map(|o| o.uri.clone()),
                ),
                _ => (None, None),
            };
            let flash = s.flash.take();
            Page {
                lang: s.lang,
                csrf: &s.csrf,
                flash: flash.as_ref(),
                render,
                dev_outbox: app.outbox.dev().is_some(),
            }
            .render(&view)
        })
        .unwrap_or_default();
    let mut response = secure(Html(html).into_response());
    if let Some(cookie) = cookie
        && let Ok(value) = HeaderValue::from_str(&cookie)
    {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}
