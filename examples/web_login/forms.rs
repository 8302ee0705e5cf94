//! The forms: every step of the login posts to `/submit`, the language selector to `/lang`;
//! each answer is a redirect to `/` (post/redirect/get).

use axum::extract::{ConnectInfo, Form, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use tollgate::login::{EnrollmentKind, Input};
use tollgate::{Error, View};
use zeroize::Zeroizing;

use crate::outbox::on_behalf_of;
use crate::session::{self, Lang};
use crate::{Shared, blocking, failure, redirect_home, service_failure};

#[derive(serde::Deserialize)]
pub(crate) struct Submission {
    csrf: String,
    action: String,
    #[serde(default)]
    value: String,
}

impl Drop for Submission {
    /// The typed password or code does not outlive the request.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.value);
    }
}

fn input(action: &str, value: Zeroizing<String>) -> Option<Input<Zeroizing<String>>> {
    let text = || value.trim().to_owned();
    Some(match action {
        "user_id" => Input::UserId(text()),
        "password" => Input::Password(value.clone()),
        "forgot" => Input::ForgotPassword,
        "pin" => Input::Pin(text()),
        "resend" => Input::ResendPin,
        "alternative" => Input::AlternativeAuthentication,
        "mobile" => Input::ChooseEnrollment(EnrollmentKind::Mobile),
        "desktop" => Input::ChooseEnrollment(EnrollmentKind::Desktop),
        // OK with Response left empty: the app registered online.
        "registration" if value.trim().is_empty() => Input::RegistrationArrived,
        "registration" => Input::RegistrationCode(text()),
        "open_code" => Input::OpenPathCode(text()),
        "continue" => Input::Continue,
        "token" => Input::TokenCode(text()),
        "cancel" => Input::Cancel,
        _ => return None,
    })
}

/// Every form of the login posts here; the answer is a redirect to `/` (post/redirect/get).
pub(crate) async fn submit(
    State(app): Shared,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(mut form): Form<Submission>,
) -> Response {
    let Some(id) = session::cookie(&headers) else {
        return failure(StatusCode::FORBIDDEN, "no session: reload the page");
    };
    if !app.sessions.csrf_ok(&id, &form.csrf) {
        return failure(
            StatusCode::FORBIDDEN,
            "the form's token does not match this session",
        );
    }
    let Some((login, mailbox)) = app
        .sessions
        .with(&id, |s| (s.login.clone(), s.mailbox.clone()))
    else {
        return redirect_home();
    };
    let worker = app.clone();
    let key = login.clone();
    let result: Result<View, Error> = if form.action == "logout" {
        blocking(move || {
            // The old login's key dies; a fresh one takes its place.
            let _ = worker.service.end(&key);
            worker.service.start()
        })
        .await
    } else {
        let value = Zeroizing::new(std::mem::take(&mut form.value));
        let Some(input) = input(&form.action, value) else {
            return failure(StatusCode::BAD_REQUEST, "unknown action");
        };
        let client = tollgate::Client {
            address: Some(peer.ip()),
            device: session::device_cookie(&headers),
        };
        blocking(move || on_behalf_of(&mailbox, || worker.service.submit_from(&key, input, client)))
            .await
    }
    .unwrap_or_else(|_| Err(Error::Contended));
    match result {
        Ok(view) => {
            let device = view.device;
            let moved = app.sessions.advance(&id, &login, view.login, view.notice);
            let mut response = redirect_home();
            // A whole login from a browser the account did not know: remember the browser.
            if let Some(device) = device
                && let Ok(value) = HeaderValue::from_str(&session::set_device_cookie(&device))
            {
                response.headers_mut().append(SET_COOKIE, value);
            }
            // A new key: a new session ID (and CSRF token) with it.
            if let Some(new_id) = moved
                && let Ok(value) = HeaderValue::from_str(&session::set_cookie(&new_id))
            {
                response.headers_mut().append(SET_COOKIE, value);
            }
            response
        }
        // Another request on this login went first (a double submit): show it as it is now.
        // An expired, finished or refused login: the next page starts a new one.
        Err(Error::Superseded | Error::UnknownLogin | Error::LoginRefused(_)) => redirect_home(),
        Err(Error::Busy) => {
            let mut response = failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "the service is busy; try again in a moment",
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("2"));
            response
        }
        Err(e @ Error::PasswordTooLong { .. }) => failure(
            StatusCode::BAD_REQUEST,
            &format!("{e}: nothing was checked"),
        ),
        Err(e) => service_failure(&e),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct LanguageForm {
    csrf: String,
    lang: String,
}

pub(crate) async fn language(
    State(app): Shared,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Response {
    let Some(id) = session::cookie(&headers) else {
        return redirect_home();
    };
    if !app.sessions.csrf_ok(&id, &form.csrf) {
        return failure(
            StatusCode::FORBIDDEN,
            "the form's token does not match this session",
        );
    }
    if let Some(lang) = Lang::parse(&form.lang) {
        app.sessions.with(&id, |s| s.lang = lang);
    }
    redirect_home()
}
