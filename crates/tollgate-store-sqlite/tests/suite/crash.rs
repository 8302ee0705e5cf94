//! A process killed (SIGKILL) in the middle of enrollments and logins leaves a database that
//! opens, passes SQLite's integrity check, and holds every update it had acknowledged.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::process::Command;
use std::sync::Arc;

use tollgate_store::SealingKey;
use tollgate_store::conformance;
use tollgate_store_sqlite::SqliteStore;

const CHILD_DB: &str = "TOLLGATE_CRASH_CHILD_DB";
const CHILD_FIRST: &str = "TOLLGATE_CRASH_CHILD_FIRST";

fn key() -> SealingKey {
    SealingKey::new([0x33; 32])
}

/// The child: a stream of users through a service over the file named by `CHILD_DB`, printing
/// each acknowledged update, until it is killed. Run by the crash test; run by hand, it streams
/// five users into a temporary file and checks them.
#[test]
#[ignore = "the crash test's child process; runs alone in a temporary file if asked"]
fn child_stream() {
    let Ok(path) = std::env::var(CHILD_DB) else {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path().join("t.db"), key()).unwrap());
        let mut acks = Vec::new();
        conformance::stream(store.clone(), 0, Some(5), &mut |ack| acks.push(ack.clone())).unwrap();
        assert_eq!(conformance::verify_acks(&*store, &acks).unwrap(), 15);
        return;
    };
    let first = std::env::var(CHILD_FIRST).unwrap().parse().unwrap();
    let store = Arc::new(SqliteStore::open(path, key()).unwrap());
    conformance::stream_to_stdout(store, first).unwrap();
}

#[test]
fn killed_mid_stream_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let acks = conformance::kill_in_rounds(|first| {
        let mut child = Command::new(std::env::current_exe().unwrap());
        child
            .args(["crash::child_stream", "--exact", "--ignored", "--nocapture"])
            .env(CHILD_DB, &path)
            .env(CHILD_FIRST, first.to_string());
        child
    })
    .unwrap();

    let store = SqliteStore::open(&path, key()).unwrap();
    store.integrity_check().unwrap();
    let checked = conformance::verify_acks(&store, &acks).unwrap();
    println!("3 SIGKILLs: integrity ok, {checked} acknowledged updates all present");
    assert_eq!(checked, 25 + 40 + 61);
}
