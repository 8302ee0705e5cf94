//! What the machine hands back: the screen to show, and what the service must do.

use tollgate_otp::{Pin, UnixTime};

use crate::account::AccountUpdate;
use crate::device::DeviceId;
use crate::message::{Message, MessageId};
use crate::state::LoginState;
use crate::user::{EmailAddress, PhoneNumber, UserId};

/// What one input did, as the machine hands it back: the contract of a transition is in its
/// type, after quinn-proto's typed outputs.
///
/// - at most one account change, [`Transition::update`], to be stored with compare-and-set;
/// - the login's next state, [`Transition::next`], to be stored in the same atomic step (with
///   a new key when [`Transition::rekey`] says the login's assurance rose);
/// - what to show, [`Transition::output`];
/// - the effects (PINs to send, audit events, notifications), which exist only once both are
///   stored: [`Transition::into_effects`] consumes the transition.
///
/// [`Driver`](crate::Driver) is the one loop that does this (load, handle, store atomically,
/// retry on a conflict, then hand back the effects); use it rather than writing another.
#[derive(Debug)]
#[must_use]
pub struct Transition {
    pub(crate) next: LoginState,
    /// Boxed: most transitions change no account, and a transition is moved about whole.
    pub(crate) update: Option<Box<AccountUpdate>>,
    pub(crate) rekey: bool,
    /// A User ID that is no account took a step that changes a real account.
    pub(crate) stand_in: bool,
    pub(crate) output: Output,
    pub(crate) effects: Vec<Effect>,
}

impl Transition {
    /// The login's next state.
    pub fn next(&self) -> &LoginState {
        &self.next
    }

    /// The account change to store with compare-and-set, if any. When the store refuses it
    /// (the account changed meanwhile), drop this transition, reload the account and hand the
    /// same state and input to the machine again.
    pub fn update(&self) -> Option<&AccountUpdate> {
        self.update.as_deref()
    }

    /// Whether this is a step of a User ID that is no account where a real account's would
    /// change the account: store it with [`Commit::stand_in`](crate::Commit::stand_in), so
    /// that it takes as long.
    pub fn stand_in(&self) -> bool {
        self.stand_in
    }

    /// Whether the login rose in assurance (past the password, past the second factor, to
    /// authenticated): store it under a new key, and let the old one die in the same step.
    pub fn rekey(&self) -> bool {
        self.rekey
    }

    /// What to show.
    pub fn output(&self) -> &Output {
        &self.output
    }

    /// After the update and the next state are stored: what to show, and the effects to carry
    /// out, in order.
    pub fn into_effects(self) -> (Output, Vec<Effect>) {
        (self.output, self.effects)
    }

    /// Whether storing this transition would change nothing: no account change, the same
    /// state, no new key (a page viewed again).
    pub fn is_unchanged(&self, state: &LoginState) -> bool {
        self.update.is_none() && !self.rekey && self.next == *state
    }
}

/// What to show after one input.
#[derive(Debug)]
#[must_use]
pub struct Output {
    /// The screen to show now.
    pub screen: Screen,
    /// A notice above it (a wrong password, a PIN sent, …), if any.
    pub notice: Option<Message>,
    /// When the service should hand the machine [`crate::Input::Tick`], if nothing else
    /// happens first: the next deadline (PIN expiry, activation expiry, login expiry).
    pub wake_at: Option<UnixTime>,
}

