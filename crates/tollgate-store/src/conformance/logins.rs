//! The stored logins' promises: filed once, compare-and-set on the version, moved under a new
//! digest with the old one gone, removed, expired.

use tollgate_login::{Commit, LoginDigest, SealedLogin, UserId};
use tollgate_otp::UnixTime;

use super::{Check, ensure, err};
use crate::Store;

pub(crate) fn row(version: u64, text: &str, expires: u64) -> SealedLogin {
    SealedLogin {
        version,
        expires: UnixTime::from_secs(expires),
        text: text.into(),
    }
}

fn file(
    store: &dyn Store,
    replaces: Option<(&LoginDigest, u64)>,
    to: Option<(&LoginDigest, &SealedLogin)>,
) -> Check<bool> {
    store
        .commit(&Commit {
            account: None,
            replaces,
            login: to,
            stand_in: None,
        })
        .map_err(err("commit a login"))
}

pub(crate) fn text_at(
    store: &dyn Store,
    digest: &LoginDigest,
    now: u64,
) -> Check<Option<(u64, String)>> {
    Ok(store
        .login(digest, UnixTime::from_secs(now))
        .map_err(err("load a login"))?
        .map(|r| (r.version, r.text)))
}

pub(crate) fn logins(store: &dyn Store) -> Check {
    let (a, b) = (
        LoginDigest::from_bytes([1; 32]),
        LoginDigest::from_bytes([2; 32]),
    );
    let now = 1_700_000_000;
    let later = 1_700_000_100;
    ensure(
        file(store, None, Some((&a, &row(0, "first", later))))?,
        || "a new login was refused".into(),
    )?;
    ensure(
        !file(store, None, Some((&a, &row(0, "again", later))))?,
        || "a second new login under a digest in use was filed".into(),
    )?;
    ensure(
        text_at(store, &a, now)? == Some((0, "first".into())),
        || "a filed login did not come back as filed".into(),
    )?;
    ensure(
        file(store, Some((&a, 0)), Some((&a, &row(1, "second", later))))?,
        || "a login replaced at its version was refused".into(),
    )?;
    ensure(
        !file(store, Some((&a, 0)), Some((&a, &row(1, "stale", later))))?,
        || "a login replaced at a stale version was applied".into(),
    )?;
    ensure(
        text_at(store, &a, now)? == Some((1, "second".into())),
        || "a refused replacement changed the login".into(),
    )?;
    // A new key: the login moves from one digest to another, and the old one is gone.
    ensure(
        file(store, Some((&a, 1)), Some((&b, &row(2, "moved", later))))?,
        || "a login moved to a new digest was refused".into(),
    )?;
    ensure(text_at(store, &a, now)?.is_none(), || {
        "a moved login stayed under its old digest".into()
    })?;
    ensure(
        text_at(store, &b, now)? == Some((2, "moved".into())),
        || "a moved login is not under its new digest".into(),
    )?;
    ensure(
        !file(store, Some((&a, 1)), Some((&b, &row(2, "again", later))))?,
        || "a login moved from a digest with nothing there".into(),
    )?;
    ensure(text_at(store, &b, later)?.is_none(), || {
        "a login was loaded at its expiry".into()
    })?;
    ensure(!file(store, Some((&b, 1)), None)?, || {
        "a login was removed at a stale version".into()
    })?;
    ensure(file(store, Some((&b, 2)), None)?, || {
        "a login was not removed at its version".into()
    })?;
    ensure(text_at(store, &b, now)?.is_none(), || {
        "a removed login was loaded".into()
    })?;
    let never = LoginDigest::from_bytes([3; 32]);
    ensure(text_at(store, &never, now)?.is_none(), || {
        "an unknown login was loaded".into()
    })
}

/// A commit with a stand-in ([`Commit::stand_in`]) files its login and changes no account:
/// neither a User ID that is none (it does not become one) nor one that has become an account
/// since the step was loaded.
pub(crate) fn stand_ins(store: &dyn Store, account: &UserId, nobody: &UserId) -> Check {
    let version = |store: &dyn Store| -> Check<Option<u64>> {
        Ok(store
            .account(account)
            .map_err(err("load the account"))?
            .map(|a| a.version()))
    };
    let before = version(store)?;
    let later = 1_700_000_100;
    for (n, user) in [nobody, account].into_iter().enumerate() {
        let digest = LoginDigest::from_bytes([0x40 + u8::try_from(n).unwrap_or(0); 32]);
        let filed = store
            .commit(&Commit {
                account: None,
                replaces: None,
                login: Some((&digest, &row(0, "stand-in", later))),
                stand_in: Some(user),
            })
            .map_err(err("commit with a stand-in"))?;
        ensure(filed, || "a login with a stand-in was refused".into())?;
        ensure(text_at(store, &digest, later - 1)?.is_some(), || {
            "a login with a stand-in was not filed".into()
        })?;
    }
    ensure(
        store.user(nobody).map_err(err("load nobody"))?.is_none(),
        || "a stand-in made an account of a User ID that is none".into(),
    )?;
    ensure(version(store)? == before, || {
        "a stand-in changed a real account".into()
    })
}
