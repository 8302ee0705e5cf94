//! The administrator's re-enrollment grant: for a user who lost every authenticator and has no
//! recovery code left (issue flow 3's other way). The user types it where a recovery code
//! goes ("I no longer have my authenticator"), after the password and before a one-time PIN:
//! so the grant alone, like a recovery code alone, replaces no token.

use tollgate_login::AdminAction;
use tollgate_otp::UnixTime;
use zeroize::Zeroizing;

use super::Admin;
use crate::error::Error;

/// The longest a re-enrollment grant may work: a week. A grant is a bearer secret that
/// replaces the second factor (with the password and a PIN): the shorter the better; a day
/// covers giving it out by telephone or in person.
pub const MAX_GRANT_LIFETIME: u32 = 7 * 24 * 3600;

impl Admin<'_> {
    /// A one-time re-enrollment grant for `user`, working for `seconds` from now (at most
    /// [`MAX_GRANT_LIFETIME`]): the code to give the user, once (it is stored hashed; a new
    /// grant replaces an unused one). Check who is asking first: with the password and a
    /// one-time PIN, whoever holds it replaces the user's authenticators.
    ///
    /// # Errors
    /// [`Error::GrantLifetime`] for 0 or more than a week; and as [`Admin::account`].
    pub fn grant_reenrollment(&self, user: &str, seconds: u32) -> Result<Zeroizing<String>, Error> {
        if seconds == 0 || seconds > MAX_GRANT_LIFETIME {
            return Err(Error::GrantLifetime {
                max: MAX_GRANT_LIFETIME,
            });
        }
        let id = self.user_id(user)?;
        let (code, hash) = tollgate_login::recovery::grant(&id, &mut self.service.request_rng()?);
        let expires_at = UnixTime::from_secs(
            self.service
                .now()
                .as_secs()
                .saturating_add(u64::from(seconds)),
        );
        self.update(user, AdminAction::ReenrollmentGranted, |state| {
            state.grant_reenrollment(hash, expires_at);
        })?;
        Ok(code.expose_grouped())
    }
}