/// The screens of the portal's first-login guide.
///
/// Not `#[non_exhaustive]`, on purpose: a service renders every screen, and a screen added in a
/// later version is a compile error in its renderer (a new minor version, in the changelog),
/// not a blank page behind a catch-all arm.
#[derive(Debug)]
pub enum Screen {
    /// "Enter User ID".
    EnterUserId,
    /// "Enter your password", with "Password locked or forgotten?".
    EnterPassword {
        /// Who is logging in.
        user: UserId,
    },
    /// "Enter the one-time password that was just sent to you", with "Resend" and, where an
    /// e-mail address is on file and the PIN went by SMS, "Alternative authentication".
    EnterPin {
        /// Who is logging in.
        user: UserId,
        /// Where the PIN went, masked: `+1 ••• ••• 1234`, `j•••@example.com`.
        sent_to: String,
        /// How a resend goes (the channel of the last send).
        channel: Channel,
        /// When a resend will be accepted.
        resend_at: UnixTime,
        /// Whether "Alternative authentication" (e-mail) is offered.
        alternative: bool,
        /// Whether the PIN went out: false when the service could not deliver it (the page
        /// must not say "We sent it to …").
        delivered: bool,
    },
    /// "Are you activating the token on your desktop or mobile app?"
    ChooseEnrollment {
        /// Who is enrolling.
        user: UserId,
    },
    /// The mobile path: the secure activation QR and its activation password.
    MobileActivation(Box<MobileActivation>),
    /// The desktop path: Address, Serial Number, Activation Code, and the Response field.
    DesktopActivation(Box<DesktopActivation>),
    /// "Congratulations, you have successfully enrolled", with "Continue", and the recovery
    /// codes issued with the token: shown this once (empty when the page is shown again).
    Enrolled {
        /// Who enrolled.
        user: UserId,
        /// The new recovery codes, to show now and never again.
        recovery_codes: Vec<crate::recovery::RecoveryCode>,
    },
    /// The soft token's code, at every later login (and "Use a passkey" when the account has
    /// one).
    EnterTokenCode {
        /// Who is logging in.
        user: UserId,
        /// Whether "Use a passkey" is offered: the account has one and the service verifies
        /// them.
        passkey: bool,
        /// Whether a code is taken: not when the account is "phishing-resistant only".
        codes: bool,
    },
    /// "Use a passkey": the page runs `navigator.credentials.get()` with these options and
    /// posts the browser's answer ([`Input::Passkey`](crate::Input::Passkey)).
    UsePasskey {
        /// Who is logging in (`None` for "Log in with a passkey" before any User ID: the
        /// browser offers the passkeys it holds for the service).
        user: Option<UserId>,
        /// The options, as `PublicKeyCredential.parseRequestOptionsFromJSON()` reads them.
        options: String,
    },
    /// "Add a passkey": the page runs `navigator.credentials.create()` with these options and
    /// posts the browser's answer ([`Input::Passkey`](crate::Input::Passkey)).
    CreatePasskey {
        /// Whose.
        user: UserId,
        /// The options, as `PublicKeyCredential.parseCreationOptionsFromJSON()` reads them.
        options: String,
    },
    /// The second factor failed the hard limit of times in a row (in all logins together):
    /// it is locked until the account is recovered or an administrator unlocks it.
    SecondFactorLocked {
        /// Whose.
        user: UserId,
    },
    /// Logged in: the service opens the user's session. It lists the user's authenticators,
    /// for "Add an authenticator", "Rename" and "Remove".
    Authenticated {
        /// Who.
        user: UserId,
        /// The account's soft tokens, oldest first.
        authenticators: Vec<Authenticator>,
        /// The account's passkeys, oldest first.
        passkeys: Vec<Passkey>,
        /// Whether one more may be added ([`Config::max_authenticators`](crate::Config::max_authenticators)).
        can_add: bool,
        /// Whether "Add a passkey" is offered (the service verifies passkeys, and there is room).
        can_add_passkey: bool,
        /// Whether the account is "phishing-resistant only" (no code is a second factor).
        phishing_resistant: bool,
    },
    /// "I no longer have my authenticator" at a later login: one of the recovery codes, then a
    /// one-time PIN, and a new token replaces the old.
    EnterRecoveryCode {
        /// Who is logging in.
        user: UserId,
        /// How many unused codes the account has.
        left: usize,
    },
    /// New recovery codes, replacing the old ones: shown this once.
    RecoveryCodes {
        /// Whose.
        user: UserId,
        /// The codes.
        codes: Vec<crate::recovery::RecoveryCode>,
    },
    /// "Password locked or forgotten?": the authenticator's code, or "I no longer have my
    /// authenticator" (two PINs instead). The same for every User ID, known or not.
    ResetStart {
        /// Whose password.
        user: UserId,
    },
    /// A reset's one-time PIN. Unlike [`Screen::EnterPin`], it does not say where the PIN went
    /// (the reset starts without a password: the page must not tell a stranger whether the
    /// account exists or what its number is), only by which channel.
    ResetPin {
        /// Whose password.
        user: UserId,
        /// How it went: "the mobile number on file", "the e-mail address on file".
        channel: Channel,
        /// When a resend will be accepted.
        resend_at: UnixTime,
        /// Whether "Alternative authentication" (e-mail) is offered.
        alternative: bool,
        /// Whether the PIN went out (false when the service could not deliver it).
        delivered: bool,
        /// Which PIN of the reset: 1, or 2 of two.
        step: u8,
    },
    /// The reset's new password, with the rules it must keep to.
    NewPassword {
        /// Whose.
        user: UserId,
        /// What it must be, for the page to state.
        rules: crate::PasswordRules,
    },
    /// "Your password has been changed", with "Continue" to log in with it.
    PasswordChanged {
        /// Whose.
        user: UserId,
    },
}

