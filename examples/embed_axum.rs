//! tollgate-axum inside an app with routes of its own: `cargo run --example embed_axum`, then
//! open http://127.0.0.1:8081/. The login lives under `/login`; `/account` is the app's page
//! that only a logged-in user sees. User `john.smith@example.com`, password `correct horse
//! battery staple`; PINs on this console. `--port N` (0 picks one), `--seed N` (for tests).

use std::sync::Arc;

use axum::response::Html;
use axum::routing::get;
use axum::{Extension, Router};
use rand_core::SeedableRng as _;
use tollgate::login::Config;
use tollgate::{Outbox, Service};
use tollgate_axum::{AuthenticatedUser, Login, REGISTRATION_PATH, WebConfig};

async fn home() -> Html<&'static str> {
    Html(r#"<h1>Example app</h1><p><a id="account" href="/account">Your account</a></p>"#)
}

/// Only for the logged-in: anyone else is sent to `/login`.
async fn account(user: AuthenticatedUser) -> Html<String> {
    let name: String = (user.id().as_str().chars())
        .filter(|c| !"<>&\"'".contains(*c))
        .collect();
    let logout = user.logout_form("Log out");
    Html(format!(
        r#"<h1>Your account</h1><p id="user">{name}</p>{logout}"#
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut port, mut seed) = (8081, None);
    while let Some(arg) = args.next() {
        let value: u64 = args.next().ok_or("a value")?.parse()?;
        match arg.as_str() {
            "--port" => port = u16::try_from(value)?,
            "--seed" => seed = Some(value),
            _ => return Err(format!("unknown argument {arg:?}").into()),
        }
    }
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
    let service = Arc::new(builder.build()?);
    let password = "correct horse battery staple";
    service.register_user(
        "john.smith@example.com",
        password,
        Some("+1 613 270 1234"),
        None,
    )?;

    let web = WebConfig::default()
        .with_base("/login")
        .with_after_login("/account");
    let login = Login::new(service, web);
    let app = Router::new()
        .route("/", get(home))
        .route("/account", get(account))
        .layer(Extension(login.clone()))
        .merge(login.router());
    println!("listening on http://{address}/");
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).await?;
    Ok(())
}
