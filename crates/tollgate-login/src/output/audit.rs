//! The audit log's events.

use tollgate_codes::SerialNumber;
use tollgate_otp::{Step, UnixTime};

use super::{AdminAction, Channel};
use crate::account::EnrollmentKind;
use crate::user::UserId;

/// An event for the audit log. Never carries a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuditEvent {
    /// A password was refused (or the user is unknown: `known` says which, for the log only).
    PasswordRefused {
        /// The User ID typed.
        user: UserId,
        /// Whether such an account exists.
        known: bool,
    },
    /// "Password locked or forgotten?" was chosen.
    ResetStarted {
        /// For which User ID.
        user: UserId,
    },
    /// A reset proved both factors and set a new password; the password lockout is lifted.
    PasswordReset {
        /// Whose.
        user: UserId,
    },
    /// An administrator acted on an account ([`AdminAction`]).
    Administrator {
        /// Who acted, as the service's own admin login names them.
        admin: String,
        /// On whose account.
        user: UserId,
        /// What they did.
        action: AdminAction,
    },
    /// A recovery code was used (and is spent).
    RecoveryCodeUsed {
        /// Whose.
        user: UserId,
        /// How many are left.
        left: usize,
    },
    /// An administrator's re-enrollment grant was used (and is spent).
    GrantUsed {
        /// Whose.
        user: UserId,
    },
    /// New recovery codes replaced the old ones.
    RecoveryCodesIssued {
        /// Whose.
        user: UserId,
    },
    /// Lost tokens were revoked after a recovery code (or an administrator's grant) and a PIN:
    /// a new one is enrolled next.
    TokenReplaced {
        /// Whose.
        user: UserId,
        /// The serial numbers of the tokens revoked (all the account had).
        serials: Vec<SerialNumber>,
    },
    /// The user removed one of their authenticators, logged in.
    TokenRemoved {
        /// Whose.
        user: UserId,
        /// Which.
        serial: SerialNumber,
    },
    /// The user renamed one of their authenticators, logged in.
    TokenRenamed {
        /// Whose.
        user: UserId,
        /// Which.
        serial: SerialNumber,
    },
    /// A whole login with a temporary password: on to set a new one.
    PasswordChangeRequired {
        /// Whose.
        user: UserId,
    },
    /// [`MAX_RESET_FAILURES`](crate::MAX_RESET_FAILURES) wrong reset codes in a row: the
    /// account's resets check no more codes until an administrator reopens them (the user is
    /// told).
    ResetsClosed {
        /// Whose.
        user: UserId,
    },
    /// A reset by two PINs reached its end for an account that has an authenticator: refused
    /// (a reset must not go around the second factor, ASVS 6.4.3).
    ResetNeedsToken {
        /// Whose.
        user: UserId,
    },
    /// The account was locked until then.
    Locked {
        /// Whose.
        user: UserId,
        /// Until when.
        until: UnixTime,
    },
    /// A PIN was sent.
    PinSent {
        /// To whom.
        user: UserId,
        /// How.
        channel: Channel,
    },
    /// A PIN, registration code or token code was refused.
    CodeRefused {
        /// Whose.
        user: UserId,
    },
    /// The second factor reached the hard limit of consecutive failures and is locked until
    /// the account is recovered or an administrator unlocks it.
    SecondFactorLocked {
        /// Whose.
        user: UserId,
        /// The consecutive failures counted.
        failures: u32,
    },
    /// A token code was right but already used: a replay, or a code seen over a shoulder.
    CodeReplayed {
        /// Whose.
        user: UserId,
        /// The step it belongs to.
        step: Step,
    },
    /// Activation data were issued.
    ActivationIssued {
        /// To whom.
        user: UserId,
        /// For which token.
        serial: SerialNumber,
        /// Mobile or desktop.
        kind: EnrollmentKind,
    },
    /// A token reported its registration code online, with a proof that verified: the login
    /// that issued the activation finishes at the user's OK.
    RegistrationReceived {
        /// Whose activation.
        user: UserId,
        /// Which.
        serial: SerialNumber,
    },
    /// An online registration was refused or not checked (no user: the sender may be anyone).
    RegistrationRefused {
        /// The serial number it named.
        serial: SerialNumber,
        /// Why: "unknown serial", "no pending activation", "wrong proof", "expired",
        /// "not for this activation", "already used", "not checked".
        reason: &'static str,
    },
    /// A PIN could not be delivered: it was voided and not counted as sent.
    PinNotDelivered {
        /// Whose.
        user: UserId,
        /// By which channel.
        channel: Channel,
    },
    /// A new token was enrolled (NIST SP 800-63B-4 §4.1.2.1).
    TokenEnrolled {
        /// Whose.
        user: UserId,
        /// Which.
        serial: SerialNumber,
    },
    /// A passkey was registered to the account.
    PasskeyAdded {
        /// Whose.
        user: UserId,
        /// Its credential ID, in hex.
        credential: String,
    },
    /// A passkey was removed from the account, logged in.
    PasskeyRemoved {
        /// Whose.
        user: UserId,
        /// Its credential ID, in hex.
        credential: String,
    },
    /// The user renamed one of their passkeys, logged in.
    PasskeyRenamed {
        /// Whose.
        user: UserId,
        /// Its credential ID, in hex.
        credential: String,
    },
    /// A passkey's response was refused: `reason` names the check that failed (a wrong origin
    /// is a phishing page's relay).
    PasskeyRefused {
        /// Whose login.
        user: UserId,
        /// The check that failed (`wrong origin`, `bad signature`, …).
        reason: &'static str,
    },
    /// A passkey's signature counter went backwards: the credential may have been cloned. The
    /// assertion is refused.
    PasskeyCloneSuspected {
        /// Whose.
        user: UserId,
        /// Its credential ID, in hex.
        credential: String,
    },
    /// "Phishing-resistant only" was turned on or off for the account (by its owner, logged in;
    /// an administrator's change is an [`AuditEvent::Administrator`] event).
    PhishingResistantOnly {
        /// Whose.
        user: UserId,
        /// Whether it is on now.
        on: bool,
    },
    /// A login succeeded.
    Authenticated {
        /// Who.
        user: UserId,
    },
    /// A stored login was refused and removed: not what the service wrote (forged, altered,
    /// copied from another login) or an earlier copy put back. Nobody's, since nothing in it
    /// can be trusted: a sign that someone writes the database.
    StoredLoginRefused {
        /// [`Refusal::kind`](crate::Refusal::kind).
        reason: &'static str,
    },
    /// A signing credential's event.
    Signing {
        /// Whose.
        user: UserId,
        /// The credential's ID.
        credential: String,
        /// What happened.
        action: SigningAction,
    },
}

