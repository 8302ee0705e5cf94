//! The answers every handler shares: the security headers, redirects, refusals.

use axum::http::header::{CACHE_CONTROL, LOCATION, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use tollgate::Error;

use crate::Login;
use crate::pages::refused;

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

/// The security headers of [`secure`] on every answer of the router that has none of its own
/// (the stylesheet, the script, the QR images, the 404 of a path it does not know): a layer,
/// so that no route can be added without them. Caching is left to the routes that set it.
pub(crate) async fn every_answer(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (HeaderName::from_static("x-frame-options"), "DENY"),
        (HeaderName::from_static("referrer-policy"), "no-referrer"),
        (HeaderName::from_static("x-content-type-options"), "nosniff"),
        (
            HeaderName::from_static("content-security-policy"),
            "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

pub(crate) fn redirect(to: &str) -> Response {
    let location = HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/"));
    secure((StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response())
}

pub(crate) fn redirect_home(login: &Login) -> Response {
    redirect(&login.0.config.url(""))
}

pub(crate) fn failure(login: &Login, status: StatusCode, message: &str) -> Response {
    let page = refused(message, &login.0.config.url(""));
    secure((status, Html(page.into_string())).into_response())
}

/// A failure of the service itself: the user sees that it failed, the log sees why (the
/// store's error and its causes are not for the user's eyes).
pub(crate) fn service_failure(login: &Login, e: &Error) -> Response {
    let mut cause = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(e) = source {
        cause.push_str(&format!(": {e}"));
        source = e.source();
    }
    eprintln!("tollgate-axum: the service failed{cause}");
    failure(
        login,
        StatusCode::INTERNAL_SERVER_ERROR,
        "the service failed; try again in a moment",
    )
}

pub(crate) fn busy(login: &Login) -> Response {
    let mut response = failure(
        login,
        StatusCode::SERVICE_UNAVAILABLE,
        "the service is busy; try again in a moment",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("2"));
    response
}
