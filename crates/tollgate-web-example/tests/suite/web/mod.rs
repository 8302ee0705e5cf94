//! The browser test's machinery: the example and ChromeDriver as child processes, and a
//! `Browser` that reads and fills the portal's pages the way a person would.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]
#![allow(dead_code, reason = "each test file uses its part")]

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use tollgate::codes::{ActivationPassword, TokenActivation};
use tollgate::provision::SecureActivation;

/// The example's demo users' password.
pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// A child process killed when the test ends, however it ends.
pub(crate) struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A child process started in a process group of its own, the group killed when the test ends:
/// ChromeDriver, whose Chromium (and its helpers) would outlive the driver otherwise.
struct KilledGroup(Child);

impl Drop for KilledGroup {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn target_dir() -> PathBuf {
    // <target>/debug/deps/suite-<hash>
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_owned()
}

fn found(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
}

/// Everything a child printed so far.
pub(crate) type Output = std::sync::Arc<std::sync::Mutex<String>>;

/// Collects `child`'s stdout and stderr into one log, and waits for a line with `marker`.
fn watch(child: &mut Child, marker: &str) -> (String, Output) {
    let log = Output::default();
    let (found_tx, found_rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&format!("{line}\n"));
        }
    });
    let stdout = child.stdout.take().unwrap();
    let sink = log.clone();
    let marker = marker.to_owned();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&format!("{line}\n"));
            if line.contains(&marker) {
                let _ = found_tx.send(line);
            }
        }
    });
    let line = found_rx
        .recv()
        .unwrap_or_else(|_| panic!("the process ended; it said:\n{}", log.lock().unwrap()));
    (line.trim().to_owned(), log)
}

/// `web_login` on a free port, with `args` besides.
pub(crate) fn start_server(args: &[&str]) -> (Killed, String, Output) {
    start_example("web_login", args)
}

/// The example `name` on a free port, with `args` besides: the process, its address, its log.
pub(crate) fn start_example(name: &str, args: &[&str]) -> (Killed, String, Output) {
    let exe = example(name);
    let mut child = Command::new(&exe)
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
    let (line, log) = watch(&mut child, "listening on ");
    let url = line
        .trim_start_matches("listening on ")
        .trim_end_matches('/')
        .to_owned();
    (Killed(child), url, log)
}

/// Where the example `name` was built.
pub(crate) fn example(name: &str) -> PathBuf {
    let exe = target_dir().join("debug").join("examples").join(name);
    if exe.is_file() {
        exe
    } else {
        // Built by `cargo test` into the profile's own examples directory.
        std::env::current_exe()
            .unwrap()
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .join("examples")
            .join(name)
    }
}

/// The mobile activation page's QR image, decoded and opened with the activation password the
/// page shows: the code's URI, what the app read from it, and the app's side of the activation.
pub(crate) async fn scan(b: &Browser) -> (String, SecureActivation, TokenActivation) {
    let qr = b.client.find(Locator::Id("qr")).await.unwrap();
    let uri = decode_qr(&qr.screenshot().await.unwrap());
    let password: ActivationPassword = b.text("activation_password").await.parse().unwrap();
    let scanned = SecureActivation::decode(&uri, &password).unwrap();
    let app = TokenActivation::new(
        scanned.serial(),
        scanned.activation_code().clone(),
        scanned.policy().cloned(),
    );
    (uri, scanned, app)
}

fn start_driver(driver: &Path) -> (KilledGroup, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(driver)
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    watch(&mut child, "started successfully");
    (KilledGroup(child), format!("http://127.0.0.1:{port}"))
}

pub(crate) struct Browser {
    pub(crate) client: Client,
    pub(crate) base: String,
    shots: PathBuf,
    /// The server's virtual clock, as the test has moved it.
    pub(crate) now: u64,
    /// The `data-render` number of the login page last seen: the next one must differ.
    seen: std::cell::Cell<String>,
    /// What the server printed.
    pub(crate) server_log: Output,
    _server: Option<Killed>,
    _driver: KilledGroup,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// The example on a free port with its virtual clock at `start`, ChromeDriver, and a
    /// headless Chromium with a fresh profile; `None` (said loudly) without Chromium.
    pub(crate) async fn launch(start: u64) -> Option<Self> {
        let (chromium, driver) = chromium()?;
        let start_text = start.to_string();
        let args = [
            "--open-path",
            "--dev-outbox",
            "--dev-admin",
            "--seed",
            "7",
            "--virtual-clock",
            &start_text,
        ];
        let (server, base, server_log) = start_server(&args);
        Some(Self::connect(chromium, &driver, base, Some(server), server_log, start).await)
    }

