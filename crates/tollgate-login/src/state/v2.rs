//! Format 2 of a stored login, read for logins stored by the release before the nested stages:
//! one flat list of stages and a mode flag for a session adding an authenticator. Read, turned
//! into today's stage, and written in the current format at the login's next step. A login
//! lives at most the login lifetime, a session until it ends: once the sessions of the
//! previous release have ended (or been ended), this reader can go.

use serde::Deserialize;

use super::stage::{Enrollment, LostToken, Reset, SignIn, Stage};
use super::{LoginId, LoginState, PinPurpose, PinRecord};
use crate::account::EnrollmentKind;
use crate::user::UserId;

/// The format version of the logins this module reads.
pub(super) const VERSION: u64 = 2;

#[derive(Deserialize)]
pub(super) struct LoginStateV2 {
    id: LoginId,
    deadline: u64,
    stage: StageV2,
    #[serde(default)]
    on_device: bool,
    #[serde(default)]
    adding: bool,
}

#[derive(Deserialize)]
#[serde(tag = "s", rename_all = "snake_case")]
enum StageV2 {
    ExpectUserId,
    ExpectPassword {
        user: UserId,
    },
    ExpectPin {
        user: UserId,
        pin: PinRecord,
        #[serde(default)]
        purpose: PinPurpose,
    },
    ExpectEnrollmentChoice {
        user: UserId,
    },
    ExpectRegistration {
        user: UserId,
        kind: EnrollmentKind,
    },
    ExpectContinue {
        user: UserId,
    },
    ExpectTokenCode {
        user: UserId,
    },
    SecondFactorLocked {
        user: UserId,
    },
    Authenticated {
        user: UserId,
    },
    ExpectRecoveryCode {
        user: UserId,
    },
    ResetStart {
        user: UserId,
    },
    ExpectNewPassword {
        user: UserId,
    },
    PasswordChanged {
        user: UserId,
    },
}

impl LoginStateV2 {
    /// The same login in today's form (format `v`).
    pub(super) fn into_current(self, v: u64) -> LoginState {
        let enrolling = |user, step| {
            if self.adding {
                Stage::Session {
                    user,
                    adding: Some(step),
                    confirming: None,
                }
            } else {
                Stage::Enrollment { user, step }
            }
        };
        let stage = match self.stage {
            StageV2::ExpectUserId => Stage::SignIn(SignIn::ExpectUserId),
            StageV2::ExpectPassword { user } => Stage::expect_password(user),
            StageV2::ExpectPin { user, pin, purpose } => Stage::expect_pin(user, pin, purpose),
            StageV2::ExpectEnrollmentChoice { user } => enrolling(user, Enrollment::ExpectChoice),
            StageV2::ExpectRegistration { user, kind } => {
                enrolling(user, Enrollment::ExpectRegistration { kind })
            }
            StageV2::ExpectContinue { user } => enrolling(user, Enrollment::ExpectContinue),
            StageV2::ExpectTokenCode { user } => Stage::expect_token_code(user),
            StageV2::SecondFactorLocked { user } => Stage::second_factor_locked(user),
            StageV2::Authenticated { user } => Stage::session(user),
            StageV2::ExpectRecoveryCode { user } => Stage::LostToken {
                user,
                step: LostToken::ExpectRecoveryCode,
            },
            StageV2::ResetStart { user } => Stage::reset(user, Reset::Start),
            StageV2::ExpectNewPassword { user } => Stage::reset(user, Reset::ExpectNewPassword),
            StageV2::PasswordChanged { user } => Stage::reset(user, Reset::PasswordChanged),
        };
        LoginState {
            v,
            id: self.id,
            deadline: self.deadline,
            stage,
            on_device: self.on_device,
            proven_at: None,
        }
    }
}
