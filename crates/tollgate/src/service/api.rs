//! Logging in to an API with the User ID and password (the CSC API's `auth/login`): the
//! password checked as the login page checks it, throttled by the same limits, and counted
//! toward the same cool-downs. The second factor is proven later, per signature.

use tollgate_login::{Change, CodeProof, UserId};
use zeroize::Zeroizing;

use super::{Client, Service};
use crate::error::Error;

impl Service {
    /// Checks `user`'s `password` for an API session: `Some(user)` when it is right and the
    /// account may use the API (it has a token, from its first login on the web, and its
    /// second factor is not locked), `None` otherwise, with the same work and the same answer
    /// for a User ID that is no account. A wrong password counts toward the client's network
    /// limit and the account's password cool-downs, as on the login page.
    ///
    /// # Errors
    /// [`Error::Throttled`] past the client's network limit; [`Error::PasswordTooLong`];
    /// [`Error::Busy`]; [`Error::Store`].
    pub fn api_login(
        &self,
        user: &str,
        password: &Zeroizing<String>,
        client: Client,
    ) -> Result<Option<UserId>, Error> {
        self.passwords.check_length(password.as_bytes())?;
        let now = self.now();
        let network = client.address.map(tollgate_store::ClientKey::of);
        let limit = self.client_limit;
        if let Some(network) = &network
            && self.store.client_failures(network, now, limit.window)? >= limit.failures
        {
            return Err(Error::Throttled {
                retry_after: limit.window,
            });
        }
        let id = user.parse::<UserId>().ok();
        let record = match &id {
            Some(id) => self.store.user(id)?,
            None => None,
        };
        let correct = self
            .passwords
            .verify(password.as_bytes(), record.as_ref().map(|r| &r.password))?;
        if !correct && let Some(network) = &network {
            self.store
                .count_client_failure(network, now, limit.window)?;
        }
        let (Some(id), Some(_)) = (id, record) else {
            return Ok(None);
        };
        let machine = self.machine();
        let mut rng = self.request_rng()?;
        let proof = tollgate_login::change_account(&*self.store, &id, |account| {
            let proof = machine.prove_password(account, &id, correct, now, &mut rng);
            match proof.update {
                Some(state) => Change::Store(state, (proof.outcome, proof.effects)),
                None => Change::Keep((proof.outcome, proof.effects)),
            }
        })?;
        let Some((outcome, effects)) = proof else {
            return Ok(None);
        };
        self.carry_out_effects(effects);
        Ok((outcome == CodeProof::Proven).then_some(id))
    }

    /// Whether `user` may still use an API session opened earlier: the account exists, is in
    /// no cool-down, and its second factor is not locked (a bearer token dies with those).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn api_user_in_good_standing(&self, user: &UserId) -> Result<bool, Error> {
        let Some(account) = self.store.account(user)? else {
            return Ok(false);
        };
        Ok(!account.is_locked(self.now()) && !self.config().second_factor_locked(account.state()))
    }

    /// Carries out a decision's audit events and notices.
    pub(crate) fn carry_out_effects(&self, effects: Vec<tollgate_login::Effect>) {
        for effect in effects {
            match effect {
                tollgate_login::Effect::Audit(event) => {
                    crate::observe::audit(&event);
                    self.record(event);
                }
                tollgate_login::Effect::Notify {
                    user,
                    to,
                    notification,
                    ..
                } => self.notify_at(&to, &user, notification),
                _ => {}
            }
        }
    }
}
