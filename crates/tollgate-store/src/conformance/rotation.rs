//! Key rotation under load: every account re-sealed under a new key while logins keep writing,
//! with the rotation crashing and resuming on the way, and nothing lost.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng as _, SeedableRng};
use tollgate_login::recovery::RecoveryHash;
use tollgate_login::{Account, AccountState, AccountUpdate, Commit, UserId};
use tollgate_otp::UnixTime;

use super::{Check, ensure, err, stand_in_hash};
use crate::rotation::reseal_batch;
use crate::{SealingKey, SealingKeys, Store, UserRecord};

/// What [`rotation_under_load`] saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RotationReport {
    /// Accounts the rotation sealed again (more than the users: the batches cut short by a
    /// crash are run again, and find the rows they did already current).
    pub resealed: usize,
    /// Batches run, the ones cut short included.
    pub batches: usize,
    /// Crashes of the rotation (its store dropped, its cursor not saved).
    pub crashes: usize,
    /// Account updates the writers committed while the rotation ran.
    pub writes_during: u64,
    /// Every account update the writers committed.
    pub writes: u64,
}

/// Opens the store under test with the keys given (a fresh handle on the same database each
/// call).
pub type Open<'a> = &'a (dyn Fn(SealingKeys) -> Check<Arc<dyn Store>> + Sync);

const WRITERS: usize = 3;
const BATCH: usize = 7;
/// Each writer commits at least this many updates, and goes on until the rotation is done.
const MIN_WRITES: u64 = 150;

/// Registers `users` accounts sealed under an old key; then, with `WRITERS` handles
/// committing account updates (a counter each, compare-and-set, retried on conflict) the whole
/// time, re-seals every account under a new key in batches of 7, crashing after every third
/// batch (the handle dropped before its cursor is saved) and resuming from the last saved
/// cursor. At the end the old key is dropped: every account must open under the new key alone,
/// hold every update a writer was told was committed, and a further pass must find them all
/// current.
///
/// # Errors
/// The first promise broken: an account lost, an update lost, an account still under the old
/// key, or a store error.
pub fn rotation_under_load(open: Open<'_>, users: usize, seed: u64) -> Check<RotationReport> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let old = SealingKey::generate(&mut rng);
    let new = SealingKey::generate(&mut rng);
    let ids: Vec<UserId> = (0..users)
        .map(|i| format!("rotation{i:04}@example.com").parse())
        .collect::<Result<_, _>>()
        .map_err(err("User ID"))?;
    {
        let before = open(SealingKeys::new(old.clone()))?;
        for id in &ids {
            before
                .insert_user(UserRecord {
                    id: id.clone(),
                    password: stand_in_hash(),
                    account: Account::new(
                        0,
                        None,
                        Some(id.as_str().parse().map_err(err("e-mail"))?),
                        AccountState::default(),
                    ),
                })
                .map_err(err("registering under the old key"))?;
        }
    }
    let ring = SealingKeys::new(new.clone()).with_old(old);
    let committed: Vec<AtomicU64> = ids.iter().map(|_| AtomicU64::new(0)).collect();
    let writes = AtomicU64::new(0);
    let done = AtomicBool::new(false);
    let failures = Mutex::new(Vec::<String>::new());
    let fail = |what: String| {
        failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(what)
    };
    let writers: Vec<Arc<dyn Store>> = (0..WRITERS)
        .map(|_| open(ring.clone()))
        .collect::<Check<_>>()?;
    let mut report = RotationReport {
        resealed: 0,
        batches: 0,
        crashes: 0,
        writes_during: 0,
        writes: 0,
    };
    std::thread::scope(|scope| {
        for (w, store) in writers.iter().enumerate() {
            let (ids, committed, writes, done, fail) = (&ids, &committed, &writes, &done, &fail);
            let mut rng = ChaCha20Rng::seed_from_u64(seed.wrapping_add(1 + w as u64));
            scope.spawn(move || {
                let mut mine = 0u64;
                while mine < MIN_WRITES || !done.load(Ordering::SeqCst) {
                    let i = usize::try_from(rng.next_u32()).unwrap_or(0) % ids.len();
                    match increment(&**store, &ids[i]) {
                        Ok(()) => {
                            committed[i].fetch_add(1, Ordering::SeqCst);
                            writes.fetch_add(1, Ordering::SeqCst);
                            mine += 1;
                        }
                        Err(e) => {
                            fail(e);
                            return;
                        }
                    }
                }
            });
        }
        // The rotation starts once the writers are under way.
        while writes.load(Ordering::SeqCst) < 20 && failures_empty(&failures) {
            std::thread::yield_now();
        }
        let start = writes.load(Ordering::SeqCst);
        if let Err(e) = rotate(open, &ring, &mut report) {
            fail(e);
        }
        report.writes_during = writes.load(Ordering::SeqCst) - start;
        done.store(true, Ordering::SeqCst);
    });
    if let Some(first) = failures
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .next()
    {
        return Err(first);
    }
    report.writes = writes.load(Ordering::SeqCst);
    // The old key is gone.
    let after = open(SealingKeys::new(new))?;
    let mut listed = Vec::new();
    loop {
        let page = after
            .users_after(listed.last(), 50)
            .map_err(err("listing"))?;
        if page.is_empty() {
            break;
        }
        listed.extend(page);
    }
    ensure(listed.len() == ids.len(), || {
        format!("{} users listed, {} registered", listed.len(), ids.len())
    })?;
    for (id, count) in ids.iter().zip(&committed) {
        let account = after
            .account(id)
            .map_err(|e| format!("{id} under the new key alone: {e}"))?
            .ok_or_else(|| format!("{id} is gone"))?;
        let count = count.load(Ordering::SeqCst);
        ensure(counted(account.state()) == count, || {
            format!(
                "{id}: {count} updates committed, {} in the store: the rotation lost some",
                counted(account.state())
            )
        })?;
    }
    let again = reseal_batch(&*after, None, ids.len()).map_err(err("a pass after rotating"))?;
    ensure(again.current == ids.len() && again.resealed == 0, || {
        format!("a pass after the rotation did {again:?}")
    })?;
    Ok(report)
}

