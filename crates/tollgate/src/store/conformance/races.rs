//! Races: one thread per node, all at once, against one account.

use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};

use tollgate_login::Input;

use super::{Check, Cluster, Node, USER, enroll, err, to_second_factor};
use crate::clock::Clock as _;

/// Runs `work(i, node, login)` for every node at once, each on its own thread released by one
/// barrier; the first failure, if any.
fn all_at_once(
    cluster: &Cluster,
    logins: &[String],
    work: impl Fn(usize, &Node, &str) -> Check + Sync,
) -> Check {
    let barrier = Barrier::new(cluster.nodes.len());
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cluster
            .nodes
            .iter()
            .zip(logins)
            .enumerate()
            .map(|(i, (node, login))| {
                let (barrier, work) = (&barrier, &work);
                scope.spawn(move || {
                    barrier.wait();
                    work(i, node, login)
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

/// What a replay race saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RaceReport {
    /// Submissions in all.
    pub tries: usize,
    /// Rounds in which more than one node accepted the code.
    pub double_accepts: usize,
    /// Rounds in which no node accepted it.
    pub never_accepted: usize,
}

/// Each round, every node submits the same fresh token code for one account at once, from its
/// own thread; `rounds` rounds. Exactly one node should accept each round. The cluster's
/// config must allow a round's losers (their replays count as failures) before the lock.
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
        let logins = cluster
            .nodes
            .iter()
            .map(to_second_factor)
            .collect::<Check<Vec<_>>>()?;
        accepted.store(0, Ordering::SeqCst);
        all_at_once(cluster, &logins, |_, node, login| {
            let view = node
                .service
                .submit(login, Input::TokenCode(code.clone()))
                .map_err(err("racing code"))?;
            if view.authenticated().is_some() {
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

/// Every node guesses `guesses` wrong values at once: passwords (at the password screen) or,
/// with `codes`, token codes (after an enrollment). Returns how many failures the account
/// counted (its version's growth) and whether it ended locked.
///
/// # Errors
/// When a submission fails.
pub fn lockout_race(cluster: &Cluster, guesses: usize, codes: bool) -> Check<(u64, bool)> {
    if codes {
        enroll(cluster.first(), 5)?;
    }
    let logins = cluster
        .nodes
        .iter()
        .map(|node| {
            if codes {
                to_second_factor(node)
            } else {
                let login = node.service.start().map_err(err("start"))?.login;
                node.service
                    .submit(&login, Input::UserId(USER.into()))
                    .map_err(err("User ID"))?;
                Ok(login)
            }
        })
        .collect::<Check<Vec<_>>>()?;
    let before = cluster.account()?.version;
    all_at_once(cluster, &logins, |i, node, login| {
        for guess in 0..guesses {
            let input = if codes {
                Input::TokenCode(format!("{:06}", i * 1000 + guess))
            } else {
                Input::Password(format!("guess {guess}").into())
            };
            node.service.submit(login, input).map_err(err("guessing"))?;
        }
        Ok(())
    })?;
    let account = cluster.account()?;
    Ok((
        account.version - before,
        account.is_locked(cluster.clock.now()),
    ))
}
