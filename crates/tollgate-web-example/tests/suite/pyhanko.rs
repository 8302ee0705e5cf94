//! pyHanko (from PyPI), a PDF signer nobody here wrote, signs a real PDF through web_login's
//! CSC API: John's first login on the pages, "Create your Signing Certificate", then
//! pyHanko's `CSCSigner` authorizes the signature with a code of John's soft token and signs;
//! pyHanko's validator finds the signature intact and trusted with web_login's test CA as the
//! only root. The same SAD offered for a second PDF is refused.
//!
//! `.ci/run` installs pyHanko into a virtual environment and names its Python in
//! `TOLLGATE_PYHANKO`; without it the test says SKIPPED and passes.

use std::process::Command;

use tollgate::otp::UnixTime;

use crate::agent::{Agent, between};
use crate::web;

const JOHN: &str = "john.smith@example.com";

fn python() -> Option<String> {
    match std::env::var("TOLLGATE_PYHANKO") {
        Ok(python) if std::path::Path::new(&python).is_file() => Some(python),
        _ => {
            tollgate_test_kit::system::skip(
                "pyhanko::pyhanko_signs_a_pdf_through_the_csc_api",
                "TOLLGATE_REQUIRE_PYHANKO",
                "pyHanko (a Python with `pip install pyhanko`, named in TOLLGATE_PYHANKO)",
            );
            None
        }
    }
}

#[test]
fn pyhanko_signs_a_pdf_through_the_csc_api() {
    let Some(python) = python() else {
        return;
    };
    // The virtual clock starts at the real time: pyHanko's validator checks the certificate's
    // validity against its own clock.
    let start = tollgate::Clock::now(&tollgate::SystemClock).as_secs() - 120;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca");
    let start_text = start.to_string();
    let args = [
        "--dev-outbox",
        "--seed",
        "11",
        "--virtual-clock",
        &start_text,
        "--ca",
        ca.to_str().unwrap(),
        "--dev-admin",
    ];
    let (_server, base, log) = web::start_server(&args);

    // The guide's first login, through the desktop path, then the next screen's button.
    let mut agent = Agent::new(&base);
    agent.submit("user_id", JOHN);
    agent.submit("password", web::PASSWORD);
    let pin = agent.last_pin();
    agent.submit("pin", &pin);
    let totp = agent.enroll_desktop(1);
    assert_eq!(agent.screen(), "authenticated", "{}", agent.page);
    assert!(agent.page.contains("Create your Signing Certificate"));
    let page = agent.submit("create_signing_certificate", "").to_owned();
    assert!(
        page.contains("Your signing certificate was created."),
        "{page}"
    );

    // A new time step: the code that authorizes is not the one the login used.
    agent.advance(30);
    let otp = totp
        .generate(UnixTime::from_secs(start + 30))
        .unwrap()
        .to_string();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pyhanko_csc.py");
    let output = Command::new(&python)
        .args([
            script,
            &base,
            JOHN,
            web::PASSWORD,
            &otp,
            ca.join("ca.pem").to_str().unwrap(),
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "pyHanko failed:\n{stdout}\n{}\nweb_login said:\n{}",
        String::from_utf8_lossy(&output.stderr),
        log.lock().unwrap()
    );
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    eprintln!("pyHanko: {result}");
    assert_eq!(result["scal2"], true, "{result}");
    assert_eq!(result["intact"], true, "{result}");
    assert_eq!(result["valid"], true, "{result}");
    assert_eq!(result["trusted"], true, "{result}");
    assert!(
        result["signer"].as_str().unwrap().contains(JOHN),
        "{result}"
    );
    assert!(
        result["signer_issuer"]
            .as_str()
            .unwrap()
            .contains("Remote Signing Service Test CA"),
        "{result}"
    );
    assert_eq!(result["md_algorithm"], "sha256", "{result}");
    assert_eq!(result["replayed"], "refused", "{result}");
    // The service refused it (pyHanko only says it has no result): John's audit trail, on
    // the help desk's page, has one signature and one refused SAD.
    let mut desk = Agent::new(&base);
    let form = desk.get("/dev/admin").to_owned();
    let csrf = between(&form, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_owned();
    let body = format!("csrf={csrf}&user=john.smith%40example.com&action=show&value=");
    let events = desk.post_raw("/dev/admin", &[], body.as_bytes()).body;
    let count = |kind: &str| events.matches(&format!(" {kind} ")).count();
    assert_eq!(count("signing_credential_created"), 1, "{events}");
    assert_eq!(count("signature_authorized"), 1, "{events}");
    assert_eq!(count("signed"), 1, "{events}");
    assert_eq!(count("signature_sad_refused"), 1, "{events}");
    let signed = std::fs::read(dir.path().join("signed.pdf")).unwrap();
    assert!(signed.starts_with(b"%PDF-1.7") && signed.windows(10).any(|w| w == b"/ByteRange"));
}
