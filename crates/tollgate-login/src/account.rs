//! The account: what is stored about a user, owned here as the login in progress is. Its
//! fields are private; it is read through accessors, changed only by its named changes
//! ([`changes`](self::changes): the machine's, online registration's and the administrators'
//! alike), and stored as the bytes of its own encoding ([`AccountState::encode`]), which a
//! store seals and indexes without looking inside.

use tollgate_codes::SerialNumber;
use tollgate_otp::UnixTime;

use crate::device::KnownDevice;
use crate::user::{EmailAddress, PhoneNumber};

mod changes;
mod codec;
mod passkey;
mod pending;
mod token;

pub use codec::{DecodeError, ENCODING_V1};
pub use passkey::PasskeyRecord;
pub use pending::{
    MAX_ONLINE_FAILURES, MAX_ONLINE_FAILURES_PER_NETWORK, MobileQr, OnlineRegistration, OpenToken,
    PendingActivation,
};
pub use token::{AuthenticatorName, EnrollmentKind, MAX_AUTHENTICATOR_NAME, TokenRecord};

/// An account as the store holds it, loaded for one request.
#[derive(Clone, Debug)]
pub struct Account {
    pub(crate) version: u64,
    pub(crate) mobile: Option<PhoneNumber>,
    pub(crate) email: Option<EmailAddress>,
    pub(crate) state: AccountState,
}

