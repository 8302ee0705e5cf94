//! What the screens say, as identifiers with parameters.
//!
//! The machine never produces text: it names a message and its parameters, and the service
//! renders it in the user's language with a [`Catalog`](crate::Catalog).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A message a screen shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum MessageId {
    /// Title of the first screen.
    Login,
    /// "Enter User ID".
    EnterUserId,
    /// The User ID is not an e-mail address.
    UserIdFormat,
    /// "Enter your password."
    EnterPassword,
    /// "Password locked or forgotten?"
    PasswordLockedOrForgotten,
    /// The User ID or password is wrong (also for unknown users and locked accounts).
    WrongPassword,
    /// "Enter the one-time password that was just sent to you."
    EnterPin,
    /// Where the PIN went: `{destination}`.
    PinSentTo,
    /// "Resend OTP using SMS".
    ResendBySms,
    /// "Resend OTP using e-mail".
    ResendByEmail,
    /// "Alternative authentication" (the PIN by e-mail).
    AlternativeAuthentication,
    /// A wrong PIN.
    WrongPin,
    /// The PIN expired; ask for a new one.
    PinExpired,
    /// A resend asked for too soon: `{seconds}`.
    ResendTooSoon,
    /// No more sends in this login.
    TooManySends,
    /// The account's hourly budget of sends by this channel is spent.
    SendBudget,
    /// The account is cooling down after wrong codes: `{seconds}`.
    TryLater,
    /// "Your organization requires you to set up authentication methods."
    SetUpAuthentication,
    /// "Are you activating the token on your desktop or mobile app?"
    MobileOrDesktop,
    /// "Mobile".
    Mobile,
    /// "Desktop".
    Desktop,
    /// "Activate your token by scanning the QR code with the Entrust Soft Token App."
    ScanQrCode,
    /// "Activation Password".
    ActivationPassword,
    /// The open path: any authenticator app can scan this QR code.
    ScanOpenQrCode,
    /// The open path's key as text, for an app that cannot scan: "Key".
    OpenPathKey,
    /// The open path: type the code the authenticator app shows.
    EnterOpenPathCode,
    /// "Copy the activation parameters into the Entrust Soft Token application."
    CopyActivationParameters,
    /// "Address".
    Address,
    /// "Serial Number".
    SerialNumber,
    /// "Activation Code".
    ActivationCode,
    /// "Enter the registration code to finish activating the token."
    EnterRegistrationCode,
    /// "Response".
    Response,
    /// The registration code was mistyped.
    RegistrationMistyped,
    /// The registration code belongs to another activation.
    RegistrationNotForThisActivation,
    /// The activation data expired; choose again for new ones.
    ActivationExpired,
    /// Another login of the same user asked for new activation data: choose again.
    ActivationReplaced,
    /// The account already has a token (enrolled meanwhile, in another login): its code is
    /// needed now.
    AlreadyEnrolled,
    /// "Congratulations, you have successfully enrolled for Entrust Identity."
    Enrolled,
    /// "Continue".
    Continue,
    /// Enter the code the soft token shows.
    EnterTokenCode,
    /// A wrong token code (also for a replayed one and a locked account).
    WrongCode,
    /// Too many wrong codes in a row: the second factor is locked until the account is
    /// recovered or an administrator unlocks it.
    SecondFactorLocked,
    /// The stored login could not be trusted (or another request moved it on): log in again.
    LoginRefused,
    /// Logged in.
    LoggedIn,
    /// The login took too long; start again.
    LoginExpired,
    /// "Cancel".
    Cancel,
    /// "Next".
    Next,
    /// "Login": the heading of the first screen, and the button that sends a one-time
    /// password or a token code.
    LogIn,
    /// "Progress {step} of {steps}" above the enrollment's numbered steps.
    Progress,
    /// "Download the Entrust Soft Token App."
    DownloadApp,
    /// "Copy the code and enter it in the mobile application when prompted."
    CopyActivationPassword,
    /// "OK".
    Ok,
    /// What to do once the app is activated: click OK.
    ClickOkWhenActivated,
    /// The app has registered: click OK to finish.
    RegistrationArrived,
    /// OK was clicked before the app registered.
    RegistrationNotArrived,
    /// For an app that cannot reach the server: it shows a registration code instead.
    AppShowsRegistrationCode,
    /// The User ID is not a user name.
    UserNameFormat,
    /// The catalogue's language, in itself ("Français"), for a language selector.
    LanguageName,
    /// "Language", the selector's label.
    LanguageLabel,
    /// "Copy", beside a value to copy.
    Copy,
    /// "Start over": end this login and begin another.
    StartOver,
    /// The secure activation QR code's alternative text.
    QrAlt,
    /// The open path's QR code's alternative text.
    OpenQrAlt,
    /// The link to the development outbox.
    OutboxLink,
    /// The banner every page shows while the development outbox is on.
    DevOutboxBanner,
    /// The PIN could not be sent: try again, or the alternative.
    SendFailed,
    /// "Reset your password": the heading of the reset's screens.
    ResetPassword,
    /// To reset the password, the code the authenticator app shows.
    ResetEnterTokenCode,
    /// "I no longer have my authenticator".
    NoAuthenticator,
    /// A reset's PIN went to the mobile number on file (which is not shown).
    ResetPinSms,
    /// A reset's PIN went to the e-mail address on file (which is not shown).
    ResetPinEmail,
    /// "Step {step} of 2" for the two PINs of a reset without the authenticator.
    ResetStep,
    /// The account has an authenticator: a reset needs its code (or an administrator).
    ResetNeedsToken,
    /// "New password": the field's label.
    NewPassword,
    /// The rules of a new password: `{min}` to `{max}` characters, not common, not personal.
    PasswordRules,
    /// "Set password": the button.
    SetPassword,
    /// A new password is too short: `{min}`.
    PasswordTooShort,
    /// A new password is too long: `{max}`.
    PasswordTooLong,
    /// A new password is on the list of common and breached passwords.
    PasswordCommon,
    /// A new password contains the User ID, e-mail address or phone number.
    PasswordPersonal,
    /// "Your password has been changed." Log in with it.
    PasswordChanged,
    /// The password was set by an administrator: choose one of your own to go on.
    PasswordChangeRequired,
    /// "Enter one of your recovery codes."
    EnterRecoveryCode,
    /// How many recovery codes are left: `{left}`.
    RecoveryLeft,
    /// A wrong (or spent) recovery code.
    WrongRecoveryCode,
    /// Save these recovery codes now: each works once, and they are not shown again.
    RecoveryCodesIntro,
    /// "New recovery codes": the button (the old codes stop working).
    NewRecoveryCodes,
    /// "Change password": the button, once logged in.
    ChangePassword,
}

