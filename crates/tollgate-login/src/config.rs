//! The rules of a login, with the defaults the standards give.

use tollgate_codes::{ActivationLifetime, RegistrationScheme};

use crate::user::UserIds;
use tollgate_otp::{Algorithm, PinLength, Window};

use crate::error::ConfigError;

/// NIST SP 800-63B §3.2.2 (rev. 4) caps consecutive failed attempts at 100.
pub const NIST_MAX_FAILURES: u32 = 100;

/// The login policy. Every default cites its source; a weaker setting is refused unless it is
/// named (`*_unchecked` setters do not exist: the limits below are hard).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub(crate) pin_length: PinLength,
    pub(crate) pin_lifetime: u32,
    pub(crate) resend_sms: u32,
    pub(crate) resend_email: u32,
    pub(crate) max_sends: u8,
    pub(crate) sms_per_hour: u32,
    pub(crate) email_per_hour: u32,
    pub(crate) reset_sends_per_hour: u32,
    pub(crate) password_lockout: u32,
    pub(crate) code_lockout: u32,
    pub(crate) second_factor_limit: u32,
    pub(crate) lockout_base: u32,
    pub(crate) login_lifetime: u32,
    pub(crate) activation_lifetime: ActivationLifetime,
    pub(crate) window: Window,
    pub(crate) registration_scheme: RegistrationScheme,
    pub(crate) user_ids: UserIds,
    pub(crate) password_rules: crate::PasswordRules,
    pub(crate) registration_address: String,
    pub(crate) issuer: String,
    pub(crate) open_path: Option<Algorithm>,
    pub(crate) max_authenticators: usize,
    #[cfg(feature = "passkeys")]
    pub(crate) passkeys: Option<tollgate_passkey::RelyingParty>,
}

/// The most authenticators a service may let one user hold: each one is another code an
/// attacker's guess can match (with `n` of them a guess is `n` times as likely to pass).
pub const MAX_AUTHENTICATORS: usize = 8;

impl Default for Config {
    fn default() -> Self {
        Self {
            // NIST SP 800-63B §3.1.3.1: at least 6 digits.
            pin_length: PinLength::SIX,
            // NIST SP 800-63B §3.1.3.1: at most 10 minutes; 5 is the portal's habit.
            pin_lifetime: 300,
            // NIST SP 800-63B-4 §3.1.3; LinOTP's defaults.
            resend_sms: 30,
            resend_email: 60,
            max_sends: 5,
            // Per account and hour, shared by all its logins: one login's worth of SMS, and
            // twice that by e-mail (which costs nothing to send but can bury a mailbox). Well
            // under Twilio Verify's ceiling (50 an hour) and ServiceNow's hardening advice for
            // reset codes (10 SMS a day); sends cost the service money, and a flood of SMS is
            // the harassment SP 800-63B-4 §3.1.3.1's throttling is for.
            sms_per_hour: 5,
            email_per_hour: 10,
            // A reset needs no password: anyone with the User ID can start one. Its PINs have
            // a budget of their own (two channels, and one resend), apart from the logins'.
            reset_sends_per_hour: 3,
            // Well under NIST's 100 (SP 800-63B §3.2.2); RFC 4226 §7.3 throttling.
            password_lockout: 5,
            code_lockout: 10,
            // NIST SP 800-63B-4 §3.2.2: no more than 100 consecutive failures, across sessions.
            second_factor_limit: NIST_MAX_FAILURES,
            // The first lock lasts a minute; each further one doubles, up to a day.
            lockout_base: 60,
            login_lifetime: 15 * 60,
            // NIST SP 800-63B-4 §4.1.2.2: activation data are short-lived.
            activation_lifetime: ActivationLifetime::TEN_MINUTES,
            // RFC 6238 §5.2: at most one step of network delay.
            window: Window::default(),
            registration_scheme: RegistrationScheme::Tollgate,
            user_ids: UserIds::Email,
            // SP 800-63B-4 §3.1.1.2: 8 characters with a second factor, at least 64 allowed.
            password_rules: crate::PasswordRules::WITH_SECOND_FACTOR,
            registration_address: "/api/mobile".to_owned(),
            issuer: "tollgate".to_owned(),
            open_path: None,
            // privacyIDEA's `max_token_per_user` (no default there): a phone, a desktop and a
            // spare. Each one multiplies the chance of a guessed code, under the same limit
            // of failures.
            max_authenticators: 3,
            #[cfg(feature = "passkeys")]
            passkeys: None,
        }
    }
}

impl Config {
    /// The name authenticator apps show for the service's tokens.
    #[must_use]
    pub fn with_issuer(mut self, issuer: &str) -> Self {
        issuer.clone_into(&mut self.issuer);
        self
    }

