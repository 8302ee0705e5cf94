//! The SQLite store against the conformance checks, racing connections, a database writer,
//! and what lies in the file.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::path::Path;
use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_login::{Config, EnrollmentKind, Input, LoginDigest, Screen, SealedLogin, UserId};
use tollgate_store::conformance::{self, Check, Cluster, RawAccounts, RawRows, RawState};
use tollgate_store::{SealingKey, Store, StoreError};
use tollgate_store_sqlite::{Durability, Options, SCHEMA_VERSION, SqliteStore};

fn key() -> SealingKey {
    SealingKey::new([0x5a; 32])
}

fn options(seed: u64) -> Options {
    Options {
        durability: Durability::Normal,
        rng: Box::new(ChaCha20Rng::seed_from_u64(seed)),
    }
}

/// `n` handles on one file, each with its own connections: `n` service nodes.
fn nodes(path: &Path, n: usize) -> Vec<Arc<dyn Store>> {
    (0..n)
        .map(|i| {
            let store = SqliteStore::open_with(path, key(), options(i as u64)).unwrap();
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

/// Racer (THREATS.md; RFC 6238 §5.2): 64 posts of one code on one login, over 8 connections.
#[test]
fn sixty_four_posts_of_one_code_authenticate_once_and_count_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::new(nodes(&dir.path().join("b.db"), 8), &Config::default(), 8).unwrap();
    let report = conformance::burst_race(&cluster, 64).unwrap();
    println!("sqlite, 8 connections: {report:?}");
    assert_eq!((report.double_accepts, report.never_accepted), (0, 0));
    assert_eq!(report.superseded, 63);
    assert_eq!((report.failures_counted, report.refusals_logged), (0, 0));
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

/// A database writer's access to the file: rows written with SQL, as they are.
struct Writer(rusqlite::Connection);

impl Writer {
    fn open(path: &Path) -> Self {
        Self(rusqlite::Connection::open(path).unwrap())
    }

    fn put_login(&self, digest: &LoginDigest, row: &SealedLogin) -> Check {
        self.0
            .execute(
                "INSERT OR REPLACE INTO tollgate_logins (id, version, state, expires_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![
                    digest.as_bytes().as_slice(),
                    i64::try_from(row.version).unwrap(),
                    row.text,
                    i64::try_from(row.expires.as_secs()).unwrap()
                ],
            )
            .map(drop)
            .map_err(|e| e.to_string())
    }

    fn get(&self, user: &UserId) -> Check<RawState> {
        self.0
            .query_row(
                "SELECT version, state FROM tollgate_users WHERE id = ?1",
                [user.as_str()],
                |row| {
                    Ok(RawState {
                        version: u64::try_from(row.get::<_, i64>(0)?).unwrap(),
                        sealed: row.get(1)?,
                    })
                },
            )
            .map_err(|e| e.to_string())
    }

    fn put(&self, user: &UserId, state: &RawState) -> Check {
        self.0
            .execute(
                "UPDATE tollgate_users SET version = ?2, state = ?3 WHERE id = ?1",
                rusqlite::params![
                    user.as_str(),
                    i64::try_from(state.version).unwrap(),
                    state.sealed
                ],
            )
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// Database writer (THREATS.md; ASVS 5.0 V14): forged, altered, swapped and rolled-back stored
/// logins are refused and removed; a sealed state copied from another user, altered, or put
/// back at another version is refused.
#[test]
fn a_database_writer_s_rows_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let cluster = Cluster::new(nodes(&path, 1), &Config::default(), 9).unwrap();
    let writer = Writer::open(&path);
    let report = conformance::refused_rows(
        &cluster,
        &RawRows {
            put_login: &|d, r| writer.put_login(d, r),
            accounts: Some(RawAccounts {
                get: &|u| writer.get(u),
                put: &|u, s| writer.put(u, s),
            }),
        },
    )
    .unwrap();
    println!("sqlite: {report:?}");
    assert_eq!((report.logins_tried, report.logins_refused), (4, 4));
    assert_eq!((report.accounts_tried, report.accounts_refused), (4, 4));
    SqliteStore::open(&path, key())
        .unwrap()
        .integrity_check()
        .unwrap();
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
fn sqlite_sessions_keep_the_session_promises() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db"), key()).unwrap();
    conformance::sessions(&store, "sqlite").unwrap();
}

#[test]
fn sqlite_keeps_signing_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = SqliteStore::open(&path, key()).unwrap();
    conformance::credentials(&store, "sqlite").unwrap();
    // Database writer (THREATS.md): a record given to another user, or put under another
    // credential's ID, does not open; the wrapped key is not in the clear.
    use tollgate_store::tollgate_sign::SigningStore as _;
    let john: UserId = "john.sqlite@example.com".parse().unwrap();
    let ids: Vec<_> = store
        .credentials_of(&john)
        .unwrap()
        .into_iter()
        .map(|s| s.credential.id())
        .collect();
    let raw = rusqlite::Connection::open(&path).unwrap();
    let record: Vec<u8> = raw
        .query_row(
            "SELECT record FROM tollgate_credentials WHERE id = ?1",
            [ids[0].as_str()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!record.windows(8).any(|w| w == b"software"));
    raw.execute(
        "UPDATE tollgate_credentials SET record = ?1 WHERE id = ?2",
        rusqlite::params![record, ids[1].as_str()],
    )
    .unwrap();
    assert!(matches!(
        store.credential(&ids[1]),
        Err(StoreError::Integrity(_))
    ));
    raw.execute(
        "UPDATE tollgate_credentials SET user_id = 'anna@example.com' WHERE id = ?1",
        [ids[0].as_str()],
    )
    .unwrap();
    assert!(matches!(
        store.credential(&ids[0]),
        Err(StoreError::Integrity(_))
    ));
}

/// Database writer (THREATS.md): a session row moved to another cookie, given to another user,
/// extended, or with its contents changed, does not open; the contents are not in the clear.
#[test]
fn a_written_session_row_is_refused() {
    use tollgate_otp::UnixTime;
    use tollgate_store::{SessionId, SessionSave, SessionStore as _, StoredSession};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = SqliteStore::open(&path, key()).unwrap();
    let now = UnixTime::from_secs(1_700_000_000);
    let user: UserId = "john.smith@example.com".parse().unwrap();
    let (a, b) = (SessionId::of("cookie a"), SessionId::of("cookie b"));
    let raw = rusqlite::Connection::open(&path).unwrap();
    // The two sessions as the store writes them, afresh before each write below.
    let fresh = || {
        raw.execute("DELETE FROM tollgate_sessions", []).unwrap();
        for (id, who) in [(&a, Some(user.clone())), (&b, None)] {
            let stored = StoredSession {
                version: 1,
                user: who,
                expires: UnixTime::from_secs(1_700_003_600),
                body: b"login key 0123456789abcdef".to_vec().into(),
            };
            let save = SessionSave {
                id,
                replaces: None,
                session: &stored,
                now,
                keep_per_user: 5,
                durable: false,
            };
            assert!(store.save_session(&save).unwrap());
        }
    };
    fresh();
    let body: Vec<u8> = raw
        .query_row(
            "SELECT body FROM tollgate_sessions WHERE id = ?1",
            [a.as_bytes().as_slice()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!body.windows(9).any(|w| w == b"login key"));
    let refused = |sql: &str, id: &SessionId| {
        fresh();
        raw.execute(sql, [a.as_bytes().as_slice()]).unwrap();
        let result = store.load_session(id, now);
        assert!(
            matches!(result, Err(StoreError::Integrity(_))),
            "{sql}: {result:?}"
        );
    };
    refused(
        "UPDATE tollgate_sessions SET user_id = 'jane.doe@example.com' WHERE id = ?1",
        &a,
    );
    refused(
        "UPDATE tollgate_sessions SET user_id = NULL WHERE id = ?1",
        &a,
    );
    refused(
        "UPDATE tollgate_sessions SET expires_at = expires_at + 86400 WHERE id = ?1",
        &a,
    );
    refused("UPDATE tollgate_sessions SET version = 2 WHERE id = ?1", &a);
    refused(
        "UPDATE tollgate_sessions SET body = (SELECT body FROM tollgate_sessions WHERE id = ?1) \
         WHERE id <> ?1",
        &b,
    );
    // Untouched, it opens.
    fresh();
    assert!(store.load_session(&a, now).unwrap().is_some());
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
    let refused = SqliteStore::open(&path, key()).unwrap_err();
    assert!(
        matches!(refused, StoreError::SchemaTooNew { found, .. } if found == SCHEMA_VERSION + 1),
        "{refused}"
    );
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
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let refused = SqliteStore::open(&path, key()).unwrap_err();
    assert!(matches!(refused, StoreError::Backend { .. }), "{refused}");
    let cause = std::error::Error::source(&refused).unwrap().to_string();
    assert!(
        cause.contains("not a database"),
        "the cause is kept: {cause}"
    );
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

/// During and after a mobile enrollment, neither the token secret, nor the activation code, the
/// activation password, the PIN, nor the login's key is anywhere in the file or its log.
#[test]
fn no_secret_lies_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let cluster = Cluster::new(nodes(&path, 1), &Config::default(), 6).unwrap();
    let node = &cluster.nodes[0];
    let key = conformance::to_second_factor(node).unwrap();
    let pin = node.last_pin().unwrap();
    let driven = node.submit(&key, Input::Pin(pin.clone())).unwrap();
    assert!(matches!(
        driven.output.screen,
        Screen::ChooseEnrollment { .. }
    ));
    let driven = node
        .submit(&driven.key, Input::ChooseEnrollment(EnrollmentKind::Mobile))
        .unwrap();
    let Screen::MobileActivation(page) = &driven.output.screen else {
        panic!("{:?}", driven.output.screen)
    };
    let scanned = tollgate_provision_decode(&page.qr_uri, &page.password);
    let code = scanned.activation_code().expose_grouped();
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    let password = page.password.expose_secret();
    let login_key = driven.key.expose_secret();
    let bytes = file_bytes(&path);
    for (what, needle) in [
        ("activation code", code.as_bytes()),
        ("activation code digits", digits.as_bytes()),
        ("activation password", password.as_bytes()),
        ("login key", login_key.as_bytes()),
        ("PIN", pin.as_bytes()),
    ] {
        assert!(!contains(&bytes, needle), "the {what} is in the file");
    }

    // Finish the enrollment, then look for the token secret.
    let app = tollgate_codes::TokenActivation::new(
        scanned.serial(),
        scanned.activation_code().clone(),
        None,
    );
    let (registration, _) = app.register(&mut ChaCha20Rng::seed_from_u64(1));
    let enrolled = node
        .submit(
            &driven.key,
            Input::RegistrationCode(registration.to_string()),
        )
        .unwrap();
    assert!(matches!(enrolled.output.screen, Screen::Enrolled { .. }));
    let id: UserId = conformance::USER.parse().unwrap();
    let account = node.store.user(&id).unwrap().unwrap().account;
    let secret = account.state().tokens()[0].secret.clone();
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

fn tollgate_provision_decode(
    uri: &str,
    password: &tollgate_codes::ActivationPassword,
) -> tollgate_provision::SecureActivation {
    tollgate_provision::SecureActivation::decode(uri, password).unwrap()
}

/// A sealed state opens only under its key.
#[test]
fn a_sealed_state_opens_only_under_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let cluster = Cluster::new(nodes(&path, 1), &Config::default(), 7).unwrap();
    conformance::enroll(&cluster.nodes[0], 1).unwrap();
    let id: UserId = conformance::USER.parse().unwrap();
    let other_key = SqliteStore::open(&path, SealingKey::new([1; 32])).unwrap();
    let refused = other_key.user(&id).unwrap_err();
    assert!(matches!(refused, StoreError::Integrity(_)), "{refused}");
}

/// Another user of the machine (`THREATS.md`: a local reader): the database holds password
/// hashes, sealed secrets and logins, so a new file, its write-ahead log and its shared memory
/// are created for their owner alone, and an existing file others may read is refused, with the
/// fix in the message, and left as it was. Before, the file was created 0644.
#[test]
fn the_files_are_the_owners_alone_and_an_exposed_one_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("owner.db");
    let store = SqliteStore::open_with(&path, key(), options(3)).unwrap();
    let cluster = Cluster::new(vec![Arc::new(store)], &Config::default(), 3).unwrap();
    conformance::enroll(cluster.first(), 4).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for suffix in ["", "-wal", "-shm"] {
        let file = dir.path().join(format!("owner.db{suffix}"));
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    drop(cluster);

    let exposed = dir.path().join("exposed.db");
    std::fs::write(&exposed, b"").unwrap();
    std::fs::set_permissions(&exposed, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = SqliteStore::open(&exposed, key()).unwrap_err();
    assert!(
        matches!(refused, StoreError::Exposed { mode: 0o644, .. }),
        "{refused}"
    );
    assert!(refused.to_string().contains("chmod 600"), "{refused}");
    assert_eq!(
        std::fs::read(&exposed).unwrap(),
        b"",
        "the refused file was changed"
    );
    assert_eq!(mode(&exposed), 0o644);
}