/// What happened to a signing credential ([`AuditEvent::Signing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningAction {
    /// The user created it ("Create your Signing Certificate").
    Created,
    /// Its owner revoked it.
    Revoked,
    /// An administrator revoked it.
    RevokedByAdministrator,
    /// An administrator unlocked it.
    Unlocked,
    /// The second factor was proven for this many signatures (a SAD was issued).
    Authorized {
        /// How many.
        signatures: u32,
    },
    /// A wrong proof at authorize (it counts against the account's second factor too).
    ProofRefused,
    /// Too many wrong proofs: the credential is locked.
    Locked,
    /// A SAD was refused at signHash (another hash, spent, expired, altered).
    SadRefused,
    /// Signatures were made.
    Signed {
        /// How many.
        signatures: u32,
    },
}

impl AuditEvent {
    /// Whose account the event is about (`None` for the two that are nobody's: a refused
    /// online registration, a refused stored login).
    #[must_use]
    pub fn user(&self) -> Option<&UserId> {
        match self {
            Self::PasswordRefused { user, .. }
            | Self::ResetStarted { user, .. }
            | Self::PasswordReset { user, .. }
            | Self::Administrator { user, .. }
            | Self::RecoveryCodeUsed { user, .. }
            | Self::GrantUsed { user, .. }
            | Self::RecoveryCodesIssued { user, .. }
            | Self::TokenReplaced { user, .. }
            | Self::TokenRemoved { user, .. }
            | Self::TokenRenamed { user, .. }
            | Self::PasswordChangeRequired { user, .. }
            | Self::ResetsClosed { user, .. }
            | Self::ResetNeedsToken { user, .. }
            | Self::Locked { user, .. }
            | Self::PinSent { user, .. }
            | Self::CodeRefused { user, .. }
            | Self::SecondFactorLocked { user, .. }
            | Self::CodeReplayed { user, .. }
            | Self::ActivationIssued { user, .. }
            | Self::RegistrationReceived { user, .. }
            | Self::PinNotDelivered { user, .. }
            | Self::TokenEnrolled { user, .. }
            | Self::PasskeyAdded { user, .. }
            | Self::PasskeyRemoved { user, .. }
            | Self::PasskeyRenamed { user, .. }
            | Self::PasskeyRefused { user, .. }
            | Self::PasskeyCloneSuspected { user, .. }
            | Self::PhishingResistantOnly { user, .. }
            | Self::Signing { user, .. }
            | Self::Authenticated { user, .. } => Some(user),
            Self::RegistrationRefused { .. } | Self::StoredLoginRefused { .. } => None,
        }
    }

