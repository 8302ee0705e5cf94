//! The `web_login` example in a real browser: headless Chromium, driven through ChromeDriver,
//! takes the desktop path (the soft-token library computes the Response), the mobile path (the
//! QR image the page shows is decoded), a later login with the token's code, a wrong code, a
//! resend, a lockout, the French catalogue and a forged form. Screenshots of the main screens
//! go to `target/web_login/`.
//!
//! Needs `chromium` and `chromedriver` (Debian's `chromium` and `chromium-driver`); without them
//! the test says loudly that it was skipped, unless `TOLLGATE_REQUIRE_CHROMIUM` is set (CI).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::codes::{ActivationPassword, TokenActivation};
use tollgate::otp::{Totp, UnixTime};
use tollgate::provision::SecureActivation;

const START: u64 = 1_700_000_000;
const JOHN: &str = "john.smith@example.com";
const JANE: &str = "jane.doe@example.com";
const PASSWORD: &str = "correct horse battery staple";

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn target_dir() -> PathBuf {
    // <target>/debug/deps/web_login-<hash>
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
type Output = std::sync::Arc<std::sync::Mutex<String>>;

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

fn start_server() -> (Killed, String, Output) {
    let exe = target_dir()
        .join("debug")
        .join("examples")
        .join("web_login");
    let exe = if exe.is_file() {
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
            .join("web_login")
    };
    let mut child = Command::new(&exe)
        .args([
            "--port",
            "0",
            "--seed",
            "7",
            "--virtual-clock",
            &START.to_string(),
        ])
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

fn start_driver(driver: &Path) -> (Killed, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    watch(&mut child, "started successfully");
    (Killed(child), format!("http://127.0.0.1:{port}"))
}

struct Browser {
    client: Client,
    base: String,
    shots: PathBuf,
    /// The server's virtual clock, as the test has moved it.
    now: u64,
    /// The `data-render` number of the login page last seen: the next one must differ.
    seen: std::cell::Cell<String>,
}

impl Browser {
    async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    /// Waits for a new page (not the one seen last) of `screen`, and returns its text.
    async fn expect(&self, screen: &str) -> String {
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
    async fn on(&self, screen: &str) {
        let main = self.client.find(Locator::Css("main")).await.unwrap();
        let shown = main.attr("data-screen").await.unwrap().unwrap_or_default();
        assert_eq!(shown, screen, "the screen shown");
    }

    async fn fill(&self, id: &str, text: &str) {
        let field = self.client.find(Locator::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    async fn click(&self, id: &str) {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Types `text` into the field `action` and presses its "Next".
    async fn answer(&self, action: &str, text: &str) {
        self.fill(action, text).await;
        self.click(&format!("{action}_next")).await;
    }

    async fn text(&self, id: &str) -> String {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn notice(&self) -> Option<String> {
        match self.client.find(Locator::Id("notice")).await {
            Ok(notice) => Some(notice.text().await.unwrap()),
            Err(_) => None,
        }
    }

    async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    /// The PINs in the development outbox, newest first; back to the login afterwards.
    async fn pins(&self) -> Vec<String> {
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
    async fn advance(&mut self, seconds: u64) {
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

    async fn start_over(&self) {
        self.click("logout").await;
        self.expect("enter-user-id").await;
    }

    /// User ID and password; returns the text of the screen that follows.
    async fn sign_in(&self, user: &str, next: &str) -> String {
        self.answer("user_id", user).await;
        self.expect("enter-password").await;
        self.answer("password", PASSWORD).await;
        self.expect(next).await
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
fn raw_get(base: &str) -> String {
    use std::io::Read as _;
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap_or_default()
        .to_owned()
}

fn decode_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image the page shows");
    grids[0].decode().unwrap().1
}

#[tokio::test(flavor = "current_thread")]
async fn a_person_logs_in_through_the_browser() {
    let Some((chromium, driver)) = chromium() else {
        return;
    };
    let shots = target_dir().join("web_login");
    std::fs::create_dir_all(&shots).unwrap();
    let (_server, base, server_log) = start_server();
    let (_driver, driver_url) = start_driver(&driver);
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
    let mut b = Browser {
        client,
        base,
        shots,
        now: START,
        seen: std::cell::Cell::default(),
    };

    // The session cookie's flags, as the server sends them.
    let set_cookie = raw_get(&b.base);
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );

    // ---- First login, desktop path.
    b.open("/").await;
    b.on("enter-user-id").await;
    b.shot("01-user-id").await;
    // The session cookie is HttpOnly: scripts cannot read it.
    let cookies = b
        .client
        .execute("return document.cookie", vec![])
        .await
        .unwrap();
    assert_eq!(
        cookies,
        serde_json::json!(""),
        "the session cookie is visible to scripts"
    );
    b.answer("user_id", JOHN).await;
    b.expect("enter-password").await;
    b.shot("02-password").await;
    b.answer("password", PASSWORD).await;
    let page = b.expect("enter-pin").await;
    assert!(page.contains("1234"), "the masked mobile number: {page}");
    b.shot("03-pin").await;

    // A resend at once is refused; a minute later it goes out.
    b.click("resend").await;
    b.expect("enter-pin").await;
    let notice = b.notice().await.unwrap_or_default();
    assert!(notice.contains("Please wait"), "{notice}");
    b.advance(60).await;
    b.click("resend").await;
    b.expect("enter-pin").await;
    let pins = b.pins().await;
    assert_eq!(pins.len(), 2, "the first PIN and the resent one");
    b.on("enter-pin").await;
    b.answer("pin", &pins[0]).await;
    b.expect("choose-enrollment").await;
    b.shot("04-choose-enrollment").await;

    b.click("desktop").await;
    let page = b.expect("desktop-activation").await;
    assert!(page.contains("https://rss.example/api/mobile"), "{page}");
    b.shot("05-desktop-activation").await;
    let serial = b.text("serial").await.parse().unwrap();
    let code = b.text("activation_code").await.parse().unwrap();
    let app = TokenActivation::new(serial, code, None);
    let (registration, john_token) = app.register(&mut ChaCha20Rng::seed_from_u64(1));
    b.answer("registration", &registration.to_string()).await;
    b.expect("enrolled").await;
    b.shot("06-enrolled").await;
    b.click("continue").await;
    let page = b.expect("authenticated").await;
    assert!(page.contains(JOHN), "{page}");
    b.shot("07-authenticated").await;

    // ---- A later login: a wrong code, then the token's code.
    let john: Totp = john_token.totp();
    b.start_over().await;
    b.advance(30).await;
    b.sign_in(JOHN, "enter-token-code").await;
    b.shot("08-token-code").await;
    let right = john
        .generate(UnixTime::from_secs(b.now))
        .unwrap()
        .to_string();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    b.answer("token", wrong).await;
    b.expect("enter-token-code").await;
    assert_eq!(b.notice().await.as_deref(), Some("The code is incorrect."));
    b.answer("token", &right).await;
    b.expect("authenticated").await;

    // ---- Jane's first login, mobile path: the QR image on the page, decoded.
    b.start_over().await;
    b.sign_in(JANE, "enter-pin").await;
    // "Alternative authentication": the PIN again, by e-mail.
    b.click("alternative").await;
    let page = b.expect("enter-pin").await;
    assert!(
        page.contains("@example.com"),
        "the masked e-mail address: {page}"
    );
    let pin = b.pins().await.remove(0);
    b.on("enter-pin").await;
    b.answer("pin", &pin).await;
    b.expect("choose-enrollment").await;
    b.click("mobile").await;
    b.expect("mobile-activation").await;
    b.shot("09-mobile-activation").await;
    let qr = b.client.find(Locator::Id("qr")).await.unwrap();
    let uri = decode_qr(&qr.screenshot().await.unwrap());
    let password: ActivationPassword = b.text("activation_password").await.parse().unwrap();
    let scanned = SecureActivation::decode(&uri, &password).unwrap();
    let app = TokenActivation::new(
        scanned.serial(),
        scanned.activation_code().clone(),
        scanned.policy().cloned(),
    );
    let (registration, jane_token) = app.register(&mut ChaCha20Rng::seed_from_u64(2));
    b.answer("registration", &registration.to_string()).await;
    b.expect("enrolled").await;
    b.click("continue").await;
    let page = b.expect("authenticated").await;
    assert!(page.contains(JANE), "{page}");
    b.start_over().await;
    b.advance(30).await;
    b.sign_in(JANE, "enter-token-code").await;
    let code = jane_token
        .totp()
        .generate(UnixTime::from_secs(b.now))
        .unwrap();
    b.answer("token", &code.to_string()).await;
    b.expect("authenticated").await;

    // ---- Lockout: five wrong passwords, then even the right one is refused.
    b.start_over().await;
    b.answer("user_id", JOHN).await;
    for guess in 0..5 {
        b.expect("enter-password").await;
        b.answer("password", &format!("wrong guess {guess}")).await;
    }
    b.expect("enter-password").await;
    b.answer("password", PASSWORD).await;
    b.expect("enter-password").await;
    assert!(b.notice().await.is_some(), "the locked account says so");
    b.shot("10-locked").await;

    // ---- The French catalogue.
    b.start_over().await;
    let french = b
        .client
        .find(Locator::Css("#lang option[value='fr']"))
        .await
        .unwrap();
    french.click().await.unwrap();
    b.click("set_lang").await;
    let page = b.expect("enter-user-id").await;
    assert!(page.contains("Saisissez votre identifiant"), "{page}");
    b.shot("11-french").await;

    // ---- A form whose CSRF token is not the session's is refused.
    b.client
        .execute(
            "document.querySelectorAll('input[name=csrf]').forEach(function (i) { i.value = 'forged'; })",
            vec![],
        )
        .await
        .unwrap();
    b.fill("user_id", JOHN).await;
    b.click("user_id_next").await;
    let refused = b.expect("refused").await;
    assert!(refused.contains("does not match this session"), "{refused}");

    b.client.close().await.unwrap();
    // The server's own output: its address and the demo users, and no PIN, code or
    // activation data.
    let log = server_log.lock().unwrap().clone();
    assert!(log.contains("listening on"), "{log}");
    for secret in [
        right.as_str(),
        pin.as_str(),
        &registration.to_string(),
        &uri,
    ] {
        assert!(
            !log.contains(secret),
            "a secret in the server's output: {log}"
        );
    }
}
