//! The statements and every rule of reading and writing them, over a [`Backend`].

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tollgate_codes::SerialNumber;
use tollgate_login::{
    Account, Commit, EmailAddress, LoginDigest, LoginStore, PhoneNumber, SealedLogin, UserId,
};
use tollgate_otp::UnixTime;

use super::{Backend, Connection, Finish, SqlError, Value, failed, to_i64};
use crate::error::StoreError;
use crate::row::AccountRow;
use crate::sealing::SealingKeys;
use crate::{PasswordHash, Reseal, SharedRng, Store, UserRecord};

mod accounts;
mod audit;
#[cfg(feature = "signing")]
mod credentials;
mod ledger;
mod reseal;
mod serials;
mod sessions;
mod users;

use accounts::{DELETE_SERIALS, insert_serials, stand_in_account, write_account};
pub use ledger::build_ledger;
const SELECT_LOGIN: &str =
    "SELECT version, state, expires_at FROM tollgate_logins WHERE id = $1 AND expires_at > $2";
const INSERT_LOGIN: &str =
    "INSERT INTO tollgate_logins (id, version, state, expires_at) VALUES ($1, $2, $3, $4)";
const UPDATE_LOGIN: &str = "UPDATE tollgate_logins SET version = $3, state = $4, expires_at = $5 \
     WHERE id = $1 AND version = $2";
const DELETE_LOGIN: &str = "DELETE FROM tollgate_logins WHERE id = $1 AND version = $2";
const SWEEP_LOGINS: &str = "DELETE FROM tollgate_logins WHERE expires_at <= $1";
// $2 is now, $3 the window: an ended window starts again at now with one failure.
const COUNT_CLIENT: &str = "INSERT INTO tollgate_throttle (client, window_start, failures) \
     VALUES ($1, $2, 1) ON CONFLICT (client) DO UPDATE SET \
     failures = CASE WHEN tollgate_throttle.window_start + $3 <= $2 THEN 1 \
     ELSE tollgate_throttle.failures + 1 END, \
     window_start = CASE WHEN tollgate_throttle.window_start + $3 <= $2 THEN $2 \
     ELSE tollgate_throttle.window_start END";
const CLIENT_FAILURES: &str =
    "SELECT failures FROM tollgate_throttle WHERE client = $1 AND window_start + $3 > $2";
const SWEEP_CLIENTS: &str = "DELETE FROM tollgate_throttle WHERE window_start + $2 <= $1";

/// Expired logins are deleted once every this many loads.
const SWEEP_EVERY: u64 = 1024;

/// A [`Store`] on a SQL [`Backend`]: users with their sealed states, the serial numbers they
/// hold, and stored logins under their digests. Every rule of the database stores is here;
/// a backend only runs statements.
pub struct SqlStore<B> {
    backend: B,
    keys: SealingKeys,
    rng: Mutex<SharedRng>,
    loads: AtomicU64,
    session_writes: AtomicU64,
    /// The highest write of the [`ledger`](crate::ledger) this handle has seen: a root below it
    /// means the database went back.
    pinned: AtomicU64,
}

impl<B> core::fmt::Debug for SqlStore<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SqlStore").finish_non_exhaustive()
    }
}