impl MessageId {
    /// Every message, in declaration order.
    pub const ALL: [Self; 88] = [
        Self::Login,
        Self::EnterUserId,
        Self::UserIdFormat,
        Self::EnterPassword,
        Self::PasswordLockedOrForgotten,
        Self::WrongPassword,
        Self::EnterPin,
        Self::PinSentTo,
        Self::ResendBySms,
        Self::ResendByEmail,
        Self::AlternativeAuthentication,
        Self::WrongPin,
        Self::PinExpired,
        Self::ResendTooSoon,
        Self::TooManySends,
        Self::SendBudget,
        Self::TryLater,
        Self::SetUpAuthentication,
        Self::MobileOrDesktop,
        Self::Mobile,
        Self::Desktop,
        Self::ScanQrCode,
        Self::ActivationPassword,
        Self::ScanOpenQrCode,
        Self::OpenPathKey,
        Self::EnterOpenPathCode,
        Self::CopyActivationParameters,
        Self::Address,
        Self::SerialNumber,
        Self::ActivationCode,
        Self::EnterRegistrationCode,
        Self::Response,
        Self::RegistrationMistyped,
        Self::RegistrationNotForThisActivation,
        Self::ActivationExpired,
        Self::ActivationReplaced,
        Self::AlreadyEnrolled,
        Self::Enrolled,
        Self::Continue,
        Self::EnterTokenCode,
        Self::WrongCode,
        Self::SecondFactorLocked,
        Self::LoginRefused,
        Self::LoggedIn,
        Self::LoginExpired,
        Self::Cancel,
        Self::Next,
        Self::LogIn,
        Self::Progress,
        Self::DownloadApp,
        Self::CopyActivationPassword,
        Self::Ok,
        Self::ClickOkWhenActivated,
        Self::RegistrationArrived,
        Self::RegistrationNotArrived,
        Self::AppShowsRegistrationCode,
        Self::UserNameFormat,
        Self::LanguageName,
        Self::LanguageLabel,
        Self::Copy,
        Self::StartOver,
        Self::QrAlt,
        Self::OpenQrAlt,
        Self::OutboxLink,
        Self::DevOutboxBanner,
        Self::SendFailed,
        Self::ResetPassword,
        Self::ResetEnterTokenCode,
        Self::NoAuthenticator,
        Self::ResetPinSms,
        Self::ResetPinEmail,
        Self::ResetStep,
        Self::ResetNeedsToken,
        Self::NewPassword,
        Self::PasswordRules,
        Self::SetPassword,
        Self::PasswordTooShort,
        Self::PasswordTooLong,
        Self::PasswordCommon,
        Self::PasswordPersonal,
        Self::PasswordChanged,
        Self::PasswordChangeRequired,
        Self::EnterRecoveryCode,
        Self::RecoveryLeft,
        Self::WrongRecoveryCode,
        Self::RecoveryCodesIntro,
        Self::NewRecoveryCodes,
        Self::ChangePassword,
    ];

