//! `first_login`'s switches, run as a user runs them: the registration scheme for apps that
//! cannot compute tollgate's validation field, and its refusal of a scheme it does not know.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use std::process::Command;

#[test]
fn the_any_field_scheme_enrolls_and_logs_in() {
    let out = Command::new(common::example("first_login"))
        .args(["--registration-scheme", "any-field", "--at", "1800000000"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("Done: john.smith@example.com logged in"),
        "{stdout}"
    );
}

#[test]
fn an_unknown_scheme_is_refused_with_the_names_it_takes() {
    let out = Command::new(common::example("first_login"))
        .args(["--registration-scheme", "entrust"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("`tollgate` or `any-field`"), "{stderr}");
}

/// Every `--scenario` runs each way back to a later login; on a
/// database store they are refused (the script's password would no longer be the account's).
#[test]
fn the_scenarios_run_each_way_back_to_a_later_login() {
    for (scenario, saw) in [
        ("forgot-password", "Your password has been changed"),
        ("lost-token", "recovery codes left"),
        ("mobile-lost-token", "recovery codes left"),
        ("add-authenticator", "Add an authenticator: "),
        ("grant", "one-time code by telephone"),
        ("temporary-password", "set by an administrator"),
        ("reset-without-token", "Step 2 of 2"),
        ("new-recovery-codes", "The token lost: one of the new codes"),
        ("locked-app", "unlock code accepted"),
        ("change-password", "Your password has been changed"),
    ] {
        let mut command = Command::new(common::example("first_login"));
        if let Some(scenario) = scenario.strip_prefix("mobile-") {
            command.args(["--mobile", "--scenario", scenario]);
        } else {
            command.args(["--scenario", scenario]);
        }
        let out = command.args(["--at", "1800000000"]).output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "{scenario}: {stdout}");
        assert!(stdout.contains(saw), "{scenario}: {stdout}");
        assert!(
            stdout.contains("Done: john.smith@example.com logged in"),
            "{stdout}"
        );
    }
    let dir = common::Scratch::new();
    let store = format!("sqlite:{}", dir.path().join("t.db").display());
    let out = Command::new(common::example("first_login"))
        .args(["--scenario", "lost-token", "--store", &store])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("memory store")
    );
}
