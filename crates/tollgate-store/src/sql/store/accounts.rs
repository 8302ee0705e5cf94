//! An account's row written in a commit: its sealed user under compare-and-set on the version,
//! its serial numbers with it, and the ledger moved on; and the same statements for a stand-in.

use tollgate_login::{Account, AccountUpdate, UserId};

use super::SqlStore;
use super::ledger::rows_with;
use crate::error::StoreError;
use crate::row::AccountRow;
use crate::sql::{Backend, Connection, SqlError, Value, failed, to_i64};

const UPDATE_ACCOUNT: &str =
    "UPDATE tollgate_users SET version = $3, state = $4 WHERE id = $1 AND version = $2";
pub(super) const DELETE_SERIALS: &str = "DELETE FROM tollgate_serials WHERE user_id = $1";
const STAND_IN_SERIALS: &str = "DELETE FROM tollgate_serials WHERE user_id = $1 \
     AND NOT EXISTS (SELECT 1 FROM tollgate_users WHERE id = $1)";
const INSERT_SERIAL: &str = "INSERT INTO tollgate_serials (serial, user_id) VALUES ($1, $2)";

/// Writes the account's new state, sealed with the password hash and contacts its row holds,
/// and its serial numbers; `Ok(false)` when the version moved or a serial number is another
/// account's. Every statement here has its twin in [`stand_in_account`], which a User ID that
/// is no account runs so that its step takes as long: a statement added here without one is a
/// round trip that tells a stranger which User IDs are accounts (`examples/reset_timing.rs`
/// measures it).
pub(super) fn write_account<B: Backend>(
    store: &SqlStore<B>,
    c: &mut dyn Connection,
    user: &UserId,
    update: &AccountUpdate,
) -> Result<bool, StoreError> {
    let bucket = store.locked_bucket(c, user)?;
    let Some(row) = bucket
        .row(user)
        .filter(|r| r.version == update.expected_version)
    else {
        return Ok(false);
    };
    let mut record = row.open(&store.keys)?;
    let version = update.expected_version.saturating_add(1);
    record.account = Account::new(
        version,
        record.account.mobile().cloned(),
        record.account.email().cloned(),
        update.state.clone(),
    );
    let sealed = store.seal(&record, version)?;
    let params = [
        user.as_str().into(),
        Value::Int(to_i64(update.expected_version, "version")?),
        Value::Int(to_i64(version, "version")?),
        Value::Blob(sealed.sealed.clone()),
    ];
    if c.execute(UPDATE_ACCOUNT, &params)
        .map_err(failed("update account"))?
        == 0
    {
        return Ok(false);
    }
    c.execute(DELETE_SERIALS, &[user.as_str().into()])
        .map_err(failed("update serials"))?;
    if !insert_serials(c, user, &sealed)? {
        return Ok(false);
    }
    let rows = rows_with(&bucket, user, Some((version, &sealed.sealed)));
    store.write_bucket(c, bucket, &rows)?;
    Ok(true)
}

/// The account write of a User ID that is no account, for its time: the same statements, the
/// update under a version no row has (versions are never negative), the serials' delete only
/// while there is no such account, and the ledger written again as it was (one write further
/// on), so that they change nothing even if the User ID has become an account since the step
/// was loaded.
pub(super) fn stand_in_account<B: Backend>(
    store: &SqlStore<B>,
    c: &mut dyn Connection,
    user: &UserId,
    row: &AccountRow,
) -> Result<(), StoreError> {
    let bucket = store.locked_bucket(c, user)?;
    let params = [
        user.as_str().into(),
        Value::Int(-1),
        Value::Int(0),
        Value::Blob(row.sealed.clone()),
    ];
    c.execute(UPDATE_ACCOUNT, &params)
        .map_err(failed("update account"))?;
    c.execute(STAND_IN_SERIALS, &[user.as_str().into()])
        .map_err(failed("update serials"))?;
    let rows = rows_with(&bucket, user, None);
    let rows = match bucket.row(user) {
        Some(r) => [rows, vec![(r.id.clone(), r.version, r.sealed.clone())]].concat(),
        None => rows,
    };
    store.write_bucket(c, bucket, &rows)
}

pub(super) fn insert_serials(
    c: &mut dyn Connection,
    user: &UserId,
    row: &AccountRow,
) -> Result<bool, StoreError> {
    for serial in &row.serials {
        match c.execute(
            INSERT_SERIAL,
            &[serial.as_str().into(), user.as_str().into()],
        ) {
            Ok(_) => {}
            Err(SqlError::UniqueViolation) => return Ok(false),
            Err(e) => return Err(failed("insert serial")(e)),
        }
    }
    Ok(true)
}