fn failures_empty(failures: &Mutex<Vec<String>>) -> bool {
    failures
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .is_empty()
}

/// How many times [`increment`] changed the state: the writers count in the expiry of a grant
/// (a named change that leaves everything else as it is).
fn counted(state: &AccountState) -> u64 {
    state.grant().map_or(0, |g| g.expires_at().as_secs())
}

/// One account update, as a login's commit makes it: read, change, compare-and-set, again on
/// a conflict.
fn increment(store: &dyn Store, id: &UserId) -> Check {
    for _ in 0..10_000 {
        let account = store
            .account(id)
            .map_err(|e| format!("a writer reading {id}: {e}"))?
            .ok_or_else(|| format!("{id} vanished"))?;
        let mut state = account.state().clone();
        let next = UnixTime::from_secs(counted(&state).saturating_add(1));
        state.grant_reenrollment(RecoveryHash([0x42; 32]), next);
        let update = AccountUpdate {
            expected_version: account.version(),
            state,
        };
        let commit = Commit {
            account: Some((id, &update)),
            replaces: None,
            login: None,
            stand_in: None,
        };
        if store
            .commit(&commit)
            .map_err(|e| format!("a writer committing {id}: {e}"))?
        {
            return Ok(());
        }
    }
    Err(format!("a writer never got its update of {id} in"))
}

/// The rotation, crashing after every third batch: its handle dropped before the cursor of
/// that batch is saved, then a new handle resuming from the last saved cursor. Then passes
/// until one finds nothing left to do.
fn rotate(open: Open<'_>, ring: &SealingKeys, report: &mut RotationReport) -> Check {
    let mut store = open(ring.clone())?;
    let mut saved: Option<UserId> = None;
    loop {
        let batch = reseal_batch(&*store, saved.as_ref(), BATCH).map_err(err("a batch"))?;
        report.batches += 1;
        report.resealed += batch.resealed;
        if batch.is_done() {
            break;
        }
        if report.batches.is_multiple_of(3) {
            report.crashes += 1;
            drop(store);
            store = open(ring.clone())?;
            continue;
        }
        saved = batch.last;
    }
    for _ in 0..100 {
        let pass = reseal_batch(&*store, None, usize::MAX >> 1).map_err(err("a pass"))?;
        report.resealed += pass.resealed;
        if pass.resealed == 0 && pass.contended.is_empty() {
            return Ok(());
        }
    }
    Err("the rotation never finished a pass with nothing left to re-seal".into())
}
