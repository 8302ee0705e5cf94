//! The whole story of the portal in one process: `cargo run -p tollgate-web-example --example
//! remote_signing [-- FILE]`.
//!
//! A web server (tollgate-axum on loopback) and two clients of it over HTTP. First a browser's
//! part, on the seed's screens: User ID → password → the PIN (from the server's outbox) →
//! desktop enrollment (the soft token computes the registration code for "Response") →
//! "Continue" → "Create your Signing Certificate". Then a signing client speaks the CSC API:
//! it hashes FILE (a sample document when none is given), logs in with the User ID and
//! password, reads the credential's certificates, asks the soft token for its code, authorizes
//! that one hash (the SAD is bound to it) and receives the signature, which it verifies with
//! the certificate. It exits 0 only when the signature verifies and the same SAD is refused for
//! another document.
//!
//! The clock is virtual, starting now: a code is good once, so before authorizing it moves on
//! by one time step instead of waiting 30 s.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tollgate::codes::TokenActivation;
use tollgate::sign::{
    CertificateAuthority, HashAlgorithm, SadKey, SadKeys, SignAlgorithm, SoftwareKeys,
    verify_signature,
};
use tollgate::signing::Signer;
use tollgate::{Clock as _, ManualClock, MemoryStore, Outbox, Service, SystemClock};
use tollgate_axum::{Login, WebConfig};
use ureq::http::Response;

