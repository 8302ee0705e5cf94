//! tollgate-axum inside an app with routes of its own: `cargo run --example embed_axum`, then
//! open http://127.0.0.1:8081/. The login lives under `/login`; `/account` is the app's page
//! that only a logged-in user sees. [`JOHN`] logs in with [`PASSWORD`]; PINs on this console.
//! `--port N` (0 picks one), `--seed N` (for tests), `--store memory|sqlite:PATH|postgres://…`
//! and `--keys FILE` (or the key file's text in `TOLLGATE_KEYS`) as `web_login` takes them:
//! the accounts, logins and sessions in SQLite or PostgreSQL, so that several processes serve
//! the app; `--new-keys FILE` writes a key file. `--help` says so.

#[path = "web_login/store.rs"]
mod store;

use std::sync::Arc;

use axum::response::Html;
use axum::routing::get;
use axum::{Extension, Router};
use rand_core::SeedableRng as _;
use tollgate::{Outbox, Service, login::Config};
use tollgate_axum::{AuthenticatedUser, Login, REGISTRATION_PATH, WebConfig};

const JOHN: &str = "john.smith@example.com";
const PASSWORD: &str = "correct horse battery staple";

async fn home() -> Html<&'static str> {
    Html(r#"<h1>Example app</h1><p><a id="account" href="/account">Your account</a></p>"#)
}

/// Only for the logged-in: anyone else is sent to `/login`.
async fn account(user: AuthenticatedUser) -> Html<String> {
    let name = user.id().as_str().replace(['<', '>', '&', '"', '\''], "");
    let logout = user.logout_form("Log out");
    Html(format!(
        r#"<h1>Your account</h1><p id="user">{name}</p>{logout}"#
    ))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("embed_axum: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    const USAGE: &str = "usage: embed_axum [--port N] [--seed N] \
        [--store memory|sqlite:PATH|postgres://URL] [--keys FILE] [--new-keys FILE]";
    let mut args = std::env::args().skip(1);
    let (mut port, mut seed) = (8081, None);
    let (mut choice, mut keys) = (store::StoreChoice::Memory, None);
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            println!("{USAGE}");
            return Ok(());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))?;
        match arg.as_str() {
            "--port" => {
                port = value
                    .parse()
                    .map_err(|_| format!("--port: {value:?} is not a port"))?
            }
            "--seed" => {
                seed = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--seed: {value:?} is not a number"))?,
                )
            }
            "--store" => choice = value.parse()?,
            "--keys" => keys = Some(value),
            "--new-keys" => {
                store::new_keys(&value)?;
                println!("wrote the service's keys to {value}: give every process this file");
                return Ok(());
            }
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}").into()),
        }
    }
    // The database first: a wrong URL, an unreachable server or other keys stop here.
    let opened = store::open(&choice, keys.as_deref())?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    let config = Config::default()
        .with_registration_address(&format!("http://{address}/login/{REGISTRATION_PATH}"));
    let mut builder = Service::builder()
        .config(config)
        .delivery(Arc::new(Outbox::printing()));
    if let Some(seed) = seed {
        builder = builder.rng(Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed)));
    }
    // `--store sqlite:app.db`: accounts in SQLite, sealed with the keys of `app.db.keys` (made
    // once); `--store postgres://…` with the keys every node shares.
    if let Some(opened) = &opened {
        builder = builder.keys(&opened.keys).store(opened.store.clone());
    }
    let service = Arc::new(builder.build()?);
    // Registered once: a store that already has John keeps him.
    match service.register_user(JOHN, PASSWORD, Some("+1 613 270 1234"), None) {
        Ok(_) | Err(tollgate::Error::DuplicateUser) => {}
        Err(e) => return Err(e.into()),
    }
    let mut web = WebConfig::default()
        .with_base("/login")
        .with_after_login("/account");
    if let Some(opened) = &opened {
        web = web.with_sessions(opened.sessions.clone());
    }
    let login = Login::new(service, web);
    let app = Router::new()
        .route("/", get(home))
        .route("/account", get(account))
        .layer(Extension(login.clone()))
        .merge(login.router());
    println!("listening on http://{address}/");
    // Like axum::serve with the client's address, and a header-read timeout and a connection
    // cap, which axum::serve does not set.
    tollgate_axum::serve(listener, app, tollgate_axum::ServeLimits::default()).await?;
    Ok(())
}
