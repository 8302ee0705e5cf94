#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod pool;
mod row;
mod schema;

use std::time::Duration;

use postgres::error::SqlState;
use tollgate::login::{AccountUpdate, UserId};
use tollgate::otp::UnixTime;
use tollgate::store::{SealingKey, StoredAccount, login_digest};

use crate::row::{
    DELETE_LOGIN, SELECT_LOGIN, SELECT_USER, WRITE_LOGIN, WriteStatements, stored_user, to_i64,
    write_login, write_state,
};
use tollgate::{Error, Store, UserRecord};

pub use schema::SCHEMA_VERSION;

type Pool = r2d2::Pool<pool::Manager>;
type Client = r2d2::PooledConnection<pool::Manager>;

/// How many connections a store keeps by default.
pub const DEFAULT_POOL_SIZE: u32 = 16;

/// Expired logins are deleted once every this many loads.
const SWEEP_EVERY: u64 = 1024;

/// A [`Store`] in PostgreSQL, for several service nodes over one database: users, their
/// accounts (token secrets and activation codes sealed under a [`SealingKey`]), and logins in
/// progress (under a SHA-256 of their key), through a pool of connections.
pub struct PostgresStore {
    pool: Pool,
    key: SealingKey,
    loads: std::sync::atomic::AtomicU64,
}

impl core::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("pool", &self.pool.state())
            .finish_non_exhaustive()
    }
}

pub(crate) fn store_error(context: &str) -> impl FnOnce(postgres::Error) -> Error + '_ {
    move |e| Error::Store(format!("postgres: {context}: {e}"))
}

