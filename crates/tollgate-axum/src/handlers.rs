//! The page, the forms and the language selector. Every form posts to `<base>/submit` and is
//! answered with a redirect to the page (post/redirect/get); the service's blocking work runs
//! on Tokio's blocking threads, at most [`WebConfig::with_blocking`](crate::WebConfig::with_blocking)
//! at once.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, Form};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use tollgate::login::{EnrollmentKind, Input, Screen};
use tollgate::{Client, Error, View};
use zeroize::Zeroizing;

use crate::Login;
use crate::pages::PageContext;
use crate::responses::{busy, failure, redirect, redirect_home, secure, service_failure};
use crate::session::{Change, Held};
use crate::work::Step;

impl Login {
    /// The request's session and its login, starting both when missing or expired; the
    /// `Set-Cookie` value of a new session.
    async fn session(&self, headers: &HeaderMap) -> Result<(Held, Option<String>), Response> {
        let now = self.0.service.now().as_secs();
        if let Some(held) = self.session_of(headers).await {
            return Ok((held, None));
        }
        let view = self
            .blocking(None, tollgate::Service::start)
            .await?
            .map_err(|e| service_failure(self, &e))?;
        let held = self
            .0
            .sessions
            .create(view.login, self.0.config.negotiate(headers), now)
            .await
            .map_err(|e| session_failure(self, &e))?;
        let cookie = self.cookies().set_session(&held.id);
        Ok((held, Some(cookie)))
    }
}

/// The page for a session store that failed (logged; the database's error stays in the log).
fn session_failure(login: &Login, error: &tollgate::store::StoreError) -> Response {
    tracing::error!(error = %error, "the session store failed");
    failure(
        login,
        StatusCode::SERVICE_UNAVAILABLE,
        "the sessions cannot be read or written just now; try again",
    )
}

/// `GET <base>`: the login's page as it stands.
pub(crate) async fn page(Extension(login): Extension<Login>, headers: HeaderMap) -> Response {
    let span = tracing::info_span!("tollgate_axum.page");
    tracing::Instrument::instrument(show(login, headers), span).await
}