    /// The "Address" shown on the desktop activation screen, and put into the mobile QR as
    /// its registration address.
    #[must_use]
    pub fn with_registration_address(mut self, address: &str) -> Self {
        address.clone_into(&mut self.registration_address);
        self
    }

    /// Also offer the open path on the mobile screen: an `otpauth://` QR code (and its key as
    /// text) that any authenticator app can scan, with a random secret of the algorithm's
    /// length (160 bits for SHA-1, which every app reads; 256 for SHA-256), confirmed by the
    /// first right code typed back, as Keycloak and Authelia do. The Entrust formats'
    /// weaknesses (a 26-bit activation password, 8 PBKDF2 rounds) do not apply to it.
    #[must_use]
    pub fn with_open_path(mut self, algorithm: Algorithm) -> Self {
        self.open_path = Some(algorithm);
        self
    }

    /// How registration codes are checked.
    #[must_use]
    pub fn with_registration_scheme(mut self, scheme: RegistrationScheme) -> Self {
        self.registration_scheme = scheme;
        self
    }

    /// The TOTP verification window.
    #[must_use]
    pub fn with_window(mut self, window: Window) -> Self {
        self.window = window;
        self
    }

    /// How long a PIN is valid: 1 to 600 seconds (NIST SP 800-63B §3.1.3.1: at most 10
    /// minutes).
    ///
    /// # Errors
    /// [`ConfigError::PinLifetime`] outside that range.
    pub fn with_pin_lifetime(mut self, seconds: u32) -> Result<Self, ConfigError> {
        if seconds == 0 || seconds > 600 {
            return Err(ConfigError::PinLifetime { seconds });
        }
        self.pin_lifetime = seconds;
        Ok(self)
    }

    /// The PIN length.
    #[must_use]
    pub fn with_pin_length(mut self, length: PinLength) -> Self {
        self.pin_length = length;
        self
    }

    /// Consecutive failures between two cool-downs: for the password, and for second-factor
    /// codes (PINs, registration codes, token codes). Each 1 to 100. Every further such run of
    /// failures starts a cool-down twice as long as the last, up to a day.
    ///
    /// # Errors
    /// [`ConfigError::Lockout`] outside that range.
    pub fn with_lockouts(mut self, password: u32, codes: u32) -> Result<Self, ConfigError> {
        for limit in [password, codes] {
            if limit == 0 || limit > NIST_MAX_FAILURES {
                return Err(ConfigError::Lockout { limit });
            }
        }
        self.password_lockout = password;
        self.code_lockout = codes;
        Ok(self)
    }

    /// The hard limit of consecutive second-factor failures, in all logins together, after
    /// which the second factor is locked until the account is recovered or an administrator
    /// unlocks it: 1 to 100 (NIST SP 800-63B-4 §3.2.2), 100 by default.
    ///
    /// # Errors
    /// [`ConfigError::Lockout`] outside that range.
    pub fn with_second_factor_limit(mut self, limit: u32) -> Result<Self, ConfigError> {
        if limit == 0 || limit > NIST_MAX_FAILURES {
            return Err(ConfigError::Lockout { limit });
        }
        self.second_factor_limit = limit;
        Ok(self)
    }

    /// The registration address the QR code and the desktop screen show: where tokens
    /// register online ([`Driver::register_online`](crate::Driver::register_online)).
    #[must_use]
    pub fn registration_address(&self) -> &str {
        &self.registration_address
    }

    /// What User IDs are: e-mail addresses (the default) or user names ([`UserIds`]). Either
    /// way an unknown one gets the same screens and answers as a known one.
    #[must_use]
    pub fn with_user_ids(mut self, rule: UserIds) -> Self {
        self.user_ids = rule;
        self
    }

    /// What User IDs are.
    #[must_use]
    pub fn user_ids(&self) -> UserIds {
        self.user_ids
    }

    /// What new passwords must be (default [`PasswordRules::WITH_SECOND_FACTOR`](crate::PasswordRules::WITH_SECOND_FACTOR);
    /// [`PasswordRules::new`](crate::PasswordRules::new) keeps NIST's floors).
    #[must_use]
    pub fn with_password_rules(mut self, rules: crate::PasswordRules) -> Self {
        self.password_rules = rules;
        self
    }

    /// What new passwords must be.
    #[must_use]
    pub fn password_rules(&self) -> crate::PasswordRules {
        self.password_rules
    }

    /// The registration scheme registration codes are checked under.
    #[must_use]
    pub fn registration_scheme(&self) -> RegistrationScheme {
        self.registration_scheme
    }

    /// How many authenticators one user may hold: 1 to [`MAX_AUTHENTICATORS`], 3 by default.
    ///
    /// # Errors
    /// [`ConfigError::Authenticators`] outside that range.
    pub fn with_max_authenticators(mut self, limit: usize) -> Result<Self, ConfigError> {
        if limit == 0 || limit > MAX_AUTHENTICATORS {
            return Err(ConfigError::Authenticators {
                limit,
                max: MAX_AUTHENTICATORS,
            });
        }
        self.max_authenticators = limit;
        Ok(self)
    }

