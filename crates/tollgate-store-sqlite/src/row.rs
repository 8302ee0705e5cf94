//! A `users` row and a `logins` row, read and written.

use rusqlite::{Connection, Row, params};
use tollgate::Error;
use tollgate::login::UserId;
use tollgate::store::{StoredAccount, StoredPending, StoredToken, StoredUser, login_digest};

pub(crate) fn to_i64(value: u64) -> Result<i64, Error> {
    i64::try_from(value).map_err(|_| Error::Store(format!("{value} is beyond SQLite's integers")))
}

pub(crate) const SELECT_USER: &str = "SELECT id, password_hash, mobile, email, version, \
     password_failures, code_failures, lockouts, locked_until, \
     token_serial, token_secret, token_algorithm, token_digits, token_period, token_t0, \
     token_last_step, token_drift, \
     pending_serial, pending_activation_code, pending_policy, pending_expires_at, pending_kind \
     FROM users WHERE id = ?1";

/// A `users` row, selected with [`SELECT_USER`].
pub(crate) fn stored_row(row: &Row<'_>) -> rusqlite::Result<StoredUser> {
    let token = match row.get::<_, Option<String>>(9)? {
        Some(serial) => Some(StoredToken {
            serial,
            sealed_secret: row.get(10)?,
            algorithm: row.get(11)?,
            digits: row.get(12)?,
            period: row.get(13)?,
            t0: row.get(14)?,
            last_step: row.get(15)?,
            drift: row.get(16)?,
        }),
        None => None,
    };
    let pending = match row.get::<_, Option<String>>(17)? {
        Some(serial) => Some(StoredPending {
            serial,
            sealed_activation_code: row.get(18)?,
            policy: row.get(19)?,
            expires_at: row.get(20)?,
            kind: row.get(21)?,
        }),
        None => None,
    };
    Ok(StoredUser {
        password_hash: row.get(1)?,
        mobile: row.get(2)?,
        email: row.get(3)?,
        version: row.get(4)?,
        account: StoredAccount {
            password_failures: row.get(5)?,
            code_failures: row.get(6)?,
            lockouts: row.get(7)?,
            locked_until: row.get(8)?,
            token,
            pending,
        },
    })
}

/// Writes `stored` as the new state of `id`, if its version is still `expected`.
pub(crate) fn write_state(
    tx: &rusqlite::Transaction<'_>,
    id: &UserId,
    expected: i64,
    stored: &StoredAccount,
) -> rusqlite::Result<bool> {
    let token = stored.token.as_ref();
    let pending = stored.pending.as_ref();
    let changed = tx.execute(
        "UPDATE users SET version = version + 1, \
           password_failures = ?3, code_failures = ?4, lockouts = ?5, locked_until = ?6, \
           token_serial = ?7, token_secret = ?8, token_algorithm = ?9, token_digits = ?10, \
           token_period = ?11, token_t0 = ?12, token_last_step = ?13, token_drift = ?14, \
           pending_serial = ?15, pending_activation_code = ?16, pending_policy = ?17, \
           pending_expires_at = ?18, pending_kind = ?19 \
         WHERE id = ?1 AND version = ?2",
        params![
            id.as_str(),
            expected,
            stored.password_failures,
            stored.code_failures,
            stored.lockouts,
            stored.locked_until,
            token.map(|t| &t.serial),
            token.map(|t| &t.sealed_secret),
            token.map(|t| &t.algorithm),
            token.map(|t| t.digits),
            token.map(|t| t.period),
            token.map(|t| t.t0),
            token.and_then(|t| t.last_step),
            token.map(|t| t.drift),
            pending.map(|p| &p.serial),
            pending.map(|p| &p.sealed_activation_code),
            pending.and_then(|p| p.policy.as_ref()),
            pending.map(|p| p.expires_at),
            pending.map(|p| &p.kind),
        ],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM serials WHERE user_id = ?1", [id.as_str()])?;
    let serials = token
        .map(|t| &t.serial)
        .into_iter()
        .chain(pending.map(|p| &p.serial));
    for serial in serials {
        tx.execute(
            "INSERT INTO serials (serial, user_id) VALUES (?1, ?2)",
            params![serial, id.as_str()],
        )?;
    }
    Ok(true)
}

pub(crate) fn write_login(
    c: &Connection,
    key: &str,
    state: &str,
    expires: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO logins (id, state, expires_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at",
    )?
    .execute(params![login_digest(key), state, expires])
    .map(drop)
}
