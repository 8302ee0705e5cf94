//! What the machine knows of an account: a snapshot the service loads for each request, and
//! the whole new state it asks the service to store, atomically, in return.

use tollgate_codes::{Activation, SerialNumber};
use tollgate_otp::{Secret, Step, TotpParams, UnixTime};

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
#[derive(Clone, Debug, Default)]
pub struct AccountState {
    /// Consecutive wrong passwords.
    pub password_failures: u32,
    /// Consecutive wrong codes: PINs, registration codes, token codes.
    pub code_failures: u32,
    /// Lockouts in a row, for the growing cool-down.
    pub lockouts: u32,
    /// Until when the account refuses every password.
    pub locked_until: Option<UnixTime>,
    /// The enrolled soft token.
    pub token: Option<TokenRecord>,
    /// Activation data issued and not yet used.
    pub pending: Option<PendingActivation>,
}

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
}

/// How a token is being enrolled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum EnrollmentKind {
    /// A phone app: secure activation QR and activation password.
    Mobile,
    /// A desktop app: serial number and activation code typed in, registration code typed back.
    Desktop,
}

/// Activation data issued to the user and not yet used.
#[derive(Clone, Debug)]
pub struct PendingActivation {
    /// The activation data.
    pub activation: Activation,
    /// Mobile or desktop.
    pub kind: EnrollmentKind,
}

/// An atomic change to an account: store `state` if and only if the stored version is still
/// `expected_version`, and bump the version. When it is not, the store must refuse, and the
/// service must reload the account and hand the same input to the machine again.
#[derive(Clone, Debug)]
#[must_use]
pub struct AccountUpdate {
    /// The version the change was computed from.
    pub expected_version: u64,
    /// The new state.
    pub state: AccountState,
}

impl Account {
    /// Whether the account refuses logins at `now`.
    #[must_use]
    pub fn is_locked(&self, now: UnixTime) -> bool {
        self.state.locked_until.is_some_and(|until| now < until)
    }
}
