//! The `soft_token` example's file, played against as another user of the machine and as
//! someone who can edit the file (`THREATS.md`: the local attacker): it is written whole and
//! for its owner alone, a file others may read is refused, the tries left cannot be set back by
//! editing it, and a version 1 file (written before this version) opens and is upgraded.
//!
//! Before: the file was written 0644 with `fs::write`, and its wrong-PIN counter sat outside
//! the authenticated data (edited from 9 back to 0, the right PIN still opened it).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::Scratch;

use crate::common;

const PIN: &str = "123456";
/// The public Entrust vector (`spec/activation.md`): its code at 1570351831.
const CODE: &str = "814835";

fn exe() -> PathBuf {
    common::example("soft_token")
}

/// Runs the app with `pin`; its stdout, or its error.
fn run(pin: &str, args: &[&str]) -> Result<String, String> {
    run_with(pin, "", args)
}

/// [`run`], with `unlock` as the unlock code the user types.
fn run_with(pin: &str, unlock: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(exe())
        .arg("--secrets-from-env")
        .args(args)
        .env("SOFT_TOKEN_PIN", pin)
        .env("SOFT_TOKEN_ACTIVATION_CODE", "1745-7712-6942-8698")
        .env("SOFT_TOKEN_UNLOCK_CODE", unlock)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe().display()));
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap())
    } else {
        Err(String::from_utf8(out.stderr).unwrap())
    }
}

fn code(pin: &str, store: &Path) -> Result<String, String> {
    run(
        pin,
        &[
            "code",
            "--store",
            store.to_str().unwrap(),
            "--at",
            "1570351831",
        ],
    )
    .map(|c| c.trim().to_owned())
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn tries(store: &Path) -> usize {
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(store).unwrap()).unwrap();
    file["copies"].as_array().unwrap().len()
}

fn activated(dir: &Path) -> PathBuf {
    let store = dir.join("token.json");
    let args = [
        "activate",
        "--serial",
        "48244-13456",
        "--registration-code",
        "12211-49352",
        "--store",
        store.to_str().unwrap(),
    ];
    run(PIN, &args).unwrap();
    store
}

#[test]
fn the_file_is_the_owners_alone_and_written_whole() {
    let dir = Scratch::new();
    let store = activated(dir.path());
    assert_eq!(mode(&store), 0o600);
    assert_eq!(code(PIN, &store).unwrap(), CODE);
    // Nothing is left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // A file others may read is refused, with the fix.
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = code(PIN, &store).unwrap_err();
    assert!(refused.contains("chmod 600"), "{refused}");
    // Without --secrets-from-env the PIN in the environment is not read.
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = Command::new(exe())
        .args(["code", "--store", store.to_str().unwrap()])
        .env("SOFT_TOKEN_PIN", PIN)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains("--secrets-from-env"), "{said}");
}

#[test]
fn the_tries_left_cannot_be_edited_back() {
    let dir = Scratch::new();
    let store = activated(dir.path());
    for left in (1..10).rev() {
        let refused = code("000000", &store).unwrap_err();
        assert!(refused.contains(&format!("{left} tries left")), "{refused}");
    }
    assert_eq!(tries(&store), 1);
    // The editor: the copy left, put back in every place (and, separately, renumbered to the
    // first place). Neither gives a try back: the file is refused as damaged, or the copy no
    // longer opens under its new place.
    let text = std::fs::read_to_string(&store).unwrap();
    let mut file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let last = file["copies"][0].clone();
    file["copies"] = serde_json::Value::Array(vec![last.clone(); 10]);
    std::fs::write(&store, file.to_string()).unwrap();
    let refused = code(PIN, &store).unwrap_err();
    assert!(refused.contains("damaged"), "{refused}");
    let mut renumbered = last.clone();
    renumbered["try"] = 0.into();
    let mut edited: serde_json::Value = serde_json::from_str(&text).unwrap();
    edited["copies"] = serde_json::Value::Array(vec![renumbered, last]);
    std::fs::write(&store, edited.to_string()).unwrap();
    let refused = code(PIN, &store).unwrap_err();
    assert!(refused.contains("1 tries left"), "{refused}");
    // The right PIN on the one true copy still opens it, and seals all ten again.
    assert_eq!(code(PIN, &store).unwrap(), CODE);
    assert_eq!(tries(&store), 10);
    // Ten wrong PINs lock it (the issuer knows this token: it can be unlocked).
    for _ in 0..9 {
        let _ = code("000000", &store);
    }
    let locked = code("000000", &store).unwrap_err();
    assert!(locked.contains("locked"), "{locked}");
    assert_eq!(tries(&store), 0);
    assert!(code(PIN, &store).unwrap_err().contains("locked"));
}

