//! Where accounts and logins in progress live.
//!
//! The machine expresses every account change as a compare-and-set ([`AccountUpdate`]): a store
//! applies it atomically or refuses it. That maps onto a database row with a version column
//! (`UPDATE … WHERE version = $n`), onto a transaction, or, here, onto a mutex.

#[cfg(feature = "conformance")]
pub mod conformance;
mod record;
mod sealing;

pub use record::{StoredAccount, StoredPending, StoredToken, StoredUser, login_digest};
pub use sealing::SealingKey;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use tollgate_codes::SerialNumber;
use tollgate_login::{Account, AccountState, AccountUpdate, UserId};
use tollgate_otp::UnixTime;

use crate::error::Error;
use crate::password::PasswordHash;

/// A registered user: the stand-in for the portal's "personal validation".
#[derive(Clone, Debug)]
pub struct UserRecord {
    /// The User ID.
    pub id: UserId,
    /// The password's Argon2id hash.
    pub password: PasswordHash,
    /// The account, with its version.
    pub account: Account,
}

/// Storage for users, their accounts, and logins in progress.
pub trait Store: Send + Sync {
    /// Registers a user.
    ///
    /// # Errors
    /// [`Error::DuplicateUser`] when the ID is taken; [`Error::Store`] when the store fails.
    fn insert_user(&self, user: UserRecord) -> Result<(), Error>;

    /// A user and their account as stored now.
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails.
    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, Error>;

    /// Applies `update` if the account's version is still `update.expected_version`, bumping
    /// it; returns whether it did. Atomic with respect to every other call.
    ///
    /// It must also refuse (`Ok(false)`) an update that gives the account a token or activation
    /// serial number that another account holds: the machine draws serial numbers at random
    /// and relies on this refusal to draw again (the service reloads and retries).
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails (a refused update is `Ok(false)`).
    fn update_account(&self, id: &UserId, update: &AccountUpdate) -> Result<bool, Error>;

    /// [`Store::update_account`], then, only if it applied, [`Store::save_login`]: the step
    /// that moves a login on and the account change it made (a code spent, a failure counted)
    /// land together. A database store does both in one transaction, so a crash cannot leave
    /// the code spent with the login not moved on, and a request costs one commit, not two.
    /// The default calls the two in turn.
    ///
    /// # Errors
    /// As the two calls.
    fn update_account_and_save_login(
        &self,
        id: &UserId,
        update: &AccountUpdate,
        key: &str,
        state: &str,
        expires: UnixTime,
    ) -> Result<bool, Error> {
        if !self.update_account(id, update)? {
            return Ok(false);
        }
        self.save_login(key, state, expires)?;
        Ok(true)
    }

    /// Stores a login in progress under its key until `expires`.
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails.
    fn save_login(&self, key: &str, state: &str, expires: UnixTime) -> Result<(), Error>;

    /// A login in progress, if it is there and not expired at `now`.
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails.
    fn load_login(&self, key: &str, now: UnixTime) -> Result<Option<String>, Error>;

    /// Forgets a login in progress.
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails.
    fn remove_login(&self, key: &str) -> Result<(), Error>;
}

/// The default store: everything in memory, behind one mutex. Lost on restart.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    users: HashMap<UserId, UserRecord>,
    logins: HashMap<String, (String, UnixTime)>,
    /// Which account holds each token or activation serial number.
    serials: HashMap<SerialNumber, UserId>,
    loads: u64,
}

/// The serial numbers an account state holds.
fn serials(state: &AccountState) -> impl Iterator<Item = SerialNumber> + '_ {
    let token = state.token.as_ref().map(|t| t.serial);
    let pending = state.pending.as_ref().map(|p| p.activation.serial());
    token.into_iter().chain(pending)
}

/// Expired logins are swept out once every this many loads, so that no request but one in a
/// thousand pays for a walk over all of them.
const SWEEP_EVERY: u64 = 1024;

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, Error> {
        self.inner
            .lock()
            .map_err(|_| Error::Store("a thread panicked while holding the store".into()))
    }
}

impl Store for MemoryStore {
    fn insert_user(&self, user: UserRecord) -> Result<(), Error> {
        let mut inner = self.lock()?;
        if inner.users.contains_key(&user.id) {
            return Err(Error::DuplicateUser);
        }
        inner.users.insert(user.id.clone(), user);
        Ok(())
    }

    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, Error> {
        Ok(self.lock()?.users.get(id).cloned())
    }

    fn update_account(&self, id: &UserId, update: &AccountUpdate) -> Result<bool, Error> {
        let mut inner = self.lock()?;
        let Inner {
            users,
            serials: index,
            ..
        } = &mut *inner;
        let Some(user) = users.get_mut(id) else {
            return Ok(false);
        };
        if user.account.version != update.expected_version
            || serials(&update.state).any(|s| index.get(&s).is_some_and(|owner| owner != id))
        {
            return Ok(false);
        }
        for serial in serials(&user.account.state) {
            index.remove(&serial);
        }
        for serial in serials(&update.state) {
            index.insert(serial, id.clone());
        }
        user.account.version += 1;
        user.account.state = update.state.clone();
        Ok(true)
    }

    fn save_login(&self, key: &str, state: &str, expires: UnixTime) -> Result<(), Error> {
        let mut inner = self.lock()?;
        inner
            .logins
            .insert(key.to_owned(), (state.to_owned(), expires));
        Ok(())
    }

    fn load_login(&self, key: &str, now: UnixTime) -> Result<Option<String>, Error> {
        let mut inner = self.lock()?;
        inner.loads += 1;
        if inner.loads.is_multiple_of(SWEEP_EVERY) {
            inner.logins.retain(|_, (_, expires)| *expires > now);
        }
        match inner.logins.get(key) {
            Some((_, expires)) if *expires <= now => {
                inner.logins.remove(key);
                Ok(None)
            }
            found => Ok(found.map(|(state, _)| state.clone())),
        }
    }

    fn remove_login(&self, key: &str) -> Result<(), Error> {
        self.lock()?.logins.remove(key);
        Ok(())
    }
}
