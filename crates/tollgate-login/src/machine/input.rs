//! What a user (or the clock) does, as the machine takes it.

use crate::account::EnrollmentKind;
use crate::device::DeviceId;
use tollgate_codes::SerialNumber;

/// The result of checking a password, which the service computes (Argon2id in the facade) so
/// that the machine never sees the password. For an unknown user the service checks against a
/// dummy hash, so that both take the same time, and passes [`PasswordCheck::Incorrect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordCheck {
    /// The password matches the account's hash.
    Correct,
    /// It does not, or there is no account.
    Incorrect,
    /// [`PasswordCheck::Correct`], typed in a browser that presented this device cookie.
    CorrectOn(DeviceId),
    /// [`PasswordCheck::Incorrect`], typed in a browser that presented this device cookie.
    IncorrectOn(DeviceId),
}

impl PasswordCheck {
    /// The verdict, for the device cookie the request carried (if any).
    #[must_use]
    pub fn of(correct: bool, device: Option<DeviceId>) -> Self {
        match (correct, device) {
            (true, None) => Self::Correct,
            (false, None) => Self::Incorrect,
            (true, Some(d)) => Self::CorrectOn(d),
            (false, Some(d)) => Self::IncorrectOn(d),
        }
    }

    /// Whether the password was right.
    #[must_use]
    pub fn is_correct(self) -> bool {
        matches!(self, Self::Correct | Self::CorrectOn(_))
    }

    /// The device cookie it came with.
    #[must_use]
    pub fn device(self) -> Option<DeviceId> {
        match self {
            Self::Correct | Self::Incorrect => None,
            Self::CorrectOn(d) | Self::IncorrectOn(d) => Some(d),
        }
    }
}

/// What a user (or the clock) did: everything a service's caller may hand on. What the service
/// itself found out in its own IO (a new password stored, a PIN not delivered) is a [`Report`]
/// instead, which only the code that did that IO makes. Its `Debug` hides the password and what was typed into the
/// code fields.
///
/// `P` is what the password field carries: the machine takes the service's verdict
/// ([`PasswordCheck`]); a service's request handler holds the typed password (the `tollgate`
/// facade uses `Input<Zeroizing<String>>`) and turns it into a verdict with
/// [`Input::map_password`].
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input<P = PasswordCheck> {
    /// "Enter User ID", then "Next".
    UserId(String),
    /// "Enter your password", then "Next": the password, or the service's verdict on it.
    Password(P),
    /// "Password locked or forgotten?"
    ForgotPassword,
    /// The one-time PIN, then "Login".
    Pin(String),
    /// "Resend OTP".
    ResendPin,
    /// "Alternative Authentication": the PIN by e-mail.
    AlternativeAuthentication,
    /// Mobile or desktop.
    ChooseEnrollment(EnrollmentKind),
    /// The registration code, typed into "Response" or reported by the app.
    RegistrationCode(String),
    /// "OK" on the activation page without a registration code typed: the token registered
    /// online ([`Driver::register_online`](crate::Driver::register_online)), finish with its
    /// code.
    RegistrationArrived,
    /// "Continue" after enrollment.
    Continue,
    /// The first code of the authenticator app that scanned the open path's QR code.
    OpenPathCode(String),
    /// The soft token's code.
    TokenCode(String),
    /// "I no longer have my authenticator", at the start of a password reset: two PINs by
    /// independent channels (SMS, then e-mail) instead of the authenticator's code.
    NoAuthenticator,
    /// The new password of a reset, as typed. The machine takes the service's verdict on it
    /// ([`Report::PasswordSet`]) instead: a service checks the rules, hashes and stores the
    /// password at [`LoginState::expects_new_password`](crate::LoginState::expects_new_password),
    /// and reports that (the `tollgate` facade does).
    NewPassword(P),
    /// "I no longer have my authenticator" at the token-code step of a later login.
    LostToken,
    /// A recovery code, typed.
    RecoveryCode(String),
    /// "New recovery codes", once logged in: the old ones stop working.
    NewRecoveryCodes,
    /// "Change password", once logged in: the same two factors as "Password locked or
    /// forgotten?" (the authenticator's code, then a PIN), then the new password.
    ChangePassword,
    /// "Add an authenticator", once logged in: enrollment as at a first login, and back to the
    /// session (only a whole login adds one: SP 800-63B-4 §4.1.2.1).
    AddAuthenticator,
    /// "Remove" beside one of the user's authenticators, once logged in (never the last one).
    RemoveAuthenticator(SerialNumber),
    /// "Rename" beside one of the user's authenticators, once logged in, with the name typed.
    RenameAuthenticator {
        /// Which one.
        serial: SerialNumber,
        /// The name, as typed.
        name: String,
    },
    /// "Use a passkey" at the token-code step, "Add a passkey" once logged in: a challenge is
    /// drawn and the page shows the options for the browser's ceremony.
    BeginPasskey,
    /// The browser's answer to a passkey ceremony, as `PublicKeyCredential.toJSON()` wrote it
    /// (an assertion at a login, a new credential when adding one).
    Passkey(String),
    /// "Remove" beside one of the user's passkeys, once logged in: its credential ID in hex.
    RemovePasskey(String),
    /// "Rename" beside one of the user's passkeys, once logged in, with the name typed.
    RenamePasskey {
        /// Its credential ID in hex.
        id: String,
        /// The name, as typed.
        name: String,
    },
    /// "Phishing-resistant only" turned on (`true`) or off, once logged in: with it on, no
    /// code is a second factor for the account, only a passkey. On needs a passkey; off asks
    /// for a fresh passkey assertion.
    PhishingResistantOnly(bool),
    /// "Cancel", at any step: back to the start (while adding an authenticator: back to the
    /// session).
    Cancel,
    /// The time given by [`Output::wake_at`](crate::Output::wake_at) has come.
    Tick,
}

