//! The virtual clock's page (`--virtual-clock`, for tests): its time, and a form that moves it
//! on. Without a virtual clock the page says the example runs on the system clock.

use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use subtle::ConstantTimeEq as _;
use tollgate::{Clock as _, ManualClock};

#[derive(Clone)]
struct Dev {
    clock: Option<ManualClock>,
    /// The CSRF token of the clock's form.
    token: String,
}

pub(crate) fn routes(clock: Option<ManualClock>) -> Router {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's RNG");
    let token = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Router::new()
        .route("/dev/clock", get(page).post(advance))
        .with_state(Dev { clock, token })
}

async fn page(State(dev): State<Dev>) -> Response {
    let Some(clock) = &dev.clock else {
        return (
            StatusCode::NOT_FOUND,
            "the example runs on the system clock",
        )
            .into_response();
    };
    Html(format!(
        r#"<!doctype html><html><head><title>Clock</title></head><body><main data-screen="clock">
<p>Virtual clock (development): <span id="now">{}</span></p>
<form method="post" action="/dev/clock"><input type="hidden" name="csrf" value="{}"><input id="advance" name="advance" type="text"><button type="submit" id="advance_clock">Advance</button></form>
</main></body></html>"#,
        clock.now().as_secs(),
        dev.token
    ))
    .into_response()
}

#[derive(serde::Deserialize)]
struct Advance {
    csrf: String,
    advance: u64,
}

async fn advance(State(dev): State<Dev>, Form(form): Form<Advance>) -> Response {
    if !bool::from(form.csrf.as_bytes().ct_eq(dev.token.as_bytes())) {
        return (StatusCode::FORBIDDEN, "the form's token does not match").into_response();
    }
    match &dev.clock {
        Some(clock) => {
            clock.advance(form.advance);
            (StatusCode::SEE_OTHER, [(LOCATION, "/dev/clock")]).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            "the example runs on the system clock",
        )
            .into_response(),
    }
}
