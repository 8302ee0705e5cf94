//! What the user sees: the screen of each stage, and the next deadline.

use super::Ctx;
use super::pin::{destination, email_of};
use crate::account::EnrollmentKind;
use crate::output::{Channel, DesktopActivation, Destination, MobileActivation, OpenPath, Screen};
use crate::state::{
    Enrollment, LoginState, LostToken, PinPurpose, PinRecord, Reset, SignIn, Stage,
};
use crate::user::UserId;
use tollgate_otp::UnixTime;
use tollgate_provision::OtpAuthUri;

/// The token-code step: the code, and "Use a passkey" when the account has one.
fn token_screen<R>(ctx: &Ctx<'_, R>, user: &UserId) -> Screen {
    let state = ctx.account.map(|a| &a.state);
    Screen::EnterTokenCode {
        user: user.clone(),
        passkey: ctx.config.takes_passkeys() && state.is_some_and(|s| !s.passkeys.is_empty()),
        codes: !state.is_some_and(|s| s.phishing_resistant),
    }
}

/// The screen for a stage. Pure: the same stage and account render the same screen (what is
/// random on it was drawn when the activation was issued).
pub(super) fn render<R>(ctx: &Ctx<'_, R>, stage: &Stage) -> Screen {
    match stage {
        Stage::SignIn(SignIn::ExpectUserId) => Screen::EnterUserId,
        Stage::SignIn(SignIn::ExpectDiscoverable { challenge }) => {
            match super::passkey::request(ctx.config, challenge.0, &[]) {
                Some(options) => Screen::UsePasskey {
                    user: None,
                    options,
                },
                None => Screen::EnterUserId,
            }
        }
        Stage::SignIn(SignIn::ExpectPassword { user }) => {
            Screen::EnterPassword { user: user.clone() }
        }
        Stage::SignIn(SignIn::ExpectPin { user, pin }) => {
            pin_screen(ctx, user, pin, PinPurpose::FirstLogin)
        }
        Stage::SignIn(SignIn::ExpectTokenCode { user }) => token_screen(ctx, user),
        Stage::SignIn(SignIn::ExpectPasskey { user, challenge }) => {
            let passkeys = ctx.account.map_or(&[][..], |a| &a.state.passkeys[..]);
            match super::passkey::request(ctx.config, challenge.0, passkeys) {
                Some(options) => Screen::UsePasskey {
                    user: Some(user.clone()),
                    options,
                },
                None => token_screen(ctx, user),
            }
        }
        Stage::SignIn(SignIn::SecondFactorLocked { user }) => {
            Screen::SecondFactorLocked { user: user.clone() }
        }
        Stage::Enrollment { user, step }
        | Stage::Session {
            user,
            adding: Some(step),
            ..
        } => match step {
            Enrollment::ExpectChoice => Screen::ChooseEnrollment { user: user.clone() },
            Enrollment::ExpectRegistration { kind } => activation_screen(ctx, user, *kind),
            Enrollment::ExpectContinue => Screen::Enrolled {
                user: user.clone(),
                recovery_codes: Vec::new(),
            },
            Enrollment::ExpectPasskey { challenge } => {
                let account = ctx.account.map(|a| &a.state);
                let options = account.and_then(|state| {
                    let handle = state.user_handle.as_ref()?;
                    super::passkey::creation(ctx.config, challenge.0, handle, user, &state.passkeys)
                });
                match options {
                    Some(options) => Screen::CreatePasskey {
                        user: user.clone(),
                        options,
                    },
                    None => Screen::ChooseEnrollment { user: user.clone() },
                }
            }
        },
        Stage::LostToken {
            user,
            step: LostToken::ExpectRecoveryCode,
        } => Screen::EnterRecoveryCode {
            user: user.clone(),
            left: ctx.account.map_or(0, |a| a.state.recovery_codes.len()),
        },
        Stage::LostToken {
            user,
            step: LostToken::ExpectPin { pin },
        } => pin_screen(ctx, user, pin, PinPurpose::ReplaceToken),
        // A sensitive change waits for the authenticator's code.
        Stage::Session {
            user,
            adding: None,
            confirming: Some(_),
        } => Screen::EnterTokenCode {
            user: user.clone(),
            passkey: false,
            codes: true,
        },
        Stage::Session {
            user,
            adding: None,
            confirming: None,
        } => {
            let (authenticators, can_add) = super::authenticators::list(ctx);
            let state = ctx.account.map(|a| &a.state);
            Screen::Authenticated {
                user: user.clone(),
                authenticators,
                passkeys: state
                    .map(|s| s.passkeys.iter().map(crate::output::Passkey::of).collect())
                    .unwrap_or_default(),
                can_add,
                can_add_passkey: can_add && ctx.config.takes_passkeys(),
                phishing_resistant: state.is_some_and(|s| s.phishing_resistant),
            }
        }
        Stage::Reset { user, step } => match step {
            Reset::Start => Screen::ResetStart { user: user.clone() },
            Reset::ExpectPin { pin, purpose } => pin_screen(ctx, user, pin, *purpose),
            Reset::ExpectNewPassword => Screen::NewPassword {
                user: user.clone(),
                rules: ctx.config.password_rules,
            },
            Reset::PasswordChanged => Screen::PasswordChanged { user: user.clone() },
        },
    }
}

