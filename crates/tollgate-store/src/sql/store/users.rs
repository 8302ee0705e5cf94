//! Users outside a login: registering one, and what administrators and resets change (a
//! password hash, the contacts, a whole user:[`Store::set_password`](crate::Store::set_password),
//! [`Store::set_contacts`](crate::Store::set_contacts),
//! [`Store::delete_user`](crate::Store::delete_user)).

use tollgate_login::{EmailAddress, PhoneNumber, UserId};

use super::{DELETE_SERIALS, SqlStore, insert_serials};
use crate::error::StoreError;
use crate::sql::{Backend, Finish, SqlError, Value, failed, to_i64};
use crate::{PasswordHash, UserRecord};

const SET_PASSWORD: &str = "UPDATE tollgate_users SET password_hash = $2 WHERE id = $1";
const DELETE_USER: &str = "DELETE FROM tollgate_users WHERE id = $1";
const SET_CONTACTS: &str = "UPDATE tollgate_users SET mobile = $2, email = $3 WHERE id = $1";
const INSERT_USER: &str = "INSERT INTO tollgate_users (id, password_hash, mobile, email, version, \
     state) VALUES ($1, $2, $3, $4, $5, $6)";

impl<B: Backend> SqlStore<B> {
    /// [`Store::insert_user`](crate::Store::insert_user).
    pub(super) fn add_user(&self, user: UserRecord) -> Result<(), StoreError> {
        let row = self.seal(user.account.state(), &user.id, user.account.version())?;
        let params = [
            user.id.as_str().into(),
            user.password.as_str().into(),
            user.account.mobile().map(|m| m.as_str()).into(),
            user.account.email().map(|e| e.as_str()).into(),
            Value::Int(to_i64(user.account.version(), "version")?),
            Value::Blob(row.sealed.clone()),
        ];
        self.backend.write(|c| {
            match c.execute(INSERT_USER, &params) {
                Ok(_) => {}
                Err(SqlError::UniqueViolation) => return Err(StoreError::DuplicateUser),
                Err(e) => return Err(failed("insert user")(e)),
            }
            if insert_serials(c, &user.id, &row)? {
                Ok(Finish::Commit(()))
            } else {
                Err(StoreError::SerialTaken)
            }
        })
    }

    /// [`Store::set_password`](crate::Store::set_password).
    pub(super) fn store_password(
        &self,
        user: &UserId,
        password: &PasswordHash,
    ) -> Result<bool, StoreError> {
        let params = [user.as_str().into(), password.as_str().into()];
        self.backend.write(|c| {
            let changed = c
                .execute(SET_PASSWORD, &params)
                .map_err(failed("set a password"))?;
            Ok(Finish::Commit(changed == 1))
        })
    }

    /// [`Store::set_contacts`](crate::Store::set_contacts).
    pub(super) fn store_contacts(
        &self,
        user: &UserId,
        mobile: Option<&PhoneNumber>,
        email: Option<&EmailAddress>,
    ) -> Result<bool, StoreError> {
        let params = [
            user.as_str().into(),
            mobile.map(|m| m.as_str()).into(),
            email.map(|e| e.as_str()).into(),
        ];
        self.backend.write(|c| {
            let changed = c
                .execute(SET_CONTACTS, &params)
                .map_err(failed("set contacts"))?;
            Ok(Finish::Commit(changed == 1))
        })
    }

    /// [`Store::delete_user`](crate::Store::delete_user).
    pub(super) fn remove_user(&self, user: &UserId) -> Result<bool, StoreError> {
        let params = [user.as_str().into()];
        self.backend.write(|c| {
            c.execute(DELETE_SERIALS, &params)
                .map_err(failed("delete a user's serial numbers"))?;
            let deleted = c
                .execute(DELETE_USER, &params)
                .map_err(failed("delete a user"))?;
            Ok(Finish::Commit(deleted == 1))
        })
    }
}
