//! A full later login (start, User ID, password, token code: four requests through the login
//! driver, each loading the stored login and verifying its tag, then committing the next state
//! with a compare-and-set, a new key past the password and another at authentication, the last
//! one spending the code) against each store, the in-memory one beside them; the password is
//! given as a verdict here, and the real Argon2id check is measured on its own. The limit for a durable store is its disk's sync:
//! `fsync` is a 4 KiB write and `fdatasync` of a file, `sqlite-commit` one committed update.
//!
//! Run: `cargo bench -p tollgate-bench --bench store` (set `TOLLGATE_POSTGRES_URL` to include
//! PostgreSQL; `source .ci/postgres.sh && pg_start` starts a throwaway server).

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::io::Write as _;
use std::sync::Arc;

use criterion::{Criterion, criterion_group};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::login::Config;
use tollgate::store::conformance::{self, Cluster};
use tollgate::{MemoryStore, Passwords, SealingKey, Store};
use tollgate_store_postgres::PostgresStore;
use tollgate_store_sqlite::{Durability, Options, SqliteStore};

fn later_logins(c: &mut Criterion, name: &str, store: Arc<dyn Store>) {
    let cluster = Cluster::new(vec![store], &Config::default(), 1).expect("a cluster");
    let node = &cluster.nodes[0];
    let token = conformance::enroll(node, 2).expect("an enrollment");
    c.benchmark_group("later_login").bench_function(name, |b| {
        b.iter(|| {
            cluster.clock.advance(30);
            conformance::later_login(node, &token).expect("a later login");
        });
    });
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let key = SealingKey::new([7; 32]);

    later_logins(c, "memory", Arc::new(MemoryStore::new()));
    let full = SqliteStore::open(dir.path().join("full.db"), key.clone()).expect("sqlite");
    later_logins(c, "sqlite", Arc::new(full));
    let options = Options {
        durability: Durability::Normal,
        ..Options::default()
    };
    let normal =
        SqliteStore::open_with(dir.path().join("normal.db"), key.clone(), options).expect("sqlite");
    later_logins(c, "sqlite-normal", Arc::new(normal));
    match std::env::var("TOLLGATE_POSTGRES_URL") {
        Ok(url) => {
            let mut admin = tollgate_store_postgres::client(&url).expect("postgres");
            admin
                .batch_execute("DROP DATABASE IF EXISTS tollgate_bench WITH (FORCE)")
                .and_then(|()| admin.batch_execute("CREATE DATABASE tollgate_bench"))
                .expect("a bench database");
            let bench = tollgate_store_postgres::url_for_database(&url, "tollgate_bench");
            let store = PostgresStore::connect(&bench, key).expect("postgres");
            later_logins(c, "postgres", Arc::new(store));
        }
        Err(_) => println!("TOLLGATE_POSTGRES_URL is not set: PostgreSQL is not measured"),
    }

    let mut group = c.benchmark_group("durable_write");
    let path = dir.path().join("sync");
    let mut file = std::fs::File::create(&path).expect("a file");
    let block = [0x5a_u8; 4096];
    group.bench_function("fsync", |b| {
        b.iter(|| {
            file.write_all(&block).expect("write");
            file.sync_data().expect("fdatasync");
        });
    });
    let raw = rusqlite::Connection::open(dir.path().join("commit.db")).expect("sqlite");
    raw.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
         CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO t VALUES (1, 0);",
    )
    .expect("a table");
    group.bench_function("sqlite-commit", |b| {
        b.iter(|| {
            raw.execute("UPDATE t SET v = v + 1 WHERE id = 1", [])
                .expect("an update");
        });
    });
    if let Ok(url) = std::env::var("TOLLGATE_POSTGRES_URL") {
        let mut client = tollgate_store_postgres::client(&url).expect("postgres");
        client
            .batch_execute(
                "DROP TABLE IF EXISTS tollgate_bench_commit; \
                 CREATE TABLE tollgate_bench_commit (id INTEGER PRIMARY KEY, v INTEGER); \
                 INSERT INTO tollgate_bench_commit VALUES (1, 0);",
            )
            .expect("a table");
        group.bench_function("postgres-commit", |b| {
            b.iter(|| {
                client
                    .execute(
                        "UPDATE tollgate_bench_commit SET v = v + 1 WHERE id = 1",
                        &[],
                    )
                    .expect("an update");
            });
        });
    }
    group.finish();

    let passwords = Passwords::new(&mut ChaCha20Rng::seed_from_u64(3)).expect("argon2");
    let hash = passwords
        .hash(b"correct horse", &mut ChaCha20Rng::seed_from_u64(4))
        .expect("a hash");
    c.benchmark_group("password_check")
        .sample_size(20)
        .bench_function("argon2id", |b| {
            b.iter(|| {
                assert!(
                    passwords
                        .verify(b"correct horse", Some(&hash))
                        .expect("a turn")
                )
            });
        });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    tollgate_bench::report::print(
        &["later_login"],
        &["memory", "sqlite", "sqlite-normal", "postgres"],
        "memory",
        "memory",
    );
    tollgate_bench::report::print(
        &["durable_write"],
        &["fsync", "sqlite-commit", "postgres-commit"],
        "fsync",
        "fsync",
    );
    tollgate_bench::report::print(&["password_check"], &["argon2id"], "argon2id", "argon2id");
}