    /// How many authenticators one user may hold.
    #[must_use]
    pub fn max_authenticators(&self) -> usize {
        self.max_authenticators
    }

    /// Passkeys, for the relying party `rp` (its ID and the exact origins of the service's
    /// pages, which a look-alike page's answers never match): users may add one once logged in
    /// (with a second factor proven in the last [`STEP_UP_WINDOW`](crate::STEP_UP_WINDOW)
    /// seconds), log in with it instead of a code, and make their account "phishing-resistant
    /// only". Off by default: there is no RP ID a library could guess.
    #[cfg(feature = "passkeys")]
    #[must_use]
    pub fn with_passkeys(mut self, rp: tollgate_passkey::RelyingParty) -> Self {
        self.passkeys = Some(rp);
        self
    }

    /// The relying party passkeys are verified for, if the service takes them.
    #[cfg(feature = "passkeys")]
    #[must_use]
    pub fn passkeys(&self) -> Option<&tollgate_passkey::RelyingParty> {
        self.passkeys.as_ref()
    }

    /// Whether the service verifies passkeys.
    #[must_use]
    pub fn takes_passkeys(&self) -> bool {
        #[cfg(feature = "passkeys")]
        return self.passkeys.is_some();
        #[cfg(not(feature = "passkeys"))]
        return false;
    }

    /// The hard limit of consecutive second-factor failures.
    #[must_use]
    pub fn second_factor_limit(&self) -> u32 {
        self.second_factor_limit
    }

    /// Whether the account's second factor is locked for good (until recovery or an
    /// administrator's unlock): it failed the hard limit of times in a row.
    #[must_use]
    pub fn second_factor_locked(&self, state: &crate::AccountState) -> bool {
        state
            .second_factor_failures
            .saturating_add(state.reset_failures)
            >= self.second_factor_limit
    }

    /// Resend throttling: seconds between two sends by SMS and by e-mail, and sends per login.
    ///
    /// # Errors
    /// [`ConfigError::Resend`] for an interval of 0 or above an hour, or 0 or more than 20
    /// sends.
    pub fn with_resend(mut self, sms: u32, email: u32, max_sends: u8) -> Result<Self, ConfigError> {
        if sms == 0 || email == 0 || sms > 3600 || email > 3600 || max_sends == 0 || max_sends > 20
        {
            return Err(ConfigError::Resend);
        }
        self.resend_sms = sms;
        self.resend_email = email;
        self.max_sends = max_sends;
        Ok(self)
    }

    /// Sends per account and hour, by SMS and by e-mail, for all its logins together: 1 to 50
    /// each (Twilio Verify's ceiling).
    ///
    /// # Errors
    /// [`ConfigError::Resend`] outside that range.
    pub fn with_send_budget(mut self, sms: u32, email: u32) -> Result<Self, ConfigError> {
        if !(1..=50).contains(&sms) || !(1..=50).contains(&email) {
            return Err(ConfigError::Resend);
        }
        self.sms_per_hour = sms;
        self.email_per_hour = email;
        Ok(self)
    }

    /// PINs per hour that password resets may send to one account, by either channel (3 by
    /// default; 1 to 20). A reset needs no password, so this is what a stranger who knows the
    /// User ID can make the service send; the logins' budget
    /// ([`Config::with_send_budget`]) is kept apart for the owner.
    ///
    /// # Errors
    /// [`ConfigError::Resend`] outside that range.
    pub fn with_reset_send_budget(mut self, per_hour: u32) -> Result<Self, ConfigError> {
        if !(1..=20).contains(&per_hour) {
            return Err(ConfigError::Resend);
        }
        self.reset_sends_per_hour = per_hour;
        Ok(self)
    }

    /// How long a login attempt may take, from its first screen: 1 to 60 minutes.
    ///
    /// # Errors
    /// [`ConfigError::LoginLifetime`] outside that range.
    pub fn with_login_lifetime(mut self, seconds: u32) -> Result<Self, ConfigError> {
        if !(60..=3600).contains(&seconds) {
            return Err(ConfigError::LoginLifetime { seconds });
        }
        self.login_lifetime = seconds;
        Ok(self)
    }

    /// How long activation data stay valid.
    #[must_use]
    pub fn with_activation_lifetime(mut self, lifetime: ActivationLifetime) -> Self {
        self.activation_lifetime = lifetime;
        self
    }

    /// The cool-down of the `n`-th consecutive lockout (from 0): a minute, doubling each
    /// time, at most a day.
    pub(crate) fn cooldown(&self, lockouts: u32) -> u64 {
        let doubled = u64::from(self.lockout_base).saturating_mul(1u64 << lockouts.min(20));
        doubled.min(24 * 3600)
    }
}