impl<B: Backend> SqlStore<B> {
    /// A store on `backend` (whose schema is at version 3), sealing under `keys`' current key
    /// (and opening under any of them) with nonces from `rng`.
    pub fn new(backend: B, keys: impl Into<SealingKeys>, rng: SharedRng) -> Self {
        Self {
            backend,
            keys: keys.into(),
            rng: Mutex::new(rng),
            loads: AtomicU64::new(0),
            session_writes: AtomicU64::new(0),
            pinned: AtomicU64::new(0),
        }
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// `user` sealed whole at `version`.
    fn seal(&self, user: &UserRecord, version: u64) -> Result<AccountRow, StoreError> {
        let mut rng = self.rng.lock().map_err(|_| tollgate_login::Poisoned)?;
        Ok(AccountRow::seal_user(user, version, &self.keys, &mut **rng))
    }
}

/// A client's key, now and the window, as the throttle's statements take them.
fn throttle_params(
    client: &crate::ClientKey,
    now: UnixTime,
    window: u64,
) -> Result<[Value; 3], StoreError> {
    Ok([
        Value::Blob(client.0.to_vec()),
        Value::Int(to_i64(now.as_secs(), "time")?),
        Value::Int(to_i64(window, "window")?),
    ])
}

fn login_params(digest: &LoginDigest, row: &SealedLogin) -> Result<[Value; 4], StoreError> {
    Ok([
        Value::Blob(digest.as_bytes().to_vec()),
        Value::Int(to_i64(row.version, "login version")?),
        Value::Text(row.text.clone()),
        Value::Int(to_i64(row.expires.as_secs(), "login expiry")?),
    ])
}

/// Removes or replaces the stored login, then files the new one; `Ok(false)` when a condition
/// of [`Commit`] does not hold.
fn write_login(c: &mut dyn Connection, commit: &Commit<'_>) -> Result<bool, StoreError> {
    match (commit.replaces, commit.login) {
        (Some((from, version)), Some((to, row))) if from == to => {
            let [id, new_version, state, expires] = login_params(to, row)?;
            let params = [
                id,
                Value::Int(to_i64(version, "login version")?),
                new_version,
                state,
                expires,
            ];
            Ok(c.execute(UPDATE_LOGIN, &params)
                .map_err(failed("update login"))?
                == 1)
        }
        (replaces, login) => {
            if let Some((from, version)) = replaces {
                let params = [
                    Value::Blob(from.as_bytes().to_vec()),
                    Value::Int(to_i64(version, "login version")?),
                ];
                if c.execute(DELETE_LOGIN, &params)
                    .map_err(failed("remove login"))?
                    == 0
                {
                    return Ok(false);
                }
            }
            if let Some((to, row)) = login {
                match c.execute(INSERT_LOGIN, &login_params(to, row)?) {
                    Ok(_) => {}
                    Err(SqlError::UniqueViolation) => return Ok(false),
                    Err(e) => return Err(failed("save login")(e)),
                }
            }
            Ok(true)
        }
    }
}

impl<B: Backend> LoginStore for SqlStore<B> {
    type Error = StoreError;

    fn account(&self, user: &UserId) -> Result<Option<Account>, StoreError> {
        Ok(self.user(user)?.map(|u| u.account))
    }

    fn login(
        &self,
        digest: &LoginDigest,
        now: UnixTime,
    ) -> Result<Option<SealedLogin>, StoreError> {
        let now = to_i64(now.as_secs(), "time")?;
        let sweep = self.loads.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1;
        if sweep {
            self.backend.write(|c| {
                c.execute(SWEEP_LOGINS, &[Value::Int(now)])
                    .map_err(failed("sweep logins"))?;
                Ok(Finish::Commit(()))
            })?;
        }
        let rows = self.backend.read(|c| {
            c.query(
                SELECT_LOGIN,
                &[Value::Blob(digest.as_bytes().to_vec()), Value::Int(now)],
            )
            .map_err(failed("load login"))
        })?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(None);
        };
        match row.as_slice() {
            [Value::Int(version), Value::Text(text), Value::Int(expires)] => {
                Ok(Some(SealedLogin {
                    version: u64::try_from(*version).map_err(|_| {
                        StoreError::Integrity("a stored login's version is negative".into())
                    })?,
                    expires: UnixTime::from_secs(u64::try_from(*expires).unwrap_or(0)),
                    text: text.clone(),
                }))
            }
            _ => Err(StoreError::Integrity(
                "a stored login's row has the wrong types".into(),
            )),
        }
    }

    fn user_of_serial(&self, serial: &SerialNumber) -> Result<Option<UserId>, StoreError> {
        serials::user_of(&self.backend, &serial.to_string())
    }

