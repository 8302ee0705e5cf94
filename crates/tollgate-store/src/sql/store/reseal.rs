//! Work over every account in batches: listing the User IDs, and re-sealing one account under
//! the current key ([`Store::users_after`](crate::Store::users_after),
//! [`Store::reseal`](crate::Store::reseal)).

use tollgate_login::{Account, Change, DriveError, RingKey as _, UserId, change_account};

use super::SqlStore;
use crate::Reseal;
use crate::error::StoreError;
use crate::row::AccountRow;
use crate::sql::{Backend, Value, failed, to_i64};

const SELECT_STATE: &str = "SELECT version, state FROM tollgate_users WHERE id = $1";
const FIRST_USERS: &str = "SELECT id FROM tollgate_users ORDER BY id LIMIT $1";
const USERS_AFTER: &str = "SELECT id FROM tollgate_users WHERE id > $1 ORDER BY id LIMIT $2";

impl<B: Backend> SqlStore<B> {
    pub(super) fn list_users(
        &self,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<UserId>, StoreError> {
        let limit = Value::Int(to_i64(limit as u64, "limit")?);
        let rows = self.backend.read(|c| {
            match after {
                None => c.query(FIRST_USERS, &[limit]),
                Some(after) => c.query(USERS_AFTER, &[after.as_str().into(), limit]),
            }
            .map_err(failed("list users"))
        })?;
        rows.iter()
            .map(|row| match row.first() {
                Some(Value::Text(id)) => id.parse().map_err(|_| {
                    StoreError::Integrity(format!("the stored User ID {id:?} is not valid"))
                }),
                _ => Err(StoreError::Integrity("a User ID is not text".into())),
            })
            .collect()
    }

    /// Re-seals `user`'s account under the current key: a row already under it is left as it
    /// is; any other is stored again unchanged through the account's one change loop
    /// ([`change_account`]), which seals under the current key and retries while logins move
    /// the version under it.
    pub(super) fn reseal_account(&self, user: &UserId) -> Result<Reseal, StoreError> {
        let corrupt = || StoreError::Integrity(format!("the stored row of {user} is not valid"));
        let rows = self.backend.read(|c| {
            c.query(SELECT_STATE, &[user.as_str().into()])
                .map_err(failed("read account"))
        })?;
        let Some(row) = rows.first() else {
            return Ok(Reseal::Gone);
        };
        let [Value::Int(_), Value::Blob(sealed)] = row.as_slice() else {
            return Err(corrupt());
        };
        if AccountRow::key_id(sealed) == Some(self.keys.current().id()) {
            return Ok(Reseal::Current);
        }
        let same = |account: &Account| Change::Store(account.state().clone(), ());
        match change_account(self, user, same) {
            Ok(Some(())) => Ok(Reseal::Resealed),
            Ok(None) => Ok(Reseal::Gone),
            Err(DriveError::Store(e)) => Err(e),
            Err(_) => Ok(Reseal::Contended),
        }
    }
}
