//! What the machine knows of an account: a snapshot the service loads for each request, and
//! the whole new state it asks the service to store, atomically, in return.

use tollgate_codes::{Activation, ActivationPassword, RegistrationCode, SerialNumber};
use tollgate_otp::{Secret, Step, TotpParams, UnixTime};

use crate::device::KnownDevice;
use crate::state::LoginId;
use crate::user::{EmailAddress, PhoneNumber};

/// An account as the store holds it, loaded for one request.
#[derive(Clone, Debug)]
pub struct Account {
    /// The store's version of [`Account::state`]: an [`AccountUpdate`] applies only while the
    /// stored version is still this one (compare-and-set).
    pub version: u64,
    /// The mobile number on file, for SMS.
    pub mobile: Option<PhoneNumber>,
    /// The e-mail address on file, for the alternative and when there is no mobile number.
    pub email: Option<EmailAddress>,
    /// Counters, lockout, token and pending activation.
    pub state: AccountState,
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
    pub password_failures: u32,
    /// Cool-downs those wrong passwords started, each twice as long as the last, up to a day;
    /// forgotten after a day with none.
    pub password_lockouts: u32,
    /// Until when passwords from unknown browsers are refused. Devices the account knows are
    /// not held by it ([`AccountState::devices`]), so that a stranger who knows the User ID
    /// cannot keep the owner out.
    pub password_locked_until: Option<UnixTime>,
    /// The devices that have logged in before, each with its own count of wrong passwords (at
    /// most [`MAX_DEVICES`](crate::MAX_DEVICES)).
    pub devices: Vec<KnownDevice>,
    /// Consecutive wrong second-factor codes (PINs, registration codes, token codes), in every
    /// login; only a right second-factor code resets it. At the configured hard limit (100 by
    /// default, NIST's cap) the second factor is locked until the account is recovered or an
    /// administrator resets this count.
    pub second_factor_failures: u32,
    /// Second-factor cool-downs since the last whole successful login: each one lasts twice as
    /// long as the one before. Only a login that ends authenticated resets it.
    pub lockouts: u32,
    /// Until when the account refuses every code, and every password (a second-factor
    /// cool-down: whoever caused it had the password).
    pub locked_until: Option<UnixTime>,
    /// The enrolled authenticators (soft tokens), oldest first: a later login takes the code
    /// of any of them. At most [`Config::max_authenticators`](crate::Config::max_authenticators);
    /// a second one is added only by a whole login with one already there (SP 800-63B-4
    /// §4.1.2.1), and removing one never leaves none.
    pub tokens: Vec<TokenRecord>,
    /// Activation data issued and not yet used.
    pub pending: Option<PendingActivation>,
    /// When PINs went out by SMS in the last hour, for the account's send budget
    /// ([`Config::with_send_budget`](crate::Config::with_send_budget)).
    pub sms_sent: Vec<UnixTime>,
    /// When PINs went out by e-mail in the last hour.
    pub email_sent: Vec<UnixTime>,
    /// Consecutive wrong codes in password resets ("Password locked or forgotten?"), which
    /// need no password: anyone who knows the User ID can type them. They are kept apart from
    /// [`AccountState::second_factor_failures`] so that a stranger cannot lock the owner's
    /// logins; at [`MAX_RESET_FAILURES`](crate::MAX_RESET_FAILURES) no more reset codes are
    /// checked, and they count toward the account's hard limit with the login's, so that the
    /// two together never allow more than it. Only a whole reset or an administrator clears
    /// them (not a login: the owner's logins would reopen a stranger's guessing).
    pub reset_failures: u32,
    /// An administrator set a temporary password: the next whole login must set a new one
    /// before it is authenticated ("change is required on first usage").
    pub password_expired: bool,
    /// The hashes of the recovery codes not used yet ([`crate::recovery`]).
    pub recovery_codes: Vec<crate::recovery::RecoveryHash>,
    /// An administrator's re-enrollment grant not used yet, if any.
    pub grant: Option<Grant>,
}

/// An administrator's one-time re-enrollment grant ([`crate::recovery::grant`]): at "I no
/// longer have my authenticator", with the password and a one-time PIN, it replaces the
/// account's tokens as a recovery code does, once, until it expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The grant's hash.
    pub hash: crate::recovery::RecoveryHash,
    /// When it stops working.
    pub expires_at: UnixTime,
}

/// Wrong reset codes in a row after which an account's password resets check no more codes
/// (until an administrator reopens them): a stranger gets at most this many guesses at the
/// authenticator's code, ever, and cannot lock the owner's logins with them.
pub const MAX_RESET_FAILURES: u32 = 10;

/// An enrolled soft token.
#[derive(Clone, Debug)]
pub struct TokenRecord {
    /// The token's serial number.
    pub serial: SerialNumber,
    /// Its secret.
    pub secret: Secret,
    /// Its TOTP parameters.
    pub params: TotpParams,
    /// The last step whose code was accepted: that code and older ones are refused.
    pub last_step: Option<Step>,
    /// How many steps the token's clock runs ahead (+) or behind (−), learned at the last
    /// accepted code and applied to the next verification.
    pub drift: i8,
    /// The app it was enrolled into (`None` for a token stored before authenticators had
    /// names and dates).
    pub kind: Option<EnrollmentKind>,
    /// The name the user gave it, if any (a page shows the kind's name otherwise).
    pub name: Option<AuthenticatorName>,
    /// When it was enrolled (`None` for a token stored before).
    pub enrolled_at: Option<UnixTime>,
}

