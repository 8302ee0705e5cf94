#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod pool;
mod schema;

use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Row, Statement, Transaction};
use sha2::{Digest, Sha256};
use tollgate::login::{AccountUpdate, UserId};
use tollgate::otp::UnixTime;
use tollgate::store::{SealingKey, StoredAccount, StoredPending, StoredToken, StoredUser};
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

fn store_error(context: &str) -> impl FnOnce(postgres::Error) -> Error + '_ {
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

/// Logins in progress are stored under a hash of their key: the key is the session's bearer
/// secret, and a copy of the table must not let anyone step into a login.
fn login_id(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

fn to_i64(value: u64) -> Result<i64, Error> {
    i64::try_from(value).map_err(|_| Error::Store(format!("{value} is beyond PostgreSQL's bigint")))
}

const SELECT_USER: &str = "SELECT password_hash, mobile, email, version, \
     password_failures, code_failures, lockouts, locked_until, \
     token_serial, token_secret, token_algorithm, token_digits, token_period, token_t0, \
     token_last_step, token_drift, \
     pending_serial, pending_activation_code, pending_policy, pending_expires_at, pending_kind \
     FROM tollgate_users WHERE id = $1";

fn stored_user(row: &Row) -> Result<StoredUser, postgres::Error> {
    let token = match row.try_get::<_, Option<String>>(8)? {
        Some(serial) => Some(StoredToken {
            serial,
            sealed_secret: row.try_get(9)?,
            algorithm: row.try_get(10)?,
            digits: row.try_get(11)?,
            period: row.try_get(12)?,
            t0: row.try_get(13)?,
            last_step: row.try_get(14)?,
            drift: row.try_get(15)?,
        }),
        None => None,
    };
    let pending = match row.try_get::<_, Option<String>>(16)? {
        Some(serial) => Some(StoredPending {
            serial,
            sealed_activation_code: row.try_get(17)?,
            policy: row.try_get(18)?,
            expires_at: row.try_get(19)?,
            kind: row.try_get(20)?,
        }),
        None => None,
    };
    Ok(StoredUser {
        password_hash: row.try_get(0)?,
        mobile: row.try_get(1)?,
        email: row.try_get(2)?,
        version: row.try_get(3)?,
        account: StoredAccount {
            password_failures: row.try_get(4)?,
            code_failures: row.try_get(5)?,
            lockouts: row.try_get(6)?,
            locked_until: row.try_get(7)?,
            token,
            pending,
        },
    })
}

/// Writes `stored` as the new state of `id`, if its version is still `expected`. Under READ
/// COMMITTED, a second writer waits for the first's row lock, then re-checks `version` against
/// the committed row and matches nothing.
fn write_state(
    tx: &mut Transaction<'_>,
    sql: &WriteStatements,
    id: &UserId,
    expected: i64,
    stored: &StoredAccount,
) -> Result<bool, postgres::Error> {
    let token = stored.token.as_ref();
    let pending = stored.pending.as_ref();
    let changed = tx.execute(
        &sql.update,
        &[
            &id.as_str(),
            &expected,
            &stored.password_failures,
            &stored.code_failures,
            &stored.lockouts,
            &stored.locked_until,
            &token.map(|t| &t.serial),
            &token.map(|t| &t.sealed_secret),
            &token.map(|t| &t.algorithm),
            &token.map(|t| t.digits),
            &token.map(|t| t.period),
            &token.map(|t| t.t0),
            &token.and_then(|t| t.last_step),
            &token.map(|t| t.drift),
            &pending.map(|p| &p.serial),
            &pending.map(|p| &p.sealed_activation_code),
            &pending.and_then(|p| p.policy.as_ref()),
            &pending.map(|p| p.expires_at),
            &pending.map(|p| &p.kind),
        ],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    tx.execute(&sql.delete_serials, &[&id.as_str()])?;
    let serials = token
        .map(|t| &t.serial)
        .into_iter()
        .chain(pending.map(|p| &p.serial));
    for serial in serials {
        tx.execute(&sql.insert_serial, &[serial, &id.as_str()])?;
    }
    Ok(true)
}

fn write_login(
    client: &mut impl postgres::GenericClient,
    statement: &Statement,
    key: &str,
    state: &str,
    expires: i64,
) -> Result<(), postgres::Error> {
    client
        .execute(statement, &[&login_id(key), &state, &expires])
        .map(drop)
}

const UPDATE_STATE: &str = "UPDATE tollgate_users SET version = version + 1, \
       password_failures = $3, code_failures = $4, lockouts = $5, locked_until = $6, \
       token_serial = $7, token_secret = $8, token_algorithm = $9, token_digits = $10, \
       token_period = $11, token_t0 = $12, token_last_step = $13, token_drift = $14, \
       pending_serial = $15, pending_activation_code = $16, pending_policy = $17, \
       pending_expires_at = $18, pending_kind = $19 \
     WHERE id = $1 AND version = $2";
const DELETE_SERIALS: &str = "DELETE FROM tollgate_serials WHERE user_id = $1";
const INSERT_SERIAL: &str = "INSERT INTO tollgate_serials (serial, user_id) VALUES ($1, $2)";
const WRITE_LOGIN: &str = "INSERT INTO tollgate_logins (id, state, expires_at) \
     VALUES ($1, $2, $3) \
     ON CONFLICT (id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at";
const SELECT_LOGIN: &str = "SELECT state FROM tollgate_logins WHERE id = $1 AND expires_at > $2";
const DELETE_LOGIN: &str = "DELETE FROM tollgate_logins WHERE id = $1";

/// The statements an account update runs, prepared on its connection.
struct WriteStatements {
    update: Statement,
    delete_serials: Statement,
    insert_serial: Statement,
}

impl WriteStatements {
    fn on(connection: &mut pool::Connection) -> Result<Self, Error> {
        let prepare =
            |c: &mut pool::Connection, sql| c.prepared(sql).map_err(store_error("prepare"));
        Ok(Self {
            update: prepare(connection, UPDATE_STATE)?,
            delete_serials: prepare(connection, DELETE_SERIALS)?,
            insert_serial: prepare(connection, INSERT_SERIAL)?,
        })
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
            .query_opt(&select, &[&login_id(key), &now])
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
            .execute(&delete, &[&login_id(key)])
            .map(drop)
            .map_err(store_error("remove login"))
    }
}
