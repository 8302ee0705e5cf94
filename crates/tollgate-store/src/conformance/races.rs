//! Races: one thread per node, all at once, against one account.

use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};

use tollgate_login::{AuditEvent, DriveError, Input, LoginKey, PasswordCheck};

use super::{Check, Cluster, Node, USER, enroll, err, to_second_factor};

/// Runs `work(i, node, key)` for every node at once, each on its own thread released by one
/// barrier; the first failure, if any.
fn all_at_once(
    cluster: &Cluster,
    keys: &[LoginKey],
    work: impl Fn(usize, &Node, &LoginKey) -> Check + Sync,
) -> Check {
    let barrier = Barrier::new(keys.len());
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cluster
            .nodes
            .iter()
            .cycle()
            .zip(keys)
            .enumerate()
            .map(|(i, (node, key))| {
                let (barrier, work) = (&barrier, &work);
                scope.spawn(move || {
                    barrier.wait();
                    work(i, node, key)
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| match h.join() {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(_) => Some("a racing thread panicked".into()),
            })
            .collect()
    });
    failures.into_iter().next().map_or(Ok(()), Err)
}

/// What a race saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RaceReport {
    /// Submissions in all.
    pub tries: usize,
    /// Rounds in which more than one submission was accepted.
    pub double_accepts: usize,
    /// Rounds in which none was accepted.
    pub never_accepted: usize,
    /// Submissions that another request on the same login overtook (nothing counted).
    pub superseded: usize,
    /// Second-factor failures the account counted.
    pub failures_counted: u32,
    /// Replays and refused codes logged.
    pub refusals_logged: usize,
}

/// Each round, every node submits the same fresh token code for one account at once, from its
/// own thread, each in its own login; `rounds` rounds. Exactly one should be accepted each
/// round; the others are replays, and count as failures. The cluster's config must allow a
/// round's losers before the cool-down.
///
/// # Errors
/// When a submission fails or the enrollment does not go through.
pub fn replay_race(cluster: &Cluster, rounds: usize) -> Check<RaceReport> {
    let token = enroll(cluster.first(), 3)?;
    let accepted = AtomicUsize::new(0);
    let mut report = RaceReport::default();
    for _ in 0..rounds {
        cluster.clock.advance(30);
        let code = token
            .generate(cluster.clock.now())
            .map_err(|e| e.to_string())?
            .to_string();
        let keys = cluster
            .nodes
            .iter()
            .map(to_second_factor)
            .collect::<Check<Vec<_>>>()?;
        accepted.store(0, Ordering::SeqCst);
        all_at_once(cluster, &keys, |_, node, key| {
            let driven = node
                .submit(key, Input::TokenCode(code.clone()))
                .map_err(err("racing code"))?;
            if driven.state.is_authenticated() {
                accepted.fetch_add(1, Ordering::SeqCst);
            }
            Ok(())
        })?;
        report.tries += cluster.nodes.len();
        match accepted.load(Ordering::SeqCst) {
            0 => report.never_accepted += 1,
            1 => {}
            _ => report.double_accepts += 1,
        }
    }
    Ok(report)
}

/// `posts` submissions of one right token code on *one* login (a user's own double submits,
/// or an attacker's burst with one key), from as many threads over the cluster's nodes at
/// once. Exactly one should be accepted, the others overtaken, and nothing counted.
///
/// # Errors
/// When a submission fails otherwise.
pub fn burst_race(cluster: &Cluster, posts: usize) -> Check<RaceReport> {
    let token = enroll(cluster.first(), 4)?;
    cluster.clock.advance(30);
    let key = to_second_factor(cluster.first())?;
    let before = cluster.account()?.state().second_factor_failures();
    let code = token
        .generate(cluster.clock.now())
        .map_err(|e| e.to_string())?
        .to_string();
    let (accepted, superseded) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let keys = vec![key; posts];
    all_at_once(cluster, &keys, |_, node, key| {
        match node.submit(key, Input::TokenCode(code.clone())) {
            Ok(driven) if driven.state.is_authenticated() => {
                accepted.fetch_add(1, Ordering::SeqCst);
            }
            Ok(driven) => return Err(format!("a post was answered {:?}", driven.output.screen)),
            // Overtaken before it loaded (its key was replaced), or after.
            Err(DriveError::Superseded | DriveError::UnknownLogin) => {
                superseded.fetch_add(1, Ordering::SeqCst);
            }
            Err(e) => return Err(format!("a post failed: {e}")),
        }
        Ok(())
    })?;
    let account = cluster.account()?;
    let refusals_logged = cluster
        .nodes
        .iter()
        .flat_map(Node::audit)
        .filter(|e| {
            matches!(
                e,
                AuditEvent::CodeReplayed { .. } | AuditEvent::CodeRefused { .. }
            )
        })
        .count();
    let accepted = accepted.load(Ordering::SeqCst);
    Ok(RaceReport {
        tries: posts,
        double_accepts: usize::from(accepted > 1),
        never_accepted: usize::from(accepted == 0),
        superseded: superseded.load(Ordering::SeqCst),
        failures_counted: account.state().second_factor_failures() - before,
        refusals_logged,
    })
}

/// Every node guesses `guesses` wrong values at once, each in its own login: passwords (at the
/// password screen) or, with `codes`, token codes (after an enrollment). Returns how many
/// failures the account counted (its version's growth) and whether it ended locked (for
/// passwords: whether unknown browsers are cooling down).
///
/// # Errors
/// When a submission fails.
pub fn lockout_race(cluster: &Cluster, guesses: usize, codes: bool) -> Check<(u64, bool)> {
    if codes {
        enroll(cluster.first(), 5)?;
    }
    let keys = cluster
        .nodes
        .iter()
        .map(|node| {
            if codes {
                to_second_factor(node)
            } else {
                let started = node.start().map_err(err("start"))?;
                Ok(node
                    .submit(&started.key, Input::UserId(USER.into()))
                    .map_err(err("User ID"))?
                    .key)
            }
        })
        .collect::<Check<Vec<_>>>()?;
    let before = cluster.account()?.version();
    all_at_once(cluster, &keys, |i, node, key| {
        let mut key = key.clone();
        for guess in 0..guesses {
            let input = if codes {
                Input::TokenCode(format!("{:06}", i * 1000 + guess))
            } else {
                Input::Password(PasswordCheck::Incorrect)
            };
            key = node.submit(&key, input).map_err(err("guessing"))?.key;
        }
        Ok(())
    })?;
    let account = cluster.account()?;
    let now = cluster.clock.now();
    // Codes lock the account; passwords from unknown browsers lock those browsers out.
    let locked = if codes {
        account.is_locked(now)
    } else {
        account
            .state()
            .password_locked_until()
            .is_some_and(|until| now < until)
    };
    Ok((account.version() - before, locked))
}
