//! Users outside a login: registering one, and what administrators and resets change (a
//! password hash, the contacts, a whole user: [`Store::set_password`](crate::Store::set_password),
//! [`Store::set_contacts`](crate::Store::set_contacts),
//! [`Store::delete_user`](crate::Store::delete_user)). Each is one transaction that checks the
//! user's bucket against the ledger, writes the row sealed whole, and moves the ledger on.

use tollgate_login::{Account, EmailAddress, PhoneNumber, UserId};

use super::ledger::rows_with;
use super::{DELETE_SERIALS, SqlStore, insert_serials};
use crate::error::StoreError;
use crate::ledger::Place;
use crate::sql::{Backend, Connection, Finish, SqlError, Value, failed, to_i64};
use crate::{PasswordHash, UserRecord};

const DELETE_USER: &str = "DELETE FROM tollgate_users WHERE id = $1";
const REWRITE_USER: &str = "UPDATE tollgate_users SET password_hash = $3, mobile = $4, \
     email = $5, version = $6, state = $7 WHERE id = $1 AND version = $2";
const INSERT_USER: &str = "INSERT INTO tollgate_users (id, password_hash, mobile, email, version, \
     state, bucket) VALUES ($1, $2, $3, $4, $5, $6, $7)";

impl<B: Backend> SqlStore<B> {
    /// [`Store::insert_user`](crate::Store::insert_user).
    pub(super) fn add_user(&self, user: UserRecord) -> Result<(), StoreError> {
        let version = user.account.version();
        let row = self.seal(&user, version)?;
        let params = [
            user.id.as_str().into(),
            user.password.as_str().into(),
            user.account.mobile().map(|m| m.as_str()).into(),
            user.account.email().map(|e| e.as_str()).into(),
            Value::Int(to_i64(version, "version")?),
            Value::Blob(row.sealed.clone()),
            Value::Int(Place::of(&user.id).bucket()),
        ];
        self.backend.write(|c| {
            let bucket = self.locked_bucket(c, &user.id)?;
            match c.execute(INSERT_USER, &params) {
                Ok(_) => {}
                Err(SqlError::UniqueViolation) => return Err(StoreError::DuplicateUser),
                Err(e) => return Err(failed("insert user")(e)),
            }
            if !insert_serials(c, &user.id, &row)? {
                return Err(StoreError::SerialTaken);
            }
            let rows = rows_with(&bucket, &user.id, Some((version, &row.sealed)));
            self.write_bucket(c, bucket, &rows)?;
            Ok(Finish::Commit(()))
        })
    }

    /// [`Store::set_password`](crate::Store::set_password).
    pub(super) fn store_password(
        &self,
        user: &UserId,
        password: &PasswordHash,
    ) -> Result<bool, StoreError> {
        self.rewrite(user, |record| record.password = password.clone())
    }

    /// [`Store::set_contacts`](crate::Store::set_contacts).
    pub(super) fn store_contacts(
        &self,
        user: &UserId,
        mobile: Option<&PhoneNumber>,
        email: Option<&EmailAddress>,
    ) -> Result<bool, StoreError> {
        self.rewrite(user, |record| {
            record.account = Account::new(
                record.account.version(),
                mobile.cloned(),
                email.cloned(),
                record.account.state().clone(),
            );
        })
    }

    /// Changes `user`'s record outside its state and writes it at the next version (so that a
    /// login that loaded the old one tries again on top of it); `Ok(false)` when there is no
    /// such user.
    fn rewrite(&self, user: &UserId, change: impl Fn(&mut UserRecord)) -> Result<bool, StoreError> {
        self.backend.write(|c| {
            let bucket = self.locked_bucket(c, user)?;
            let Some(row) = bucket.row(user) else {
                return Ok(Finish::Commit(false));
            };
            let mut record = row.open(&self.keys)?;
            change(&mut record);
            let version = row.version.saturating_add(1);
            let sealed = self.seal(&record, version)?;
            let params = [
                user.as_str().into(),
                Value::Int(to_i64(row.version, "version")?),
                record.password.as_str().into(),
                record.account.mobile().map(|m| m.as_str()).into(),
                record.account.email().map(|e| e.as_str()).into(),
                Value::Int(to_i64(version, "version")?),
                Value::Blob(sealed.sealed.clone()),
            ];
            // The root's lock is held: the version cannot have moved since the bucket was read.
            c.execute(REWRITE_USER, &params)
                .map_err(failed("rewrite a user"))?;
            let rows = rows_with(&bucket, user, Some((version, &sealed.sealed)));
            self.write_bucket(c, bucket, &rows)?;
            Ok(Finish::Commit(true))
        })
    }

    /// [`Store::delete_user`](crate::Store::delete_user).
    pub(super) fn remove_user(&self, user: &UserId) -> Result<bool, StoreError> {
        let params = [user.as_str().into()];
        self.backend.write(|c: &mut dyn Connection| {
            let bucket = self.locked_bucket(c, user)?;
            c.execute(DELETE_SERIALS, &params)
                .map_err(failed("delete a user's serial numbers"))?;
            let deleted = c
                .execute(DELETE_USER, &params)
                .map_err(failed("delete a user"))?;
            let rows = rows_with(&bucket, user, None);
            self.write_bucket(c, bucket, &rows)?;
            Ok(Finish::Commit(deleted == 1))
        })
    }
}
