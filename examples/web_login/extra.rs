//! The routes beside the login: the QR image, the development outbox and the virtual clock.

use axum::extract::{Form, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use tollgate::Clock as _;
use tollgate::provision::{QrOptions, render_png};

use crate::{Shared, failure, pages, secure, session};

/// The secure activation QR code of the page this session was last shown.
pub(crate) async fn qr(State(app): Shared, headers: HeaderMap) -> Response {
    let uri = session::cookie(&headers)
        .and_then(|id| app.sessions.with(&id, |s| s.qr_uri.clone()).flatten());
    png(uri.as_deref())
}

/// The open path's QR code of that page (it carries the token's secret: served to this
/// session alone, never cached).
pub(crate) async fn open_qr(State(app): Shared, headers: HeaderMap) -> Response {
    let uri = session::cookie(&headers)
        .and_then(|id| app.sessions.with(&id, |s| s.open_uri.clone()).flatten());
    png(uri.as_deref().map(String::as_str))
}

fn png(uri: Option<&str>) -> Response {
    let Some(uri) = uri else {
        return failure(StatusCode::NOT_FOUND, "no QR code on this session's page");
    };
    let options = QrOptions {
        module_size: 8,
        ..QrOptions::default()
    };
    match render_png(uri.as_bytes(), &options) {
        Ok(png) => secure(([(CONTENT_TYPE, "image/png")], png.to_vec()).into_response()),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// The development outbox (only routed with `--dev-outbox`): this session's messages.
pub(crate) async fn outbox_page(State(app): Shared, headers: HeaderMap) -> Response {
    let mailbox =
        session::cookie(&headers).and_then(|id| app.sessions.with(&id, |s| s.mailbox.clone()));
    let messages = match (app.outbox.dev(), mailbox) {
        (Some(outbox), Some(mailbox)) => outbox.messages(&mailbox),
        _ => Vec::new(),
    };
    secure(Html(pages::outbox(&messages)).into_response())
}

/// The virtual clock's page: its time, and a form to move it on (only with `--virtual-clock`).
pub(crate) async fn clock_page(State(app): Shared) -> Response {
    let Some(clock) = &app.clock else {
        return failure(
            StatusCode::NOT_FOUND,
            "the example runs on the system clock",
        );
    };
    secure(
        Html(format!(
            r#"<!doctype html><html><head><title>Clock</title></head><body><main data-screen="clock">
<p>Virtual clock (development): <span id="now">{}</span></p>
<form method="post" action="/dev/clock"><input type="hidden" name="csrf" value="{}"><input id="advance" name="advance" type="text"><button type="submit" id="advance_clock">Advance</button></form>
</main></body></html>"#,
            clock.now().as_secs(),
            app.clock_token
        ))
        .into_response(),
    )
}

#[derive(serde::Deserialize)]
pub(crate) struct Advance {
    csrf: String,
    advance: u64,
}

pub(crate) async fn advance_clock(State(app): Shared, Form(form): Form<Advance>) -> Response {
    use subtle::ConstantTimeEq as _;
    if !bool::from(form.csrf.as_bytes().ct_eq(app.clock_token.as_bytes())) {
        return failure(StatusCode::FORBIDDEN, "the form's token does not match");
    }
    match &app.clock {
        Some(clock) => {
            clock.advance(form.advance);
            secure((StatusCode::SEE_OTHER, [(LOCATION, "/dev/clock")]).into_response())
        }
        None => failure(
            StatusCode::NOT_FOUND,
            "the example runs on the system clock",
        ),
    }
}
