#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use tokio::sync::Semaphore;
use tollgate::Service;

mod api;
mod assets;
#[cfg(feature = "signing")]
mod certificates;
mod config;
#[cfg(feature = "signing")]
mod csc;
pub mod forwarded;
mod handlers;
mod lang;
#[cfg(feature = "dev-outbox")]
mod outbox;
mod pages;
mod responses;
mod serve;
mod session;
mod user;
mod work;

pub use config::{ClientAddress, WebConfig};
#[cfg(feature = "signing")]
#[doc(hidden)]
pub use csc::read_requests as csc_read_requests;
#[cfg(feature = "dev-outbox")]
pub use outbox::DevOutbox;
pub use pages::{CertificateState, DefaultPages, Field, PageContext, Pages, SigningCertificate};
pub use serve::{ServeLimits, serve};
pub use user::AuthenticatedUser;

/// Where the router serves the soft token's registration address, under its base: a service
/// configures `Config::with_registration_address` with its public URL for this path.
pub const REGISTRATION_PATH: &str = "api/mobile";

/// The login as a web application: the [`Service`], the sessions, and what the router needs.
/// Cheap to clone (one `Arc`): the router holds one, and the app's own routes read the logged-in
/// user through another ([`AuthenticatedUser`], with [`Login::router`]'s extension).
#[derive(Clone)]
pub struct Login(Arc<Inner>);

struct Inner {
    service: Arc<Service>,
    config: WebConfig,
    sessions: session::Sessions,
    blocking: Semaphore,
    renders: std::sync::atomic::AtomicU64,
    #[cfg(feature = "dev-outbox")]
    outbox: Option<DevOutbox>,
}

impl core::fmt::Debug for Login {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Login")
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}

impl Login {
    /// The login of `service`, served as `config` says.
    #[must_use]
    pub fn new(service: Arc<Service>, config: WebConfig) -> Self {
        Self::build(service, config, None)
    }

    /// [`Login::new`] with the development outbox: each browser session sees the PINs and
    /// notices its own requests sent at `<base>/outbox`, and every page says the outbox is on.
    /// `outbox` must be the service's delivery. Never in production.
    #[cfg(feature = "dev-outbox")]
    #[must_use]
    pub fn with_dev_outbox(service: Arc<Service>, config: WebConfig, outbox: DevOutbox) -> Self {
        Self::build(service, config, Some(outbox))
    }

    fn build(service: Arc<Service>, config: WebConfig, outbox: Option<DevOutboxSlot>) -> Self {
        #[cfg(not(feature = "dev-outbox"))]
        let _ = outbox;
        let blocking = Semaphore::new(config.max_blocking);
        let sessions = config.sessions.clone().unwrap_or_else(|| {
            Arc::new(tollgate::store::MemorySessions::default())
                as Arc<dyn tollgate::store::SessionStore>
        });
        Self(Arc::new(Inner {
            service,
            config,
            sessions: session::Sessions::new(sessions),
            blocking,
            renders: std::sync::atomic::AtomicU64::new(first_render()),
            #[cfg(feature = "dev-outbox")]
            outbox,
        }))
    }

    /// The service behind the pages.
    #[must_use]
    pub fn service(&self) -> &Arc<Service> {
        &self.0.service
    }

    /// How the router serves the login.
    #[must_use]
    pub fn config(&self) -> &WebConfig {
        &self.0.config
    }

    /// The path of the registration address under the base (`/login/api/mobile`).
    #[must_use]
    pub fn registration_path(&self) -> String {
        self.0.config.url(REGISTRATION_PATH)
    }

    /// Every route of the login under the configured base, with this `Login` as an extension
    /// (so that [`AuthenticatedUser`] works in the router's own handlers). Merge it into the
    /// app's router, and add `axum::Extension(login)` as a layer over the app's own routes
    /// that read the user. Serve it with [`serve`] (or `axum::serve` and
    /// `into_make_service_with_connect_info::<SocketAddr>()`, which sets no header-read timeout
    /// and no connection cap): the client's address throttles wrong passwords.
    pub fn router(&self) -> Router {
        let routes = Router::new()
            .route("/", get(handlers::page))
            .route("/submit", post(handlers::submit))
            .route("/lang", post(handlers::language))
            .route("/qr.png", get(assets::qr))
            .route("/open-qr.png", get(assets::open_qr))
            .route("/style.css", get(assets::style))
            .route("/app.js", get(assets::script))
            .route(
                &format!("/{REGISTRATION_PATH}"),
                post(api::register).layer(DefaultBodyLimit::max(4096)),
            );
        #[cfg(feature = "signing")]
        let routes = routes.merge(csc_routes());
        #[cfg(feature = "dev-outbox")]
        let routes = if self.0.outbox.is_some() {
            routes.route("/outbox", get(outbox::page))
        } else {
            routes
        };
        let routes = routes
            .layer(axum::middleware::map_response(responses::every_answer))
            .layer(axum::Extension(self.clone()));
        if self.0.config.base == "/" {
            routes
        } else {
            Router::new().nest(&self.0.config.base, routes)
        }
    }

    fn cookies(&self) -> session::Cookies {
        session::Cookies {
            secure: self.0.config.secure,
        }
    }

    /// The session of the request's cookie, if there is one (a store that fails is logged,
    /// and counts as none).
    async fn session_of(&self, headers: &HeaderMap) -> Option<session::Held> {
        let id = self.cookies().session(headers)?;
        let now = self.0.service.now().as_secs();
        match self.0.sessions.load(&id, now).await {
            Ok(held) => held,
            Err(e) => {
                tracing::error!(error = %e, "the session store failed");
                None
            }
        }
    }

    /// Whether the development outbox is on.
    fn dev_outbox(&self) -> bool {
        #[cfg(feature = "dev-outbox")]
        {
            self.0.outbox.is_some()
        }
        #[cfg(not(feature = "dev-outbox"))]
        {
            false
        }
    }
}

/// The CSC API's routes, both versions.
#[cfg(feature = "signing")]
fn csc_routes() -> Router {
    fn version<const V: u8>() -> Router {
        Router::new()
            .route("/info", post(csc::info::<V>).get(csc::info::<V>))
            .route("/auth/login", post(csc::auth_login::<V>))
            .route("/auth/revoke", post(csc::auth_revoke::<V>))
            .route("/credentials/list", post(csc::credentials_list::<V>))
            .route("/credentials/info", post(csc::credentials_info::<V>))
            .route(
                "/credentials/authorize",
                post(csc::credentials_authorize::<V>),
            )
            .route("/signatures/signHash", post(csc::sign_hash::<V>))
    }
    Router::new()
        .nest("/csc/v1", version::<1>())
        .nest("/csc/v2", version::<2>())
        .layer(DefaultBodyLimit::max(csc::MAX_BODY))
}

/// Where this process numbers its renderings from: random, so that two nodes behind one
/// balancer do not give two pages the same number.
fn first_render() -> u64 {
    let mut bytes = [0u8; 4];
    // Only a marker: without the RNG, from zero.
    let _ = getrandom::fill(&mut bytes);
    u64::from(u32::from_le_bytes(bytes)) << 16
}

#[cfg(feature = "dev-outbox")]
type DevOutboxSlot = DevOutbox;
#[cfg(not(feature = "dev-outbox"))]
type DevOutboxSlot = core::convert::Infallible;
