//! What a login waits for, nested by flow as rustls nests its handshake's states: signing in,
//! a first login's enrollment, a password reset, a lost token's replacement, and the session
//! (which may be adding an authenticator: the enrollment's steps inside it, not a flag beside
//! them).

use serde::{Deserialize, Serialize};

use super::{Hex, PinPurpose, PinRecord};
use crate::account::EnrollmentKind;
use crate::user::UserId;

/// What a login waits for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Stage {
    /// The User ID, the password, then a first login's PIN or a later login's token code.
    SignIn(SignIn),
    /// A first login's enrollment of its first authenticator (or its replacement after a
    /// recovery code, or after a reset of an account without one).
    Enrollment {
        /// Whose.
        user: UserId,
        /// Where it is.
        step: Enrollment,
    },
    /// "Password locked or forgotten?"
    Reset {
        /// Whose.
        user: UserId,
        /// Where it is.
        step: Reset,
    },
    /// "I no longer have my authenticator" at a later login: a recovery code, then a PIN.
    LostToken {
        /// Whose.
        user: UserId,
        /// Where it is.
        step: LostToken,
    },
    /// A whole login.
    Session {
        /// Whose.
        user: UserId,
        /// "Add an authenticator": the enrollment under way, which ends back in the session.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        adding: Option<Enrollment>,
        /// A change that asks for a fresh second factor, waiting for the authenticator's code
        /// (the last one proven is older than [`STEP_UP_WINDOW`](crate::STEP_UP_WINDOW)).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirming: Option<Sensitive>,
    },
}

/// What a session changes only with a second factor proven in the last few minutes: what a
/// hijacked session would use to stay (an authenticator of the thief's, one of the owner's
/// removed, recovery codes the thief would read).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Sensitive {
    /// "Add an authenticator".
    AddAuthenticator,
    /// Removing the authenticator of this serial number.
    RemoveAuthenticator(String),
    /// New recovery codes (the old ones stop working).
    NewRecoveryCodes,
    /// "Add a passkey".
    AddPasskey,
    /// Removing the passkey of this credential ID (hex).
    RemovePasskey(String),
    /// Turning "phishing-resistant only" off: codes are second factors again. Only a passkey
    /// confirms it (a phisher who relayed a code must not be able to turn it off).
    AllowCodes,
}

/// Signing in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SignIn {
    ExpectUserId,
    /// "Log in with a passkey" before any User ID: a discoverable credential's assertion for
    /// this challenge, whose credential names the account.
    ExpectDiscoverable {
        challenge: Hex<32>,
    },
    ExpectPassword {
        user: UserId,
    },
    /// A first login's PIN, after the password: enrollment next.
    ExpectPin {
        user: UserId,
        pin: PinRecord,
    },
    ExpectTokenCode {
        user: UserId,
    },
    /// "Use a passkey": the browser's assertion for this challenge (single use: any answer
    /// draws a new one or leaves the step).
    ExpectPasskey {
        user: UserId,
        challenge: Hex<32>,
    },
    /// The password was right, but the second factor has failed the hard limit of times in a
    /// row: nothing more until the account is recovered or an administrator unlocks it.
    SecondFactorLocked {
        user: UserId,
    },
}

/// Enrolling an authenticator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[expect(
    clippy::enum_variant_names,
    reason = "states are named for what they wait for, as rustls names its own"
)]
pub(crate) enum Enrollment {
    /// Mobile or desktop.
    ExpectChoice,
    /// The activation issued, waiting for the registration code (or the open path's code).
    ExpectRegistration { kind: EnrollmentKind },
    /// Enrolled: "Continue".
    ExpectContinue,
    /// "Add a passkey": the browser's new credential for this challenge.
    ExpectPasskey { challenge: Hex<32> },
}

/// A password reset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Reset {
    /// The authenticator's code, a recovery code, or "I no longer have my authenticator".
    Start,
    /// A PIN, after the authenticator's code or as one of two by independent channels.
    ExpectPin { pin: PinRecord, purpose: PinPurpose },
    /// Both factors proven: the new password.
    ExpectNewPassword,
    /// The password was reset.
    PasswordChanged,
}

/// A lost token's replacement at a later login.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LostToken {
    /// A recovery code (or an administrator's re-enrollment grant).
    ExpectRecoveryCode,
    /// The PIN after it.
    ExpectPin { pin: PinRecord },
}

impl Stage {
    pub(crate) fn expect_user_id() -> Self {
        Self::SignIn(SignIn::ExpectUserId)
    }

    pub(crate) fn expect_password(user: UserId) -> Self {
        Self::SignIn(SignIn::ExpectPassword { user })
    }

    pub(crate) fn expect_token_code(user: UserId) -> Self {
        Self::SignIn(SignIn::ExpectTokenCode { user })
    }

    pub(crate) fn second_factor_locked(user: UserId) -> Self {
        Self::SignIn(SignIn::SecondFactorLocked { user })
    }

