//! The SQLite store against the conformance checks, racing connections, and what lies in the
//! file.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::path::Path;
use std::sync::Arc;

use tollgate::login::{Config, UserId};
use tollgate::store::conformance::{self, Cluster};
use tollgate::{Clock as _, Error, SealingKey, Store};
use tollgate_store_sqlite::{Durability, SCHEMA_VERSION, SqliteStore};

fn key() -> SealingKey {
    SealingKey::new([0x5a; 32])
}

/// `n` handles on one file, each with its own connections: `n` service nodes.
fn nodes(path: &Path, n: usize) -> Vec<Arc<dyn Store>> {
    (0..n)
        .map(|_| {
            let store = SqliteStore::open_with(path, key(), Durability::Normal).unwrap();
            Arc::new(store) as Arc<dyn Store>
        })
        .collect()
}

#[test]
fn keeps_the_store_promises() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db"), key()).unwrap();
    conformance::basics(&store, 1).unwrap();
    store.integrity_check().unwrap();
}

/// 8 connections (8 nodes) submit the same valid code for one account at once, 1250 times.
#[test]
fn one_code_is_accepted_once_across_connections() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::default().with_lockouts(5, 100).unwrap();
    let cluster = Cluster::new(nodes(&dir.path().join("t.db"), 8), &config, 1).unwrap();
    let report = conformance::replay_race(&cluster, 1250).unwrap();
    println!("sqlite, 8 connections: {report:?}");
    assert_eq!(report.tries, 10_000);
    assert_eq!(report.double_accepts, 0);
    assert_eq!(report.never_accepted, 0);
}

#[test]
fn parallel_guesses_across_connections_stop_at_the_lockout() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::new(nodes(&dir.path().join("p.db"), 8), &Config::default(), 2).unwrap();
    let (counted, locked) = conformance::lockout_race(&cluster, 10, false).unwrap();
    println!("sqlite: 80 wrong passwords in parallel, {counted} counted");
    assert_eq!((counted, locked), (5, true));

    let cluster = Cluster::new(nodes(&dir.path().join("c.db"), 8), &Config::default(), 3).unwrap();
    let (counted, locked) = conformance::lockout_race(&cluster, 5, true).unwrap();
    println!("sqlite: 40 wrong codes in parallel, {counted} counted");
    assert_eq!((counted, locked), (10, true));
}

#[test]
fn the_account_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let cluster = Cluster::new(nodes(&path, 1), &Config::default(), 4).unwrap();
    let token = conformance::enroll(&cluster.nodes[0], 9).unwrap();
    let then = cluster.clock.now();
    drop(cluster);

    // A new service over the reopened file: the user logs in with the same token.
    let store = SqliteStore::open(&path, key()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.integrity_check().unwrap();
    let cluster = Cluster::unregistered(vec![Arc::new(store)], &Config::default(), 4).unwrap();
    cluster.clock.set(then);
    cluster.clock.advance(30);
    conformance::later_login(&cluster.nodes[0], &token).unwrap();
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    drop(SqliteStore::open(&path, key()).unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(raw);
    let refused = SqliteStore::open(&path, key()).unwrap_err().to_string();
    assert!(refused.contains("schema is version 2"), "{refused}");
    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: u32 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION + 1);
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    std::fs::write(
        &path,
        b"this is not a database, just some text that is long enough",
    )
    .unwrap();
    let refused = SqliteStore::open(&path, key()).unwrap_err();
    assert!(matches!(refused, Error::Store(_)), "{refused}");
}

/// Bytes of the file and its write-ahead log.
fn file_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    let wal = path.with_extension("db-wal");
    if let Ok(more) = std::fs::read(wal) {
        bytes.extend(more);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// After an enrollment, neither the token secret, nor the activation code, nor the PIN, nor
/// the login key is anywhere in the file or its log.
#[test]
fn no_secret_lies_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let cluster = Cluster::new(nodes(&path, 1), &Config::default(), 6).unwrap();
    let node = &cluster.nodes[0];
    let login = conformance::to_second_factor(node).unwrap();
    let pin = node.outbox.last_pin().unwrap();
    let view = node
        .service
        .submit(&login, tollgate::login::Input::Pin(pin.clone()))
        .unwrap();
    assert!(matches!(
        view.screen,
        tollgate::login::Screen::ChooseEnrollment { .. }
    ));
    let view = node
        .service
        .submit(
            &login,
            tollgate::login::Input::ChooseEnrollment(tollgate::login::EnrollmentKind::Desktop),
        )
        .unwrap();
    let tollgate::login::Screen::DesktopActivation(page) = view.screen else {
        panic!("{:?}", view.screen)
    };
    let code = page.activation_code.expose_grouped();
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    let bytes = file_bytes(&path);
    for (what, needle) in [
        ("activation code", code.as_bytes()),
        ("activation code digits", digits.as_bytes()),
        ("login key", login.as_bytes()),
    ] {
        assert!(!contains(&bytes, needle), "the {what} is in the file");
    }

    // Finish the enrollment, then look for the token secret.
    let app =
        tollgate::codes::TokenActivation::new(page.serial, page.activation_code.clone(), None);
    let (registration, _) =
        app.register(&mut <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(1));
    node.service
        .submit(
            &login,
            tollgate::login::Input::RegistrationCode(registration.to_string()),
        )
        .unwrap();
    let id: UserId = conformance::USER.parse().unwrap();
    let account = node.service.store().user(&id).unwrap().unwrap().account;
    let secret = account.state.token.unwrap().secret;
    let bytes = file_bytes(&path);
    assert!(
        !contains(&bytes, secret.expose_secret()),
        "the token secret is in the file"
    );
    assert!(
        !contains(&bytes, secret.expose_base32().as_bytes()),
        "the token secret (base32) is in the file"
    );
}

/// A sealed secret opens only under its key, in its own row.
#[test]
fn sealed_secrets_open_only_under_their_key_and_in_their_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let cluster = Cluster::new(nodes(&path, 1), &Config::default(), 7).unwrap();
    conformance::enroll(&cluster.nodes[0], 1).unwrap();
    let id: UserId = conformance::USER.parse().unwrap();

    let other_key = SqliteStore::open(&path, SealingKey::new([1; 32])).unwrap();
    let refused = other_key.user(&id).unwrap_err();
    assert!(matches!(refused, Error::Integrity(_)), "{refused}");

    // Copy the sealed secret into another user's row: it does not open there.
    cluster.nodes[0]
        .service
        .register_user("eve@example.com", "pw", None, Some("eve@example.com"))
        .unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "UPDATE users SET (token_serial, token_secret, token_algorithm, token_digits,            token_period, token_t0, token_drift) =            (SELECT token_serial, token_secret, token_algorithm, token_digits, token_period,              token_t0, token_drift FROM users WHERE id = 'john.smith@example.com')          WHERE id = 'eve@example.com'",
    )
    .unwrap();
    let store = SqliteStore::open(&path, key()).unwrap();
    let refused = store.user(&"eve@example.com".parse().unwrap()).unwrap_err();
    assert!(matches!(refused, Error::Integrity(_)), "{refused}");

    // Flip one bit of the sealed secret: refused.
    raw.execute_batch(
        "UPDATE users SET token_secret = CAST(substr(token_secret, 1, 30) || x'ff' || substr(token_secret, 32) AS BLOB) WHERE id = 'john.smith@example.com'",
    )
    .unwrap();
    let refused = store.user(&id).unwrap_err();
    assert!(matches!(refused, Error::Integrity(_)), "{refused}");
}
