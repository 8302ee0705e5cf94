//! Arbitrary sequences of inputs: no panic, stored logins round-trip, and no login is
//! authenticated without the right password and a right second factor in that same login.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod sequence;
use crate::sim;

use proptest::prelude::*;
use sequence::{op, run};

const JOHN: &str = "john.smith@example.com";

/// Enrollments finished by the app's online registration and the user's OK, in all runs.
static ONLINE_ENROLLMENTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// How many tokens flow 3 revoked.
static REPLACED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static ADDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static REMOVED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// How many resets reached the new-password step (the invariant must be exercised).
static NEW_PASSWORDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Deterministic by default (a fixed seed); set `PROPTEST_RNG_SEED` to explore other cases.
fn config() -> ProptestConfig {
    tollgate_test_kit::proptest_config(256, 0x10_91)
}

/// Runs the property over generated sequences, and checks that they do reach authentication
/// (a property that is never exercised proves nothing).
#[test]
fn no_authentication_without_both_factors() {
    let authentications = std::cell::Cell::new(0usize);
    let mut runner = proptest::test_runner::TestRunner::new(config());
    let result = runner.run(&proptest::collection::vec(op(), 1..120), |ops| {
        authentications.set(authentications.get() + run(ops, false)?);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let online = ONLINE_ENROLLMENTS.load(std::sync::atomic::Ordering::Relaxed);
    let resets = NEW_PASSWORDS.load(std::sync::atomic::Ordering::Relaxed);
    assert!(resets >= 5, "only {resets} resets reached the new password");

    println!(
        "authentications reached: {}; enrollments by online registration: {online}; resets to \
         the new password: {resets}",
        authentications.get()
    );
    assert!(
        online >= 5,
        "only {online} enrollments by online registration"
    );
    assert!(
        authentications.get() >= 15,
        "only {} authentications",
        authentications.get()
    );
}

/// The same properties from an account that has its token: its tokens change only by their
/// flows (one added by a whole login, one removed from a session, all revoked after a recovery
/// code and a PIN), and the sequences do exercise each.
#[test]
fn tokens_change_only_by_their_flows() {
    let mut runner = proptest::test_runner::TestRunner::new(config());
    let result = runner.run(&proptest::collection::vec(op(), 1..120), |ops| {
        run(ops, true)?;
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let replaced = REPLACED.load(std::sync::atomic::Ordering::Relaxed);
    let added = ADDED.load(std::sync::atomic::Ordering::Relaxed);
    let removed = REMOVED.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "tokens replaced after a recovery code: {replaced}; added beside others from a session: \
         {added}; removed from a session: {removed}"
    );
    assert!(replaced >= 1, "flow 3 was not exercised");
    assert!(added >= 1, "no token was added from a session");
    assert!(removed >= 1, "no token was removed from a session");
}