/// The part of an account that logins change. Every change is a whole new value, stored with
/// compare-and-set, so that two logins (on two nodes) cannot both spend one code or lose a
/// failure.
///
/// The two factors are counted apart (NIST SP 800-63B-4 §3.2.2 counts consecutive failures
/// per authenticator, across sessions): a right password does not forgive wrong codes, nor a
/// right code wrong passwords. Every counter saturates.
#[derive(Clone, Debug, Default)]
pub struct AccountState {
    /// Consecutive wrong passwords from browsers the account does not know (no device cookie
    /// of its own); a right password from one of them resets it.
    pub(crate) password_failures: u32,
    /// Cool-downs those wrong passwords started, each twice as long as the last, up to a day;
    /// forgotten after a day with none.
    pub(crate) password_lockouts: u32,
    /// Until when passwords from unknown browsers are refused. Devices the account knows are
    /// not held by it ([`AccountState::devices`]), so that a stranger who knows the User ID
    /// cannot keep the owner out.
    pub(crate) password_locked_until: Option<UnixTime>,
    /// The devices that have logged in before, each with its own count of wrong passwords (at
    /// most [`MAX_DEVICES`](crate::MAX_DEVICES)).
    pub(crate) devices: Vec<KnownDevice>,
    /// Consecutive wrong second-factor codes (PINs, registration codes, token codes), in every
    /// login; only a right second-factor code resets it. At the configured hard limit (100 by
    /// default, NIST's cap) the second factor is locked until the account is recovered or an
    /// administrator resets this count.
    pub(crate) second_factor_failures: u32,
    /// Second-factor cool-downs since the last whole successful login: each one lasts twice as
    /// long as the one before. Only a login that ends authenticated resets it.
    pub(crate) lockouts: u32,
    /// Until when the account refuses every code, and every password (a second-factor
    /// cool-down: whoever caused it had the password).
    pub(crate) locked_until: Option<UnixTime>,
    /// The enrolled authenticators (soft tokens), oldest first: a later login takes the code
    /// of any of them. At most [`Config::max_authenticators`](crate::Config::max_authenticators);
    /// a second one is added only by a whole login with one already there (SP 800-63B-4
    /// §4.1.2.1), and removing one never leaves none.
    pub(crate) tokens: Vec<TokenRecord>,
    /// Activation data issued and not yet used.
    pub(crate) pending: Option<PendingActivation>,
    /// When PINs went out by SMS in the last hour, for the account's send budget
    /// ([`Config::with_send_budget`](crate::Config::with_send_budget)).
    pub(crate) sms_sent: Vec<UnixTime>,
    /// When PINs went out by e-mail in the last hour.
    pub(crate) email_sent: Vec<UnixTime>,
    /// When a password reset's PINs went out in the last hour, by either channel: a budget of
    /// their own, so that a stranger's resets cannot spend the owner's logins' budget.
    pub(crate) reset_sent: Vec<UnixTime>,
    /// Wrong codes in password resets ("Password locked or forgotten?") since the last whole
    /// reset, which need no password: anyone who knows the User ID can type them. They are
    /// kept apart from [`AccountState::second_factor_failures`] so that a stranger cannot lock
    /// the owner's logins: every [`MAX_RESET_FAILURES`](crate::MAX_RESET_FAILURES) of them close
    /// resets for a day ([`AccountState::reset_closed_until`]; the owner's whole login opens
    /// them again), and at [`MAX_RESET_SHARE`](crate::MAX_RESET_SHARE) for a month, after which
    /// the count starts again. They count toward the account's hard limit with the login's, so
    /// that the two together never allow more than it.
    pub(crate) reset_failures: u32,
    /// Until when resets check no codes: a day after each run of
    /// [`MAX_RESET_FAILURES`](crate::MAX_RESET_FAILURES) wrong ones.
    pub(crate) reset_closed_until: Option<UnixTime>,
    /// An administrator set a temporary password: the next whole login must set a new one
    /// before it is authenticated ("change is required on first usage").
    pub(crate) password_expired: bool,
    /// The hashes of the recovery codes not used yet ([`crate::recovery`]).
    pub(crate) recovery_codes: Vec<crate::recovery::RecoveryHash>,
    /// An administrator's re-enrollment grant not used yet, if any.
    pub(crate) grant: Option<Grant>,
    /// When the last whole login ended authenticated.
    pub(crate) last_login: Option<UnixTime>,
    /// The enrolled passkeys, oldest first: beside the soft tokens, counted with them against
    /// [`Config::max_authenticators`](crate::Config::max_authenticators).
    pub(crate) passkeys: Vec<PasskeyRecord>,
    /// The random user handle the account's passkeys were registered under (WebAuthn's
    /// `user.id`: not the User ID, which is personal data), drawn at the first registration.
    pub(crate) user_handle: Option<[u8; 16]>,
    /// "Phishing-resistant only": no code of any kind (soft token, PIN, recovery code) is the
    /// second factor any more, only a passkey (NIST SP 800-63B-4 §3.2.5).
    pub(crate) phishing_resistant: bool,
    /// The IDs of the signing credentials revoked (at most [`MAX_REVOKED_CREDENTIALS`]): kept
    /// here as well as in each credential's own record, so that a record put back from before
    /// its revocation (a database writer's copy) does not sign again: the account's row is the
    /// one the ledger protects.
    pub(crate) revoked_credentials: Vec<String>,
}

/// Revoked signing credentials an account remembers (the oldest is forgotten past it).
pub const MAX_REVOKED_CREDENTIALS: usize = 64;

/// An administrator's one-time re-enrollment grant ([`crate::recovery::grant`]): at "I no
/// longer have my authenticator", with the password and a one-time PIN, it replaces the
/// account's tokens as a recovery code does, once, until it expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The grant's hash.
    pub(crate) hash: crate::recovery::RecoveryHash,
    /// When it stops working.
    pub(crate) expires_at: UnixTime,
}

/// Wrong reset codes after which an account's password resets check no codes for a day: a
/// stranger gets at most this many guesses at the authenticator's code a day, and cannot lock
/// the owner's logins with them; the owner's reset opens again the next day.
pub const MAX_RESET_FAILURES: u32 = 10;

/// Wrong reset codes after which resets check no codes for [`RESET_SHARE_CLOSURE`] (or until a
/// whole reset or an administrator clears them): half the hard limit of NIST SP 800-63B-4
/// §3.2.2, so that a stranger gets at most this many guesses a month, and the owner's logins
/// keep the other half. After that month the count starts again.
pub const MAX_RESET_SHARE: u32 = 50;

