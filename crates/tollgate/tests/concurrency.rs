//! Many threads, one account: one code is accepted once, and guesses stop at the lockout.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::Arc;

use tollgate::login::{Config, Input, Screen};
use tollgate::store::conformance::{self, Cluster};
use tollgate::{MemoryStore, Store};

/// Eight nodes over one memory store: the checks every store passes.
fn memory_cluster(config: &Config) -> Cluster {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    Cluster::new(vec![store; 8], config, 1).unwrap()
}

#[test]
fn memory_store_keeps_the_store_promises() {
    conformance::basics(&MemoryStore::new(), 1).unwrap();
}

/// 8 threads submit the same valid code for one account at once, 1250 times: 10 000 tries,
/// and each time exactly one is accepted.
#[test]
fn one_code_is_accepted_once_under_contention() {
    // Replays count as failures: allow for a round's losers before its winner resets them.
    let cluster = memory_cluster(&Config::default().with_lockouts(5, 100).unwrap());
    let report = conformance::replay_race(&cluster, 1250).unwrap();
    println!("memory store: {report:?}");
    assert_eq!(report.tries, 10_000);
    assert_eq!(report.double_accepts, 0);
    assert_eq!(report.never_accepted, 0);
}

/// 8 threads guess passwords 10 times each: only 5 failures are counted, then the account is
/// locked, and the right password is refused until the cool-down ends.
#[test]
fn parallel_password_guesses_stop_at_the_lockout() {
    let cluster = memory_cluster(&Config::default());
    let (counted, locked) = conformance::lockout_race(&cluster, 10, false).unwrap();
    println!("80 wrong guesses in parallel: {counted} counted before the lock");
    assert_eq!(
        counted, 5,
        "exactly the limit is counted, then the lock holds"
    );
    assert!(locked);

    let node = &cluster.nodes[0];
    let login = conformance::to_second_factor(node).unwrap();
    let view = node.service.view(&login).unwrap();
    assert!(
        matches!(view.screen, Screen::EnterPassword { .. }),
        "locked: {:?}",
        view.screen
    );
    cluster.clock.advance(60);
    let login = conformance::to_second_factor(node).unwrap();
    assert!(matches!(
        node.service.view(&login).unwrap().screen,
        Screen::EnterPin { .. }
    ));
}

/// Parallel wrong token codes: exactly 10 are counted, then the account locks.
#[test]
fn parallel_code_guesses_stop_at_the_lockout() {
    let cluster = memory_cluster(&Config::default());
    let (counted, locked) = conformance::lockout_race(&cluster, 5, true).unwrap();
    assert_eq!(counted, 10);
    assert!(locked);
}

/// Nothing typed into a code or password field shows in a `Debug` print.
#[test]
fn debug_prints_hide_what_was_typed() {
    let shown = format!(
        "{:?} {:?} {:?} {:?}",
        Input::<zeroize::Zeroizing<String>>::Password("hunter2-secret".to_owned().into()),
        Input::<()>::Pin("123456".into()),
        Input::<()>::TokenCode("654321".into()),
        Input::<()>::RegistrationCode("12211-49352".into()),
    );
    for secret in ["hunter2-secret", "123456", "654321", "12211-49352"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let cluster = memory_cluster(&Config::default());
    let node = &cluster.nodes[0];
    let _ = conformance::to_second_factor(node).unwrap();
    let outbox = format!("{:?}", node.outbox.messages());
    assert!(
        !outbox.contains(&node.outbox.last_pin().unwrap()),
        "{outbox}"
    );
}
