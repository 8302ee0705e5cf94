//! The hook that hands the logged-in user to the app: an extractor for the app's own routes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use tollgate::login::UserId;

use crate::Login;
use crate::responses::redirect;

/// The user whose login in this browser is authenticated. As a handler's argument it admits
/// only them: anyone else is sent to the login's page (303). Needs the [`Login`] as an
/// extension over the route (`.layer(axum::Extension(login))`).
///
/// ```no_run
/// # use axum::{Router, routing::get};
/// async fn account(user: tollgate_axum::AuthenticatedUser) -> String {
///     format!("Hello, {}", user.id())
/// }
/// # fn app(login: tollgate_axum::Login) -> Router {
/// Router::new()
///     .route("/account", get(account))
///     .layer(axum::Extension(login.clone()))
///     .merge(login.router())
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AuthenticatedUser {
    id: UserId,
    csrf: String,
    submit: String,
}

impl core::fmt::Debug for AuthenticatedUser {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthenticatedUser")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl AuthenticatedUser {
    /// Who.
    #[must_use]
    pub fn id(&self) -> &UserId {
        &self.id
    }

    /// A form with one button that logs this session out (it carries the session's CSRF
    /// token), for the app's pages: HTML, the button's text escaped.
    #[must_use]
    pub fn logout_form(&self, button: &str) -> String {
        self.action_form("logout", button)
    }

    /// A form with one button that replaces the user's recovery codes: the login's page shows
    /// the new ones once, with a link back to the app's page.
    #[must_use]
    pub fn new_recovery_codes_form(&self, button: &str) -> String {
        self.action_form("new_recovery_codes", button)
    }

    /// A form with one button that starts a change of password: the login's pages ask for the
    /// authenticator's code and a PIN again, then the new password, and the session ends.
    #[must_use]
    pub fn change_password_form(&self, button: &str) -> String {
        self.action_form("change_password", button)
    }

    /// A form with one button that adds an authenticator: the login's pages enroll one more
    /// (mobile or desktop) beside those the user has, and end on the login's own page (which
    /// lists them, to rename or remove). Refused there once the user holds
    /// [`Config::max_authenticators`](tollgate::login::Config::max_authenticators).
    #[must_use]
    pub fn add_authenticator_form(&self, button: &str) -> String {
        self.action_form("add_authenticator", button)
    }

    fn action_form(&self, action: &str, button: &str) -> String {
        maud::html! {
            form method="post" action=(self.submit) {
                input type="hidden" name="csrf" value=(self.csrf);
                input type="hidden" name="action" value=(action);
                button type="submit" id=(action) { (button) }
            }
        }
        .into_string()
    }
}

/// Why a request has no authenticated user.
#[derive(Debug)]
pub struct NotLoggedIn {
    login_page: String,
}

impl IntoResponse for NotLoggedIn {
    fn into_response(self) -> Response {
        redirect(&self.login_page)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuthenticatedUser {
    type Rejection = NotLoggedIn;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, NotLoggedIn> {
        let Some(login) = parts.extensions.get::<Login>() else {
            // The app forgot the extension: nobody is let in.
            return Err(NotLoggedIn {
                login_page: "/".into(),
            });
        };
        let login_page = login.config().url("");
        let submit = login.config().url("submit");
        let held = login.session_of(&parts.headers).await;
        held.and_then(|held| {
            let session = held.session;
            session.user.map(|id| Self {
                id,
                csrf: session.csrf,
                submit,
            })
        })
        .ok_or(NotLoggedIn { login_page })
    }
}