impl<P> Input<P> {
    /// Whether a real account's state changes when its login takes this input where a
    /// stranger can (a password, a code, a PIN sent or checked): for a User ID that is no
    /// account, the step is then stored with a stand-in for the account's change.
    pub(crate) fn changes_an_account(&self) -> bool {
        matches!(
            self,
            Self::Password(_)
                | Self::Pin(_)
                | Self::TokenCode(_)
                | Self::RecoveryCode(_)
                | Self::NoAuthenticator
                | Self::ResendPin
                | Self::AlternativeAuthentication
                | Self::Passkey(_)
        )
    }

    /// The same input with the password field turned into something else, e.g. the typed
    /// password into the verdict of checking it.
    pub fn map_password<Q>(self, check: impl FnOnce(P) -> Q) -> Input<Q> {
        match self {
            Self::Password(password) => Input::Password(check(password)),
            Self::NewPassword(password) => Input::NewPassword(check(password)),
            Self::NoAuthenticator => Input::NoAuthenticator,
            Self::LostToken => Input::LostToken,
            Self::RecoveryCode(code) => Input::RecoveryCode(code),
            Self::NewRecoveryCodes => Input::NewRecoveryCodes,
            Self::ChangePassword => Input::ChangePassword,
            Self::UserId(id) => Input::UserId(id),
            Self::ForgotPassword => Input::ForgotPassword,
            Self::Pin(pin) => Input::Pin(pin),
            Self::ResendPin => Input::ResendPin,
            Self::AlternativeAuthentication => Input::AlternativeAuthentication,
            Self::ChooseEnrollment(kind) => Input::ChooseEnrollment(kind),
            Self::RegistrationCode(code) => Input::RegistrationCode(code),
            Self::RegistrationArrived => Input::RegistrationArrived,
            Self::Continue => Input::Continue,
            Self::TokenCode(code) => Input::TokenCode(code),
            Self::OpenPathCode(code) => Input::OpenPathCode(code),
            Self::AddAuthenticator => Input::AddAuthenticator,
            Self::RemoveAuthenticator(serial) => Input::RemoveAuthenticator(serial),
            Self::RenameAuthenticator { serial, name } => {
                Input::RenameAuthenticator { serial, name }
            }
            Self::BeginPasskey => Input::BeginPasskey,
            Self::Passkey(response) => Input::Passkey(response),
            Self::RemovePasskey(id) => Input::RemovePasskey(id),
            Self::RenamePasskey { id, name } => Input::RenamePasskey { id, name },
            Self::PhishingResistantOnly(on) => Input::PhishingResistantOnly(on),
            Self::Cancel => Input::Cancel,
            Self::Tick => Input::Tick,
        }
    }
}

