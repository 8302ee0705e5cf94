//! Work over every account in batches: listing the User IDs, and re-sealing one account under
//! the current key ([`Store::users_after`](crate::Store::users_after),
//! [`Store::reseal`](crate::Store::reseal)).

use tollgate_login::{RingKey as _, UserId};

use super::{SqlStore, write_account};
use crate::Reseal;
use crate::error::StoreError;
use crate::row::AccountRow;
use crate::sql::{Backend, Finish, Value, failed, to_i64};

const SELECT_STATE: &str = "SELECT version, state FROM tollgate_users WHERE id = $1";
const FIRST_USERS: &str = "SELECT id FROM tollgate_users ORDER BY id LIMIT $1";
const USERS_AFTER: &str = "SELECT id FROM tollgate_users WHERE id > $1 ORDER BY id LIMIT $2";

/// How many times [`Store::reseal`](crate::Store::reseal) reads and writes again when logins keep moving an
/// account's version under it.
const RESEAL_TRIES: usize = 16;

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

    pub(super) fn reseal_account(&self, user: &UserId) -> Result<Reseal, StoreError> {
        let corrupt = || StoreError::Integrity(format!("the stored row of {user} is not valid"));
        for _ in 0..RESEAL_TRIES {
            let rows = self.backend.read(|c| {
                c.query(SELECT_STATE, &[user.as_str().into()])
                    .map_err(failed("read account"))
            })?;
            let Some(row) = rows.first() else {
                return Ok(Reseal::Gone);
            };
            let [Value::Int(version), Value::Blob(sealed)] = row.as_slice() else {
                return Err(corrupt());
            };
            if AccountRow::key_id(sealed) == Some(self.keys.current().id()) {
                return Ok(Reseal::Current);
            }
            let version = u64::try_from(*version).map_err(|_| corrupt())?;
            let state = AccountRow::open(sealed, user, version, &self.keys)?;
            let resealed = self.seal(&state, user, version.saturating_add(1))?;
            let written = self.backend.write(|c| {
                Ok(if write_account(c, user, version, &resealed)? {
                    Finish::Commit(true)
                } else {
                    Finish::Rollback(false)
                })
            })?;
            if written {
                return Ok(Reseal::Resealed);
            }
        }
        Ok(Reseal::Contended)
    }
}