/// How long resets stay closed once [`MAX_RESET_SHARE`] wrong codes were typed: 30 days.
pub const RESET_SHARE_CLOSURE: u64 = 30 * 86_400;

/// An atomic change to an account: store `state` if and only if the stored version is still
/// `expected_version`, and bump the version. When it is not, the store must refuse, and the
/// driver reloads the account and hands the same input to the machine again.
#[derive(Clone, Debug)]
#[must_use]
pub struct AccountUpdate {
    /// The version the change was computed from.
    pub expected_version: u64,
    /// The new state.
    pub state: AccountState,
}

impl Grant {
    /// The grant's hash.
    #[must_use]
    pub fn hash(&self) -> &crate::recovery::RecoveryHash {
        &self.hash
    }

    /// When it stops working.
    #[must_use]
    pub fn expires_at(&self) -> UnixTime {
        self.expires_at
    }
}

impl Account {
    /// The account as a store loaded it: `state` decoded from its row at `version`, with the
    /// contacts on file.
    #[must_use]
    pub fn new(
        version: u64,
        mobile: Option<PhoneNumber>,
        email: Option<EmailAddress>,
        state: AccountState,
    ) -> Self {
        Self {
            version,
            mobile,
            email,
            state,
        }
    }

    /// The store's version of [`Account::state`]: an [`AccountUpdate`] applies only while the
    /// stored version is still this one (compare-and-set).
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The mobile number on file, for SMS.
    #[must_use]
    pub fn mobile(&self) -> Option<&PhoneNumber> {
        self.mobile.as_ref()
    }

    /// The e-mail address on file, for the alternative and when there is no mobile number.
    #[must_use]
    pub fn email(&self) -> Option<&EmailAddress> {
        self.email.as_ref()
    }

    /// Counters, locks, authenticators, the pending activation.
    #[must_use]
    pub fn state(&self) -> &AccountState {
        &self.state
    }

    /// Whether the account is in a cool-down at `now`.
    #[must_use]
    pub fn is_locked(&self, now: UnixTime) -> bool {
        self.state.locked_until.is_some_and(|until| now < until)
    }
}

impl AccountState {
    /// A new account's state: no failure, no lock, no authenticator.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Consecutive wrong passwords from browsers the account does not know.
    #[must_use]
    pub fn password_failures(&self) -> u32 {
        self.password_failures
    }

    /// Password cool-downs in a row.
    #[must_use]
    pub fn password_lockouts(&self) -> u32 {
        self.password_lockouts
    }

    /// Until when passwords from unknown browsers are refused.
    #[must_use]
    pub fn password_locked_until(&self) -> Option<UnixTime> {
        self.password_locked_until
    }

    /// The devices that have logged in before.
    #[must_use]
    pub fn devices(&self) -> &[KnownDevice] {
        &self.devices
    }

    /// Consecutive wrong second-factor codes, in every login.
    #[must_use]
    pub fn second_factor_failures(&self) -> u32 {
        self.second_factor_failures
    }

    /// Second-factor cool-downs since the last whole login.
    #[must_use]
    pub fn lockouts(&self) -> u32 {
        self.lockouts
    }

    /// Until when every code (and every password) is refused.
    #[must_use]
    pub fn locked_until(&self) -> Option<UnixTime> {
        self.locked_until
    }

    /// The enrolled authenticators, oldest first.
    #[must_use]
    pub fn tokens(&self) -> &[TokenRecord] {
        &self.tokens
    }

    /// The authenticator `serial`, if the account holds it.
    #[must_use]
    pub fn token(&self, serial: SerialNumber) -> Option<&TokenRecord> {
        self.tokens.iter().find(|t| t.serial == serial)
    }

    /// Activation data issued and not yet used.
    #[must_use]
    pub fn pending(&self) -> Option<&PendingActivation> {
        self.pending.as_ref()
    }

    /// When PINs went out by SMS in the last hour.
    #[must_use]
    pub fn sms_sent(&self) -> &[UnixTime] {
        &self.sms_sent
    }

