//! A reset's new password: the rules, the hash, the store.

use tollgate_login::{PasswordRefusal, UserId};
use zeroize::Zeroizing;

use super::Service;
use crate::error::Error;

impl Service {
    /// Checks a reset's new password against the rules (with the user's identifiers), hashes
    /// it and stores the hash: the verdict the machine takes as
    /// [`Input::PasswordSet`](tollgate_login::Input::PasswordSet). Only at the new-password
    /// step, which only a user who proved both factors reaches.
    pub(super) fn set_password(
        &self,
        user: Option<&UserId>,
        password: &Zeroizing<String>,
    ) -> Result<Result<(), PasswordRefusal>, Error> {
        let record = match user {
            Some(user) => self.store.user(user)?,
            None => None,
        };
        let Some(record) = record else {
            return Err(Error::UnknownLogin);
        };
        let account = &record.account;
        let identifiers = [
            account.mobile.as_ref().map_or("", |m| m.as_str()),
            account.email.as_ref().map_or("", |e| e.as_str()),
        ];
        let rules = self.config().password_rules();
        if let Err(refusal) = rules.check(password, &record.id, &identifiers) {
            return Ok(Err(refusal));
        }
        self.passwords.check_length(password.as_bytes())?;
        let hash = self
            .passwords
            .hash(password.as_bytes(), &mut self.request_rng()?)?;
        if !self.store.set_password(&record.id, hash)? {
            return Err(Error::UnknownLogin);
        }
        Ok(Ok(()))
    }
}