const JOHN: &str = "john.smith@example.com";
const PASSWORD: &str = "correct horse battery staple";

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("remote_signing: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

type Failure = Box<dyn std::error::Error>;

fn run() -> Result<(), Failure> {
    let document = match std::env::args().nth(1) {
        Some(path) if path == "--help" || path == "-h" => {
            println!("usage: remote_signing [FILE]  (signs FILE's SHA-256, or a sample document)");
            return Ok(());
        }
        Some(path) => std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?,
        None => b"Contract: the parties agree to sign remotely.\n".to_vec(),
    };
    let clock = ManualClock::new(SystemClock.now());
    let outbox = Outbox::new();
    let service = service(&clock, &outbox)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let base = format!("http://{}", listener.local_addr()?);
    let login = Login::new(
        service,
        WebConfig::default().with_title("Remote Signing Service"),
    );
    let app = login.router();
    runtime.spawn(async move {
        let _ = tollgate_axum::serve(listener, app, tollgate_axum::ServeLimits::default()).await;
    });
    println!("the portal is listening on {base}/");

    // The browser: the seed's screens.
    let mut browser = Browser::new(&base);
    browser.home()?;
    browser.submit("user_id", JOHN)?;
    println!("[User ID] {JOHN}");
    browser.submit("password", PASSWORD)?;
    println!("[Password] ********");
    let pin = outbox.last_pin().ok_or("no PIN was sent")?;
    println!("[One-time PIN] {pin} (by e-mail, from the outbox)");
    browser.submit("pin", &pin)?;
    browser.submit("desktop", "")?;
    let serial_text = browser.between(r#"<code id="serial">"#, "<")?.to_owned();
    let code_text = browser
        .between(r#"<code id="activation_code">"#, "<")?
        .to_owned();
    println!("[Desktop] Serial Number {serial_text}, Activation Code {code_text}");
    let (serial, code) = (serial_text.parse()?, code_text.parse()?);
    let app = TokenActivation::new(serial, code, None);
    let (registration, token) = app.register(&mut rand_core::UnwrapErr(getrandom::SysRng));
    println!("[Response] {registration} (computed by the soft token)");
    browser.submit("registration", &registration.to_string())?;
    browser.submit("continue", "")?;
    browser.expect("authenticated")?;
    browser.submit("create_signing_certificate", "")?;
    if !browser
        .page
        .contains("Your signing certificate was created.")
    {
        return Err("the signing certificate was not created".into());
    }
    println!("[Create your Signing Certificate] done");

    // The signing client: the CSC API.
    let digest = HashAlgorithm::Sha256.digest(&document);
    println!(
        "\nsigning a document of {} bytes, SHA-256 {}",
        document.len(),
        hex(&digest)
    );
    let basic = STANDARD.encode(format!("{JOHN}:{PASSWORD}"));
    let token_answer = csc(&base, "auth/login", &format!("Basic {basic}"), &json!({}))?;
    let bearer = format!(
        "Bearer {}",
        token_answer["access_token"]
            .as_str()
            .ok_or("no access token")?
    );
    let list = csc(&base, "credentials/list", &bearer, &json!({}))?;
    let id = list["credentialIDs"][0].as_str().ok_or("no credential")?;
    let info = csc(
        &base,
        "credentials/info",
        &bearer,
        &json!({"credentialID": id, "certificates": "chain"}),
    )?;
    let certificate = STANDARD.decode(
        info["cert"]["certificates"][0]
            .as_str()
            .ok_or("no certificate")?,
    )?;
    println!(
        "credential {id}: SCAL {}, certificate of {} bytes",
        info["SCAL"],
        certificate.len()
    );
    clock.advance(30);
    let otp = token.totp().generate(clock.now())?.to_string();
    println!("the soft token's code: {otp}");
    let hash = STANDARD.encode(&digest);
    let authorized = csc(
        &base,
        "credentials/authorize",
        &bearer,
        &json!({"credentialID": id, "numSignatures": 1, "hashes": [hash],
                "hashAlgorithmOID": HashAlgorithm::Sha256.oid(),
                "authData": [{"id": "OTP", "value": otp}]}),
    )?;
    let sad = authorized["SAD"].as_str().ok_or("no SAD")?;
    println!(
        "authorized: a SAD for this one hash, for {} s",
        authorized["expiresIn"]
    );
    let sign = |hash: &str| {
        json!({"credentialID": id, "SAD": sad, "hashes": [hash],
               "hashAlgorithmOID": HashAlgorithm::Sha256.oid(),
               "signAlgo": SignAlgorithm::EcdsaSha256.oid()})
    };
    let signed = csc(&base, "signatures/signHash", &bearer, &sign(&hash))?;
    let signature = STANDARD.decode(signed["signatures"][0].as_str().ok_or("no signature")?)?;
    verify_signature(
        &certificate,
        SignAlgorithm::EcdsaSha256,
        &digest,
        &signature,
    )?;
    println!(
        "signed: {} bytes of ECDSA P-256, verified with the certificate",
        signature.len()
    );
    let other = STANDARD.encode(HashAlgorithm::Sha256.digest(b"another document"));
    match csc(&base, "signatures/signHash", &bearer, &sign(&other)) {
        Err(refused) => println!("the same SAD for another document: refused ({refused})"),
        Ok(_) => return Err("the SAD signed another document".into()),
    }
    Ok(())
}

/// The service: John registered, a test CA, software keys, everything in memory.
fn service(clock: &ManualClock, outbox: &Outbox) -> Result<Arc<Service>, Failure> {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let store = Arc::new(MemoryStore::new());
    let ca = CertificateAuthority::generate(
        "Remote Signing Service Test CA",
        clock.now(),
        3650,
        &mut rng,
    );
    let mut wrapping = [0u8; 32];
    let mut sad = [0u8; 32];
    getrandom::fill(&mut wrapping)?;
    getrandom::fill(&mut sad)?;
    let signer = Signer::new(
        store.clone(),
        ca,
        Arc::new(SoftwareKeys::new(wrapping)),
        SadKeys::new(SadKey::new(sad)),
    );
    let service = Service::builder()
        .store(store)
        .signer(signer)
        .delivery(Arc::new(outbox.clone()))
        .clock(Arc::new(clock.clone()))
        .build()?;
    service.register_user(JOHN, PASSWORD, None, Some(JOHN))?;
    Ok(Arc::new(service))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into()
}

/// One CSC call: the answer's JSON, or its `error_description`.
fn csc(base: &str, method: &str, authorization: &str, body: &Value) -> Result<Value, Failure> {
    let mut response = agent()
        .post(&format!("{base}/csc/v2/{method}"))
        .header("Authorization", authorization)
        .header("Content-Type", "application/json")
        .send(body.to_string())?;
    let status = response.status();
    let answer: Value = serde_json::from_str(&response.body_mut().read_to_string()?)?;
    if status.is_success() {
        Ok(answer)
    } else {
        Err(format!("{method}: {status} {}", answer["error_description"]).into())
    }
}

/// A browser's part: the session cookie, the page last shown, its forms.
struct Browser {
    base: String,
    cookie: String,
    page: String,
}

impl Browser {
    fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            cookie: String::new(),
            page: String::new(),
        }
    }

    fn keep_cookie(&mut self, response: &Response<ureq::Body>) {
        for value in response.headers().get_all("set-cookie") {
            if let Ok(value) = value.to_str()
                && let Some(pair) = value.split(';').next()
                && pair.starts_with("tollgate_session=")
            {
                pair.clone_into(&mut self.cookie);
            }
        }
    }

    fn home(&mut self) -> Result<(), Failure> {
        let mut response = agent()
            .get(&format!("{}/", self.base))
            .header("Cookie", &self.cookie)
            .call()?;
        self.keep_cookie(&response);
        self.page = response.body_mut().read_to_string()?;
        Ok(())
    }

    fn between(&self, start: &str, end: &str) -> Result<&str, Failure> {
        let at = self
            .page
            .find(start)
            .ok_or_else(|| format!("no {start:?} on the page"))?
            + start.len();
        let len = self.page[at..].find(end).ok_or("a cut page")?;
        Ok(&self.page[at..at + len])
    }

    fn expect(&self, screen: &str) -> Result<(), Failure> {
        let shown = self.between("data-screen=\"", "\"")?;
        if shown == screen {
            Ok(())
        } else {
            Err(format!("the page shows {shown}, not {screen}").into())
        }
    }

    /// Posts a form of the page (its CSRF token with it), then shows the page again.
    fn submit(&mut self, action: &str, value: &str) -> Result<(), Failure> {
        let csrf = self.between(r#"name="csrf" value=""#, "\"")?.to_owned();
        let body = format!(
            "csrf={csrf}&action={action}&value={}",
            value
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                })
                .collect::<String>()
        );
        let response = agent()
            .post(&format!("{}/submit", self.base))
            .header("Cookie", &self.cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(body)?;
        if response.status() != 303 {
            return Err(format!("{action}: {}", response.status()).into());
        }
        self.keep_cookie(&response);
        self.home()
    }
}
