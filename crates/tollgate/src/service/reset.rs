//! A reset's new password: the rules, the hash, the store.

use tollgate_login::{AuditEvent, Destination, Notification, PasswordRefusal, UserId};
use tollgate_store::PasswordHash;
use zeroize::Zeroizing;

use super::Service;
use crate::error::Error;

impl Service {
    /// Checks a reset's new password against the rules (with the user's identifiers), hashes
    /// it and stores the hash: the verdict the machine takes as
    /// [`Report::PasswordSet`](tollgate_login::Report::PasswordSet). Only at the new-password
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
            account.mobile().map_or("", |m| m.as_str()),
            account.email().map_or("", |e| e.as_str()),
        ];
        let rules = self.config().password_rules();
        if let Err(refusal) = rules.check(password, &record.id, &identifiers) {
            return Ok(Err(refusal));
        }
        let hash = self.hash_password(password)?;
        if !self.store.set_password(&record.id, hash)? {
            return Err(Error::UnknownLogin);
        }
        Ok(Ok(()))
    }

    /// A new password's hash (its length checked first; the hash waits for a turn of the
    /// bounded password work).
    pub(crate) fn hash_password(&self, password: &str) -> Result<PasswordHash, Error> {
        self.passwords.check_length(password.as_bytes())?;
        self.passwords
            .hash(password.as_bytes(), &mut self.request_rng()?)
    }

    /// Records an administrator's action and tells the user at every address on file (by the
    /// service's own delivery, tried again under its policy).
    pub(crate) fn carry_out_admin(
        &self,
        event: AuditEvent,
        user: &UserId,
        notification: Notification,
    ) {
        crate::observe::audit(&event);
        self.record(event);
        let account = match self.store.user(user) {
            Ok(Some(record)) => record.account,
            _ => return,
        };
        let email = account
            .email()
            .cloned()
            .or_else(|| user.as_str().parse().ok())
            .map(Destination::Email);
        for to in email
            .into_iter()
            .chain(account.mobile().cloned().map(Destination::Sms))
        {
            self.notify_at(&to, user, notification);
        }
    }

    /// One notice to `to`, tried again under the policy.
    pub(crate) fn notify_at(&self, to: &Destination, user: &UserId, notification: Notification) {
        let sent = self.retry.run(&*self.sleep, &mut || {
            self.delivery.notify(to, user, notification)
        });
        crate::observe::noticed("notice", sent.as_ref().err());
    }
}