    /// When PINs went out by e-mail in the last hour.
    #[must_use]
    pub fn email_sent(&self) -> &[UnixTime] {
        &self.email_sent
    }

    /// Consecutive wrong codes in password resets.
    #[must_use]
    pub fn reset_failures(&self) -> u32 {
        self.reset_failures
    }

    /// Whether the next whole login must set a new password.
    #[must_use]
    pub fn password_expired(&self) -> bool {
        self.password_expired
    }

    /// The hashes of the recovery codes not used yet.
    #[must_use]
    pub fn recovery_codes(&self) -> &[crate::recovery::RecoveryHash] {
        &self.recovery_codes
    }

    /// An administrator's re-enrollment grant not used yet.
    #[must_use]
    pub fn grant(&self) -> Option<&Grant> {
        self.grant.as_ref()
    }

    /// When the last whole login ended authenticated (`None` before the first, and for
    /// accounts last logged in before this was kept).
    #[must_use]
    pub fn last_login(&self) -> Option<UnixTime> {
        self.last_login
    }

    /// The serial numbers this state holds (its token's, its pending activation's): a store
    /// keeps each unique across accounts.
    pub fn serials(&self) -> impl Iterator<Item = SerialNumber> + '_ {
        let tokens = self.tokens.iter().map(|t| t.serial);
        let pending = self.pending.as_ref().map(|p| p.activation.serial());
        tokens.chain(pending)
    }

    /// What a store keeps unique across accounts: each serial number this state holds (as
    /// written, `12345-67890`), and each passkey's credential ID (as `passkey:` and the hex of
    /// its SHA-256: WebAuthn L3 §7.1 step 24, a credential registered to one account only). A
    /// change that would claim what another account holds is refused by the store, as a
    /// compare-and-set conflict.
    pub fn claims(&self) -> impl Iterator<Item = String> + '_ {
        let serials = self.serials().map(|s| s.to_string());
        let passkeys = self.passkeys.iter().map(|p| Self::passkey_claim(&p.id));
        serials.chain(passkeys)
    }

    /// How [`AccountState::claims`] names the credential ID `credential`.
    #[must_use]
    pub fn passkey_claim(credential: &[u8]) -> String {
        use sha2::Digest as _;
        let mut claim = String::from("passkey:");
        crate::hex::encode_into(&sha2::Sha256::digest(credential), &mut claim);
        claim
    }

    /// Whether the account has an authenticator.
    #[must_use]
    pub fn has_token(&self) -> bool {
        !self.tokens.is_empty()
    }

    /// The enrolled passkeys, oldest first.
    #[must_use]
    pub fn passkeys(&self) -> &[PasskeyRecord] {
        &self.passkeys
    }

    /// The user handle the account's passkeys were registered under.
    #[must_use]
    pub fn user_handle(&self) -> Option<&[u8; 16]> {
        self.user_handle.as_ref()
    }

    /// Whether only a passkey is the second factor ("phishing-resistant only").
    #[must_use]
    pub fn phishing_resistant_only(&self) -> bool {
        self.phishing_resistant
    }

    /// Whether the signing credential `id` was revoked.
    #[must_use]
    pub fn credential_revoked(&self, id: &str) -> bool {
        self.revoked_credentials.iter().any(|r| r == id)
    }

    /// How many authenticators the account holds, soft tokens and passkeys together.
    #[must_use]
    pub fn authenticators(&self) -> usize {
        self.tokens.len() + self.passkeys.len()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    /// A token of `serial` with a fixed secret, for the account's unit tests.
    pub(crate) fn token(serial: &str) -> super::TokenRecord {
        super::TokenRecord {
            serial: serial.parse().unwrap_or_else(|_| unreachable!()),
            secret: tollgate_otp::Secret::from_array([1; 20]),
            params: tollgate_otp::TotpParams::default(),
            last_step: None,
            drift: 0,
            kind: None,
            name: None,
            enrolled_at: None,
        }
    }
}
