//! A `tollgate_users` row and a `tollgate_logins` row, read and written, with the statements
//! that do it.

use postgres::{Row, Statement, Transaction};
use tollgate::Error;
use tollgate::login::UserId;
use tollgate::store::{StoredAccount, StoredPending, StoredToken, StoredUser, login_digest};

use crate::{pool, store_error};

pub(crate) fn to_i64(value: u64) -> Result<i64, Error> {
    i64::try_from(value).map_err(|_| Error::Store(format!("{value} is beyond PostgreSQL's bigint")))
}

pub(crate) const SELECT_USER: &str = "SELECT password_hash, mobile, email, version, \
     password_failures, code_failures, lockouts, locked_until, \
     token_serial, token_secret, token_algorithm, token_digits, token_period, token_t0, \
     token_last_step, token_drift, \
     pending_serial, pending_activation_code, pending_policy, pending_expires_at, pending_kind \
     FROM tollgate_users WHERE id = $1";

pub(crate) fn stored_user(row: &Row) -> Result<StoredUser, postgres::Error> {
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
pub(crate) fn write_state(
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

pub(crate) fn write_login(
    client: &mut impl postgres::GenericClient,
    statement: &Statement,
    key: &str,
    state: &str,
    expires: i64,
) -> Result<(), postgres::Error> {
    client
        .execute(
            statement,
            &[&login_digest(key).as_slice(), &state, &expires],
        )
        .map(drop)
}

pub(crate) const UPDATE_STATE: &str = "UPDATE tollgate_users SET version = version + 1, \
       password_failures = $3, code_failures = $4, lockouts = $5, locked_until = $6, \
       token_serial = $7, token_secret = $8, token_algorithm = $9, token_digits = $10, \
       token_period = $11, token_t0 = $12, token_last_step = $13, token_drift = $14, \
       pending_serial = $15, pending_activation_code = $16, pending_policy = $17, \
       pending_expires_at = $18, pending_kind = $19 \
     WHERE id = $1 AND version = $2";
pub(crate) const DELETE_SERIALS: &str = "DELETE FROM tollgate_serials WHERE user_id = $1";
pub(crate) const INSERT_SERIAL: &str =
    "INSERT INTO tollgate_serials (serial, user_id) VALUES ($1, $2)";
pub(crate) const WRITE_LOGIN: &str = "INSERT INTO tollgate_logins (id, state, expires_at) \
     VALUES ($1, $2, $3) \
     ON CONFLICT (id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at";
pub(crate) const SELECT_LOGIN: &str =
    "SELECT state FROM tollgate_logins WHERE id = $1 AND expires_at > $2";
pub(crate) const DELETE_LOGIN: &str = "DELETE FROM tollgate_logins WHERE id = $1";

/// The statements an account update runs, prepared on its connection.
pub(crate) struct WriteStatements {
    update: Statement,
    delete_serials: Statement,
    insert_serial: Statement,
}

impl WriteStatements {
    pub(crate) fn on(connection: &mut pool::Connection) -> Result<Self, Error> {
        let prepare =
            |c: &mut pool::Connection, sql| c.prepared(sql).map_err(store_error("prepare"));
        Ok(Self {
            update: prepare(connection, UPDATE_STATE)?,
            delete_serials: prepare(connection, DELETE_SERIALS)?,
            insert_serial: prepare(connection, INSERT_SERIAL)?,
        })
    }
}
