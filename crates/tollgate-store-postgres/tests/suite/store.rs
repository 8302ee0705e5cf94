//! The PostgreSQL store against the conformance checks, racing nodes, a killed client, and
//! what lies in the tables. Needs a server: `TOLLGATE_POSTGRES_URL` (see `.ci/postgres.sh`).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::server;

use std::process::Command;
use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_login::{Config, LoginDigest, LoginStore as _, SealedLogin, UserId};
use tollgate_store::conformance::{self, Check, Cluster, RawAccounts, RawRows, RawState};
use tollgate_store::{SealingKey, Store, StoreError};
use tollgate_store_postgres::{Options, PostgresStore, SCHEMA_VERSION};

const CHILD_URL: &str = "TOLLGATE_CRASH_CHILD_URL";
const CHILD_FIRST: &str = "TOLLGATE_CRASH_CHILD_FIRST";

fn key() -> SealingKey {
    SealingKey::new([0x5a; 32])
}

/// `n` stores on one database, each with its own pool: `n` service nodes.
fn nodes(url: &str, n: usize) -> Vec<Arc<dyn Store>> {
    (0..n)
        .map(|i| Arc::new(store_with(url, 4, i as u64)) as Arc<dyn Store>)
        .collect()
}

fn store_with(url: &str, pool_size: u32, seed: u64) -> PostgresStore {
    let options = Options {
        pool_size,
        rng: Box::new(ChaCha20Rng::seed_from_u64(seed)),
    };
    PostgresStore::connect_with(url, key(), options).unwrap()
}

