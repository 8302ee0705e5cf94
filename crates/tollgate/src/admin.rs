//! The administrator's actions, apart from the login: [`Service::admin`] names who acts, and
//! every action is audited with that name ([`AuditEvent::Administrator`]) and told to the user
//! by every address on file. They are the only way, besides the login itself, to unlock an
//! account, set its password or remove its token.

use tollgate_login::{
    Account, AccountState, AdminAction, AuditEvent, Authenticator, Change, Destination, DriveError,
    Notification, UserId,
};
use tollgate_store::StoreError;
use zeroize::Zeroizing;

use crate::Service;
use crate::error::Error;

mod grant;
#[cfg(feature = "signing")]
mod signing;
mod trail;

pub use grant::MAX_GRANT_LIFETIME;
pub use trail::MAX_RECENT_EVENTS;

/// The administrator `name` acting on the service's accounts: see [`Service::admin`].
#[derive(Debug)]
pub struct Admin<'a> {
    service: &'a Service,
    name: String,
}

/// What an administrator sees of an account: no secret, no hash.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountSummary {
    /// The User ID.
    pub user: UserId,
    /// The mobile number on file, masked.
    pub mobile: Option<String>,
    /// The e-mail address on file.
    pub email: Option<String>,
    /// The enrolled authenticators, oldest first.
    pub authenticators: Vec<Authenticator>,
    /// Consecutive wrong passwords from unknown browsers.
    pub password_failures: u32,
    /// Until when passwords from unknown browsers are refused.
    pub password_locked_until: Option<u64>,
    /// Consecutive wrong second-factor codes at logins.
    pub second_factor_failures: u32,
    /// Until when codes are refused.
    pub locked_until: Option<u64>,
    /// Whether the second factor reached the hard limit.
    pub second_factor_locked: bool,
    /// Consecutive wrong codes in password resets.
    pub reset_failures: u32,
    /// Whether the next login must set a new password.
    pub password_expired: bool,
    /// Until when an unused re-enrollment grant works, if there is one.
    pub grant_expires_at: Option<u64>,
    /// When the last whole login ended authenticated.
    pub last_login: Option<u64>,
}

impl Service {
    /// The administrator `name` (as your own admin login knows them): every action is recorded
    /// under it. Call the actions on a blocking thread, as every service call.
    #[must_use]
    pub fn admin(&self, name: &str) -> Admin<'_> {
        Admin {
            service: self,
            name: name.to_owned(),
        }
    }
}

