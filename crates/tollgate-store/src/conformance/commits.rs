//! A [`Commit`] of an account and a login applies whole or not at all.

use tollgate_login::{AccountState, AccountUpdate, Commit, LoginDigest, UserId};

use super::basics::same_state;
use super::logins::{row, text_at};
use super::{Check, ensure, err};
use crate::Store;

/// A commit whose account part fails files no login, and one whose login part fails changes no
/// account.
pub(crate) fn all_or_nothing(store: &dyn Store, user: &UserId, state: &AccountState) -> Check {
    let version = store
        .user(user)
        .map_err(err("reload"))?
        .ok_or("the user is gone")?
        .account
        .version();
    let digest = LoginDigest::from_bytes([4; 32]);
    let login = row(0, "with an update", 1_700_000_100);
    let stale = AccountUpdate {
        expected_version: version + 7,
        state: state.clone(),
    };
    let applied = store
        .commit(&Commit {
            account: Some((user, &stale)),
            replaces: None,
            login: Some((&digest, &login)),
            stand_in: None,
        })
        .map_err(err("commit"))?;
    ensure(!applied, || {
        "a commit with a stale account update was applied".into()
    })?;
    ensure(text_at(store, &digest, 1_700_000_000)?.is_none(), || {
        "the login of a refused account update was filed".into()
    })?;
    let fresh = AccountUpdate {
        expected_version: version,
        state: state.clone(),
    };
    let missing = LoginDigest::from_bytes([5; 32]);
    let applied = store
        .commit(&Commit {
            account: Some((user, &fresh)),
            replaces: Some((&missing, 0)),
            login: Some((&digest, &login)),
            stand_in: None,
        })
        .map_err(err("commit"))?;
    ensure(!applied, || {
        "a commit replacing a login that is not there was applied".into()
    })?;
    let after = store
        .user(user)
        .map_err(err("reload"))?
        .ok_or("the user is gone")?
        .account
        .version();
    ensure(after == version, || {
        "the account changed in a commit whose login part failed".into()
    })?;
    let applied = store
        .commit(&Commit {
            account: Some((user, &fresh)),
            replaces: None,
            login: Some((&digest, &login)),
            stand_in: None,
        })
        .map_err(err("commit"))?;
    ensure(applied, || "a whole good commit was refused".into())?;
    let after = store
        .user(user)
        .map_err(err("reload"))?
        .ok_or("the user is gone")?;
    ensure(after.account.version() == version + 1, || {
        "the good commit did not bump the version".into()
    })?;
    same_state(after.account.state(), state)?;
    ensure(text_at(store, &digest, 1_700_000_000)?.is_some(), || {
        "the good commit did not file its login".into()
    })
}
