//! The named changes of an account: each rule about what a change clears or keeps is written
//! here once, and the machine, online registration and the administrators' API call it by its
//! name. Each is pure (no clock, no randomness: what it needs comes in) and changes the state in
//! place; the caller stores the result with compare-and-set
//! ([`change_account`](crate::change_account), or a login's own commit).

use tollgate_codes::SerialNumber;
use tollgate_otp::UnixTime;

use super::{AccountState, Grant, PendingActivation, TokenRecord};
use crate::recovery::RecoveryHash;

impl AccountState {
    /// Lifts every password lock: the account's count and cool-down of wrong passwords from
    /// unknown browsers, and each known device's. A password the account's owner set (a reset,
    /// an administrator's temporary password) starts with none.
    pub fn clear_password_lock(&mut self) {
        self.password_failures = 0;
        self.password_lockouts = 0;
        self.password_locked_until = None;
        for device in &mut self.devices {
            device.failures = 0;
            device.locked_until = None;
        }
    }

    /// "Phishing-resistant only" on or off (an administrator's change; the user's own is the
    /// machine's). On needs a passkey to log in with: `false` and no change without one.
    pub fn set_phishing_resistant(&mut self, on: bool) -> bool {
        if on && self.passkeys.is_empty() {
            return false;
        }
        self.phishing_resistant = on;
        true
    }

    /// Remembers that the signing credential `id` was revoked (see
    /// [`AccountState::credential_revoked`]). Whether it was not remembered yet.
    pub fn revoke_credential(&mut self, id: &str) -> bool {
        if self.credential_revoked(id) {
            return false;
        }
        if self.revoked_credentials.len() >= super::MAX_REVOKED_CREDENTIALS {
            self.revoked_credentials.remove(0);
        }
        self.revoked_credentials.push(id.to_owned());
        true
    }

    /// An administrator's unlock: every failure count and every lock back to none (passwords,
    /// each known device, second-factor codes and their hard limit, password resets).
    pub fn unlock(&mut self) {
        self.clear_password_lock();
        self.second_factor_failures = 0;
        self.lockouts = 0;
        self.locked_until = None;
        self.reset_failures = 0;
        self.reset_closed_until = None;
    }

    /// A new password was stored by a reset that proved both factors: the reset's wrong codes
    /// are forgiven, an administrator's temporary password is replaced, the password locks are
    /// lifted.
    pub fn password_replaced(&mut self) {
        self.reset_failures = 0;
        self.reset_closed_until = None;
        self.password_expired = false;
        self.clear_password_lock();
    }

    /// An administrator set a temporary password: the next whole login must set a new one
    /// before it is authenticated; the password locks are lifted.
    pub fn expire_password(&mut self) {
        self.password_expired = true;
        self.clear_password_lock();
    }

    /// Revokes every authenticator and any activation in progress; their serial numbers, oldest
    /// first. The next login enrolls as a first login does.
    pub fn revoke_all(&mut self) -> Vec<SerialNumber> {
        self.pending = None;
        self.tokens.drain(..).map(|t| t.serial).collect()
    }

    /// Revokes the authenticator `serial` (an administrator may revoke the last one; the
    /// activation in progress goes with it then). Whether the account held it.
    pub fn revoke(&mut self, serial: SerialNumber) -> bool {
        let before = self.tokens.len();
        self.tokens.retain(|t| t.serial != serial);
        if self.tokens.is_empty() {
            self.pending = None;
        }
        self.tokens.len() != before
    }

    /// An administrator's re-enrollment grant, stored hashed until `expires_at` (it replaces an
    /// unused one).
    pub fn grant_reenrollment(&mut self, hash: RecoveryHash, expires_at: UnixTime) {
        self.grant = Some(Grant { hash, expires_at });
    }

    /// Activation data issued to a login, replacing any not used.
    pub(crate) fn issue_activation(&mut self, pending: PendingActivation) {
        self.pending = Some(pending);
    }

    /// An authenticator enrolled (the pending activation is used up): a right second factor,
    /// so its failures are forgiven. Whether it is the account's first. A login adds one only
    /// after a whole login or a first login's PIN; an embedder that provisions accounts adds the
    /// first one here.
    pub fn add_authenticator(&mut self, token: TokenRecord) -> bool {
        let first = self.tokens.is_empty();
        self.tokens.push(token);
        self.pending = None;
        self.second_factor_failures = 0;
        first
    }
}

#[cfg(test)]
mod tests {
    use tollgate_otp::UnixTime;

    use super::AccountState;
    use crate::device::KnownDevice;

    use crate::account::tests::token;

    fn locked() -> AccountState {
        let at = Some(UnixTime::from_secs(1_700_000_000));
        AccountState {
            password_failures: 5,
            password_lockouts: 2,
            password_locked_until: at,
            devices: vec![KnownDevice {
                digest: [1; 32],
                last_login: UnixTime::from_secs(1),
                failures: 4,
                locked_until: at,
            }],
            second_factor_failures: 9,
            lockouts: 3,
            locked_until: at,
            reset_failures: 10,
            tokens: vec![token("48244-13456"), token("12211-49352")],
            ..AccountState::default()
        }
    }

    #[test]
    fn an_unlock_clears_every_count_and_lock_and_keeps_the_tokens() {
        let mut state = locked();
        state.unlock();
        assert_eq!(
            (state.password_failures, state.password_lockouts),
            (0, 0),
            "password"
        );
        assert!(state.password_locked_until.is_none() && state.locked_until.is_none());
        assert_eq!(
            (state.devices[0].failures, state.devices[0].locked_until),
            (0, None)
        );
        assert_eq!((state.second_factor_failures, state.lockouts), (0, 0));
        assert_eq!(state.reset_failures, 0);
        assert_eq!(state.tokens.len(), 2);
    }

    #[test]
    fn a_password_lock_cleared_leaves_the_second_factor_counted() {
        let mut state = locked();
        state.expire_password();
        assert!(state.password_expired);
        assert_eq!(state.password_failures, 0);
        assert_eq!(state.devices[0].failures, 0);
        assert_eq!(
            state.second_factor_failures, 9,
            "a password does not forgive codes"
        );
        assert_eq!(state.reset_failures, 10, "nor a reset's guesses");
        state.password_replaced();
        assert!(!state.password_expired);
        assert_eq!((state.reset_failures, state.second_factor_failures), (0, 9));
    }

    #[test]
    fn revoking_one_then_the_last_drops_the_pending_activation_with_it() {
        let mut state = locked();
        let serial = "48244-13456".parse().unwrap_or_else(|_| unreachable!());
        assert!(state.revoke(serial));
        assert!(!state.revoke(serial), "not held any more");
        assert_eq!(state.tokens.len(), 1);
        let revoked = state.revoke_all();
        assert_eq!(revoked.len(), 1);
        assert!(state.tokens.is_empty() && state.pending.is_none());
    }
}