    /// The event's name, stable across versions (`token_enrolled`): for a log's field or a
    /// store's column.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PasswordRefused { .. } => "password_refused",
            Self::ResetStarted { .. } => "reset_started",
            Self::PasswordReset { .. } => "password_reset",
            Self::Administrator { .. } => "administrator",
            Self::RecoveryCodeUsed { .. } => "recovery_code_used",
            Self::GrantUsed { .. } => "grant_used",
            Self::RecoveryCodesIssued { .. } => "recovery_codes_issued",
            Self::TokenReplaced { .. } => "token_replaced",
            Self::TokenRemoved { .. } => "token_removed",
            Self::TokenRenamed { .. } => "token_renamed",
            Self::PasswordChangeRequired { .. } => "password_change_required",
            Self::ResetsClosed { .. } => "resets_closed",
            Self::ResetNeedsToken { .. } => "reset_needs_token",
            Self::Locked { .. } => "locked",
            Self::PinSent { .. } => "pin_sent",
            Self::CodeRefused { .. } => "code_refused",
            Self::SecondFactorLocked { .. } => "second_factor_locked",
            Self::CodeReplayed { .. } => "code_replayed",
            Self::ActivationIssued { .. } => "activation_issued",
            Self::RegistrationReceived { .. } => "registration_received",
            Self::RegistrationRefused { .. } => "registration_refused",
            Self::PinNotDelivered { .. } => "pin_not_delivered",
            Self::TokenEnrolled { .. } => "token_enrolled",
            Self::PasskeyAdded { .. } => "passkey_added",
            Self::PasskeyRemoved { .. } => "passkey_removed",
            Self::PasskeyRenamed { .. } => "passkey_renamed",
            Self::PasskeyRefused { .. } => "passkey_refused",
            Self::PasskeyCloneSuspected { .. } => "passkey_clone_suspected",
            Self::PhishingResistantOnly { .. } => "phishing_resistant_only",
            Self::Signing { action, .. } => match action {
                SigningAction::Created => "signing_credential_created",
                SigningAction::Revoked => "signing_credential_revoked",
                SigningAction::RevokedByAdministrator => "signing_credential_revoked_by_admin",
                SigningAction::Unlocked => "signing_credential_unlocked",
                SigningAction::Authorized { .. } => "signature_authorized",
                SigningAction::ProofRefused => "signature_proof_refused",
                SigningAction::Locked => "signing_credential_locked",
                SigningAction::SadRefused => "signature_sad_refused",
                SigningAction::Signed { .. } => "signed",
            },
            Self::Authenticated { .. } => "authenticated",
            Self::StoredLoginRefused { .. } => "stored_login_refused",
        }
    }
}
