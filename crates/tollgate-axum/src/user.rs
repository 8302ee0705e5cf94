//! The hook that hands the logged-in user to the app: an extractor for the app's own routes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use tollgate::login::UserId;

use crate::Login;
use crate::handlers::redirect;

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticatedUser(UserId);

impl AuthenticatedUser {
    /// Who.
    #[must_use]
    pub fn id(&self) -> &UserId {
        &self.0
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
        login
            .session_of(&parts.headers, |s| s.user.clone())
            .flatten()
            .map(Self)
            .ok_or(NotLoggedIn { login_page })
    }
}
