//! What a [`SessionStore`] must do for web sessions to hold across nodes: a new session's ID
//! is never reused, a write that lost a race changes nothing, a rotated ID ends the old one in
//! the same step, expiry and the bound per user hold, and logging out ends what it names.

use tollgate_login::UserId;
use tollgate_otp::UnixTime;

use super::{Check, ensure, err};
use crate::sessions::{SessionId, SessionSave, SessionStore, StoredSession};

const NOW: u64 = 1_700_000_000;

fn session(version: u64, user: Option<&UserId>, expires: u64, body: &[u8]) -> StoredSession {
    StoredSession {
        version,
        user: user.cloned(),
        expires: UnixTime::from_secs(expires),
        body: body.to_vec().into(),
    }
}

fn save(
    store: &dyn SessionStore,
    id: &SessionId,
    replaces: Option<(&SessionId, u64)>,
    stored: &StoredSession,
    keep: usize,
) -> Check<bool> {
    store
        .save_session(&SessionSave {
            id,
            replaces,
            session: stored,
            now: UnixTime::from_secs(NOW),
            keep_per_user: keep,
            durable: replaces.is_some(),
        })
        .map_err(err("saving a session"))
}

fn load(store: &dyn SessionStore, id: &SessionId, now: u64) -> Check<Option<StoredSession>> {
    store
        .load_session(id, UnixTime::from_secs(now))
        .map_err(err("loading a session"))
}

/// The session checks, on an empty session table. Every ID they use is derived from `tag`, so
/// that two runs on one database do not meet.
///
/// # Errors
/// What broke, in a sentence.
pub fn sessions(store: &dyn SessionStore, tag: &str) -> Check {
    let id = |n: u32| SessionId::of(&format!("{tag} cookie {n}"));
    let user: UserId = crate::conformance::USER.parse().map_err(err("User ID"))?;
    let other: UserId = "jane.doe@example.com".parse().map_err(err("User ID"))?;

    // A new session, and what comes back.
    let (a, b) = (id(1), id(2));
    ensure(load(store, &a, NOW)?.is_none(), || {
        "a session nobody saved was found".into()
    })?;
    let first = session(1, None, NOW + 3600, b"first");
    ensure(save(store, &a, None, &first, 5)?, || {
        "a new session was not saved".into()
    })?;
    ensure(load(store, &a, NOW)?.as_ref() == Some(&first), || {
        "a session came back other than it was saved".into()
    })?;
    ensure(
        !save(store, &a, None, &session(1, None, NOW + 3600, b"again"), 5)?,
        || "a new session took an ID already in use".into(),
    )?;

    // Compare-and-set on the version.
    let second = session(2, None, NOW + 3600, b"second");
    ensure(!save(store, &a, Some((&a, 7)), &second, 5)?, || {
        "a write at the wrong version was applied".into()
    })?;
    ensure(save(store, &a, Some((&a, 1)), &second, 5)?, || {
        "a write at the right version was refused".into()
    })?;
    ensure(!save(store, &a, Some((&a, 1)), &first, 5)?, || {
        "the same version was written twice (a lost update)".into()
    })?;

    // A rotated ID: the old one ends in the same step, and cannot be rotated twice.
    let logged_in = session(3, Some(&user), NOW + 3600, b"logged in");
    ensure(save(store, &b, Some((&a, 2)), &logged_in, 5)?, || {
        "a rotation was refused".into()
    })?;
    ensure(load(store, &a, NOW)?.is_none(), || {
        "the ID a rotation replaced still opens its session".into()
    })?;
    ensure(load(store, &b, NOW)?.as_ref() == Some(&logged_in), || {
        "the rotated session did not come back".into()
    })?;
    ensure(!save(store, &id(3), Some((&a, 2)), &logged_in, 5)?, || {
        "a session was rotated twice from one ID".into()
    })?;

    // Expiry.
    ensure(load(store, &b, NOW + 3600)?.is_none(), || {
        "a session opened at its expiry".into()
    })?;

    // The bound per user: the newest stay.
    for n in 10..16 {
        let theirs = session(1, Some(&user), NOW + 3600 + u64::from(n), b"theirs");
        ensure(save(store, &id(n), None, &theirs, 3)?, || {
            "a user's new session was not saved".into()
        })?;
    }
    let jane = session(1, Some(&other), NOW + 3600, b"jane");
    ensure(save(store, &id(20), None, &jane, 3)?, || {
        "another user's session was not saved".into()
    })?;
    let mut kept = Vec::new();
    for n in [2, 10, 11, 12, 13, 14, 15] {
        let key = if n == 2 { b } else { id(n) };
        if load(store, &key, NOW)?.is_some() {
            kept.push(n);
        }
    }
    ensure(kept == [13, 14, 15], || {
        format!("with 3 sessions per user, sessions {kept:?} stayed, not [13, 14, 15]")
    })?;
    ensure(load(store, &id(20), NOW)?.is_some(), || {
        "one user's logins ended another's session".into()
    })?;

    // Logging out: one session, then every session of a user.
    ensure(
        store
            .delete_session(&id(15))
            .map_err(err("ending a session"))?,
        || "ending a session found none".into(),
    )?;
    ensure(load(store, &id(15), NOW)?.is_none(), || {
        "an ended session still opens".into()
    })?;
    let ended = store
        .delete_sessions_of(&user)
        .map_err(err("ending a user's sessions"))?;
    ensure(ended == 2, || {
        format!("logging out everywhere ended {ended} sessions, not 2")
    })?;
    ensure(load(store, &id(13), NOW)?.is_none(), || {
        "a session outlived logging out everywhere".into()
    })?;
    ensure(load(store, &id(20), NOW)?.is_some(), || {
        "logging one user out everywhere ended another's session".into()
    })?;
    Ok(())
}
