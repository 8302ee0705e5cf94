//! Key rotation on a SQLite file under load: every account re-sealed under a new key while
//! three other connections keep committing updates, the rotation crashing and resuming, and
//! nothing lost (`tollgate_store::conformance::rotation_under_load`).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_store::conformance::{self, Check};
use tollgate_store::{SealingKeys, Store};
use tollgate_store_sqlite::{Durability, Options, SqliteStore};

#[test]
fn a_rotation_under_load_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rotation.db");
    let seeds = AtomicU64::new(100);
    let open = |keys: SealingKeys| -> Check<Arc<dyn Store>> {
        let options = Options {
            durability: Durability::Normal,
            rng: Box::new(ChaCha20Rng::seed_from_u64(
                seeds.fetch_add(1, Ordering::SeqCst),
            )),
        };
        SqliteStore::open_with(&path, keys, options)
            .map(|s| Arc::new(s) as Arc<dyn Store>)
            .map_err(|e| e.to_string())
    };
    let report = conformance::rotation_under_load(&open, 120, 7).unwrap();
    // The rotation re-sealed what the writers' own updates had not (an update seals under the
    // current key too).
    assert!(report.resealed > 0, "{report:?}");
    assert!(report.crashes >= 2, "{report:?}");
    assert!(report.writes_during > 0, "the writers stopped: {report:?}");
}