async fn show(login: Login, headers: HeaderMap) -> Response {
    let (held, cookie) = match login.session(&headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let key = held.session.login.clone();
    let mailbox = held.session.mailbox.clone();
    let viewed = login.step(mailbox.clone(), Step::View(key.clone())).await;
    let (view, restarted) = match viewed {
        Ok(Ok(view)) => (view, false),
        Ok(Err(Error::UnknownLogin | Error::LoginRefused(_))) => {
            // The login expired, finished, or could not be trusted: a new one, same session.
            match login
                .blocking(Some(mailbox), tollgate::Service::start)
                .await
            {
                Ok(Ok(view)) => (view, true),
                Ok(Err(e)) => return service_failure(&login, &e),
                Err(response) => return response,
            }
        }
        Ok(Err(e)) => return service_failure(&login, &e),
        Err(response) => return response,
    };
    let after = view.authenticated().and(login.0.config.after_login.clone());
    let user = view.authenticated().cloned();
    let (qr_uri, open_uri) = match &view.screen {
        Screen::MobileActivation(page) => (
            Some(page.qr_uri.clone()),
            page.open.as_ref().map(|o| o.uri.clone()),
        ),
        _ => (None, None),
    };
    let shown = view.login.clone();
    let now = login.0.service.now().as_secs();
    // One write: the login as shown (a page shown again moves no key, but the generation may
    // have moved on), what the page shows, and the notice and codes it shows once.
    let updated = login
        .0
        .sessions
        .update(held, now, move |s| {
            if !s.login.matches(&key) {
                // Another request of this browser moved the login on first: leave it be.
                return (Change::Keep, (None, Vec::new()));
            }
            let moved = !s.login.matches(&shown) || restarted || s.user != user;
            s.login = shown.clone();
            s.user = user.clone();
            if after.is_some() && s.codes.is_empty() {
                // On to the app's page, which shows no notice.
                return (Change::Save, (None, Vec::new()));
            }
            let changed = moved
                || s.flash.is_some()
                || !s.codes.is_empty()
                || s.qr_uri != qr_uri
                || s.open_uri != open_uri;
            s.qr_uri = qr_uri.clone();
            s.open_uri = open_uri.clone();
            let shown_once = (s.flash.take(), std::mem::take(&mut s.codes));
            let change = if changed { Change::Save } else { Change::Keep };
            (change, shown_once)
        })
        .await;
    let (held, (flash, codes)) = match updated {
        Ok(Some(done)) => done,
        Ok(None) => return redirect_home(&login),
        Err(e) => return session_failure(&login, &e),
    };
    if let Some(after) = &login.0.config.after_login
        && view.authenticated().is_some()
        && codes.is_empty()
    {
        return with_cookie(redirect(after), cookie);
    }
    // Recovery codes the last form drew: on this page, once (the app's page waits for them).
    let mut view = view;
    if !codes.is_empty() {
        view.screen = with_codes(view.screen, codes);
    }
    let render = login
        .0
        .renders
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    #[cfg(feature = "signing")]
    let signing = match view.authenticated() {
        Some(user) => crate::certificates::of(&login, user.clone()).await,
        None => None,
    };
    #[cfg(not(feature = "signing"))]
    let signing = None;
    let cx = PageContext {
        catalog: login.0.config.catalogue(held.session.lang),
        language: held.session.lang,
        csrf: &held.session.csrf,
        config: &login.0.config,
        flash: flash.as_ref(),
        render,
        dev_outbox: login.dev_outbox(),
        passkeys: login.0.service.config().takes_passkeys(),
        signing,
    };
    let html = login.0.config.pages.page(&cx, &view).into_string();
    with_cookie(secure(Html(html).into_response()), cookie)
}

/// `response` with a new session's cookie, if there is one.
fn with_cookie(mut response: Response, cookie: Option<String>) -> Response {
    if let Some(cookie) = cookie
        && let Ok(value) = HeaderValue::from_str(&cookie)
    {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

#[derive(serde::Deserialize)]
pub(crate) struct Submission {
    csrf: String,
    action: String,
    #[serde(default)]
    value: String,
    /// Which authenticator "Rename" and "Remove" are for.
    #[serde(default)]
    serial: String,
}

impl Drop for Submission {
    /// The typed password or code does not outlive the request.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.value);
    }
}

fn input(action: &str, value: Zeroizing<String>, serial: &str) -> Option<Input<Zeroizing<String>>> {
    let text = || value.trim().to_owned();
    let named = serial.trim().to_owned();
    let serial = || serial.trim().parse().ok();
    Some(match action {
        "user_id" => Input::UserId(text()),
        "password" => Input::Password(value.clone()),
        "forgot" => Input::ForgotPassword,
        "no_authenticator" => Input::NoAuthenticator,
        "new_password" => Input::NewPassword(value.clone()),
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
        "lost_token" => Input::LostToken,
        "recovery_code" => Input::RecoveryCode(text()),
        "new_recovery_codes" => Input::NewRecoveryCodes,
        "change_password" => Input::ChangePassword,
        "add_authenticator" => Input::AddAuthenticator,
        "remove_authenticator" => Input::RemoveAuthenticator(serial()?),
        "rename_authenticator" => Input::RenameAuthenticator {
            serial: serial()?,
            name: text(),
        },
        "begin_passkey" | "add_passkey" => Input::BeginPasskey,
        "passkey" => Input::Passkey(text()),
        "remove_passkey" => Input::RemovePasskey(named),
        "rename_passkey" => Input::RenamePasskey {
            id: named,
            name: text(),
        },
        "phishing_resistant_on" => Input::PhishingResistantOnly(true),
        "phishing_resistant_off" => Input::PhishingResistantOnly(false),
        "cancel" => Input::Cancel,
        _ => return None,
    })
}

/// `POST <base>/submit`: every form of the login.
pub(crate) async fn submit(
    Extension(login): Extension<Login>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<Submission>,
) -> Response {
    let span = tracing::info_span!("tollgate_axum.submit");
    tracing::Instrument::instrument(post(login, peer, headers, form), span).await
}

async fn post(
    login: Login,
    peer: SocketAddr,
    headers: HeaderMap,
    mut form: Submission,
) -> Response {
    let cookies = login.cookies();
    let Some(held) = login.session_of(&headers).await else {
        return failure(&login, StatusCode::FORBIDDEN, "no session: reload the page");
    };
    if !held.csrf_ok(&form.csrf) {
        return failure(
            &login,
            StatusCode::FORBIDDEN,
            "the form's token does not match this session",
        );
    }
    #[cfg(feature = "signing")]
    if crate::certificates::is_action(&form.action) {
        return crate::certificates::act(&login, held, &form.action, &form.serial).await;
    }
    let key = held.session.login.clone();
    let mailbox = held.session.mailbox.clone();
    let old = key.clone();
    let logout = form.action == "logout";
    let result = if logout {
        login
            .blocking(Some(mailbox), move |s| {
                // The old login's key dies; a fresh one takes its place.
                let _ = s.end(&key);
                s.start()
            })
            .await
    } else {
        let value = Zeroizing::new(std::mem::take(&mut form.value));
        let Some(input) = input(&form.action, value, &form.serial) else {
            let why = match form.action.as_str() {
                "remove_authenticator" | "rename_authenticator" => "not a serial number",
                _ => "unknown action",
            };
            return failure(&login, StatusCode::BAD_REQUEST, why);
        };
        let client = Client {
            address: Some(login.0.config.client_address.of(peer, &headers)),
            device: cookies.device(&headers),
        };
        login.step(mailbox, Step::Submit(key, input, client)).await
    };
    let result: Result<View, Error> = match result {
        Ok(result) => result,
        Err(response) => return response,
    };
    match result {
        Ok(view) => {
            let device = view.device;
            let user = view.authenticated().cloned();
            let codes = drawn_codes(view.screen);
            let showing_codes = !codes.is_empty();
            // Authenticated: the session's user from now on, and on to the app's page (after
            // the login's own page has shown new recovery codes).
            let after = user.as_ref().and(login.0.config.after_login.as_deref());
            let after = after.filter(|_| !showing_codes);
            let to = view.login;
            let notice = view.notice;
            let now = login.0.service.now().as_secs();
            // Logging out ends the session's ID on every node: the browser gets a new one.
            let rekeyed = logout || to.digest() != old.digest();
            let updated = login
                .0
                .sessions
                .update(held, now, move |s| {
                    if !s.login.matches(&old) {
                        // Another request on this login went first: it moved the session on.
                        return (Change::Keep, ());
                    }
                    s.login = to.clone();
                    if notice.is_some() {
                        s.flash.clone_from(&notice);
                    }
                    s.codes.clone_from(&codes);
                    if logout {
                        s.user = None;
                        s.qr_uri = None;
                        s.open_uri = None;
                    } else if let Some(user) = &user {
                        s.user = Some(user.clone());
                    }
                    (
                        if rekeyed {
                            Change::Rotate
                        } else {
                            Change::Save
                        },
                        (),
                    )
                })
                .await;
            let moved = match updated {
                Ok(Some((moved, ()))) => moved,
                Ok(None) => return redirect_home(&login),
                Err(e) => return session_failure(&login, &e),
            };
            let mut response = match after {
                Some(after) => redirect(after),
                None => redirect_home(&login),
            };
            // A whole login from a browser the account did not know: remember the browser.
            if let Some(device) = device
                && let Ok(value) = HeaderValue::from_str(&cookies.set_device(&device))
            {
                response.headers_mut().append(SET_COOKIE, value);
            }
            // A new key: a new session ID (and CSRF token) with it.
            if let Some(id) = cookies.session(&headers)
                && id != moved.id
                && let Ok(value) = HeaderValue::from_str(&cookies.set_session(&moved.id))
            {
                response.headers_mut().append(SET_COOKIE, value);
            }
            response
        }
        // Another request on this login went first (a double submit): show it as it is now.
        // An expired, finished or refused login: the next page starts a new one.
        Err(Error::Superseded | Error::UnknownLogin | Error::LoginRefused(_)) => {
            redirect_home(&login)
        }
        Err(Error::Busy) => busy(&login),
        Err(Error::Throttled { retry_after }) => {
            let mut response = failure(
                &login,
                StatusCode::TOO_MANY_REQUESTS,
                "too many wrong passwords from this network; try again later",
            );
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            response
        }
        Err(e @ Error::PasswordTooLong { .. }) => failure(
            &login,
            StatusCode::BAD_REQUEST,
            &format!("{e}: nothing was checked"),
        ),
        Err(e) => service_failure(&login, &e),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct LanguageForm {
    csrf: String,
    lang: String,
}

/// `POST <base>/lang`: the language selector.
pub(crate) async fn language(
    Extension(login): Extension<Login>,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Response {
    let Some(held) = login.session_of(&headers).await else {
        return redirect_home(&login);
    };
    if !held.csrf_ok(&form.csrf) {
        return failure(
            &login,
            StatusCode::FORBIDDEN,
            "the form's token does not match this session",
        );
    }
    if let Some(lang) = login.0.config.find_language(&form.lang) {
        let now = login.0.service.now().as_secs();
        let updated = login
            .0
            .sessions
            .update(held, now, move |s| (Change::Save, s.lang = lang))
            .await;
        if let Err(e) = updated {
            return session_failure(&login, &e);
        }
    }
    redirect_home(&login)
}

/// The recovery codes a screen carries (shown once: the session keeps them for the page).
fn drawn_codes(screen: Screen) -> Vec<tollgate::login::recovery::RecoveryCode> {
    match screen {
        Screen::Enrolled { recovery_codes, .. } => recovery_codes,
        Screen::RecoveryCodes { codes, .. } => codes,
        _ => Vec::new(),
    }
}

/// `screen` showing `codes` a form drew.
fn with_codes(screen: Screen, codes: Vec<tollgate::login::recovery::RecoveryCode>) -> Screen {
    match screen {
        Screen::Enrolled { user, .. } => Screen::Enrolled {
            user,
            recovery_codes: codes,
        },
        Screen::Authenticated { user, .. } => Screen::RecoveryCodes { user, codes },
        screen => screen,
    }
}
