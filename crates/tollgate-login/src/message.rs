//! What the screens say, as identifiers with parameters.
//!
//! The machine never produces text: it names a message and its parameters, and the service
//! renders it in the user's language with a [`Catalog`](crate::Catalog).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The messages: each with its identifier in a Fluent catalogue.
macro_rules! messages {
    ($($(#[$doc:meta])* $name:ident => $key:literal,)*) => {
        /// A message a screen shows.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum MessageId {
            $($(#[$doc])* $name,)*
        }

        impl MessageId {
            /// Every message, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$name,)*];

            /// The message's identifier in a Fluent catalogue (`enter-user-id`).
            #[must_use]
            pub fn key(self) -> &'static str {
                match self {
                    $(Self::$name => $key,)*
                }
            }
        }
    };
}

messages! {
    /// Title of the first screen.
    Login => "login",
    /// "Enter User ID".
    EnterUserId => "enter-user-id",
    /// The User ID is not an e-mail address.
    UserIdFormat => "user-id-format",
    /// "Enter your password."
    EnterPassword => "enter-password",
    /// "Password locked or forgotten?"
    PasswordLockedOrForgotten => "password-locked-or-forgotten",
    /// The User ID or password is wrong (also for unknown users and locked accounts).
    WrongPassword => "wrong-password",
    /// "Enter the one-time password that was just sent to you."
    EnterPin => "enter-pin",
    /// Where the PIN went: `{destination}`.
    PinSentTo => "pin-sent-to",
    /// "Resend OTP using SMS".
    ResendBySms => "resend-by-sms",
    /// "Resend OTP using e-mail".
    ResendByEmail => "resend-by-email",
    /// "Alternative authentication" (the PIN by e-mail).
    AlternativeAuthentication => "alternative-authentication",
    /// A wrong PIN.
    WrongPin => "wrong-pin",
    /// The PIN expired; ask for a new one.
    PinExpired => "pin-expired",
    /// A resend asked for too soon: `{seconds}`.
    ResendTooSoon => "resend-too-soon",
    /// No more sends in this login.
    TooManySends => "too-many-sends",
    /// The account's hourly budget of sends by this channel is spent.
    SendBudget => "send-budget",
    /// The account is cooling down after wrong codes: `{seconds}`.
    TryLater => "try-later",
    /// "Your organization requires you to set up authentication methods."
    SetUpAuthentication => "set-up-authentication",
    /// "Are you activating the token on your desktop or mobile app?"
    MobileOrDesktop => "mobile-or-desktop",
    /// "Mobile".
    Mobile => "mobile",
    /// "Desktop".
    Desktop => "desktop",
    /// "Activate your token by scanning the QR code with the Entrust Soft Token App."
    ScanQrCode => "scan-qr-code",
    /// "Activation Password".
    ActivationPassword => "activation-password",
    /// The open path: any authenticator app can scan this QR code.
    ScanOpenQrCode => "scan-open-qr-code",
    /// The open path's key as text, for an app that cannot scan: "Key".
    OpenPathKey => "open-path-key",
    /// The open path: type the code the authenticator app shows.
    EnterOpenPathCode => "enter-open-path-code",
    /// "Copy the activation parameters into the Entrust Soft Token application."
    CopyActivationParameters => "copy-activation-parameters",
    /// "Address".
    Address => "address",
    /// "Serial Number".
    SerialNumber => "serial-number",
    /// "Activation Code".
    ActivationCode => "activation-code",
    /// "Enter the registration code to finish activating the token."
    EnterRegistrationCode => "enter-registration-code",
    /// "Response".
    Response => "response",
    /// The registration code was mistyped.
    RegistrationMistyped => "registration-mistyped",
    /// The registration code belongs to another activation.
    RegistrationNotForThisActivation => "registration-not-for-this-activation",
    /// The activation data expired; choose again for new ones.
    ActivationExpired => "activation-expired",
    /// Another login of the same user asked for new activation data: choose again.
    ActivationReplaced => "activation-replaced",
    /// The account already has a token (enrolled meanwhile, in another login): its code is
    /// needed now.
    AlreadyEnrolled => "already-enrolled",
    /// "Congratulations, you have successfully enrolled for Entrust Identity."
    Enrolled => "enrolled",
    /// "Continue".
    Continue => "continue",
    /// Enter the code the soft token shows.
    EnterTokenCode => "enter-token-code",
    /// A wrong token code (also for a replayed one and a locked account).
    WrongCode => "wrong-code",
    /// Too many wrong codes in a row: the second factor is locked until the account is
    /// recovered or an administrator unlocks it.
    SecondFactorLocked => "second-factor-locked",
    /// The stored login could not be trusted (or another request moved it on): log in again.
    LoginRefused => "login-refused",
    /// Logged in.
    LoggedIn => "logged-in",
    /// The login took too long; start again.
    LoginExpired => "login-expired",
    /// "Cancel".
    Cancel => "cancel",
    /// "Next".
    Next => "next",
    /// "Login": the heading of the first screen, and the button that sends a one-time
    /// password or a token code.
    LogIn => "log-in",
    /// "Progress {step} of {steps}" above the enrollment's numbered steps.
    Progress => "progress",
    /// "Download the Entrust Soft Token App."
    DownloadApp => "download-app",
    /// "Copy the code and enter it in the mobile application when prompted."
    CopyActivationPassword => "copy-activation-password",
    /// "OK".
    Ok => "ok",
    /// What to do once the app is activated: click OK.
    ClickOkWhenActivated => "click-ok-when-activated",
    /// The app has registered: click OK to finish.
    RegistrationArrived => "registration-arrived",
    /// OK was clicked before the app registered.
    RegistrationNotArrived => "registration-not-arrived",
    /// For an app that cannot reach the server: it shows a registration code instead.
    AppShowsRegistrationCode => "app-shows-registration-code",
    /// The User ID is not a user name.
    UserNameFormat => "user-name-format",
    /// The catalogue's language, in itself ("Français"), for a language selector.
    LanguageName => "language-name",
    /// "Language", the selector's label.
    LanguageLabel => "language-label",
    /// "Copy", beside a value to copy.
    Copy => "copy",
    /// "Start over": end this login and begin another.
    StartOver => "start-over",
    /// The secure activation QR code's alternative text.
    QrAlt => "qr-alt",
    /// The open path's QR code's alternative text.
    OpenQrAlt => "open-qr-alt",
    /// The link to the development outbox.
    OutboxLink => "outbox-link",
    /// The banner every page shows while the development outbox is on.
    DevOutboxBanner => "dev-outbox-banner",
    /// The PIN could not be sent: try again, or the alternative.
    SendFailed => "send-failed",
    /// "Reset your password": the heading of the reset's screens.
    ResetPassword => "reset-password",
    /// To reset the password, the code the authenticator app shows.
    ResetEnterTokenCode => "reset-enter-token-code",
    /// "I no longer have my authenticator".
    NoAuthenticator => "no-authenticator",
    /// A reset's PIN went to the mobile number on file (which is not shown).
    ResetPinSms => "reset-pin-sms",
    /// A reset's PIN went to the e-mail address on file (which is not shown).
    ResetPinEmail => "reset-pin-email",
    /// "Step {step} of 2" for the two PINs of a reset without the authenticator.
    ResetStep => "reset-step",
    /// The account has an authenticator: a reset needs its code (or an administrator).
    ResetNeedsToken => "reset-needs-token",
    /// "New password": the field's label.
    NewPassword => "new-password",
    /// The rules of a new password: `{min}` to `{max}` characters, not common, not personal.
    PasswordRules => "password-rules",
    /// "Set password": the button.
    SetPassword => "set-password",
    /// A new password is too short: `{min}`.
    PasswordTooShort => "password-too-short",
    /// A new password is too long: `{max}`.
    PasswordTooLong => "password-too-long",
    /// A new password is on the list of common and breached passwords.
    PasswordCommon => "password-common",
    /// A new password contains the User ID, e-mail address or phone number.
    PasswordPersonal => "password-personal",
    /// "Your password has been changed." Log in with it.
    PasswordChanged => "password-changed",
    /// The password was set by an administrator: choose one of your own to go on.
    PasswordChangeRequired => "password-change-required",
    /// "Enter one of your recovery codes."
    EnterRecoveryCode => "enter-recovery-code",
    /// How many recovery codes are left: `{left}`.
    RecoveryLeft => "recovery-left",
    /// A wrong (or spent) recovery code.
    WrongRecoveryCode => "wrong-recovery-code",
    /// Save these recovery codes now: each works once, and they are not shown again.
    RecoveryCodesIntro => "recovery-codes-intro",
    /// "New recovery codes": the button (the old codes stop working).
    NewRecoveryCodes => "new-recovery-codes",
    /// "Change password": the button, once logged in.
    ChangePassword => "change-password",
    /// "Your authenticators": the heading of the session's list.
    YourAuthenticators => "your-authenticators",
    /// "Authenticator": the name of one stored before its kind was kept.
    AuthenticatorUnnamed => "authenticator-unnamed",
    /// "Added on {date}".
    AuthenticatorAddedOn => "authenticator-added-on",
    /// "Last used {date}".
    AuthenticatorLastUsed => "authenticator-last-used",
    /// "Not used yet".
    AuthenticatorNotUsed => "authenticator-not-used",
    /// "Add an authenticator": the button.
    AddAuthenticator => "add-authenticator",
    /// "Remove": the button beside one.
    RemoveAuthenticator => "remove-authenticator",
    /// "Rename": the button beside one.
    RenameAuthenticator => "rename-authenticator",
    /// "Name": the field for a new name.
    AuthenticatorName => "authenticator-name",
    /// A name that is not one: `{max}` characters at most.
    AuthenticatorNameFormat => "authenticator-name-format",
    /// The account holds the most authenticators allowed: `{max}`.
    AuthenticatorLimit => "authenticator-limit",
    /// The last authenticator cannot be removed.
    LastAuthenticator => "last-authenticator",
    /// The authenticator was removed.
    AuthenticatorRemoved => "authenticator-removed",
    /// The authenticator was renamed.
    AuthenticatorRenamed => "authenticator-renamed",
    /// Without a recovery code: the re-enrollment code an administrator gives.
    GrantHint => "grant-hint",
    /// An administrator's re-enrollment code that expired.
    GrantExpired => "grant-expired",
    /// A PIN by SMS: `{pin}`.
    PinText => "pin-text",
    /// The subject of a PIN by e-mail.
    PinMailSubject => "pin-mail-subject",
    /// Below a PIN by e-mail: what to do if it was not the user.
    PinMailWarning => "pin-mail-warning",
    /// The subject of a notice by e-mail.
    NoticeMailSubject => "notice-mail-subject",
    /// Below a notice by e-mail: which account (`{user}`), and what to do if it was not them.
    NoticeMailFooter => "notice-mail-footer",
    /// After a notice by SMS: what to do if it was not the user.
    NoticeSmsFooter => "notice-sms-footer",
    /// The subject of a request for password help, to the help desk.
    PasswordHelpSubject => "password-help-subject",
    /// A request for password help: `{user}` proved their phone and e-mail, not their
    /// authenticator.
    PasswordHelpBody => "password-help-body",
    /// Notice: an authenticator was added.
    NoticeAuthenticatorAdded => "notice-authenticator-added",
    /// Notice: the password was changed.
    NoticePasswordChanged => "notice-password-changed",
    /// Notice: a recovery code was used.
    NoticeRecoveryCodeUsed => "notice-recovery-code-used",
    /// Notice: new recovery codes replaced the old ones.
    NoticeRecoveryCodesReplaced => "notice-recovery-codes-replaced",
    /// Notice: the authenticators were revoked after a recovery code.
    NoticeAuthenticatorReplaced => "notice-authenticator-replaced",
    /// Notice: an authenticator was removed.
    NoticeAuthenticatorRemoved => "notice-authenticator-removed",
    /// Notice: password resets are closed after wrong codes.
    NoticeResetsClosed => "notice-resets-closed",
    /// Notice: an administrator unlocked the account.
    NoticeUnlocked => "notice-unlocked",
    /// Notice: an administrator revoked the authenticator.
    NoticeTokenRevoked => "notice-token-revoked",
    /// Notice: an administrator set a temporary password.
    NoticeTemporaryPassword => "notice-temporary-password",
    /// Notice: an administrator deleted the account.
    NoticeUserDeleted => "notice-user-deleted",
    /// Notice: an administrator gave out an app unlock code.
    NoticeAppUnlockCode => "notice-app-unlock-code",
    /// Notice: an administrator gave out a re-enrollment grant.
    NoticeReenrollmentGranted => "notice-reenrollment-granted",
    /// Notice: an administrator changed the contacts.
    NoticeContactsChanged => "notice-contacts-changed",
    /// Notice: something else changed (a notice this catalogue has no words for).
    NoticeOther => "notice-other",
    /// A sensitive change (an authenticator added or removed, new recovery codes) waits for
    /// the authenticator's code: the last one proven is more than a few minutes old.
    ConfirmWithCode => "confirm-with-code",
    /// "Log out": the logged-in page's button that ends the session.
    LogOut => "log-out",
    /// "Use a passkey": at the token-code step, instead of a code.
    UsePasskey => "use-passkey",
    /// What the passkey page asks the user to do.
    UsePasskeyHelp => "use-passkey-help",
    /// The passkey page's button that starts the browser's ceremony.
    PasskeyContinue => "passkey-continue",
    /// A passkey's answer was refused (counted as a wrong code).
    PasskeyRefused => "passkey-refused",
    /// "Use a passkey" on an account that has none.
    NoPasskey => "no-passkey",
    /// "Add a passkey", once logged in.
    AddPasskey => "add-passkey",
    /// What the page that adds a passkey asks the user to do.
    CreatePasskeyHelp => "create-passkey-help",
    /// A passkey was added.
    PasskeyAdded => "passkey-added",
    /// A new passkey was refused.
    PasskeyNotAdded => "passkey-not-added",
    /// A passkey was removed.
    PasskeyRemoved => "passkey-removed",
    /// The heading of the session page's list of passkeys.
    YourPasskeys => "your-passkeys",
    /// A passkey the user did not name.
    PasskeyUnnamed => "passkey-unnamed",
    /// Beside a passkey that is synced between devices.
    PasskeySynced => "passkey-synced",
    /// Removing the last passkey of a phishing-resistant account.
    LastPasskey => "last-passkey",
    /// "Phishing-resistant only" asked for without a passkey.
    PasskeyNeeded => "passkey-needed",
    /// The session page's switch: accept only passkeys.
    PhishingResistantOnly => "phishing-resistant-only",
    /// The session page's switch back: accept codes again.
    AllowCodes => "allow-codes",
    /// Notice: the account accepts only passkeys now.
    PhishingResistantOn => "phishing-resistant-on",
    /// Notice: the account accepts codes again.
    PhishingResistantOff => "phishing-resistant-off",
    /// A code typed for an account that accepts only passkeys.
    PasskeyRequired => "passkey-required",
    /// A recovery code for an account that accepts only passkeys.
    PasskeyOnlyRecovery => "passkey-only-recovery",
    /// The browser has no passkey support (said by the page's script).
    PasskeyUnsupported => "passkey-unsupported",
    /// "Log in with a passkey", on the first page: no User ID typed.
    LogInWithPasskey => "log-in-with-passkey",
    /// Notice: an administrator made the account "phishing-resistant only".
    NoticePhishingResistantOn => "notice-phishing-resistant-on",
    /// Notice: an administrator let the account take codes again.
    NoticePhishingResistantOff => "notice-phishing-resistant-off",
    /// "Create your Signing Certificate": the session page's heading and button.
    CreateSigningCertificate => "create-signing-certificate",
    /// What a signing certificate is for, under the heading.
    SigningCertificateHelp => "signing-certificate-help",
    /// The heading of the session page's list of signing certificates.
    YourSigningCertificates => "your-signing-certificates",
    /// A signing certificate was created.
    SigningCertificateCreated => "signing-certificate-created",
    /// A signing certificate was revoked.
    SigningCertificateRevoked => "signing-certificate-revoked",
    /// The button that revokes a signing certificate.
    RevokeSigningCertificate => "revoke-signing-certificate",
    /// Beside a signing certificate locked by wrong codes.
    SigningCertificateLocked => "signing-certificate-locked",
    /// Beside a revoked signing certificate.
    SigningCertificateIsRevoked => "signing-certificate-is-revoked",
    /// When a signing certificate was created (`date`).
    SigningCertificateCreatedOn => "signing-certificate-created-on",
    /// The user has as many signing certificates as allowed.
    TooManySigningCertificates => "too-many-signing-certificates",
    /// Notice: an administrator revoked a signing certificate.
    NoticeSigningRevoked => "notice-signing-revoked",
    /// Notice: an administrator unlocked a signing certificate.
    NoticeSigningUnlocked => "notice-signing-unlocked",
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
