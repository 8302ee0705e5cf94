//! The PostgreSQL store against the conformance checks, racing nodes, a killed client, and
//! what lies in the tables. Needs a server: `TOLLGATE_POSTGRES_URL` (see `.ci/postgres.sh`).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::io::Write as _;
use std::process::Command;
use std::sync::Arc;

use postgres::NoTls;
use tollgate::login::{Config, UserId};
use tollgate::store::conformance::{self, Cluster};
use tollgate::{Clock as _, Error, SealingKey, Store};
use tollgate_store_postgres::{PostgresStore, SCHEMA_VERSION};

const URL: &str = "TOLLGATE_POSTGRES_URL";
const REQUIRE: &str = "TOLLGATE_REQUIRE_POSTGRES";
const CHILD_URL: &str = "TOLLGATE_CRASH_CHILD_URL";
const CHILD_FIRST: &str = "TOLLGATE_CRASH_CHILD_FIRST";

fn key() -> SealingKey {
    SealingKey::new([0x5a; 32])
}

/// A fresh, empty database named `name` on the test server, and its URL; `None` (said loudly)
/// when there is no server, unless one is required.
fn database(name: &str) -> Option<String> {
    let Ok(admin) = std::env::var(URL) else {
        assert!(
            std::env::var_os(REQUIRE).is_none(),
            "{REQUIRE} is set but {URL} is not: no PostgreSQL server to test against"
        );
        // Straight to stderr, past the test harness's capture, so that it shows.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED {name}: no PostgreSQL server. Set {URL} \
             (`source .ci/postgres.sh && pg_start` starts one). ***"
        );
        return None;
    };
    let mut client = postgres::Client::connect(&admin, NoTls).unwrap();
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

/// `n` stores on one database, each with its own pool: `n` service nodes.
fn nodes(url: &str, n: usize) -> Vec<Arc<dyn Store>> {
    (0..n)
        .map(|_| {
            let store = PostgresStore::connect_with(url, key(), 4).unwrap();
            Arc::new(store) as Arc<dyn Store>
        })
        .collect()
}

#[test]
fn keeps_the_store_promises() {
    let Some(url) = database("tollgate_basics") else {
        return;
    };
    let store = PostgresStore::connect(&url, key()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    conformance::basics(&store, 1).unwrap();
}

/// 8 nodes submit the same valid code for one account at once, 1250 times.
#[test]
fn one_code_is_accepted_once_across_nodes() {
    let Some(url) = database("tollgate_replay") else {
        return;
    };
    let config = Config::default().with_lockouts(5, 100).unwrap();
    let cluster = Cluster::new(nodes(&url, 8), &config, 1).unwrap();
    let report = conformance::replay_race(&cluster, 1250).unwrap();
    println!("postgres, 8 nodes: {report:?}");
    assert_eq!(report.tries, 10_000);
    assert_eq!(report.double_accepts, 0);
    assert_eq!(report.never_accepted, 0);
}

#[test]
fn parallel_guesses_across_nodes_stop_at_the_lockout() {
    let Some(url) = database("tollgate_lockout_passwords") else {
        return;
    };
    let cluster = Cluster::new(nodes(&url, 8), &Config::default(), 2).unwrap();
    let (counted, locked) = conformance::lockout_race(&cluster, 10, false).unwrap();
    println!("postgres: 80 wrong passwords in parallel, {counted} counted");
    assert_eq!((counted, locked), (5, true));

    let url = database("tollgate_lockout_codes").unwrap();
    let cluster = Cluster::new(nodes(&url, 8), &Config::default(), 3).unwrap();
    let (counted, locked) = conformance::lockout_race(&cluster, 5, true).unwrap();
    println!("postgres: 40 wrong codes in parallel, {counted} counted");
    assert_eq!((counted, locked), (10, true));
}

#[test]
fn the_account_survives_reconnecting_and_a_newer_schema_is_refused() {
    let Some(url) = database("tollgate_reconnect") else {
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

    let mut raw = postgres::Client::connect(&url, NoTls).unwrap();
    raw.execute(
        "UPDATE tollgate_schema SET version = $1",
        &[&i32::try_from(SCHEMA_VERSION + 1).unwrap()],
    )
    .unwrap();
    let refused = PostgresStore::connect(&url, key()).unwrap_err().to_string();
    assert!(refused.contains("schema is version 2"), "{refused}");
}

#[test]
fn no_secret_lies_in_the_tables_and_sealed_secrets_stay_in_their_row() {
    let Some(url) = database("tollgate_sealed") else {
        return;
    };
    let cluster = Cluster::new(nodes(&url, 1), &Config::default(), 7).unwrap();
    conformance::enroll(&cluster.nodes[0], 1).unwrap();
    let id: UserId = conformance::USER.parse().unwrap();
    let account = cluster.nodes[0]
        .service
        .store()
        .user(&id)
        .unwrap()
        .unwrap()
        .account;
    let secret = account.state.token.unwrap().secret;

    let mut raw = postgres::Client::connect(&url, NoTls).unwrap();
    let dump: Vec<u8> = raw
        .query("SELECT t::text FROM tollgate_users t", &[])
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
    assert!(matches!(other_key.user(&id), Err(Error::Integrity(_))));

    cluster.nodes[0]
        .service
        .register_user("eve@example.com", "pw", None, Some("eve@example.com"))
        .unwrap();
    raw.batch_execute(
        "UPDATE tollgate_users SET (token_serial, token_secret, token_algorithm, token_digits, \
           token_period, token_t0, token_drift) = \
           (SELECT token_serial, token_secret, token_algorithm, token_digits, token_period, \
             token_t0, token_drift FROM tollgate_users WHERE id = 'john.smith@example.com') \
         WHERE id = 'eve@example.com'",
    )
    .unwrap();
    let store = PostgresStore::connect(&url, key()).unwrap();
    let refused = store.user(&"eve@example.com".parse().unwrap()).unwrap_err();
    assert!(matches!(refused, Error::Integrity(_)), "{refused}");
}

/// The killed client's child: streams users into the database named by `CHILD_URL`.
#[test]
#[ignore = "the crash test's child process"]
fn child_stream() {
    let url = std::env::var(CHILD_URL).expect("run by the crash test, which sets the URL");
    let first = std::env::var(CHILD_FIRST).unwrap().parse().unwrap();
    let store = Arc::new(PostgresStore::connect_with(&url, key(), 2).unwrap());
    conformance::stream_to_stdout(store, first).unwrap();
}

/// A client killed (SIGKILL) mid-stream: every update it had acknowledged is in the database.
#[test]
fn a_killed_client_loses_nothing_acknowledged() {
    let Some(url) = database("tollgate_crash") else {
        return;
    };
    let acks = conformance::kill_in_rounds(|first| {
        let mut child = Command::new(std::env::current_exe().unwrap());
        child
            .args(["child_stream", "--exact", "--ignored", "--nocapture"])
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