impl<P> core::fmt::Debug for Input<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::UserId(id) => f.debug_tuple("UserId").field(id).finish(),
            Self::Password(_) => f.write_str("Password(<redacted>)"),
            Self::NewPassword(_) => f.write_str("NewPassword(<redacted>)"),
            Self::NoAuthenticator => f.write_str("NoAuthenticator"),
            Self::LostToken => f.write_str("LostToken"),
            Self::RecoveryCode(_) => f.write_str("RecoveryCode(<redacted>)"),
            Self::NewRecoveryCodes => f.write_str("NewRecoveryCodes"),
            Self::ChangePassword => f.write_str("ChangePassword"),
            Self::Pin(_) => f.write_str("Pin(<redacted>)"),
            Self::RegistrationCode(_) => f.write_str("RegistrationCode(<redacted>)"),
            Self::TokenCode(_) => f.write_str("TokenCode(<redacted>)"),
            Self::OpenPathCode(_) => f.write_str("OpenPathCode(<redacted>)"),
            Self::ChooseEnrollment(kind) => f.debug_tuple("ChooseEnrollment").field(kind).finish(),
            Self::ForgotPassword => f.write_str("ForgotPassword"),
            Self::ResendPin => f.write_str("ResendPin"),
            Self::AlternativeAuthentication => f.write_str("AlternativeAuthentication"),
            Self::RegistrationArrived => f.write_str("RegistrationArrived"),
            Self::Continue => f.write_str("Continue"),
            Self::AddAuthenticator => f.write_str("AddAuthenticator"),
            Self::RemoveAuthenticator(serial) => {
                f.debug_tuple("RemoveAuthenticator").field(serial).finish()
            }
            Self::RenameAuthenticator { serial, name } => f
                .debug_struct("RenameAuthenticator")
                .field("serial", serial)
                .field("name", name)
                .finish(),
            Self::BeginPasskey => f.write_str("BeginPasskey"),
            Self::Passkey(response) => write!(f, "Passkey(<{} bytes>)", response.len()),
            Self::RemovePasskey(id) => f.debug_tuple("RemovePasskey").field(id).finish(),
            Self::RenamePasskey { id, name } => f
                .debug_struct("RenamePasskey")
                .field("id", id)
                .field("name", name)
                .finish(),
            Self::PhishingResistantOnly(on) => {
                f.debug_tuple("PhishingResistantOnly").field(on).finish()
            }
            Self::Cancel => f.write_str("Cancel"),
            Self::Tick => f.write_str("Tick"),
        }
    }
}

/// What the service's own IO came to, reported to the machine by the code that did it: a new
/// password checked against the rules and stored, a PIN that could not be delivered.
///
/// A verdict is not something a user can type: it is kept out of [`Input`], so that a service
/// that hands its callers' input on to the machine cannot be made to hand on a verdict (a
/// caller claiming "the new password is stored" would clear an expired password, audit a
/// reset and tell the user their password changed, with no password stored). The `tollgate`
/// facade makes these only where it did the work, and its `submit` takes an [`Input`] alone.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Report {
    /// The service's verdict on [`Input::NewPassword`]: its hash is stored, or the rules
    /// refused it (nothing stored).
    PasswordSet(Result<(), crate::PasswordRefusal>),
    /// The service could not deliver the PIN the last step asked it to send (after its
    /// retries). The PIN is void and the send is not counted.
    PinNotDelivered,
    /// A passkey's answer before any User ID ([`Input::Passkey`] at "Log in with a passkey"),
    /// with the account the store found holding its credential ID: the driver's lookup.
    PasskeyOwner {
        /// Whose passkey the credential ID is.
        user: crate::UserId,
        /// The browser's answer.
        response: String,
    },
}

/// What the machine takes: a user's [`Input`] (with the service's verdict on a typed
/// password), or the service's [`Report`] of its own IO.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// What a user (or the clock) did.
    Input(Input),
    /// What the service's own IO came to.
    Report(Report),
}

impl From<Input> for Event {
    fn from(input: Input) -> Self {
        Self::Input(input)
    }
}

impl From<Report> for Event {
    fn from(report: Report) -> Self {
        Self::Report(report)
    }
}

impl Event {
    /// Whether this is the input `input`.
    pub(crate) fn is(&self, input: &Input) -> bool {
        matches!(self, Self::Input(i) if i == input)
    }

    /// As [`Input::changes_an_account`]; a report never does where a stranger can.
    pub(crate) fn changes_an_account(&self) -> bool {
        matches!(self, Self::Input(i) if i.changes_an_account())
    }
}
