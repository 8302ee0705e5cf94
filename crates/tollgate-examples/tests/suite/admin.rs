//! The `admin` example on a SQLite store `first_login` made: each command acts on the account,
//! prints its audit event under the administrator's name, and tells the user; bad commands get
//! the usage.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{Scratch, example};

const JOHN: &str = "john.smith@example.com";

fn run(dir: &Path, name: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(example(name))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!("{stdout}{stderr}"))
    }
}

#[test]
fn each_command_acts_is_audited_and_told() {
    let dir = Scratch::new();
    let store = format!("sqlite:{}", dir.path().join("t.db").display());
    run(
        dir.path(),
        "first_login",
        &["--store", &store, "--at", "1800000000"],
    )
    .unwrap();
    let admin = |args: &[&str]| {
        let mut all = vec!["--store", &store, "--as", "alice"];
        all.extend_from_slice(args);
        run(dir.path(), "admin", &all)
    };
    let shown = admin(&["show", JOHN]).unwrap();
    assert!(
        shown.contains("authenticators: [") && shown.contains("serial: SerialNumber("),
        "{shown}"
    );
    assert!(shown.contains("+1 ••• ••• 1234"), "{shown}");
    // The trail the first login left, newest first.
    let events = admin(&["events", JOHN, "50"]).unwrap();
    for kind in ["authenticated", "token_enrolled", "pin_sent"] {
        assert!(events.contains(kind), "{kind}: {events}");
    }
    let out = admin(&["unlock", JOHN]).unwrap();
    assert!(
        out.contains(r#"admin: "alice""#) && out.contains("Unlocked"),
        "{out}"
    );
    assert!(
        out.contains("An administrator unlocked your account"),
        "{out}"
    );
    let refused = admin(&["temporary-password", JOHN, "password1"]).unwrap_err();
    assert!(refused.contains("common"), "{refused}");
    let out = admin(&["temporary-password", JOHN, "blue whale at noon"]).unwrap();
    assert!(out.contains("TemporaryPasswordSet"), "{out}");
    // A locked app's reset code: the unlock code is the one the token's secret gives (the
    // example's app keeps its token as a key URI beside the store).
    let uri = std::fs::read_to_string(dir.path().join("t.db.app")).unwrap();
    let uri: tollgate::provision::OtpAuthUri = uri.trim().parse().unwrap();
    let expected = tollgate::codes::unlock_code(uri.secret(), "123456789").unwrap();
    let out = admin(&["unlock-app", JOHN, "123456789"]).unwrap();
    assert!(
        out.contains(&format!("Unlock code: {}", expected.as_str())),
        "{out}"
    );
    assert!(out.contains("AppUnlockCodeIssued"), "{out}");
    assert!(
        admin(&["unlock-app", JOHN, "12345"])
            .unwrap_err()
            .contains("9 digits")
    );
    // A re-enrollment grant: printed once, audited, told; none that lasts no time.
    let out = admin(&["grant", JOHN, "2"]).unwrap();
    assert!(
        out.contains("Re-enrollment code (once, for 2 h): ") && out.contains("ReenrollmentGranted"),
        "{out}"
    );
    assert!(
        admin(&["grant", JOHN, "0"])
            .unwrap_err()
            .contains("lasts 1 s")
    );
    assert!(
        admin(&["show", JOHN])
            .unwrap()
            .contains("grant_expires_at: Some(")
    );
    assert!(
        admin(&["revoke", JOHN, "12211-49352"])
            .unwrap_err()
            .contains("no token")
    );
    let out = admin(&["revoke", JOHN]).unwrap();
    assert!(out.contains("TokenRevoked"), "{out}");
    let shown = admin(&["show", JOHN]).unwrap();
    assert!(shown.contains("authenticators: []") && shown.contains("password_expired: true"));
    let none = admin(&["unlock-app", JOHN, "123456789"]).unwrap_err();
    assert!(none.contains("no token"), "{none}");
    // New contacts: the old number is told as well as the new one.
    let out = admin(&["contacts", JOHN, "+44 20 7946 0958", "-"]).unwrap();
    assert!(out.contains("ContactsChanged"), "{out}");
    assert!(
        out.contains("SMS to +442079460958") && out.contains("SMS to +16132701234"),
        "{out}"
    );
    admin(&["delete", JOHN]).unwrap();
    let kept = admin(&["events", JOHN, "1"]).unwrap();
    assert!(
        kept.contains("UserDeleted") && kept.contains("alice"),
        "{kept}"
    );
    let gone = admin(&["show", JOHN]).unwrap_err();
    assert!(gone.contains("no such user"), "{gone}");
    let usage = admin(&["frobnicate", JOHN]).unwrap_err();
    assert!(usage.contains("usage: admin"), "{usage}");
}