    /// A PIN's stage: the flow it belongs to follows from what it proves.
    pub(crate) fn expect_pin(user: UserId, pin: PinRecord, purpose: PinPurpose) -> Self {
        match purpose {
            PinPurpose::FirstLogin => Self::SignIn(SignIn::ExpectPin { user, pin }),
            PinPurpose::ReplaceToken => Self::LostToken {
                user,
                step: LostToken::ExpectPin { pin },
            },
            PinPurpose::ResetAfterToken
            | PinPurpose::ResetFirstOfTwo
            | PinPurpose::ResetSecondOfTwo => Self::Reset {
                user,
                step: Reset::ExpectPin { pin, purpose },
            },
        }
    }

    pub(crate) fn reset(user: UserId, step: Reset) -> Self {
        Self::Reset { user, step }
    }

    pub(crate) fn expect_recovery_code(user: UserId) -> Self {
        Self::LostToken {
            user,
            step: LostToken::ExpectRecoveryCode,
        }
    }

    pub(crate) fn session(user: UserId) -> Self {
        Self::Session {
            user,
            adding: None,
            confirming: None,
        }
    }

    /// The User ID, once it is known.
    pub(crate) fn user(&self) -> Option<&UserId> {
        match self {
            Self::SignIn(SignIn::ExpectUserId | SignIn::ExpectDiscoverable { .. }) => None,
            Self::SignIn(
                SignIn::ExpectPassword { user }
                | SignIn::ExpectPin { user, .. }
                | SignIn::ExpectTokenCode { user }
                | SignIn::ExpectPasskey { user, .. }
                | SignIn::SecondFactorLocked { user },
            )
            | Self::Enrollment { user, .. }
            | Self::Reset { user, .. }
            | Self::LostToken { user, .. }
            | Self::Session { user, .. } => Some(user),
        }
    }

    /// The PIN this stage waits for, with what it proves.
    pub(crate) fn pin(&self) -> Option<(&PinRecord, PinPurpose)> {
        match self {
            Self::SignIn(SignIn::ExpectPin { pin, .. }) => Some((pin, PinPurpose::FirstLogin)),
            Self::Reset {
                step: Reset::ExpectPin { pin, purpose },
                ..
            } => Some((pin, *purpose)),
            Self::LostToken {
                step: LostToken::ExpectPin { pin },
                ..
            } => Some((pin, PinPurpose::ReplaceToken)),
            _ => None,
        }
    }

    /// The enrollment step under way, a first login's or an added authenticator's.
    pub(crate) fn enrollment(&self) -> Option<Enrollment> {
        match self {
            Self::Enrollment { step, .. }
            | Self::Session {
                adding: Some(step), ..
            } => Some(*step),
            _ => None,
        }
    }

    /// Whether this is a whole login's session, adding nothing.
    pub(crate) fn is_session(&self) -> bool {
        matches!(self, Self::Session { adding: None, .. })
    }

    /// Whether the session waits for a code to confirm a sensitive change.
    pub(crate) fn is_confirming(&self) -> bool {
        matches!(
            self,
            Self::Session {
                confirming: Some(_),
                ..
            }
        )
    }

    /// Whether the session is adding an authenticator.
    pub(crate) fn is_adding(&self) -> bool {
        matches!(
            self,
            Self::Session {
                adding: Some(_),
                ..
            }
        )
    }

    /// Whether this is a step of a password reset ("Password locked or forgotten?"), which
    /// anyone who knows a User ID can reach.
    pub(crate) fn is_reset(&self) -> bool {
        matches!(self, Self::Reset { .. })
    }

    /// How much of the login has been proven: nothing, the password, the password and a PIN
    /// (enough to enroll a first token), the whole login. The login's key is replaced each
    /// time this rises (OWASP Session Management: a new session ID at every privilege change).
    pub(crate) fn assurance(&self) -> u8 {
        match self {
            Self::SignIn(
                SignIn::ExpectUserId
                | SignIn::ExpectDiscoverable { .. }
                | SignIn::ExpectPassword { .. },
            )
            | Self::Reset {
                step: Reset::Start | Reset::PasswordChanged,
                ..
            }
            | Self::Reset {
                step:
                    Reset::ExpectPin {
                        purpose: PinPurpose::ResetFirstOfTwo,
                        ..
                    },
                ..
            } => 0,
            Self::SignIn(
                SignIn::ExpectPin { .. }
                | SignIn::ExpectTokenCode { .. }
                | SignIn::ExpectPasskey { .. }
                | SignIn::SecondFactorLocked { .. },
            )
            | Self::Reset {
                step: Reset::ExpectPin { .. },
                ..
            }
            | Self::LostToken { .. } => 1,
            Self::Enrollment { .. }
            | Self::Reset {
                step: Reset::ExpectNewPassword,
                ..
            }
            | Self::Session {
                adding: Some(_), ..
            } => 2,
            Self::Session { adding: None, .. } => 3,
        }
    }
}