#[test]
fn keeps_the_store_promises() {
    let Some(url) = server::database("tollgate_basics") else {
        return;
    };
    let store = PostgresStore::connect(&url, key()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    conformance::basics(&store, 1).unwrap();
}

#[test]
fn postgres_sessions_keep_the_session_promises() {
    let Some(url) = server::database("tollgate_sessions") else {
        return;
    };
    conformance::sessions(&PostgresStore::connect(&url, key()).unwrap(), "postgres").unwrap();
}

#[test]
fn postgres_keeps_signing_credentials() {
    let Some(url) = server::database("tollgate_credentials") else {
        return;
    };
    conformance::credentials(&PostgresStore::connect(&url, key()).unwrap(), "postgres").unwrap();
}

/// A session one node saves, another loads, rotates and ends: the first then finds it gone.
#[test]
fn a_session_is_the_same_on_every_node() {
    use tollgate_otp::UnixTime;
    use tollgate_store::{SessionId, SessionSave, SessionStore as _, StoredSession};

    let Some(url) = server::database("tollgate_session_nodes") else {
        return;
    };
    let (a, b) = (store_with(&url, 2, 1), store_with(&url, 2, 2));
    let now = UnixTime::from_secs(1_700_000_000);
    let (first, second) = (SessionId::of("first"), SessionId::of("second"));
    let stored = |version| StoredSession {
        version,
        user: None,
        expires: UnixTime::from_secs(1_700_003_600),
        body: b"contents".to_vec().into(),
    };
    let save = |node: &PostgresStore, id, replaces, version| {
        node.save_session(&SessionSave {
            id,
            replaces,
            session: &stored(version),
            now,
            keep_per_user: 5,
            durable: false,
        })
        .unwrap()
    };
    assert!(save(&a, &first, None, 1));
    assert_eq!(b.load_session(&first, now).unwrap(), Some(stored(1)));
    assert!(save(&b, &second, Some((&first, 1)), 2));
    assert!(a.load_session(&first, now).unwrap().is_none());
    assert!(!save(&a, &first, Some((&first, 1)), 2));
    assert!(b.delete_session(&second).unwrap());
    assert!(a.load_session(&second, now).unwrap().is_none());
}

/// 8 nodes submit the same valid code for one account at once, 400 times (the memory and
/// SQLite stores run 1250 rounds; every round here is 32 round trips to the server).
#[test]
fn one_code_is_accepted_once_across_nodes() {
    let Some(url) = server::database("tollgate_replay") else {
        return;
    };
    let config = Config::default().with_lockouts(5, 100).unwrap();
    let cluster = Cluster::new(nodes(&url, 8), &config, 1).unwrap();
    let report = conformance::replay_race(&cluster, 400).unwrap();
    println!("postgres, 8 nodes: {report:?}");
    assert_eq!(report.tries, 3_200);
    assert_eq!(report.double_accepts, 0);
    assert_eq!(report.never_accepted, 0);
}

/// Racer (THREATS.md; RFC 6238 §5.2): 64 posts of one code on one login, over 8 nodes.
#[test]
fn sixty_four_posts_of_one_code_authenticate_once_and_count_nothing() {
    let Some(url) = server::database("tollgate_burst") else {
        return;
    };
    let cluster = Cluster::new(nodes(&url, 8), &Config::default(), 8).unwrap();
    let report = conformance::burst_race(&cluster, 64).unwrap();
    println!("postgres, 8 nodes: {report:?}");
    assert_eq!((report.double_accepts, report.never_accepted), (0, 0));
    assert_eq!(report.superseded, 63);
    assert_eq!((report.failures_counted, report.refusals_logged), (0, 0));
}

/// A database writer's access: rows written with SQL, as they are.
struct Writer(std::sync::Mutex<postgres::Client>);

impl Writer {
    fn connect(url: &str) -> Self {
        Self(std::sync::Mutex::new(
            tollgate_store_postgres::client(url).unwrap(),
        ))
    }

    fn put_login(&self, digest: &LoginDigest, row: &SealedLogin) -> Check {
        self.0
            .lock()
            .unwrap()
            .execute(
                "INSERT INTO tollgate_logins (id, version, state, expires_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET \
                 version = excluded.version, state = excluded.state, \
                 expires_at = excluded.expires_at",
                &[
                    &digest.as_bytes().as_slice(),
                    &i64::try_from(row.version).unwrap(),
                    &row.text,
                    &i64::try_from(row.expires.as_secs()).unwrap(),
                ],
            )
            .map(drop)
            .map_err(|e| e.to_string())
    }

    fn get(&self, user: &UserId) -> Check<RawState> {
        let row = self
            .0
            .lock()
            .unwrap()
            .query_one(
                "SELECT version, state FROM tollgate_users WHERE id = $1",
                &[&user.as_str()],
            )
            .map_err(|e| e.to_string())?;
        Ok(RawState {
            version: u64::try_from(row.get::<_, i64>(0)).unwrap(),
            sealed: row.get(1),
        })
    }

    fn put(&self, user: &UserId, state: &RawState) -> Check {
        self.0
            .lock()
            .unwrap()
            .execute(
                "UPDATE tollgate_users SET version = $2, state = $3 WHERE id = $1",
                &[
                    &user.as_str(),
                    &i64::try_from(state.version).unwrap(),
                    &state.sealed,
                ],
            )
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// Database writer (THREATS.md; ASVS 5.0 V14), or whoever sits between a node and the server:
/// forged, altered, swapped and rolled-back stored logins are refused and removed; a sealed
/// state copied from another user, altered, or put back at another version is refused.
#[test]
fn a_database_writer_s_rows_are_refused() {
    let Some(url) = server::database("tollgate_writer") else {
        return;
    };
    let cluster = Cluster::new(nodes(&url, 1), &Config::default(), 9).unwrap();
    let writer = Writer::connect(&url);
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
    println!("postgres: {report:?}");
    assert_eq!((report.logins_tried, report.logins_refused), (4, 4));
    assert_eq!((report.accounts_tried, report.accounts_refused), (4, 4));
}

#[test]
fn parallel_guesses_across_nodes_stop_at_the_lockout() {
    let Some(url) = server::database("tollgate_lockout_passwords") else {
        return;
    };
    let cluster = Cluster::new(nodes(&url, 8), &Config::default(), 2).unwrap();
    let (counted, locked) = conformance::lockout_race(&cluster, 10, false).unwrap();
    println!("postgres: 80 wrong passwords in parallel, {counted} counted");
    assert_eq!((counted, locked), (5, true));

    let url = server::database("tollgate_lockout_codes").unwrap();
    let cluster = Cluster::new(nodes(&url, 8), &Config::default(), 3).unwrap();
    let (counted, locked) = conformance::lockout_race(&cluster, 5, true).unwrap();
    println!("postgres: 40 wrong codes in parallel, {counted} counted");
    assert_eq!((counted, locked), (10, true));
}

#[test]
fn the_account_survives_reconnecting_and_a_newer_schema_is_refused() {
    let Some(url) = server::database("tollgate_reconnect") else {
        return;
    };
    let cluster = Cluster::new(nodes(&url, 1), &Config::default(), 4).unwrap();
    let token = conformance::enroll(&cluster.nodes[0], 9).unwrap();
    let then = cluster.clock.now();
    drop(cluster);

    let cluster = Cluster::unregistered(nodes(&url, 1), &Config::default(), 4).unwrap();
    cluster.clock.set(then);
    cluster.clock.advance(30);
    conformance::later_login(&cluster.nodes[0], &token).unwrap();
    drop(cluster);

    let mut raw = tollgate_store_postgres::client(&url).unwrap();
    raw.execute(
        "UPDATE tollgate_schema SET version = $1",
        &[&i32::try_from(SCHEMA_VERSION + 1).unwrap()],
    )
    .unwrap();
    let refused = PostgresStore::connect(&url, key()).unwrap_err();
    assert!(
        matches!(refused, StoreError::SchemaTooNew { found, .. } if found == SCHEMA_VERSION + 1),
        "{refused}"
    );
}

#[test]
fn no_secret_lies_in_the_tables_and_a_state_opens_only_under_its_key() {
    let Some(url) = server::database("tollgate_sealed") else {
        return;
    };
    let cluster = Cluster::new(nodes(&url, 1), &Config::default(), 7).unwrap();
    conformance::enroll(&cluster.nodes[0], 1).unwrap();
    let id: UserId = conformance::USER.parse().unwrap();
    let account = cluster.nodes[0].store.user(&id).unwrap().unwrap().account;
    let secret = account.state().tokens()[0].secret.clone();

    let mut raw = tollgate_store_postgres::client(&url).unwrap();
    let dump: Vec<u8> = raw
        .query(
            "SELECT t::text FROM tollgate_users t UNION ALL SELECT l::text FROM tollgate_logins l",
            &[],
        )
        .unwrap()
        .iter()
        .flat_map(|row| row.get::<_, String>(0).into_bytes())
        .collect();
    let hex: String = secret
        .expose_secret()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!dump.windows(hex.len()).any(|w| w == hex.as_bytes()));
    let base32 = secret.expose_base32();
    assert!(!dump.windows(base32.len()).any(|w| w == base32.as_bytes()));

    let other_key = PostgresStore::connect(&url, SealingKey::new([1; 32])).unwrap();
    assert!(matches!(other_key.user(&id), Err(StoreError::Integrity(_))));
}

/// The killed client's child: streams users into the database named by `CHILD_URL`.
#[test]
#[ignore = "the crash test's child process"]
fn child_stream() {
    let url = std::env::var(CHILD_URL).expect("run by the crash test, which sets the URL");
    let first = std::env::var(CHILD_FIRST).unwrap().parse().unwrap();
    let store = Arc::new(store_with(&url, 2, first));
    conformance::stream_to_stdout(store, first).unwrap();
}

/// A client killed (SIGKILL) mid-stream: every update it had acknowledged is in the database.
#[test]
fn a_killed_client_loses_nothing_acknowledged() {
    let Some(url) = server::database("tollgate_crash") else {
        return;
    };
    let acks = conformance::kill_in_rounds(|first| {
        let mut child = Command::new(std::env::current_exe().unwrap());
        child
            .args(["store::child_stream", "--exact", "--ignored", "--nocapture"])
            .env(CHILD_URL, &url)
            .env(CHILD_FIRST, first.to_string());
        child
    })
    .unwrap();
    let store = PostgresStore::connect(&url, key()).unwrap();
    let checked = conformance::verify_acks(&store, &acks).unwrap();
    println!("3 killed clients: {checked} acknowledged updates all present");
    assert_eq!(checked, 25 + 40 + 61);
}

/// An async service opens and uses the store straight from its tasks (the `postgres` driver
/// runs a runtime of its own, which Tokio refuses to start inside another): on the
/// multi-threaded runtime `#[tokio::main]` makes, and on the current-thread one of
/// `#[tokio::test]`.
#[test]
fn opens_and_answers_from_async_code() {
    let Some(url) = server::database("tollgate_async") else {
        return;
    };
    let run = |runtime: tokio::runtime::Runtime, first: bool| {
        let url = url.clone();
        runtime.block_on(async move {
            let store = PostgresStore::connect(&url, key()).unwrap();
            assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
            let user: UserId = "async@example.com".parse().unwrap();
            assert_eq!(store.account(&user).unwrap().is_none(), first);
            if first {
                conformance::register(&store, "async@example.com").unwrap();
            }
            assert!(store.user(&user).unwrap().is_some());
        });
    };
    run(
        tokio::runtime::Builder::new_multi_thread().build().unwrap(),
        true,
    );
    run(
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap(),
        false,
    );
}