mod activation;
mod audit;

/// One of a user's authenticators, as the session's page lists it. No secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticator {
    /// Its serial number ("Remove" and "Rename" name it by this).
    pub serial: tollgate_codes::SerialNumber,
    /// The name the user gave it, if any.
    pub name: Option<crate::AuthenticatorName>,
    /// The app it was enrolled into (`None` for one stored before this was kept).
    pub kind: Option<crate::EnrollmentKind>,
    /// When it was enrolled (`None` for one stored before this was kept).
    pub enrolled_at: Option<UnixTime>,
    /// When its last accepted code was current, if it has logged in.
    pub last_used: Option<UnixTime>,
}

impl Authenticator {
    /// What may be shown of `token`.
    #[must_use]
    pub fn of(token: &crate::TokenRecord) -> Self {
        let period = u64::from(token.params.period().as_secs());
        let last_used = token.last_step.map(|step| {
            let since = step.get().saturating_mul(period);
            UnixTime::from_secs(token.params.t0().as_secs().saturating_add(since))
        });
        Self {
            serial: token.serial,
            name: token.name.clone(),
            kind: token.kind,
            enrolled_at: token.enrolled_at,
            last_used,
        }
    }
}

/// One of a user's passkeys, as the session's page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passkey {
    /// Its credential ID in hex ("Remove" names it by this).
    pub id: String,
    /// The name the user gave it, if any.
    pub name: Option<crate::AuthenticatorName>,
    /// When it was registered.
    pub enrolled_at: UnixTime,
    /// When it last logged in.
    pub last_used: Option<UnixTime>,
    /// Whether it is synced between devices (a platform's keychain).
    pub synced: bool,
}

impl Passkey {
    /// What may be shown of `passkey`.
    #[must_use]
    pub fn of(passkey: &crate::PasskeyRecord) -> Self {
        Self {
            id: passkey.id_text(),
            name: passkey.name.clone(),
            enrolled_at: passkey.enrolled_at,
            last_used: passkey.last_used,
            synced: passkey.backed_up,
        }
    }
}

pub use activation::{DesktopActivation, MobileActivation, OpenPath};
pub use audit::{AuditEvent, SigningAction};

/// How a PIN travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Channel {
    /// By SMS to the mobile number on file.
    Sms,
    /// By e-mail.
    Email,
}

/// Where a PIN goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// A mobile number.
    Sms(PhoneNumber),
    /// An e-mail address.
    Email(EmailAddress),
}

/// When a message goes out, relative to the answer of the request that asked for it: each
/// message the machine asks for carries its own rule, decided where the machine knows who can
/// take the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dispatch {
    /// Before the answer, on the request's own time: a PIN whose failure the next page reports
    /// ([`Report::PinNotDelivered`](crate::Report::PinNotDelivered)).
    Inline,
    /// Without holding up the answer (handed to a worker): a step of a password reset, which
    /// anyone who knows a User ID can take; a send's time would tell them whether it is an
    /// account.
    Detached,
}

/// What the service must do once a transition is stored.
#[derive(Debug)]
#[non_exhaustive]
pub enum Effect {
    /// Send this PIN. The PIN is in the clear here and nowhere else; send it and drop it.
    SendPin {
        /// Where.
        to: Destination,
        /// The PIN.
        pin: Pin,
        /// When.
        dispatch: Dispatch,
    },
    /// Record this event in the audit log.
    Audit(AuditEvent),
    /// Tell the user, by a channel of their own (NIST SP 800-63B-4 §4.1.2.1).
    Notify {
        /// Whom.
        user: UserId,
        /// Where: one effect for each address on file (SP 800-63B-4 §4.6: every address, so
        /// that an attacker who changed one is still seen).
        to: Destination,
        /// What happened.
        notification: Notification,
        /// When.
        dispatch: Dispatch,
    },
    /// Tell the help desk: a password reset proved the user's phone and mailbox, but the
    /// account has an authenticator the user no longer has (an administrator can grant a
    /// re-enrollment).
    PasswordHelp {
        /// Who asked.
        user: UserId,
        /// When.
        dispatch: Dispatch,
    },
    /// A whole login from a browser the account did not know: give it this device cookie
    /// (long-lived, `HttpOnly`), and send it back with the passwords typed there.
    RememberDevice {
        /// Whose device it is.
        user: UserId,
        /// The cookie's value ([`DeviceId::to_text`]).
        device: DeviceId,
    },
}

