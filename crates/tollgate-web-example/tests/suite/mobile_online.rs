//! The mobile path end to end as the portal's guide has it, with the token side a separate
//! process: `web_login` serves the pages and the registration address, `soft_token scan`
//! decrypts the QR code (read from the page's image) with the activation password and
//! registers online by itself, the person clicks OK (no Response typed), and later logins take
//! `soft_token code`. A second user's app cannot reach the server (`--offline`): the code it
//! prints goes into Response. No browser needed.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::agent;
use crate::web;

use std::path::PathBuf;
use std::process::Command;

use agent::{Agent, between, request};
use web::{PASSWORD, decode_qr, start_server};

const START: u64 = 1_700_000_000;
const PIN: &str = "246810";

/// `soft_token`, as `cargo test --workspace` built it beside this package's examples.
fn soft_token() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let examples = exe.ancestors().nth(2).unwrap().join("examples");
    let app = examples.join("soft_token");
    assert!(
        app.is_file(),
        "{} is missing: this test runs the soft-token app of the tollgate-examples package; \
         `cargo test --workspace` builds it, or `cargo build -p tollgate-examples --example \
         soft_token`",
        app.display()
    );
    app
}

/// Runs the app with the PIN and the activation password from the environment; its stdout and
/// stderr.
fn app(args: &[&str], activation_password: &str) -> (bool, String, String) {
    let out = Command::new(soft_token())
        .arg("--secrets-from-env")
        .args(args)
        .env("SOFT_TOKEN_PIN", PIN)
        .env("SOFT_TOKEN_ACTIVATION_PASSWORD", activation_password)
        .env("SOFT_TOKEN_ACTIVATION_CODE", "1745-7712-6942-8698")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Past the user ID, the password and the PIN, at the mobile page: the QR code's text and the
/// activation password, as a person's phone and eyes take them from the page.
fn to_the_mobile_page(b: &mut Agent, user: &str) -> (String, String) {
    assert_eq!(b.screen(), "enter-user-id");
    b.submit("user_id", user);
    b.submit("password", PASSWORD);
    assert_eq!(b.screen(), "enter-pin", "{}", b.page);
    let pin = b.last_pin();
    b.submit("pin", &pin);
    assert_eq!(b.screen(), "choose-enrollment", "{}", b.page);
    b.submit("mobile", "");
    assert_eq!(b.screen(), "mobile-activation", "{}", b.page);
    for step in [
        "Progress 1 of 1",
        "Are you activating the token on your desktop or mobile app?",
        "Download the Entrust Soft Token App.",
        "Activate your token by scanning the QR code with the Entrust Soft Token App.",
        "Copy the code and enter it in the mobile application when prompted.",
    ] {
        assert!(b.page.contains(step), "the page lacks {step:?}");
    }
    let uri = decode_qr(&b.bytes("/qr.png"));
    let password = between(&b.page, "<code id=\"activation_password\">", "</code>")
        .unwrap()
        .to_owned();
    (uri, password)
}

/// The example on the virtual clock, with the development outbox (where the PINs are read) and
/// its metrics.
fn server(seed: &str) -> (web::Killed, String, web::Output) {
    start_server(&[
        "--seed",
        seed,
        "--virtual-clock",
        &START.to_string(),
        "--dev-outbox",
        "--metrics",
    ])
}

#[test]
fn the_app_registers_itself_and_ok_finishes_the_mobile_path() {
    let (_server, base, log) = server("21");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("john.token");
    let store = store.to_str().unwrap();
    let mut b = Agent::new(&base);
    let (uri, password) = to_the_mobile_page(&mut b, "john.smith@example.com");

    // OK before the app registered: told so, nothing else happens.
    b.submit("registration", "");
    assert_eq!(b.screen(), "mobile-activation");
    assert!(b.page.contains("has not registered yet"), "{}", b.page);

    let (ok, out, err) = app(&["scan", "--uri", &uri, "--store", store], &password);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains(&format!("Registered at {base}/api/mobile")),
        "{out}{err}"
    );
    assert!(!out.contains("Registration code"), "{out}");
    b.get("/");
    assert!(b.page.contains("Your app has registered"), "{}", b.page);
    b.submit("registration", "");
    assert_eq!(b.screen(), "enrolled", "{}", b.page);
    b.submit("continue", "");
    assert_eq!(b.screen(), "authenticated");

    // The registration address takes JSON alone, and answers in JSON.
    let refused = request(
        &base,
        "POST",
        "/api/mobile",
        &[("Content-Type", "text/plain")],
        b"{}",
    );
    assert_eq!(refused.status, 415);
    assert_eq!(refused.header("content-type"), Some("application/json"));

    // A later login with the app's code.
    b.submit("logout", "");
    b.advance(30);
    b.submit("user_id", "john.smith@example.com");
    b.submit("password", PASSWORD);
    assert_eq!(b.screen(), "enter-token-code", "{}", b.page);
    let at = (START + 30).to_string();
    let (ok, code, err) = app(&["code", "--store", store, "--at", &at], "");
    assert!(ok, "{err}");
    b.submit("token", code.trim());
    assert_eq!(b.screen(), "authenticated", "{}", b.page);

    // What happened, in Prometheus' text format.
    let metrics = request(&base, "GET", "/metrics", &[], b"").body;
    for line in [
        "tollgate_logins_finished_total{outcome=\"authenticated\"} 2",
        "tollgate_enrollments_total 1",
        "tollgate_online_registrations_total{result=\"registered\"} 1",
    ] {
        assert!(metrics.contains(line), "{line:?} not in\n{metrics}");
    }

    // No PIN, code or activation data in the server's output.
    let log = log.lock().unwrap().clone();
    assert!(
        !log.contains(&password) && !log.contains(code.trim()),
        "{log}"
    );
}

#[test]
fn an_app_that_cannot_register_online_prints_the_code_for_response() {
    let (_server, base, _log) = server("22");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("jane.token");
    let store = store.to_str().unwrap();
    let mut b = Agent::new(&base);
    let (uri, password) = to_the_mobile_page(&mut b, "jane.doe@example.com");
    let (ok, out, err) = app(
        &["scan", "--uri", &uri, "--offline", "--store", store],
        &password,
    );
    assert!(ok, "{out}{err}");
    let code = between(&out, "Registration code: ", "\n")
        .unwrap()
        .to_owned();
    b.submit("registration", &code);
    assert_eq!(b.screen(), "enrolled", "{}", b.page);

    // An address the app cannot reach: it says why, and prints the code.
    let store = dir.path().join("elsewhere.token");
    let (_, out, err) = app(
        &[
            "activate",
            "--serial",
            "48244-13456",
            "--address",
            "https://rss.example/api/mobile",
            "--store",
            store.to_str().unwrap(),
        ],
        "",
    );
    assert!(
        err.contains("could not register online") && err.contains("http://"),
        "{err}"
    );
    assert!(out.contains("Registration code: "), "{out}");
}