/// The screen of a PIN sent for `purpose`.
fn pin_screen<R>(ctx: &Ctx<'_, R>, user: &UserId, pin: &PinRecord, purpose: PinPurpose) -> Screen {
    let interval = match pin.channel {
        Channel::Sms => ctx.config.resend_sms,
        Channel::Email => ctx.config.resend_email,
    };
    let resend_at = UnixTime::from_secs(pin.sent_at.saturating_add(u64::from(interval)));
    let alternative = pin.channel == Channel::Sms && email_of(ctx, user).is_some();
    if purpose.is_reset() {
        return Screen::ResetPin {
            user: user.clone(),
            channel: pin.channel,
            resend_at,
            alternative: alternative && purpose != PinPurpose::ResetSecondOfTwo,
            delivered: !pin.failed,
            step: if purpose == PinPurpose::ResetSecondOfTwo {
                2
            } else {
                1
            },
        };
    }
    let sent_to = match destination(ctx, user, pin.channel) {
        Some(Destination::Sms(phone)) => phone.masked(),
        Some(Destination::Email(email)) => email.masked(),
        None => String::new(),
    };
    Screen::EnterPin {
        user: user.clone(),
        sent_to,
        channel: pin.channel,
        resend_at,
        alternative,
        delivered: !pin.failed,
    }
}

pub(super) fn activation_screen<R>(
    ctx: &Ctx<'_, R>,
    user: &UserId,
    kind: EnrollmentKind,
) -> Screen {
    let pending = ctx
        .account
        .and_then(|a| a.state.pending.as_ref())
        .filter(|p| p.login == ctx.id && p.kind == kind);
    let Some(pending) = pending else {
        return Screen::ChooseEnrollment { user: user.clone() };
    };
    let activation = &pending.activation;
    match kind {
        EnrollmentKind::Mobile => {
            let Some(qr) = &pending.mobile else {
                return Screen::ChooseEnrollment { user: user.clone() };
            };
            let open = pending.open.as_ref().and_then(|open| {
                let uri = OtpAuthUri::totp(
                    Some(&ctx.config.issuer),
                    user.as_str(),
                    open.secret.clone(),
                    open.params,
                )
                .ok()?;
                Some(OpenPath {
                    uri: uri.expose_uri(),
                    key: open.secret.expose_base32(),
                })
            });
            Screen::MobileActivation(Box::new(MobileActivation {
                user: user.clone(),
                qr_uri: qr.uri.clone(),
                password: qr.password.clone(),
                open,
                expires_at: activation.expires_at(),
                registration_arrived: pending.registered.is_some(),
            }))
        }
        EnrollmentKind::Desktop => Screen::DesktopActivation(Box::new(DesktopActivation {
            user: user.clone(),
            address: ctx.config.registration_address.clone(),
            serial: activation.serial(),
            activation_code: activation.activation_code().clone(),
            expires_at: activation.expires_at(),
            registration_arrived: pending.registered.is_some(),
        })),
    }
}

/// The next deadline: the login's, or sooner a PIN's or an activation's expiry.
pub(super) fn wake_at<R>(ctx: &Ctx<'_, R>, state: &LoginState) -> Option<UnixTime> {
    if state.is_authenticated() {
        return None;
    }
    let mut next = state.deadline;
    if let Some((pin, _)) = state.stage.pin()
        && pin.expires > ctx.now.as_secs()
    {
        next = next.min(pin.expires);
    }
    if let Some(Enrollment::ExpectRegistration { .. }) = state.stage.enrollment()
        && let Some(pending) = ctx.account.and_then(|a| a.state.pending.as_ref())
    {
        next = next.min(pending.activation.expires_at().as_secs());
    }
    Some(UnixTime::from_secs(next))
}

/// The screen with the recovery codes its step drew (shown this once).
pub(super) fn with_codes(screen: Screen, codes: Vec<crate::recovery::RecoveryCode>) -> Screen {
    match screen {
        Screen::Enrolled { user, .. } if !codes.is_empty() => Screen::Enrolled {
            user,
            recovery_codes: codes,
        },
        Screen::Authenticated { user, .. } if !codes.is_empty() => {
            Screen::RecoveryCodes { user, codes }
        }
        screen => screen,
    }
}