/// A user notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notification {
    /// "A new authenticator was added to your account."
    AuthenticatorAdded,
    /// "Your password was changed."
    PasswordChanged,
    /// "A recovery code was used to log in; N are left."
    RecoveryCodeUsed,
    /// "New recovery codes were made; the old ones no longer work."
    RecoveryCodesReplaced,
    /// "Your authenticator was replaced by a new one."
    AuthenticatorReplaced,
    /// "An authenticator was removed from your account."
    AuthenticatorRemoved,
    /// "An administrator changed your account": what they did.
    Administrator(AdminAction),
    /// "Someone typed wrong codes to reset your password: resets are closed until your
    /// administrator reopens them. Your logins are not affected."
    ResetsClosed,
}

impl Notification {
    /// What the notice says, in a [`Catalog`](crate::Catalog)'s words: the same catalogues as
    /// the screens, so that a deployment's language and wording reach its mail and SMS too.
    #[must_use]
    pub fn message(self) -> MessageId {
        match self {
            Self::AuthenticatorAdded => MessageId::NoticeAuthenticatorAdded,
            Self::PasswordChanged => MessageId::NoticePasswordChanged,
            Self::RecoveryCodeUsed => MessageId::NoticeRecoveryCodeUsed,
            Self::RecoveryCodesReplaced => MessageId::NoticeRecoveryCodesReplaced,
            Self::AuthenticatorReplaced => MessageId::NoticeAuthenticatorReplaced,
            Self::AuthenticatorRemoved => MessageId::NoticeAuthenticatorRemoved,
            Self::ResetsClosed => MessageId::NoticeResetsClosed,
            Self::Administrator(action) => match action {
                AdminAction::Unlocked => MessageId::NoticeUnlocked,
                AdminAction::TokenRevoked => MessageId::NoticeTokenRevoked,
                AdminAction::TemporaryPasswordSet => MessageId::NoticeTemporaryPassword,
                AdminAction::UserDeleted => MessageId::NoticeUserDeleted,
                AdminAction::AppUnlockCodeIssued => MessageId::NoticeAppUnlockCode,
                AdminAction::ReenrollmentGranted => MessageId::NoticeReenrollmentGranted,
                AdminAction::ContactsChanged => MessageId::NoticeContactsChanged,
                AdminAction::PhishingResistantOnly(true) => MessageId::NoticePhishingResistantOn,
                AdminAction::PhishingResistantOnly(false) => MessageId::NoticePhishingResistantOff,
                AdminAction::SigningCredentialRevoked => MessageId::NoticeSigningRevoked,
                AdminAction::SigningCredentialUnlocked => MessageId::NoticeSigningUnlocked,
            },
        }
    }
}

impl Effect {
    /// A message sent without holding up the answer ([`Dispatch::Detached`]); any other
    /// effect as it is.
    pub(crate) fn detached(self) -> Self {
        match self {
            Self::SendPin { to, pin, .. } => Self::SendPin {
                to,
                pin,
                dispatch: Dispatch::Detached,
            },
            Self::Notify {
                user,
                to,
                notification,
                ..
            } => Self::Notify {
                user,
                to,
                notification,
                dispatch: Dispatch::Detached,
            },
            Self::PasswordHelp { user, .. } => Self::PasswordHelp {
                user,
                dispatch: Dispatch::Detached,
            },
            other => other,
        }
    }
}

/// What an administrator did to an account (`tollgate::Admin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AdminAction {
    /// Every failure count and lock cleared.
    Unlocked,
    /// The token (and any activation in progress) revoked: the next login enrolls anew.
    TokenRevoked,
    /// A temporary password set, to be changed at the next login.
    TemporaryPasswordSet,
    /// The user deleted.
    UserDeleted,
    /// An unlock code given for the PIN reset code of the user's locked soft-token app.
    AppUnlockCodeIssued,
    /// A one-time re-enrollment grant issued: with the password and a one-time PIN it
    /// replaces the user's tokens, until it expires.
    ReenrollmentGranted,
    /// The mobile number or e-mail address changed (both the old and the new are told: a new
    /// phone number is a new authenticator for one-time PINs).
    ContactsChanged,
    /// "Phishing-resistant only" turned on (`true`: no code is a second factor any more, only
    /// a passkey) or off.
    PhishingResistantOnly(bool),
    /// A signing credential revoked: it signs nothing more.
    SigningCredentialRevoked,
    /// A signing credential unlocked after too many wrong codes.
    SigningCredentialUnlocked,
}
