//! `embed_axum`: the login mounted under `/login` of an app with its own routes. The app's
//! `/account` turns away whoever is not logged in, and after a whole first login (desktop path)
//! shows the user; logging out closes it again. No browser needed.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::agent;
use crate::web;

use agent::{Agent, between, request};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::codes::TokenActivation;
use web::{PASSWORD, start_example};

/// The newest PIN on the server's console (the example's stand-in for SMS).
fn last_pin(log: &web::Output) -> String {
    // The server prints the PIN before it answers, but its output reaches this process through
    // a reader thread: wait for the line (a second at most), not for a time.
    let mut line = None;
    for _ in 0..1000 {
        line = log
            .lock()
            .unwrap()
            .lines()
            .rev()
            .find(|l| l.contains("one-time password is"))
            .map(str::to_owned);
        if line.is_some() {
            break;
        }
        std::thread::park_timeout(std::time::Duration::from_millis(1));
    }
    let line = line.unwrap();
    let digits = line.rsplit(' ').next().unwrap();
    digits.trim_end_matches('.').to_owned()
}

/// John's first login as far as his desktop token's enrollment.
fn enroll_john(base: &str, log: &web::Output) -> Agent {
    let mut b = Agent::at(base, "/login");
    b.submit("user_id", "john.smith@example.com");
    b.submit("password", PASSWORD);
    b.submit("pin", &last_pin(log));
    b.submit("desktop", "");
    let serial = between(&b.page, r#"<code id="serial">"#, "<").unwrap();
    let code = between(&b.page, r#"<code id="activation_code">"#, "<").unwrap();
    let app = TokenActivation::new(serial.parse().unwrap(), code.parse().unwrap(), None);
    let (registration, _) = app.register(&mut ChaCha20Rng::seed_from_u64(9));
    b.submit("registration", &registration.to_string());
    b
}

#[test]
fn with_store_the_account_and_its_token_outlive_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("app.db").display());
    let db = db.as_str();
    {
        let (_server, base, log) = start_example("embed_axum", &["--seed", "5", "--store", db]);
        let b = enroll_john(&base, &log);
        assert_eq!(b.screen(), "enrolled", "{}", b.page);
    }
    // The key file was made beside the database, for its owner alone.
    let keys = dir.path().join("app.db.keys");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&keys).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    // Another process on the same files: John is enrolled, so his login asks for the token's
    // code (his sealed account opened with the keys from the file) and sends no PIN.
    let (_server, base, log) = start_example("embed_axum", &["--seed", "6", "--store", db]);
    let mut b = Agent::at(&base, "/login");
    b.submit("user_id", "john.smith@example.com");
    b.submit("password", PASSWORD);
    assert_eq!(b.screen(), "enter-token-code", "{}", b.page);
    assert!(!log.lock().unwrap().contains("one-time password is"));
}

/// `--help` says how to call it; a wrong argument says what is wrong, as a sentence.
#[test]
fn help_and_wrong_arguments_are_answered_in_words() {
    let run = |args: &[&str]| {
        let output = std::process::Command::new(web::example("embed_axum"))
            .args(args)
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, out, _) = run(&["--help"]);
    assert!(ok && out.starts_with("usage: embed_axum"), "{out}");
    let (ok, _, err) = run(&["--port"]);
    assert!(
        !ok && err.starts_with("embed_axum: --port needs a value"),
        "{err}"
    );
    let (ok, _, err) = run(&["--store", "app.db"]);
    assert!(
        !ok && err.contains("--store takes memory, sqlite:PATH"),
        "{err}"
    );
}

#[test]
fn the_apps_own_page_is_for_the_logged_in_alone() {
    let (_server, base, log) = start_example("embed_axum", &["--seed", "5"]);
    let home = request(&base, "GET", "/", &[], b"");
    assert!(home.body.contains("Example app"), "{}", home.body);
    // Not logged in: sent to the login.
    let turned_away = request(&base, "GET", "/account", &[], b"");
    assert_eq!(turned_away.status, 303);
    assert_eq!(turned_away.header("location"), Some("/login"));
    // A forged session cookie is nobody.
    let forged = request(
        &base,
        "GET",
        "/account",
        &[("Cookie", "tollgate_session=0123456789abcdef")],
        b"",
    );
    assert_eq!(forged.status, 303);

    let mut b = Agent::at(&base, "/login");
    assert_eq!(b.screen(), "enter-user-id", "{}", b.page);
    // Every link and form of the login is under its base.
    assert!(b.page.contains(r#"action="/login/submit""#), "{}", b.page);
    assert!(b.page.contains(r#"href="/login/style.css""#), "{}", b.page);
    b.submit("user_id", "john.smith@example.com");
    b.submit("password", PASSWORD);
    assert_eq!(b.screen(), "enter-pin", "{}", b.page);
    b.submit("pin", &last_pin(&log));
    b.submit("desktop", "");
    assert_eq!(b.screen(), "desktop-activation", "{}", b.page);
    assert!(
        b.page.contains(&format!("{base}/login/api/mobile")),
        "the Address is the app's registration path: {}",
        b.page
    );
    let serial = between(&b.page, r#"<code id="serial">"#, "<").unwrap();
    let code = between(&b.page, r#"<code id="activation_code">"#, "<").unwrap();
    let app = TokenActivation::new(serial.parse().unwrap(), code.parse().unwrap(), None);
    let (registration, _) = app.register(&mut ChaCha20Rng::seed_from_u64(9));
    b.submit("registration", &registration.to_string());
    assert_eq!(b.screen(), "enrolled", "{}", b.page);
    // Continue: the login hands the user to the app's page.
    let page = b.submit("continue", "").to_owned();
    assert!(
        page.contains(r#"<p id="user">john.smith@example.com</p>"#),
        "{page}"
    );
    let again = b.get("/account").to_owned();
    assert!(again.contains("john.smith@example.com"), "{again}");

    // Logged out from the app's own page: it is closed again, and the login starts over.
    let after = b.submit("logout", "").to_owned();
    assert!(after.contains("data-screen=\"enter-user-id\""), "{after}");
    let closed = request(&base, "GET", "/account", &[], b"");
    assert_eq!(closed.status, 303);
    b.get("/account");
    assert_eq!(b.screen(), "enter-user-id", "{}", b.page);
}
