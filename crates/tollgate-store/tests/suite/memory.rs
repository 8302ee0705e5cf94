//! The memory store against the conformance checks: many threads on one account, and a
//! database writer's rows.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::Arc;

use tollgate_login::{Config, Input, Screen};
use tollgate_store::conformance::{self, Cluster, RawRows};
use tollgate_store::{MemoryStore, Store};

/// Eight nodes over one memory store.
fn memory_cluster(config: &Config) -> (Arc<MemoryStore>, Cluster) {
    let store = Arc::new(MemoryStore::new());
    let handles: Vec<Arc<dyn Store>> = (0..8).map(|_| store.clone() as Arc<dyn Store>).collect();
    (store, Cluster::new(handles, config, 1).unwrap())
}

#[test]
fn memory_store_keeps_the_store_promises() {
    conformance::basics(&MemoryStore::new(), 1).unwrap();
}

/// 8 threads submit the same valid code for one account at once, each in its own login, 1250
/// times: 10 000 tries, and each time exactly one is accepted.
#[test]
fn memory_store_keeps_signing_credentials() {
    conformance::credentials(&MemoryStore::new(), "memory").unwrap();
}

#[test]
fn memory_sessions_keep_the_session_promises() {
    conformance::sessions(&tollgate_store::MemorySessions::default(), "memory").unwrap();
}

/// Past its capacity, the table makes room with the session that expires first.
#[test]
fn a_full_memory_table_drops_the_session_that_expires_first() {
    use tollgate_store::{MemorySessions, SessionId, SessionSave, SessionStore, StoredSession};
    let table = MemorySessions::with_capacity(3);
    for n in 0..5u64 {
        let stored = StoredSession {
            version: 1,
            user: None,
            expires: tollgate_otp::UnixTime::from_secs(2_000 + (n * 7) % 5),
            body: vec![].into(),
        };
        let id = SessionId::of(&n.to_string());
        let save = SessionSave {
            id: &id,
            replaces: None,
            session: &stored,
            now: tollgate_otp::UnixTime::from_secs(1_000),
            keep_per_user: 1,
            durable: false,
        };
        assert!(table.save_session(&save).unwrap());
    }
    assert_eq!(table.len().unwrap(), 3);
    // Expiries 2000, 2002, 2004, 2001, 2003: the fourth made room with the first (2000), the
    // fifth with the fourth (2001).
    let alive: Vec<u64> = (0..5)
        .filter(|n| {
            let id = SessionId::of(&n.to_string());
            table
                .load_session(&id, tollgate_otp::UnixTime::from_secs(1_000))
                .unwrap()
                .is_some()
        })
        .collect();
    assert_eq!(alive, [1, 2, 4]);
}

#[test]
fn one_code_is_accepted_once_under_contention() {
    // Replays count as failures: allow for a round's losers before its winner resets them.
    let config = Config::default().with_lockouts(5, 100).unwrap();
    let (_, cluster) = memory_cluster(&config);
    let report = conformance::replay_race(&cluster, 1250).unwrap();
    println!("memory store: {report:?}");
    assert_eq!(report.tries, 10_000);
    assert_eq!(report.double_accepts, 0);
    assert_eq!(report.never_accepted, 0);
}

/// Racer (THREATS.md; RFC 6238 §5.2): 64 posts of one right code on one login at once. One is
/// accepted; the others are overtaken, and nothing is counted or logged as a replay.
#[test]
fn sixty_four_posts_of_one_code_authenticate_once_and_count_nothing() {
    let (_, cluster) = memory_cluster(&Config::default());
    let report = conformance::burst_race(&cluster, 64).unwrap();
    println!("memory store: {report:?}");
    assert_eq!((report.double_accepts, report.never_accepted), (0, 0));
    assert_eq!(report.superseded, 63);
    assert_eq!((report.failures_counted, report.refusals_logged), (0, 0));
}

/// 8 threads guess passwords 10 times each: only 5 failures are counted, then the account is
/// locked, and the right password is refused until the cool-down ends.
#[test]
fn parallel_password_guesses_stop_at_the_lockout() {
    let (_, cluster) = memory_cluster(&Config::default());
    let (counted, locked) = conformance::lockout_race(&cluster, 10, false).unwrap();
    println!("80 wrong guesses in parallel: {counted} counted before the lock");
    assert_eq!(
        counted, 5,
        "exactly the limit is counted, then the lock holds"
    );
    assert!(locked);

    let node = cluster.first();
    let key = conformance::to_second_factor(node).unwrap();
    let view = node.submit(&key, Input::Tick).unwrap();
    assert!(
        matches!(view.output.screen, Screen::EnterPassword { .. }),
        "locked: {:?}",
        view.output.screen
    );
    cluster.clock.advance(60);
    let key = conformance::to_second_factor(node).unwrap();
    let view = node.submit(&key, Input::Tick).unwrap();
    assert!(matches!(view.output.screen, Screen::EnterPin { .. }));
}

/// Parallel wrong token codes: exactly 10 are counted, then the account cools down.
#[test]
fn parallel_code_guesses_stop_at_the_lockout() {
    let (_, cluster) = memory_cluster(&Config::default());
    let (counted, locked) = conformance::lockout_race(&cluster, 5, true).unwrap();
    assert_eq!(counted, 10);
    assert!(locked);
}

/// Database writer (THREATS.md; ASVS 5.0 V14): forged, altered, swapped and rolled-back stored
/// logins are refused and removed. (The memory store seals no accounts: nothing of it leaves
/// the process.)
#[test]
fn a_database_writer_s_logins_are_refused() {
    let (store, cluster) = memory_cluster(&Config::default());
    let put = |digest: &tollgate_login::LoginDigest, row: &tollgate_login::SealedLogin| {
        store
            .logins()
            .put_raw_login(*digest, row.clone())
            .map_err(|e| e.to_string())
    };
    let report = conformance::refused_rows(
        &cluster,
        &RawRows {
            put_login: &put,
            accounts: None,
        },
    )
    .unwrap();
    println!("memory store: {report:?}");
    assert_eq!(report.logins_tried, 4);
    assert_eq!(report.logins_refused, 4);
}

/// The rotation check on the memory store: nothing is sealed, so every account is already
/// current, and no update is lost while the passes run.
#[test]
fn a_rotation_under_load_loses_nothing_in_memory() {
    let store = Arc::new(MemoryStore::new());
    let open = |_keys: tollgate_store::SealingKeys| -> conformance::Check<Arc<dyn Store>> {
        Ok(store.clone() as Arc<dyn Store>)
    };
    let report = conformance::rotation_under_load(&open, 40, 3).unwrap();
    assert_eq!(report.resealed, 0, "{report:?}");
    assert!(report.writes >= 450, "{report:?}");
}