impl Admin<'_> {
    /// The account of `user`.
    ///
    /// # Errors
    /// [`Error::Input`] for an invalid User ID; [`Error::UnknownUser`]; [`Error::Store`].
    pub fn account(&self, user: &str) -> Result<AccountSummary, Error> {
        let id = self.user_id(user)?;
        let record = self.service.store().user(&id)?.ok_or(Error::UnknownUser)?;
        let state = record.account.state();
        Ok(AccountSummary {
            mobile: record.account.mobile().map(|m| m.masked()),
            email: record.account.email().map(|e| e.as_str().to_owned()),
            authenticators: state.tokens().iter().map(Authenticator::of).collect(),
            password_failures: state.password_failures(),
            password_locked_until: state.password_locked_until().map(|t| t.as_secs()),
            second_factor_failures: state.second_factor_failures(),
            locked_until: state.locked_until().map(|t| t.as_secs()),
            second_factor_locked: self.service.config().second_factor_locked(state),
            reset_failures: state.reset_failures(),
            password_expired: state.password_expired(),
            grant_expires_at: state.grant().map(|g| g.expires_at().as_secs()),
            last_login: state.last_login().map(|t| t.as_secs()),
            user: id,
        })
    }

    /// Unlocks `user`: every failure count and every lock (passwords, each known device,
    /// second-factor codes, the hard limit, password resets) back to none.
    ///
    /// # Errors
    /// As [`Admin::account`].
    pub fn unlock(&self, user: &str) -> Result<(), Error> {
        self.update(user, AdminAction::Unlocked, AccountState::unlock)
    }

    /// Revokes all of `user`'s tokens (and any activation in progress): their codes are
    /// refused from now on, and the next login enrolls a new one as a first login does
    /// (password, then a one-time PIN).
    ///
    /// # Errors
    /// As [`Admin::account`].
    pub fn revoke_token(&self, user: &str) -> Result<(), Error> {
        self.update(user, AdminAction::TokenRevoked, |state| {
            state.revoke_all();
        })
    }

    /// Revokes the token `serial` of `user`, and no other (the next login takes the codes of
    /// those left; with none left, it enrolls anew).
    ///
    /// # Errors
    /// [`Error::NoToken`] when the account holds no token of that serial number; and as
    /// [`Admin::account`].
    pub fn revoke_authenticator(&self, user: &str, serial: &str) -> Result<(), Error> {
        let serial = parse_serial(serial)?;
        let id = self.user_id(user)?;
        let revoked = tollgate_login::change_account(&**self.service.store(), &id, |account| {
            let mut state = account.state().clone();
            if state.revoke(serial) {
                Change::Store(state, true)
            } else {
                Change::Keep(false)
            }
        });
        match changed(revoked)? {
            true => {
                self.record(&id, AdminAction::TokenRevoked);
                Ok(())
            }
            false => Err(Error::NoToken),
        }
    }

    /// Makes `user`'s account "phishing-resistant only" (`on`: no code of any kind, soft token,
    /// PIN or recovery code, is its second factor any more; only a passkey), or lets it take
    /// codes again. Audited, and the user is told.
    ///
    /// # Errors
    /// [`Error::NoPasskey`] for `on` when the account has no passkey to log in with; and as
    /// [`Admin::account`].
    pub fn set_phishing_resistant_only(&self, user: &str, on: bool) -> Result<(), Error> {
        let id = self.user_id(user)?;
        let set = tollgate_login::change_account(&**self.service.store(), &id, |account| {
            let mut state = account.state().clone();
            if state.set_phishing_resistant(on) {
                Change::Store(state, true)
            } else {
                Change::Keep(false)
            }
        });
        match changed(set)? {
            true => {
                self.record(&id, AdminAction::PhishingResistantOnly(on));
                Ok(())
            }
            false => Err(Error::NoPasskey),
        }
    }

    /// Sets a temporary password for `user` (it keeps to the service's rules): the next whole
    /// login with it, both factors included, must set a new one before it is authenticated.
    /// The password lockout is lifted.
    ///
    /// # Errors
    /// [`Error::PasswordRefused`], [`Error::PasswordTooLong`], [`Error::Busy`], and as
    /// [`Admin::account`].
    pub fn set_temporary_password(&self, user: &str, password: &str) -> Result<(), Error> {
        let password = Zeroizing::new(password.to_owned());
        let id = self.user_id(user)?;
        let record = self.service.store().user(&id)?.ok_or(Error::UnknownUser)?;
        let identifiers = contacts(&record.account);
        let identifiers = identifiers.each_ref().map(String::as_str);
        self.service
            .config()
            .password_rules()
            .check(&password, &id, &identifiers)?;
        let hash = self.service.hash_password(&password)?;
        if !self.service.store().set_password(&id, hash)? {
            return Err(Error::UnknownUser);
        }
        self.update(
            user,
            AdminAction::TemporaryPasswordSet,
            AccountState::expire_password,
        )
    }

    /// The unlock code for the PIN reset code that `user`'s locked soft-token app shows
    /// ([`UNLOCK_SUITE`](tollgate_codes::UNLOCK_SUITE)): read it to the user, who types it into
    /// the app and sets a new app PIN. Check who is asking first: whoever has the app and this
    /// code has the token.
    ///
    /// # Errors
    /// [`Error::NoToken`] when the account has no token; [`Error::WhichToken`] when it has
    /// several (ask for the app's serial number, and use [`Admin::app_unlock_code_for`]);
    /// [`Error::Input`] for a reset code that is not 9 digits; and as [`Admin::account`].
    pub fn app_unlock_code(
        &self,
        user: &str,
        reset_code: &str,
    ) -> Result<Zeroizing<String>, Error> {
        let record = self.record_of(user)?;
        match record.account.state().tokens() {
            [] => Err(Error::NoToken),
            [token] => self.unlock_code(&record.id, token, reset_code),
            _ => Err(Error::WhichToken),
        }
    }

    /// [`Admin::app_unlock_code`] for the app of the token `serial` (the app shows it).
    ///
    /// # Errors
    /// [`Error::NoToken`] when the account holds no token of that serial number; and as
    /// [`Admin::app_unlock_code`].
    pub fn app_unlock_code_for(
        &self,
        user: &str,
        serial: &str,
        reset_code: &str,
    ) -> Result<Zeroizing<String>, Error> {
        let serial = parse_serial(serial)?;
        let record = self.record_of(user)?;
        let token = record.account.state().token(serial);
        self.unlock_code(&record.id, token.ok_or(Error::NoToken)?, reset_code)
    }

    fn unlock_code(
        &self,
        id: &UserId,
        token: &tollgate_login::TokenRecord,
        reset_code: &str,
    ) -> Result<Zeroizing<String>, Error> {
        let code = tollgate_codes::unlock_code(&token.secret, reset_code.trim())
            .map_err(|_| Error::Input(tollgate_login::InputError::NotAResetCode))?;
        self.record(id, AdminAction::AppUnlockCodeIssued);
        Ok(code)
    }

    /// Changes `user`'s mobile number and e-mail address (`None` removes one). The old
    /// addresses are told as well as the new ones: a new phone number is a new authenticator
    /// for one-time PINs, and its owner may not be the user (SP 800-63B-4 §4.6).
    ///
    /// # Errors
    /// [`Error::Input`] for an invalid number or address, and as [`Admin::account`].
    pub fn change_contacts(
        &self,
        user: &str,
        mobile: Option<&str>,
        email: Option<&str>,
    ) -> Result<(), Error> {
        let id = self.user_id(user)?;
        let mobile: Option<tollgate_login::PhoneNumber> = mobile.map(str::parse).transpose()?;
        let email: Option<tollgate_login::EmailAddress> = email.map(str::parse).transpose()?;
        let before = self.service.store().user(&id)?.ok_or(Error::UnknownUser)?;
        if !self
            .service
            .store()
            .set_contacts(&id, mobile.as_ref(), email.as_ref())?
        {
            return Err(Error::UnknownUser);
        }
        // The new addresses through the usual notice; the old ones that are gone, here.
        self.record(&id, AdminAction::ContactsChanged);
        let old_mobile = before
            .account
            .mobile()
            .filter(|m| Some(*m) != mobile.as_ref());
        let old_email = before
            .account
            .email()
            .filter(|e| Some(*e) != email.as_ref());
        let gone = old_mobile
            .cloned()
            .map(Destination::Sms)
            .into_iter()
            .chain(old_email.cloned().map(Destination::Email));
        let notification = Notification::Administrator(AdminAction::ContactsChanged);
        for to in gone {
            self.service.notify_at(&to, &id, notification);
        }
        Ok(())
    }

    /// Deletes `user`: their account, token and password. They are told first.
    ///
    /// # Errors
    /// As [`Admin::account`].
    pub fn delete_user(&self, user: &str) -> Result<(), Error> {
        let id = self.user_id(user)?;
        if self.service.store().user(&id)?.is_none() {
            return Err(Error::UnknownUser);
        }
        self.record(&id, AdminAction::UserDeleted);
        if !self.service.store().delete_user(&id)? {
            return Err(Error::UnknownUser);
        }
        Ok(())
    }

    fn user_id(&self, user: &str) -> Result<UserId, Error> {
        Ok(UserId::parse_as(user, self.service.config().user_ids())?)
    }

    fn record_of(&self, user: &str) -> Result<tollgate_store::UserRecord, Error> {
        let id = self.user_id(user)?;
        self.service.store().user(&id)?.ok_or(Error::UnknownUser)
    }

    /// Applies the named change `change` to `user`'s account ([`tollgate_login::change_account`]:
    /// a login that changed it meanwhile is kept, and the change applied on top), then audits
    /// and notifies.
    pub(super) fn update(
        &self,
        user: &str,
        action: AdminAction,
        change: impl Fn(&mut AccountState),
    ) -> Result<(), Error> {
        let id = self.user_id(user)?;
        let result = tollgate_login::change_account(&**self.service.store(), &id, |account| {
            let mut state = account.state().clone();
            change(&mut state);
            Change::Store(state, ())
        });
        changed(result)?;
        self.record(&id, action);
        Ok(())
    }

    /// Audits the action under the administrator's name and tells the user.
    fn record(&self, user: &UserId, action: AdminAction) {
        let event = AuditEvent::Administrator {
            admin: self.name.clone(),
            user: user.clone(),
            action,
        };
        self.service
            .carry_out_admin(event, user, Notification::Administrator(action));
    }
}

/// What an administrator's change came to, as the facade's error.
fn changed<T>(result: Result<Option<T>, DriveError<StoreError>>) -> Result<T, Error> {
    match result {
        Ok(Some(answer)) => Ok(answer),
        Ok(None) => Err(Error::UnknownUser),
        // An administrator's change adds no serial number: another's is no conflict of its own.
        Err(DriveError::Store(StoreError::SerialTaken)) => Err(Error::Contended),
        Err(e) => Err(e.into()),
    }
}

/// A serial number as an administrator types it.
fn parse_serial(serial: &str) -> Result<tollgate_codes::SerialNumber, Error> {
    serial
        .trim()
        .parse()
        .map_err(|_| Error::Input(tollgate_login::InputError::NotASerialNumber))
}

/// The account's identifiers a password may not contain.
fn contacts(account: &Account) -> [String; 2] {
    [
        account
            .mobile()
            .map_or_else(String::new, |m| m.as_str().to_owned()),
        account
            .email()
            .map_or_else(String::new, |e| e.as_str().to_owned()),
    ]
}
