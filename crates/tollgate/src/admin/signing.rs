//! An administrator's part in signing (feature `signing`): a user's credentials, revoking one,
//! unlocking one that wrong codes locked. Audited under the administrator's name, and the user
//! told.

use tollgate_login::{AdminAction, SigningAction};
use tollgate_sign::CredentialId;

use super::Admin;
use crate::error::Error;
use crate::signing::{CredentialInfo, SigningError};

impl Admin<'_> {
    /// `user`'s signing credentials, oldest first, revoked ones included.
    ///
    /// # Errors
    /// [`Error::Input`], [`Error::UnknownUser`], [`SigningError::NotConfigured`],
    /// [`Error::Store`].
    pub fn signing_credentials(&self, user: &str) -> Result<Vec<CredentialInfo>, Error> {
        let record = self.record_of(user)?;
        self.service.signing()?.credentials(&record.id)
    }

    /// Revokes `user`'s signing credential `credential` (its ID): it signs nothing more.
    ///
    /// # Errors
    /// [`SigningError::UnknownCredential`] when it is not theirs; and as
    /// [`Admin::signing_credentials`].
    pub fn revoke_signing_credential(&self, user: &str, credential: &str) -> Result<(), Error> {
        let record = self.record_of(user)?;
        let id = parse(credential)?;
        self.service.signing()?.revoke_as(
            &record.id,
            &id,
            SigningAction::RevokedByAdministrator,
        )?;
        self.record(&record.id, AdminAction::SigningCredentialRevoked);
        Ok(())
    }

    /// Unlocks `user`'s signing credential `credential` after too many wrong codes. `false`
    /// when it was not locked (nothing is recorded then).
    ///
    /// # Errors
    /// As [`Admin::revoke_signing_credential`].
    pub fn unlock_signing_credential(&self, user: &str, credential: &str) -> Result<bool, Error> {
        let record = self.record_of(user)?;
        let id = parse(credential)?;
        let unlocked = self.service.signing()?.unlock(&record.id, &id)?;
        if unlocked {
            self.record(&record.id, AdminAction::SigningCredentialUnlocked);
        }
        Ok(unlocked)
    }
}

fn parse(credential: &str) -> Result<CredentialId, Error> {
    credential
        .parse()
        .map_err(|_| Error::Signing(SigningError::UnknownCredential))
}