/// The longest name of an authenticator, in characters.
pub const MAX_AUTHENTICATOR_NAME: usize = 40;

/// What a user calls one of their authenticators ("Work phone"): trimmed, NFC, 1 to
/// [`MAX_AUTHENTICATOR_NAME`] characters, none of them a control or format character (no
/// line breaks, no bidirectional overrides to make it read as another name).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuthenticatorName(String);

impl AuthenticatorName {
    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::str::FromStr for AuthenticatorName {
    type Err = crate::InputError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        use unicode_normalization::UnicodeNormalization as _;
        let name: String = text.trim().nfc().collect();
        let count = name.chars().count();
        let printable = |c: char| !c.is_control() && !is_format(c);
        if count == 0 || count > MAX_AUTHENTICATOR_NAME || !name.chars().all(printable) {
            return Err(crate::InputError::NotAnAuthenticatorName {
                max: MAX_AUTHENTICATOR_NAME,
            });
        }
        Ok(Self(name))
    }
}

/// Unicode's format characters that change how text around them reads: the bidirectional
/// marks, embeddings, overrides and isolates, zero-width joiners and spaces, the BOM.
fn is_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

impl core::fmt::Display for AuthenticatorName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a token is being enrolled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum EnrollmentKind {
    /// A phone app: secure activation QR and activation password (and, where the service
    /// offers it, the open path's `otpauth://` QR beside it).
    Mobile,
    /// A desktop app: serial number and activation code typed in, registration code typed back.
    Desktop,
}

/// Activation data issued to one login and not yet used.
///
/// Everything random that the activation screen shows is drawn when the activation is issued
/// and kept here (the store seals it), so that every rendering of the screen shows the same QR
/// codes and the same activation password until the activation is replaced or expires.
#[derive(Clone, Debug)]
pub struct PendingActivation {
    /// The activation data.
    pub activation: Activation,
    /// Mobile or desktop.
    pub kind: EnrollmentKind,
    /// The login that asked for it: another login of the same user sees the choice again.
    pub login: LoginId,
    /// The mobile path's QR code and the password that opens it.
    pub mobile: Option<MobileQr>,
    /// The open path's secret, when the service offers it on the mobile screen.
    pub open: Option<OpenToken>,
    /// The registration code the token reported online, with a proof that it holds these
    /// activation data ([`Driver::register_online`](crate::Driver::register_online)): the
    /// login completes the enrollment with it when the user clicks OK. Single use: a second,
    /// different code for the same activation is refused.
    pub registered: Option<OnlineRegistration>,
    /// Online registrations refused for these activation data (a wrong proof, or a code the
    /// scheme refuses). At [`MAX_ONLINE_FAILURES`] the registration address refuses them
    /// unchecked; the registration code can still be typed into "Response". They are not the
    /// account's second-factor failures: whoever sends them need not know the password, and a
    /// stranger must not be able to lock the owner out.
    pub online_failures: u32,
}

/// How many refused online registrations one activation takes before the registration
/// address stops checking them (the proof is 256 bits: this bounds the work, not a search).
pub const MAX_ONLINE_FAILURES: u32 = 10;

/// A registration code reported online, and when it arrived.
#[derive(Clone)]
pub struct OnlineRegistration {
    /// The code.
    pub code: RegistrationCode,
    /// When it arrived.
    pub at: UnixTime,
}

impl core::fmt::Debug for OnlineRegistration {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OnlineRegistration")
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// The secure activation QR of a pending mobile activation, as drawn at issue.
#[derive(Clone)]
pub struct MobileQr {
    /// The `igmobileotp://` URI the QR code carries (the activation data, encrypted under the
    /// password).
    pub uri: String,
    /// The 8-digit activation password shown beside it.
    pub password: ActivationPassword,
}

impl core::fmt::Debug for MobileQr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("MobileQr(<redacted>)")
    }
}

/// The open path's token, drawn at issue: any authenticator app scans its `otpauth://` QR, and
/// the first right code typed back enrolls it.
#[derive(Clone, Debug)]
pub struct OpenToken {
    /// The random secret (160 bits for SHA-1, 256 for SHA-256).
    pub secret: Secret,
    /// Its TOTP parameters (6 digits, 30 s).
    pub params: TotpParams,
}

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

impl Account {
    /// Whether the account is in a cool-down at `now`.
    #[must_use]
    pub fn is_locked(&self, now: UnixTime) -> bool {
        self.state.locked_until.is_some_and(|until| now < until)
    }
}

impl AccountState {
    /// The serial numbers this state holds (its token's, its pending activation's): a store
    /// keeps each unique across accounts.
    pub fn serials(&self) -> impl Iterator<Item = SerialNumber> + '_ {
        let tokens = self.tokens.iter().map(|t| t.serial);
        let pending = self.pending.as_ref().map(|p| p.activation.serial());
        tokens.chain(pending)
    }

    /// Whether the account has an authenticator.
    #[must_use]
    pub fn has_token(&self) -> bool {
        !self.tokens.is_empty()
    }
}
