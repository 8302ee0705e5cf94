//! What the router's tests share: a service with John, requests through tower's `oneshot`, and
//! a browser that follows the session cookie from page to page.

#![allow(dead_code, reason = "each test file uses its own part")]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::{Delivery, ManualClock, Outbox, Service, danger};
use tollgate_axum::{Login, WebConfig};
use tower::ServiceExt as _;

/// A service whose PINs go to the outbox, with John (no mobile number: his PINs go by e-mail).
pub(crate) fn service() -> Arc<Service> {
    service_with(Arc::new(Outbox::new()), clock())
}

/// The virtual clock a test's service runs on.
pub(crate) fn clock() -> ManualClock {
    ManualClock::new(tollgate::otp::UnixTime::from_secs(1_700_000_000))
}

/// [`service`] with `delivery`, on `clock`.
pub(crate) fn service_with(delivery: Arc<dyn Delivery>, clock: ManualClock) -> Arc<Service> {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let service = Service::builder()
        .delivery(delivery)
        .clock(Arc::new(clock))
        .passwords(danger::weak_passwords_for_tests(&mut rng).unwrap())
        .rng(Box::new(rng))
        .build()
        .unwrap();
    service
        .register_user(
            "john.smith@example.com",
            "right password",
            None,
            Some("john.smith@example.com"),
        )
        .unwrap();
    Arc::new(service)
}

/// The router of `login`, every request from `peer`.
pub(crate) fn serve(login: &Login, peer: [u8; 4]) -> Router {
    login
        .router()
        .layer(MockConnectInfo(SocketAddr::from((peer, 40_000))))
}

pub(crate) fn app(config: WebConfig, peer: [u8; 4]) -> Router {
    serve(&Login::new(service(), config), peer)
}

/// One request; the status, the `Set-Cookie` values, the body.
pub(crate) async fn send(
    app: &Router,
    request: Request<Body>,
) -> (StatusCode, Vec<String>, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, cookies, String::from_utf8_lossy(&body).into_owned())
}

pub(crate) fn get(path: &str, cookie: Option<&str>, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).unwrap()
}

pub(crate) fn post(
    path: &str,
    cookie: &str,
    form: &str,
    headers: &[(&str, &str)],
) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(form.to_owned())).unwrap()
}

pub(crate) fn csrf(page: &str) -> String {
    let at = page.find(r#"name="csrf" value=""#).unwrap() + 19;
    page[at..at + 64].to_owned()
}

/// A new session: its cookie (`name=value`) and its first page.
pub(crate) async fn open(app: &Router, headers: &[(&str, &str)]) -> (String, Vec<String>, String) {
    let (status, cookies, page) = send(app, get("/", None, headers)).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = cookies[0].split(';').next().unwrap().to_owned();
    (cookie, cookies, page)
}

/// `text` as a form's value (RFC 3986 unreserved characters kept, the rest percent-encoded).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The text of `page` between `start` and the next `end`.
pub(crate) fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let at = page.find(start).unwrap() + start.len();
    &page[at..at + page[at..].find(end).unwrap()]
}

/// From the enrollment choice, the desktop path to the enrolled page: the app's token.
pub(crate) async fn register_desktop(b: &mut Browser, seed: u64) -> tollgate::otp::Totp {
    b.submit("desktop", "").await;
    let serial = between(&b.page, r#"<code id="serial">"#, "<")
        .parse()
        .unwrap();
    let code = between(&b.page, r#"<code id="activation_code">"#, "<")
        .parse()
        .unwrap();
    let token = tollgate::codes::TokenActivation::new(serial, code, None);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let (registration, activated) = token.register(&mut rng);
    b.submit("registration", &registration.to_string()).await;
    assert_eq!(b.screen(), "enrolled", "{}", b.page);
    activated.totp()
}

/// A browser on one session: it keeps the cookie the router sets, and the page last shown.
pub(crate) struct Browser {
    pub(crate) app: Router,
    pub(crate) cookie: String,
    pub(crate) page: String,
    /// The device cookie the service set at the end of a whole login, sent back from then on.
    pub(crate) device: Option<String>,
}

impl Browser {
    /// A new session's first page.
    pub(crate) async fn open(app: &Router) -> Self {
        let (cookie, _, page) = open(app, &[]).await;
        Self {
            app: app.clone(),
            cookie,
            page,
            device: None,
        }
    }

    /// Posts a form (the page's CSRF token with it): the status; on a redirect the browser
    /// follows the new session cookie, if any, and shows the page.
    pub(crate) async fn submit(&mut self, action: &str, value: &str) -> StatusCode {
        self.submit_with(action, &[("value", value)]).await
    }

    /// [`Browser::submit`] with these fields (`value`, `serial`).
    pub(crate) async fn submit_with(
        &mut self,
        action: &str,
        fields: &[(&str, &str)],
    ) -> StatusCode {
        let mut form = format!("csrf={}&action={action}", csrf(&self.page));
        for (name, value) in fields {
            form.push_str(&format!("&{name}={}", encode(value)));
        }
        let cookie = match &self.device {
            Some(device) => format!("{}; {device}", self.cookie),
            None => self.cookie.clone(),
        };
        let (status, cookies, body) = send(&self.app, post("/submit", &cookie, &form, &[])).await;
        if let Some(device) = cookies.iter().find(|c| c.contains("tollgate_device=")) {
            self.device = device.split(';').next().map(str::to_owned);
        }
        if status != StatusCode::SEE_OTHER {
            self.page = body;
            return status;
        }
        if let Some(session) = cookies.iter().find(|c| c.contains("tollgate_session=")) {
            session
                .split(';')
                .next()
                .unwrap()
                .clone_into(&mut self.cookie);
        }
        let (_, _, page) = send(&self.app, get("/", Some(&self.cookie), &[])).await;
        self.page = page;
        status
    }

    /// The screen the page shows.
    pub(crate) fn screen(&self) -> &str {
        let at = self.page.find("data-screen=\"").unwrap() + 13;
        let end = self.page[at..].find('"').unwrap();
        &self.page[at..at + end]
    }
}
