//! A user's recent audit events, as the store keeps them ([`ServiceBuilder::audit_trail`]).
//!
//! [`ServiceBuilder::audit_trail`]: crate::ServiceBuilder::audit_trail

use tollgate_store::AuditRecord;

use super::Admin;
use crate::error::Error;

/// The most records one call returns.
pub const MAX_RECENT_EVENTS: usize = 1000;

impl Admin<'_> {
    /// The newest `limit` (at most [`MAX_RECENT_EVENTS`]) events of `user`'s account, newest
    /// first: logins, codes refused, PINs sent, authenticators added and removed, and every
    /// administrator's action with their name. A deleted user's trail is still there.
    /// Reading it is not itself audited.
    ///
    /// # Errors
    /// [`Error::NoAuditTrail`] when the service does not keep one
    /// ([`ServiceBuilder::audit_trail`](crate::ServiceBuilder::audit_trail)); [`Error::Input`]
    /// for an invalid User ID; [`Error::Store`].
    pub fn recent_events(&self, user: &str, limit: usize) -> Result<Vec<AuditRecord>, Error> {
        if !self.service.keeps_audit_trail() {
            return Err(Error::NoAuditTrail);
        }
        let id = self.user_id(user)?;
        let limit = limit.min(MAX_RECENT_EVENTS);
        Ok(self.service.store().audit_of(&id, limit)?)
    }
}
