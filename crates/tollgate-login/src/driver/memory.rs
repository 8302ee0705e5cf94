//! A [`LoginStore`] in memory: for simulators, tests, benchmarks and fuzzing, and the base of
//! the `tollgate-store` crate's memory store.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use tollgate_codes::SerialNumber;
use tollgate_otp::UnixTime;

use super::{Commit, LoginStore};
use crate::account::Account;
use crate::sealed::{LoginDigest, SealedLogin};
use crate::user::UserId;

/// Accounts and stored logins in memory, behind one mutex: every [`Commit`] is atomic.
/// Expired logins are swept out once every 1024 loads.
#[derive(Debug, Default)]
pub struct MemoryLoginStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    accounts: HashMap<UserId, Account>,
    /// Which account holds each token or activation serial number.
    /// What accounts hold uniquely ([`AccountState::claims`](crate::AccountState::claims)).
    serials: HashMap<String, UserId>,
    logins: HashMap<LoginDigest, SealedLogin>,
    loads: u64,
}

/// A thread panicked while it held the store's lock; the store is not used again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a thread panicked while holding the memory store")]
pub struct Poisoned;

/// Expired logins are swept out once every this many loads, so that no request but one in a
/// thousand pays for a walk over all of them.
const SWEEP_EVERY: u64 = 1024;

impl MemoryLoginStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, Poisoned> {
        self.inner.lock().map_err(|_| Poisoned)
    }

    /// Adds an account; `Ok(false)` when the User ID or one of the state's serial numbers is
    /// taken.
    ///
    /// # Errors
    /// [`Poisoned`].
    pub fn insert_account(&self, user: UserId, account: Account) -> Result<bool, Poisoned> {
        let mut inner = self.lock()?;
        let Inner {
            accounts, serials, ..
        } = &mut *inner;
        if accounts.contains_key(&user) || account.state.claims().any(|s| serials.contains_key(&s))
        {
            return Ok(false);
        }
        for serial in account.state.claims() {
            serials.insert(serial, user.clone());
        }
        accounts.insert(user, account);
        Ok(true)
    }

    /// Replaces an account's mobile number and e-mail address; `Ok(false)` when there is no
    /// such account.
    ///
    /// # Errors
    /// [`Poisoned`].
    pub fn set_contacts(
        &self,
        user: &UserId,
        mobile: Option<crate::PhoneNumber>,
        email: Option<crate::EmailAddress>,
    ) -> Result<bool, Poisoned> {
        let mut inner = self.lock()?;
        let Some(account) = inner.accounts.get_mut(user) else {
            return Ok(false);
        };
        account.mobile = mobile;
        account.email = email;
        Ok(true)
    }

    /// Removes an account and frees its serial numbers; `Ok(false)` when there was none.
    ///
    /// # Errors
    /// [`Poisoned`].
    pub fn remove_account(&self, user: &UserId) -> Result<bool, Poisoned> {
        let mut inner = self.lock()?;
        let Inner {
            accounts, serials, ..
        } = &mut *inner;
        let Some(account) = accounts.remove(user) else {
            return Ok(false);
        };
        for serial in account.state.claims() {
            serials.remove(&serial);
        }
        Ok(true)
    }

    /// The stored login under `digest`, expired or not: for tests that play a database
    /// writer.
    ///
    /// # Errors
    /// [`Poisoned`].
    pub fn raw_login(&self, digest: &LoginDigest) -> Result<Option<SealedLogin>, Poisoned> {
        Ok(self.lock()?.logins.get(digest).cloned())
    }

    /// Files `row` under `digest` as it is, bypassing every check: for tests that play a
    /// database writer.
    ///
    /// # Errors
    /// [`Poisoned`].
    pub fn put_raw_login(&self, digest: LoginDigest, row: SealedLogin) -> Result<(), Poisoned> {
        self.lock()?.logins.insert(digest, row);
        Ok(())
    }

    /// How many logins are filed.
    ///
    /// # Errors
    /// [`Poisoned`].
    pub fn logins(&self) -> Result<usize, Poisoned> {
        Ok(self.lock()?.logins.len())
    }
}

impl LoginStore for MemoryLoginStore {
    type Error = Poisoned;

    fn account(&self, user: &UserId) -> Result<Option<Account>, Poisoned> {
        Ok(self.lock()?.accounts.get(user).cloned())
    }

    fn login(&self, digest: &LoginDigest, now: UnixTime) -> Result<Option<SealedLogin>, Poisoned> {
        let mut inner = self.lock()?;
        inner.loads += 1;
        if inner.loads.is_multiple_of(SWEEP_EVERY) {
            inner.logins.retain(|_, row| row.expires > now);
        }
        Ok(inner
            .logins
            .get(digest)
            .filter(|row| row.expires > now)
            .cloned())
    }

    fn user_of_serial(&self, serial: &SerialNumber) -> Result<Option<UserId>, Poisoned> {
        Ok(self.lock()?.serials.get(&serial.to_string()).cloned())
    }

    fn user_of_passkey(&self, credential: &[u8]) -> Result<Option<UserId>, Poisoned> {
        let claim = crate::AccountState::passkey_claim(credential);
        Ok(self.lock()?.serials.get(&claim).cloned())
    }

    fn commit(&self, commit: &Commit<'_>) -> Result<bool, Poisoned> {
        let mut inner = self.lock()?;
        let Inner {
            accounts,
            serials,
            logins,
            ..
        } = &mut *inner;
        // Every condition first, then every change: all or nothing.
        if let Some((user, update)) = commit.account {
            let Some(account) = accounts.get(user) else {
                return Ok(false);
            };
            let taken = update
                .state
                .claims()
                .any(|s| serials.get(&s).is_some_and(|owner| owner != user));
            if account.version != update.expected_version || taken {
                return Ok(false);
            }
        }
        match commit.replaces {
            Some((digest, version)) => {
                if logins.get(digest).is_none_or(|row| row.version != version) {
                    return Ok(false);
                }
            }
            None => {
                if commit
                    .login
                    .is_some_and(|(digest, _)| logins.contains_key(digest))
                {
                    return Ok(false);
                }
            }
        }
        if let Some((user, update)) = commit.account
            && let Some(account) = accounts.get_mut(user)
        {
            for serial in account.state.claims() {
                serials.remove(&serial);
            }
            for serial in update.state.claims() {
                serials.insert(serial, user.clone());
            }
            account.version += 1;
            account.state = update.state.clone();
        }
        if let Some((digest, _)) = commit.replaces {
            logins.remove(digest);
        }
        if let Some((digest, row)) = commit.login {
            logins.insert(*digest, row.clone());
        }
        Ok(true)
    }
}