    /// The example with passkeys for `http://localhost:<port>` (browsers take `http://` for
    /// `localhost` alone), its virtual clock at `start`, and Chromium on that origin; `None`
    /// (said loudly) without Chromium.
    pub(crate) async fn launch_with_passkeys(start: u64) -> Option<Self> {
        let (chromium, driver) = chromium()?;
        let port = tollgate_test_kit::system::free_port().to_string();
        let origin = format!("http://localhost:{port}");
        let start_text = start.to_string();
        let args = [
            "--dev-outbox",
            "--seed",
            "7",
            "--virtual-clock",
            &start_text,
            "--port",
            &port,
            "--passkeys",
            &origin,
        ];
        let (server, _, server_log) = start_server(&args);
        Some(Self::connect(chromium, &driver, origin, Some(server), server_log, start).await)
    }

    /// Adds a virtual authenticator to the browser (WebDriver's WebAuthn extension, W3C
    /// WebAuthn L3 §11.3): CTAP2 on the internal transport, with resident keys and user
    /// verification, the user verified. Its ID, to remove it.
    pub(crate) async fn add_virtual_authenticator(&self) -> String {
        let answer = self
            .client
            .issue_cmd(VirtualAuthenticator::Add)
            .await
            .unwrap();
        answer.as_str().unwrap().to_owned()
    }

    /// Removes the virtual authenticator `id` (its credentials go with it).
    pub(crate) async fn remove_virtual_authenticator(&self, id: &str) {
        self.client
            .issue_cmd(VirtualAuthenticator::Remove(id.to_owned()))
            .await
            .unwrap();
    }

    /// The credentials the virtual authenticator `id` holds.
    pub(crate) async fn virtual_credentials(&self, id: &str) -> Vec<serde_json::Value> {
        let answer = self
            .client
            .issue_cmd(VirtualAuthenticator::Credentials(id.to_owned()))
            .await
            .unwrap();
        answer.as_array().cloned().unwrap_or_default()
    }

    /// A headless Chromium on the service at `base`, started by the test (a proxy in front of
    /// several nodes), whose clock stands at `now`; `None` (said loudly) without Chromium.
    pub(crate) async fn attach(base: &str, now: u64) -> Option<Self> {
        let (chromium, driver) = chromium()?;
        Some(
            Self::connect(
                chromium,
                &driver,
                base.to_owned(),
                None,
                Output::default(),
                now,
            )
            .await,
        )
    }

