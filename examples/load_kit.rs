//! What the load drivers (`axum_load`, `cluster_load`) share: a browser's requests over
//! loopback, one connection each; users enrolled through the service; a clock fast enough that
//! every login finds a fresh code; percentiles.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "figures for a person: a percentile's index from its fraction"
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tollgate::codes::TokenActivation;
use tollgate::login::{EnrollmentKind, Input, Screen};
use tollgate::otp::{Totp, UnixTime};
use tollgate::{Outbox, Service};

/// Every user's password.
pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// One request on its own connection: status, the session cookie it set, body.
pub(crate) async fn http(
    to: SocketAddr,
    head: String,
    body: &str,
) -> (u16, Option<String>, String) {
    let mut stream = tokio::net::TcpStream::connect(to).await.expect("connect");
    let request = format!(
        "{head}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let cookie = raw
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .rfind(|c| c.starts_with("tollgate_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    (status, cookie, body)
}

/// A form's body: the page's CSRF token, `action` and `value`.
pub(crate) fn form(page: &str, action: &str, value: &str) -> String {
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .map_or("", |s| &s[..64]);
    format!(
        "csrf={csrf}&action={action}&value={}",
        value.replace('@', "%40").replace(' ', "+")
    )
}

/// The `p` percentile of `samples`, in milliseconds.
pub(crate) fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let at = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(at).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Registers and enrolls `n` users named `{prefix}{i}@example.com` through `service` (the
/// desktop path); their tokens.
pub(crate) fn enroll(
    service: &Service,
    outbox: &Outbox,
    prefix: &str,
    n: usize,
) -> Vec<(String, Totp)> {
    (0..n)
        .map(|i| {
            let user = format!("{prefix}{i}@example.com");
            service
                .register_user(&user, PASSWORD, Some("+1 613 270 1234"), None)
                .expect("register");
            let submit = |key: &tollgate::LoginKey, input| {
                service
                    .submit(key, input, tollgate::Client::default())
                    .expect("submit")
            };
            let view = service.start().expect("start");
            let view = submit(&view.login, Input::UserId(user.clone()));
            let view = submit(&view.login, Input::Password(PASSWORD.to_owned().into()));
            let view = submit(&view.login, Input::Pin(outbox.last_pin().expect("a PIN")));
            let view = submit(
                &view.login,
                Input::ChooseEnrollment(EnrollmentKind::Desktop),
            );
            let Screen::DesktopActivation(page) = &view.screen else {
                panic!("{:?}", view.screen)
            };
            let app = TokenActivation::new(page.serial, page.activation_code.clone(), None);
            let (code, token) = app.register(&mut tollgate::os_rng());
            let view = submit(&view.login, Input::RegistrationCode(code.to_string()));
            submit(&view.login, Input::Continue);
            (user, token.totp())
        })
        .collect()
}

/// Virtual time 60 times faster than the wall clock, shared by the service and the driver: a
/// user's next login, a few hundred milliseconds later, finds a fresh code.
pub(crate) struct FastClock {
    start: Instant,
    base: u64,
}

impl FastClock {
    /// A clock showing `base` now.
    pub(crate) fn starting_at(base: u64) -> Self {
        Self {
            start: Instant::now(),
            base,
        }
    }
}

impl tollgate::Clock for FastClock {
    fn now(&self) -> UnixTime {
        UnixTime::from_secs(self.base + (self.start.elapsed().as_millis() as u64) * 60 / 1000)
    }
}
