//! The `rotate_keys` example on a SQLite store `first_login` made: the keys replaced, the
//! re-sealing stopped after one batch and resumed, a run that died between its cursor and its
//! keys started again, and the account still there for `first_login` under the new keys; the
//! key file of the previous version (one line of hex) read and rewritten.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{Scratch, example};

/// Each run of `first_login` a minute after the last, on its own clock (`--at`), so that
/// none waits for the token's next step.
static MINUTE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Runs `name` in `dir` with `args`; its stdout, or its stderr as the error.
fn run(dir: &Path, name: &str, args: &[&str]) -> Result<String, String> {
    let mut command = Command::new(example(name));
    if name == "first_login" {
        let minute = MINUTE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        command.args(["--at", &(1_800_000_000 + 60 * minute).to_string()]);
    }
    let out = command
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
    let stdout = String::from_utf8(out.stdout).unwrap();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{stdout}{}",
            String::from_utf8(out.stderr).unwrap()
        ))
    }
}

fn lines_of(keys: &Path, kind: &str) -> usize {
    std::fs::read_to_string(keys)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(&format!("{kind} ")))
        .count()
}

#[test]
fn a_rotation_stops_resumes_and_the_account_stays() {
    let dir = Scratch::new();
    let db = dir.path().join("t.db");
    let store = format!("sqlite:{}", db.display());
    let keys = dir.path().join("t.db.keys");
    let cursor = dir.path().join("t.db.rotation");
    run(dir.path(), "first_login", &["--store", &store]).unwrap();
    let before = std::fs::read_to_string(&keys).unwrap();

    // One batch of one account, then stop: the cursor says where it got to.
    let out = run(
        dir.path(),
        "rotate_keys",
        &["--store", &store, "--batch", "1", "--batches", "1"],
    )
    .unwrap();
    assert!(out.contains("Stopped after 1 batches"), "{out}");
    assert!(std::fs::read_to_string(&cursor).unwrap().contains("after "));
    assert_eq!(
        lines_of(&keys, "sealing"),
        2,
        "the old key is kept meanwhile"
    );
    // first_login works in the middle of a rotation.
    let out = run(dir.path(), "first_login", &["--store", &store]).unwrap();
    assert!(out.contains("The store already holds"), "{out}");

    // Resumed: done, the old sealing key dropped, the login keys kept for --retire.
    let out = run(dir.path(), "rotate_keys", &["--store", &store]).unwrap();
    assert!(out.contains("Resuming"), "{out}");
    assert!(out.contains("the old sealing key is dropped"), "{out}");
    assert!(!cursor.exists());
    assert_eq!(lines_of(&keys, "sealing"), 1);
    assert_eq!(lines_of(&keys, "pin"), 2);
    assert!(
        !before.contains(
            std::fs::read_to_string(&keys)
                .unwrap()
                .lines()
                .nth(1)
                .unwrap()
        )
    );
    let out = run(dir.path(), "first_login", &["--store", &store]).unwrap();
    assert!(out.contains("The store already holds"), "{out}");

    // A run that died after writing its cursor and before its keys: its keys were never
    // saved, so it starts again.
    std::fs::write(&cursor, "to 00000000\n").unwrap();
    let out = run(dir.path(), "rotate_keys", &["--store", &store]).unwrap();
    assert!(out.contains("starting again"), "{out}");
    assert!(out.contains("the old sealing key is dropped"), "{out}");
    let out = run(dir.path(), "rotate_keys", &["--store", &store, "--retire"]).unwrap();
    assert!(out.contains("Dropped the old keys"), "{out}");
    for kind in ["sealing", "pin", "state"] {
        assert_eq!(lines_of(&keys, kind), 1, "{kind}");
    }
    let out = run(dir.path(), "first_login", &["--store", &store]).unwrap();
    assert!(out.contains("The store already holds"), "{out}");
    // The key file is its owner's alone.
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn a_key_file_of_the_previous_version_is_read_and_rewritten() {
    let dir = Scratch::new();
    let db = dir.path().join("t.db");
    let store = format!("sqlite:{}", db.display());
    let keys = dir.path().join("t.db.keys");
    run(dir.path(), "first_login", &["--store", &store]).unwrap();
    // The same three keys as version 1 wrote them: one line, sealing then PIN then state.
    let text = std::fs::read_to_string(&keys).unwrap();
    let hex: String = ["sealing ", "pin ", "state "]
        .iter()
        .map(|kind| {
            text.lines()
                .find_map(|l| l.strip_prefix(kind))
                .unwrap()
                .to_owned()
        })
        .collect();
    std::fs::write(&keys, format!("{hex}\n")).unwrap();
    let out = run(dir.path(), "first_login", &["--store", &store]).unwrap();
    assert!(out.contains("in the library's key file format"), "{out}");
    assert!(out.contains("The store already holds"), "{out}");
    assert_eq!(std::fs::read_to_string(&keys).unwrap(), text);
    // Not a key file at all: refused, the file left alone.
    std::fs::write(&keys, "hello\n").unwrap();
    let err = run(dir.path(), "first_login", &["--store", &store]).unwrap_err();
    assert!(err.contains("is not a first_login key file"), "{err}");
    assert_eq!(std::fs::read_to_string(&keys).unwrap(), "hello\n");
}

#[test]
fn bad_arguments_are_refused_with_the_usage() {
    let dir = Scratch::new();
    for args in [
        &["--batch", "0", "--store", "sqlite:x.db"][..],
        &["--store", "memory"][..],
        &[][..],
        &["--store", "sqlite:nothing-here.db"][..],
    ] {
        let err = run(dir.path(), "rotate_keys", args).unwrap_err();
        assert!(err.contains("rotate_keys:"), "{args:?}: {err}");
    }
}