    async fn connect(
        chromium: PathBuf,
        driver: &Path,
        base: String,
        server: Option<Killed>,
        server_log: Output,
        start: u64,
    ) -> Self {
        let shots = target_dir().join("web_login");
        std::fs::create_dir_all(&shots).unwrap();
        let (driver, driver_url) = start_driver(driver);
        let profile = tempfile::tempdir().unwrap();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=900,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&driver_url)
            .await
            .unwrap();
        Self {
            client,
            base,
            shots,
            now: start,
            seen: std::cell::Cell::default(),
            server_log,
            _server: server,
            _driver: driver,
            _profile: profile,
        }
    }

    pub(crate) async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    /// Waits for a new page (not the one seen last) of `screen`, and returns its text.
    pub(crate) async fn expect(&self, screen: &str) -> String {
        let seen = self.seen.take();
        let css = format!("main[data-screen='{screen}']:not([data-render='{seen}'])");
        // A page found while the browser is still navigating can go stale under our hands:
        // find it again.
        for _ in 0..20 {
            let main = match self.client.wait().for_element(Locator::Css(&css)).await {
                Ok(main) => main,
                Err(e) => {
                    let source = self.client.source().await.unwrap_or_default();
                    panic!("expected the {screen} screen ({e}); the page is:\n{source}")
                }
            };
            let (Ok(render), Ok(text)) = (main.attr("data-render").await, main.text().await) else {
                continue;
            };
            self.seen.set(render.unwrap_or_default());
            return text;
        }
        panic!("the {screen} screen kept going stale")
    }

    /// Checks that the page shown now is `screen`.
    pub(crate) async fn on(&self, screen: &str) {
        let main = self.client.find(Locator::Css("main")).await.unwrap();
        let shown = main.attr("data-screen").await.unwrap().unwrap_or_default();
        assert_eq!(shown, screen, "the screen shown");
    }

    pub(crate) async fn fill(&self, id: &str, text: &str) {
        let field = self.client.find(Locator::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub(crate) async fn click(&self, id: &str) {
        // The page the click leaves: the next `expect` waits for another one, even if the
        // browser loaded this screen again meanwhile.
        if let Ok(main) = self.client.find(Locator::Css("main")).await
            && let Ok(Some(render)) = main.attr("data-render").await
        {
            self.seen.set(render);
        }
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Types `text` into the field `action` and presses its "Next".
    pub(crate) async fn answer(&self, action: &str, text: &str) {
        self.fill(action, text).await;
        self.click(&format!("{action}_next")).await;
    }

    pub(crate) async fn text(&self, id: &str) -> String {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub(crate) async fn notice(&self) -> Option<String> {
        match self.client.find(Locator::Id("notice")).await {
            Ok(notice) => Some(notice.text().await.unwrap()),
            Err(_) => None,
        }
    }

    pub(crate) async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    /// The PINs in the development outbox, newest first; back to the login afterwards.
    pub(crate) async fn pins(&self) -> Vec<String> {
        self.open("/outbox").await;
        let mut pins = Vec::new();
        for cell in self
            .client
            .find_all(Locator::Css("code.pin"))
            .await
            .unwrap()
        {
            pins.push(cell.text().await.unwrap());
        }
        self.open("/").await;
        pins
    }

    /// Moves the server's virtual clock on; back to the login afterwards.
    pub(crate) async fn advance(&mut self, seconds: u64) {
        self.open("/dev/clock").await;
        self.fill("advance", &seconds.to_string()).await;
        self.click("advance_clock").await;
        self.now += seconds;
        // The form's answer is the clock page again, showing the new time: wait for it (a new
        // navigation before it would cancel the form's).
        let moved = format!("//span[@id='now' and text()='{}']", self.now);
        if let Err(e) = self.client.wait().for_element(Locator::XPath(&moved)).await {
            let source = self.client.source().await.unwrap_or_default();
            panic!(
                "the server's clock did not move to {} ({e}):\n{source}",
                self.now
            );
        }
        self.open("/").await;
    }

    /// The session cookie's value and the CSRF token of the page shown.
    pub(crate) async fn session(&self) -> (String, String) {
        let cookie = self
            .client
            .get_named_cookie("tollgate_session")
            .await
            .unwrap()
            .value()
            .to_owned();
        let csrf = self
            .client
            .find(Locator::Css("input[name=csrf]"))
            .await
            .unwrap()
            .attr("value")
            .await
            .unwrap()
            .unwrap_or_default();
        (cookie, csrf)
    }

    pub(crate) async fn start_over(&self) {
        self.click("logout").await;
        self.expect("enter-user-id").await;
    }

    /// User ID and password; returns the text of the screen that follows.
    pub(crate) async fn sign_in(&self, user: &str, next: &str) -> String {
        self.answer("user_id", user).await;
        self.expect("enter-password").await;
        self.answer("password", PASSWORD).await;
        self.expect(next).await
    }
}

/// WebDriver's WebAuthn extension commands (W3C WebAuthn L3 §11.3, as ChromeDriver serves
/// them).
#[derive(Debug)]
enum VirtualAuthenticator {
    Add,
    Remove(String),
    Credentials(String),
}

impl fantoccini::wd::WebDriverCompatibleCommand for VirtualAuthenticator {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        let path = match self {
            Self::Add => format!("session/{session}/webauthn/authenticator"),
            Self::Remove(id) => format!("session/{session}/webauthn/authenticator/{id}"),
            Self::Credentials(id) => {
                format!("session/{session}/webauthn/authenticator/{id}/credentials")
            }
        };
        base_url.join(&path)
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        match self {
            Self::Add => {
                let options = serde_json::json!({
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": true,
                    "hasUserVerification": true,
                    "isUserConsenting": true,
                    "isUserVerified": true,
                });
                (http::Method::POST, Some(options.to_string()))
            }
            Self::Remove(_) => (http::Method::DELETE, None),
            Self::Credentials(_) => (http::Method::GET, None),
        }
    }
}

fn chromium() -> Option<(PathBuf, PathBuf)> {
    match (found("chromium"), found("chromedriver")) {
        (Some(browser), Some(driver)) => Some((browser, driver)),
        _ => {
            assert!(
                std::env::var_os("TOLLGATE_REQUIRE_CHROMIUM").is_none(),
                "TOLLGATE_REQUIRE_CHROMIUM is set but chromium or chromedriver is missing"
            );
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED the browser test: chromium and chromedriver are not installed \
                 (Debian: apt-get install chromium chromium-driver). ***"
            );
            None
        }
    }
}

/// The `Set-Cookie` header of a plain `GET /`.
pub(crate) fn raw_get(base: &str) -> String {
    raw_response(base, "/")
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap_or_default()
        .to_owned()
}

/// The whole response to a GET of `path` without any cookie: what a stranger's browser sees.
pub(crate) fn raw_response(base: &str, path: &str) -> String {
    use std::io::Read as _;
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

pub(crate) fn decode_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image the page shows");
    grids[0].decode().unwrap().1
}