fn is_unique_violation(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`, or the key=value form) with a pool of
    /// [`DEFAULT_POOL_SIZE`] connections, and brings the schema up to [`SCHEMA_VERSION`].
    ///
    /// # Errors
    /// [`Error::Store`] when the URL is not valid, the server cannot be reached, or the
    /// database holds a schema newer than this version of the crate knows.
    pub fn connect(url: &str, key: SealingKey) -> Result<Self, Error> {
        Self::connect_with(url, key, DEFAULT_POOL_SIZE)
    }

    /// As [`PostgresStore::connect`], with `pool_size` connections at most.
    ///
    /// # Errors
    /// As [`PostgresStore::connect`].
    pub fn connect_with(url: &str, key: SealingKey, pool_size: u32) -> Result<Self, Error> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| Error::Store(format!("postgres: not a connection URL: {e}")))?;
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(30))
            // No round trip to test a connection at every checkout: a broken one fails its
            // query (the request reports a store error), and r2d2 drops it on return.
            .test_on_check_out(false)
            .build(pool::Manager(config))
            .map_err(|e| Error::Store(format!("postgres: cannot connect: {e}")))?;
        let store = Self {
            pool,
            key,
            loads: std::sync::atomic::AtomicU64::new(0),
        };
        schema::migrate(&mut store.client()?.client)?;
        Ok(store)
    }

    /// The schema version the database is at.
    ///
    /// # Errors
    /// [`Error::Store`] when the database fails.
    pub fn schema_version(&self) -> Result<u32, Error> {
        schema::version(&mut self.client()?.client)
    }

    fn client(&self) -> Result<Client, Error> {
        self.pool
            .get()
            .map_err(|e| Error::Store(format!("postgres: no connection: {e}")))
    }
}

impl PostgresStore {
    /// The compare-and-set, and the login saved with it, in one transaction.
    fn update(
        &self,
        id: &UserId,
        update: &AccountUpdate,
        login: Option<(&str, &str, i64)>,
    ) -> Result<bool, Error> {
        let stored = StoredAccount::seal(&update.state, id, &self.key)?;
        let expected = to_i64(update.expected_version)?;
        let mut connection = self.client()?;
        let sql = WriteStatements::on(&mut connection)?;
        let save = match login {
            Some(_) => Some(
                connection
                    .prepared(WRITE_LOGIN)
                    .map_err(store_error("prepare"))?,
            ),
            None => None,
        };
        let mut tx = connection
            .client
            .transaction()
            .map_err(store_error("begin"))?;
        match write_state(&mut tx, &sql, id, expected, &stored) {
            Ok(true) => {}
            // Dropping the transaction rolls it back.
            Ok(false) => return Ok(false),
            Err(e) if is_unique_violation(&e) => return Ok(false),
            Err(e) => return Err(store_error("update account")(e)),
        }
        if let (Some((key, state, expires)), Some(save)) = (login, save) {
            write_login(&mut tx, &save, key, state, expires).map_err(store_error("save login"))?;
        }
        tx.commit().map_err(store_error("commit"))?;
        Ok(true)
    }
}

impl Store for PostgresStore {
    fn insert_user(&self, user: UserRecord) -> Result<(), Error> {
        let stored = StoredAccount::seal(&user.account.state, &user.id, &self.key)?;
        let version = to_i64(user.account.version)?;
        let mut connection = self.client()?;
        let sql = WriteStatements::on(&mut connection)?;
        let mut tx = connection
            .client
            .transaction()
            .map_err(store_error("begin"))?;
        let inserted = tx.execute(
            "INSERT INTO tollgate_users (id, password_hash, mobile, email, version, \
               password_failures, code_failures, lockouts) \
             VALUES ($1, $2, $3, $4, $5, 0, 0, 0)",
            &[
                &user.id.as_str(),
                &user.password.as_str(),
                &user.account.mobile.as_ref().map(|m| m.as_str()),
                &user.account.email.as_ref().map(|e| e.as_str()),
                &version,
            ],
        );
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(Error::DuplicateUser),
            Err(e) => return Err(store_error("insert user")(e)),
        }
        // The state goes in through the same path as every update, then the version is put
        // back to what the record says.
        if !write_state(&mut tx, &sql, &user.id, version, &stored)
            .map_err(store_error("insert user"))?
        {
            return Err(Error::Store("postgres: the new user's row vanished".into()));
        }
        tx.execute(
            "UPDATE tollgate_users SET version = $2 WHERE id = $1",
            &[&user.id.as_str(), &version],
        )
        .map_err(store_error("insert user"))?;
        tx.commit().map_err(store_error("commit"))
    }

    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, Error> {
        let mut connection = self.client()?;
        let select = connection
            .prepared(SELECT_USER)
            .map_err(store_error("prepare"))?;
        let row = connection
            .client
            .query_opt(&select, &[&id.as_str()])
            .map_err(store_error("load user"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let stored = stored_user(&row).map_err(|_| {
            Error::Integrity(format!(
                "the stored row of {id} does not have the schema's types"
            ))
        })?;
        stored.open(id, &self.key).map(Some)
    }

    fn update_account(&self, id: &UserId, update: &AccountUpdate) -> Result<bool, Error> {
        self.update(id, update, None)
    }

    fn update_account_and_save_login(
        &self,
        id: &UserId,
        update: &AccountUpdate,
        key: &str,
        state: &str,
        expires: UnixTime,
    ) -> Result<bool, Error> {
        self.update(id, update, Some((key, state, to_i64(expires.as_secs())?)))
    }

    fn save_login(&self, key: &str, state: &str, expires: UnixTime) -> Result<(), Error> {
        let expires = to_i64(expires.as_secs())?;
        let mut connection = self.client()?;
        let save = connection
            .prepared(WRITE_LOGIN)
            .map_err(store_error("prepare"))?;
        write_login(&mut connection.client, &save, key, state, expires)
            .map_err(store_error("save login"))
    }

    fn load_login(&self, key: &str, now: UnixTime) -> Result<Option<String>, Error> {
        let now = to_i64(now.as_secs())?;
        let mut connection = self.client()?;
        let loads = self
            .loads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if loads % SWEEP_EVERY == SWEEP_EVERY - 1 {
            connection
                .client
                .execute(
                    "DELETE FROM tollgate_logins WHERE expires_at <= $1",
                    &[&now],
                )
                .map_err(store_error("sweep logins"))?;
        }
        let select = connection
            .prepared(SELECT_LOGIN)
            .map_err(store_error("prepare"))?;
        connection
            .client
            .query_opt(&select, &[&login_digest(key).as_slice(), &now])
            .map_err(store_error("load login"))?
            .map(|row| row.try_get(0).map_err(store_error("load login")))
            .transpose()
    }

    fn remove_login(&self, key: &str) -> Result<(), Error> {
        let mut connection = self.client()?;
        let delete = connection
            .prepared(DELETE_LOGIN)
            .map_err(store_error("prepare"))?;
        connection
            .client
            .execute(&delete, &[&login_digest(key).as_slice()])
            .map(drop)
            .map_err(store_error("remove login"))
    }
}
