//! A person's browser without a browser: HTTP/1.1 over loopback, a cookie jar, the page's CSRF
//! token, post/redirect/get followed. For the tests that need no Chromium.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]
#![allow(dead_code, reason = "each test file uses its part")]

use std::io::{Read as _, Write as _};

/// One HTTP answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    /// The body as text (lossy).
    pub(crate) body: String,
    /// The body's bytes.
    pub(crate) bytes: Vec<u8>,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request on a new connection.
pub(crate) fn request(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let at = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |at| at + 4);
    let bytes = raw.split_off(at);
    let head = String::from_utf8_lossy(&raw).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

/// What an app does when it registers online: its registration POSTed to `<base>/api/mobile`.
pub(crate) fn register_online(
    base: &str,
    app: &tollgate::codes::TokenActivation,
    registration: &tollgate::codes::RegistrationCode,
) -> Answer {
    let body = tollgate::codes::RegistrationRequest::new(app, registration).to_json();
    request(
        base,
        "POST",
        "/api/mobile",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

/// `application/x-www-form-urlencoded`.
fn form(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                b' ' => "+".to_owned(),
                b => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The text between `before` and the next `after` in `page`.
pub(crate) fn between<'a>(page: &'a str, before: &str, after: &str) -> Option<&'a str> {
    let start = page.find(before)? + before.len();
    let len = page[start..].find(after)?;
    Some(&page[start..start + len])
}

/// A browser session: its cookies and the last page it was shown.
pub(crate) struct Agent {
    pub(crate) base: String,
    /// Where the login is mounted: `""` at the root, `/login` under it.
    prefix: String,
    cookies: Vec<(String, String)>,
    pub(crate) page: String,
    location: Option<String>,
    /// The `X-Upstream` header of each answer that had one (a proxy saying which node
    /// answered), in order.
    pub(crate) upstreams: Vec<String>,
}

impl Agent {
    /// From the enrollment choice, the desktop path to the logged-in page: the soft token,
    /// registered with randomness from `seed`.
    pub(crate) fn enroll_desktop(&mut self, seed: u64) -> tollgate::otp::Totp {
        use rand_core::SeedableRng as _;
        assert_eq!(self.screen(), "choose-enrollment", "{}", self.page);
        self.submit("desktop", "");
        let serial = between(&self.page, r#"<code id="serial">"#, "<")
            .unwrap()
            .parse()
            .unwrap();
        let code = between(&self.page, r#"<code id="activation_code">"#, "<")
            .unwrap()
            .parse()
            .unwrap();
        let app = tollgate::codes::TokenActivation::new(serial, code, None);
        let (registration, token) =
            app.register(&mut rand_chacha::ChaCha20Rng::seed_from_u64(seed));
        self.submit("registration", &registration.to_string());
        assert_eq!(self.screen(), "enrolled", "{}", self.page);
        self.submit("continue", "");
        assert_eq!(self.screen(), "authenticated", "{}", self.page);
        token.totp()
    }

    pub(crate) fn new(base: &str) -> Self {
        Self::at(base, "")
    }

    /// A session with the login mounted at `prefix` (`/login`), on its first page.
    pub(crate) fn at(base: &str, prefix: &str) -> Self {
        let mut agent = Self {
            base: base.to_owned(),
            prefix: prefix.to_owned(),
            cookies: Vec::new(),
            page: String::new(),
            location: None,
            upstreams: Vec::new(),
        };
        agent.home();
        agent
    }

    /// The login's page.
    pub(crate) fn home(&mut self) -> &str {
        let home = if self.prefix.is_empty() {
            "/".to_owned()
        } else {
            self.prefix.clone()
        };
        self.get(&home)
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn send(&mut self, method: &str, path: &str, content_type: &str, body: &[u8]) -> Answer {
        self.send_with(method, path, content_type, &[], body)
    }

    /// A form posted with these extra headers, as it is: the answer, no redirect followed.
    pub(crate) fn post_raw(&mut self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        self.send_with(
            "POST",
            path,
            "application/x-www-form-urlencoded",
            headers,
            body,
        )
    }

    fn send_with(
        &mut self,
        method: &str,
        path: &str,
        content_type: &str,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        let cookie = self.cookie_header();
        let mut headers = vec![("Cookie", cookie.as_str())];
        headers.extend_from_slice(extra);
        if !content_type.is_empty() {
            headers.push(("Content-Type", content_type));
        }
        let answer = request(&self.base, method, path, &headers, body);
        if let Some(upstream) = answer.header("x-upstream") {
            self.upstreams.push(upstream.to_owned());
        }
        for (name, value) in &answer.headers {
            if name.eq_ignore_ascii_case("set-cookie")
                && let Some((pair, _)) = value.split_once(';').or(Some((value, "")))
                && let Some((n, v)) = pair.split_once('=')
            {
                self.cookies.retain(|(old, _)| old != n);
                self.cookies.push((n.to_owned(), v.to_owned()));
            }
        }
        answer
    }

    /// Posts `fields` to `path` as a form; a redirect is expected, and kept for
    /// [`Agent::follow`].
    fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) {
        let body = form(fields);
        let answer = self.send(
            "POST",
            path,
            "application/x-www-form-urlencoded",
            body.as_bytes(),
        );
        assert_eq!(answer.status, 303, "{path} {fields:?}: {}", answer.body);
        self.location = answer.header("location").map(str::to_owned);
    }

    /// Follows the last form's redirect.
    fn follow(&mut self) -> &str {
        let to = self.location.take().unwrap_or_else(|| "/".into());
        self.get(&to)
    }

    /// GET `path`, following redirects; the page.
    pub(crate) fn get(&mut self, path: &str) -> &str {
        let mut path = path.to_owned();
        for _ in 0..5 {
            let answer = self.send("GET", &path, "", b"");
            if answer.status == 303 {
                path = answer.header("location").unwrap().to_owned();
                continue;
            }
            self.page = answer.body;
            return &self.page;
        }
        panic!("redirected too often");
    }

    /// The screen the last page shows (its `data-screen`).
    pub(crate) fn screen(&self) -> &str {
        between(&self.page, "data-screen=\"", "\"").unwrap_or("")
    }

    /// Posts `action` with `value` from the current page (its CSRF token), as its form does,
    /// and follows the redirect; the page.
    pub(crate) fn submit(&mut self, action: &str, value: &str) -> &str {
        let csrf = between(&self.page, "name=\"csrf\" value=\"", "\"")
            .unwrap()
            .to_owned();
        let submit = format!("{}/submit", self.prefix);
        self.post_form(
            &submit,
            &[("csrf", &csrf), ("action", action), ("value", value)],
        );
        self.follow()
    }

    /// Bytes at `path` (the QR image).
    pub(crate) fn bytes(&mut self, path: &str) -> Vec<u8> {
        let answer = self.send("GET", path, "", b"");
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        answer.bytes
    }

    /// The newest PIN this session was sent (the development outbox).
    pub(crate) fn last_pin(&mut self) -> String {
        let page = self.get(&format!("{}/outbox", self.prefix)).to_owned();
        let pin = between(&page, "<code class=\"pin\">", "</code>")
            .unwrap()
            .to_owned();
        self.home();
        pin
    }

    /// Moves the server's virtual clock on.
    pub(crate) fn advance(&mut self, seconds: u64) {
        let page = self.get("/dev/clock").to_owned();
        let csrf = between(&page, "name=\"csrf\" value=\"", "\"").unwrap();
        self.post_form(
            "/dev/clock",
            &[("csrf", csrf), ("advance", &seconds.to_string())],
        );
        self.home();
    }
}