    /// The message's identifier in a Fluent catalogue (`enter-user-id`).
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::EnterUserId => "enter-user-id",
            Self::UserIdFormat => "user-id-format",
            Self::EnterPassword => "enter-password",
            Self::PasswordLockedOrForgotten => "password-locked-or-forgotten",
            Self::WrongPassword => "wrong-password",
            Self::EnterPin => "enter-pin",
            Self::PinSentTo => "pin-sent-to",
            Self::ResendBySms => "resend-by-sms",
            Self::ResendByEmail => "resend-by-email",
            Self::AlternativeAuthentication => "alternative-authentication",
            Self::WrongPin => "wrong-pin",
            Self::PinExpired => "pin-expired",
            Self::ResendTooSoon => "resend-too-soon",
            Self::TooManySends => "too-many-sends",
            Self::SendBudget => "send-budget",
            Self::TryLater => "try-later",
            Self::SetUpAuthentication => "set-up-authentication",
            Self::MobileOrDesktop => "mobile-or-desktop",
            Self::Mobile => "mobile",
            Self::Desktop => "desktop",
            Self::ScanQrCode => "scan-qr-code",
            Self::ActivationPassword => "activation-password",
            Self::ScanOpenQrCode => "scan-open-qr-code",
            Self::OpenPathKey => "open-path-key",
            Self::EnterOpenPathCode => "enter-open-path-code",
            Self::CopyActivationParameters => "copy-activation-parameters",
            Self::Address => "address",
            Self::SerialNumber => "serial-number",
            Self::ActivationCode => "activation-code",
            Self::EnterRegistrationCode => "enter-registration-code",
            Self::Response => "response",
            Self::RegistrationMistyped => "registration-mistyped",
            Self::RegistrationNotForThisActivation => "registration-not-for-this-activation",
            Self::ActivationExpired => "activation-expired",
            Self::ActivationReplaced => "activation-replaced",
            Self::AlreadyEnrolled => "already-enrolled",
            Self::Enrolled => "enrolled",
            Self::Continue => "continue",
            Self::EnterTokenCode => "enter-token-code",
            Self::WrongCode => "wrong-code",
            Self::SecondFactorLocked => "second-factor-locked",
            Self::LoginRefused => "login-refused",
            Self::LoggedIn => "logged-in",
            Self::LoginExpired => "login-expired",
            Self::Cancel => "cancel",
            Self::Next => "next",
            Self::LogIn => "log-in",
            Self::Progress => "progress",
            Self::DownloadApp => "download-app",
            Self::CopyActivationPassword => "copy-activation-password",
            Self::Ok => "ok",
            Self::ClickOkWhenActivated => "click-ok-when-activated",
            Self::RegistrationArrived => "registration-arrived",
            Self::RegistrationNotArrived => "registration-not-arrived",
            Self::AppShowsRegistrationCode => "app-shows-registration-code",
            Self::UserNameFormat => "user-name-format",
            Self::LanguageName => "language-name",
            Self::LanguageLabel => "language-label",
            Self::Copy => "copy",
            Self::StartOver => "start-over",
            Self::QrAlt => "qr-alt",
            Self::OpenQrAlt => "open-qr-alt",
            Self::OutboxLink => "outbox-link",
            Self::DevOutboxBanner => "dev-outbox-banner",
            Self::SendFailed => "send-failed",
            Self::ResetPassword => "reset-password",
            Self::ResetEnterTokenCode => "reset-enter-token-code",
            Self::NoAuthenticator => "no-authenticator",
            Self::ResetPinSms => "reset-pin-sms",
            Self::ResetPinEmail => "reset-pin-email",
            Self::ResetStep => "reset-step",
            Self::ResetNeedsToken => "reset-needs-token",
            Self::NewPassword => "new-password",
            Self::PasswordRules => "password-rules",
            Self::SetPassword => "set-password",
            Self::PasswordTooShort => "password-too-short",
            Self::PasswordTooLong => "password-too-long",
            Self::PasswordCommon => "password-common",
            Self::PasswordPersonal => "password-personal",
            Self::PasswordChanged => "password-changed",
            Self::PasswordChangeRequired => "password-change-required",
            Self::EnterRecoveryCode => "enter-recovery-code",
            Self::RecoveryLeft => "recovery-left",
            Self::WrongRecoveryCode => "wrong-recovery-code",
            Self::RecoveryCodesIntro => "recovery-codes-intro",
            Self::NewRecoveryCodes => "new-recovery-codes",
            Self::ChangePassword => "change-password",
        }
    }
}

/// A message with its parameters, e.g. [`MessageId::PinSentTo`] with `destination`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Which message.
    pub id: MessageId,
    /// Its parameters, by name.
    pub args: Vec<(Cow<'static, str>, String)>,
}

impl Message {
    /// A message without parameters.
    #[must_use]
    pub fn new(id: MessageId) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    /// The message with one more parameter.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((Cow::Borrowed(name), value.into()));
        self
    }
}

impl From<MessageId> for Message {
    fn from(id: MessageId) -> Self {
        Self::new(id)
    }
}