/// The app lock (Entrust's "Unlock an Entrust ST app"; SP 800-63B-4 §3.2.10): ten wrong PINs
/// lock the app, which shows a 9-digit reset code; the issuer's unlock code for it (computed
/// here from the token's secret as the issuer holds it) and a new PIN open it again; wrong
/// unlock codes are counted and the third wipes the token. The local attacker of THREATS.md
/// cannot make an unlock code without the token's secret.
#[test]
fn ten_wrong_pins_lock_the_app_and_the_issuers_unlock_code_opens_it() {
    let dir = Scratch::new();
    let store = activated(dir.path());
    let path = store.to_str().unwrap();
    for _ in 0..10 {
        let _ = code("000000", &store);
    }
    let locked = code(PIN, &store).unwrap_err();
    let at = locked.find("PIN reset code ").unwrap() + 15;
    let reset = &locked[at..at + 9];
    assert!(reset.bytes().all(|b| b.is_ascii_digit()), "{locked}");
    assert!(locked.contains("48244-13456"), "{locked}");
    // The issuer's side: the secret it derived when the token registered.
    let activation = tollgate::codes::TokenActivation::new(
        "48244-13456".parse().unwrap(),
        "1745-7712-6942-8698".parse().unwrap(),
        None,
    );
    let token = activation.restore(&"12211-49352".parse().unwrap());
    let unlock = tollgate::codes::unlock_code(token.secret(), reset).unwrap();
    let wrong = run_with("654321", "12345678", &["unlock", "--store", path]).unwrap_err();
    assert!(wrong.contains("2 tries left"), "{wrong}");
    run_with("654321", &unlock, &["unlock", "--store", path]).unwrap();
    assert_eq!(code("654321", &store).unwrap(), CODE);
    assert_eq!(tries(&store), 10);
    assert!(code(PIN, &store).is_err(), "the old PIN is gone");
    // The next lock shows another reset code; the old unlock code does not open it.
    for _ in 0..10 {
        let _ = code("000000", &store);
    }
    let again = code("654321", &store).unwrap_err();
    assert!(!again.contains(reset), "a new reset code: {again}");
    for left in [2, 1] {
        let refused = run_with("111111", &unlock, &["unlock", "--store", path]).unwrap_err();
        assert!(refused.contains(&format!("{left} tries left")), "{refused}");
    }
    let wiped = run_with("111111", &unlock, &["unlock", "--store", path]).unwrap_err();
    assert!(wiped.contains("wiped"), "{wiped}");
    assert!(!store.exists());
}

/// A version 1 file, written by the version before this one (`examples/soft_token/data`),
/// opens with its PIN and is written back as version 2, for its owner alone.
#[test]
fn a_version_1_file_opens_and_is_upgraded() {
    let dir = Scratch::new();
    let store = dir.path().join("v1.json");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/soft_token/data/token_v1.json"
        ),
        &store,
    )
    .unwrap();
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(code(PIN, &store).unwrap(), CODE);
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&store).unwrap()).unwrap();
    assert_eq!(file["version"], 2);
    assert_eq!(tries(&store), 10);
    assert_eq!(mode(&store), 0o600);
    assert_eq!(code(PIN, &store).unwrap(), CODE);
}