    fn user_of_passkey(&self, credential: &[u8]) -> Result<Option<UserId>, StoreError> {
        let claim = tollgate_login::AccountState::passkey_claim(credential);
        serials::user_of(&self.backend, &claim)
    }

    fn commit(&self, commit: &Commit<'_>) -> Result<bool, StoreError> {
        // A User ID that is no account: a row sealed as a real one would be, for the same
        // statements on no row.
        let stand_in = match (commit.stand_in, commit.account) {
            (Some(user), None) => {
                let nobody = UserRecord {
                    id: user.clone(),
                    password: PasswordHash::from_phc(String::new()),
                    account: Account::new(0, None, None, Default::default()),
                };
                Some((user, self.seal(&nobody, 1)?))
            }
            _ => None,
        };
        // A step that changes no account (nor stands in for one, whose time must match a real
        // account's) only moves a login in progress on: a crash that loses it costs its client
        // a new start, so its commit waits for no disk. A step that changes an account (a code
        // spent, a failure counted) is synced before it is answered.
        let durable = commit.account.is_some() || stand_in.is_some();
        let write = |c: &mut dyn Connection| {
            if let Some((user, update)) = commit.account
                && !write_account(self, c, user, update)?
            {
                return Ok(Finish::Rollback(false));
            }
            if let Some((user, row)) = &stand_in {
                stand_in_account(self, c, user, row)?;
            }
            if !write_login(c, commit)? {
                return Ok(Finish::Rollback(false));
            }
            Ok(Finish::Commit(true))
        };
        if durable {
            self.backend.write(write)
        } else {
            self.backend.write_unsynced(write)
        }
    }
}

impl<B: Backend> Store for SqlStore<B> {
    fn set_password(&self, user: &UserId, password: PasswordHash) -> Result<bool, StoreError> {
        self.store_password(user, &password)
    }

    fn set_contacts(
        &self,
        user: &UserId,
        mobile: Option<&PhoneNumber>,
        email: Option<&EmailAddress>,
    ) -> Result<bool, StoreError> {
        self.store_contacts(user, mobile, email)
    }

    fn delete_user(&self, user: &UserId) -> Result<bool, StoreError> {
        self.remove_user(user)
    }

    fn users_after(&self, after: Option<&UserId>, limit: usize) -> Result<Vec<UserId>, StoreError> {
        self.list_users(after, limit)
    }

    fn reseal(&self, user: &UserId) -> Result<Reseal, StoreError> {
        self.reseal_account(user)
    }

    fn insert_user(&self, user: UserRecord) -> Result<(), StoreError> {
        self.add_user(user)
    }

    fn append_audit(&self, record: &crate::AuditRecord) -> Result<(), StoreError> {
        self.add_audit(record)
    }

    fn audit_of(&self, user: &UserId, limit: usize) -> Result<Vec<crate::AuditRecord>, StoreError> {
        self.audit_trail(user, limit)
    }

    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        let bucket = self.bucket(id)?;
        bucket.row(id).map(|row| row.open(&self.keys)).transpose()
    }

    fn count_client_failure(
        &self,
        client: &crate::ClientKey,
        now: UnixTime,
        window: u64,
    ) -> Result<(), StoreError> {
        let params = throttle_params(client, now, window)?;
        let sweep = self
            .loads
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY);
        self.backend.write(|c| {
            if sweep {
                c.execute(SWEEP_CLIENTS, &params[1..])
                    .map_err(failed("sweep the client counts"))?;
            }
            c.execute(COUNT_CLIENT, &params)
                .map_err(failed("count a client's failure"))?;
            Ok(Finish::Commit(()))
        })
    }

    fn client_failures(
        &self,
        client: &crate::ClientKey,
        now: UnixTime,
        window: u64,
    ) -> Result<u64, StoreError> {
        let params = throttle_params(client, now, window)?;
        let rows = self.backend.read(|c| {
            c.query(CLIENT_FAILURES, &params)
                .map_err(failed("load a client's failures"))
        })?;
        Ok(match rows.first().and_then(|r| r.first()) {
            Some(Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
            _ => 0,
        })
    }
}
