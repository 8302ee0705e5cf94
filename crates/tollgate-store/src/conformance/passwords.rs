//! A store's promises about what administrators and resets change outside a login: a new
//! password hash replaces one user's alone; a deleted user is gone with their serial numbers.

use tollgate_login::UserId;

use super::{Check, ensure, err, stand_in_hash};
use crate::{PasswordHash, Store, UserRecord};

/// A new password hash replaces the user's alone, and an unknown user's is not made.
pub(super) fn passwords(
    store: &dyn Store,
    alice: &UserId,
    bob: &UserRecord,
    nobody: &UserId,
) -> Check {
    let new = PasswordHash::from_phc("$argon2id$v=19$m=8,t=1,p=1$bmV3LXNhbHQ$bmV3LWhhc2g".into());
    let version = |id: &UserId| -> Check<u64> {
        Ok(store
            .user(id)
            .map_err(err("load"))?
            .ok_or("the user is gone")?
            .account
            .version())
    };
    let before = version(alice)?;
    ensure(
        store
            .set_password(alice, new.clone())
            .map_err(err("set alice's password"))?,
        || "set_password did not find alice".into(),
    )?;
    let loaded = store.user(alice).map_err(err("load alice"))?;
    ensure(loaded.map(|u| u.password) == Some(new), || {
        "the new password hash was not stored".into()
    })?;
    // A store that seals the hash with the account writes it at the next version (so that a
    // login that loaded the old one tries again on top of it); none goes back.
    ensure(version(alice)? >= before, || {
        "setting a password moved the account's version back".into()
    })?;
    let bob_now = store.user(&bob.id).map_err(err("load bob"))?;
    ensure(
        bob_now.map(|u| u.password) == Some(bob.password.clone()),
        || "another user's password changed".into(),
    )?;
    ensure(
        !store
            .set_password(nobody, stand_in_hash())
            .map_err(err("set nobody's password"))?,
        || "set_password reported an unknown user as found".into(),
    )?;
    ensure(
        store.user(nobody).map_err(err("load nobody"))?.is_none(),
        || "setting an unknown user's password made a user".into(),
    )
}

/// A deleted user is gone, their serial number free, the others untouched.
pub(super) fn deletion(store: &dyn Store, gone: &UserRecord, stays: &UserId) -> Check {
    let serials: Vec<_> = gone.account.state().serials().collect();
    ensure(store.delete_user(&gone.id).map_err(err("delete"))?, || {
        "delete_user did not find the user".into()
    })?;
    ensure(store.user(&gone.id).map_err(err("load"))?.is_none(), || {
        "a deleted user is still there".into()
    })?;
    for serial in serials {
        ensure(
            store
                .user_of_serial(&serial)
                .map_err(err("serial"))?
                .is_none(),
            || "a deleted user's serial number still names them".into(),
        )?;
    }
    ensure(store.user(stays).map_err(err("load"))?.is_some(), || {
        "deleting one user removed another".into()
    })?;
    ensure(
        !store.delete_user(&gone.id).map_err(err("delete again"))?,
        || "a second delete reported a user".into(),
    )?;
    // The ID can be registered again.
    store
        .insert_user(gone.clone())
        .map_err(err("registering the ID again"))
}

/// New contacts replace one user's alone, and leave the account's state as it was (its version
/// may move on, in a store that seals the contacts with it).
pub(super) fn contacts(store: &dyn Store, user: &UserId, other: &UserId) -> Check {
    let before = store
        .user(user)
        .map_err(err("load"))?
        .ok_or("the user is gone")?;
    let other_before = store
        .user(other)
        .map_err(err("load"))?
        .ok_or("the other is gone")?;
    let mobile: tollgate_login::PhoneNumber = "+44 20 7946 0958".parse().map_err(err("mobile"))?;
    let email: tollgate_login::EmailAddress = "new@example.org".parse().map_err(err("e-mail"))?;
    ensure(
        store
            .set_contacts(user, Some(&mobile), Some(&email))
            .map_err(err("set contacts"))?,
        || "set_contacts did not find the user".into(),
    )?;
    let after = store
        .user(user)
        .map_err(err("load"))?
        .ok_or("the user is gone")?;
    ensure(
        after.account.mobile() == Some(&mobile)
            && after.account.email() == Some(&email)
            && after.account.version() >= before.account.version()
            && after.account.state().encode() == before.account.state().encode(),
        || "the contacts were not stored, or the state changed with them".into(),
    )?;
    let other_after = store
        .user(other)
        .map_err(err("load"))?
        .ok_or("the other is gone")?;
    ensure(
        other_after.account.mobile() == other_before.account.mobile()
            && other_after.account.email() == other_before.account.email(),
        || "another user's contacts changed".into(),
    )?;
    // Cleared, then put back as they were.
    store
        .set_contacts(user, None, None)
        .map_err(err("clear contacts"))?;
    let cleared = store
        .user(user)
        .map_err(err("load"))?
        .ok_or("the user is gone")?;
    ensure(
        cleared.account.mobile().is_none() && cleared.account.email().is_none(),
        || "contacts could not be cleared".into(),
    )?;
    store
        .set_contacts(user, before.account.mobile(), before.account.email())
        .map_err(err("restore contacts"))?;
    Ok(())
}
