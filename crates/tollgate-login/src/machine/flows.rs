//! Which transition an input takes, flow by flow: each flow's function lists every input, the
//! ones it takes and the ones it leaves the login as it is for (a page shown again, a repeated
//! or out-of-place request), so that a new input is a decision in every flow, not a silent
//! no-op behind a catch-all.

use rand_core::CryptoRng;

use super::{
    Ctx, Enrolling, Next, account_state, authenticated, authenticators, enroll, lost, pin, reset,
    token,
};
use crate::message::MessageId;
use crate::output::Channel;
use crate::state::{Enrollment, LostToken, PinPurpose, Reset, SignIn, Stage};
use crate::user::{UserId, UserIds};

use super::input::{Event, Input, Report};

pub(super) fn transition<R: CryptoRng>(ctx: &mut Ctx<'_, R>, stage: Stage, input: Event) -> Next {
    // A first login that another login has overtaken: once the account has a token, the PIN
    // is no longer a second factor for it, and no other token may be enrolled over it.
    let first_login = matches!(
        stage,
        Stage::SignIn(SignIn::ExpectPin { .. })
            | Stage::Enrollment {
                step: Enrollment::ExpectChoice | Enrollment::ExpectRegistration { .. },
                ..
            }
    );
    if first_login
        && ctx.account.is_some_and(|a| a.state.has_token())
        && let Some(user) = stage.user()
    {
        return Next::to(Stage::expect_token_code(user.clone())).notice(MessageId::AlreadyEnrolled);
    }
    let input = match input {
        Event::Input(input) => input,
        Event::Report(report) => return reported(ctx, stage, report),
    };
    match stage {
        Stage::SignIn(step) => sign_in(ctx, step, input),
        Stage::Enrollment { user, step } => enrollment(ctx, user, step, input),
        Stage::Reset { user, step } => resetting(ctx, user, step, input),
        Stage::LostToken { user, step } => lost_token(ctx, user, step, input),
        Stage::Session { user, adding: None } => session(ctx, user, input),
        Stage::Session {
            user,
            adding: Some(step),
        } => {
            ctx.enrolling = Enrolling::Another;
            enrollment(ctx, user, step, input)
        }
    }
}

/// What the service's own IO came to, where a stage waits for it; anywhere else (a report
/// about a step the login has left) the login stays as it is.
fn reported<R: CryptoRng>(ctx: &mut Ctx<'_, R>, stage: Stage, report: Report) -> Next {
    match (stage, report) {
        (
            Stage::Reset {
                user,
                step: Reset::ExpectNewPassword,
            },
            Report::PasswordSet(result),
        ) => reset::password_set(ctx, user, result),
        (stage, Report::PinNotDelivered) => match stage.pin() {
            Some((pin, purpose)) => {
                let (pin, user) = (pin.clone(), stage.user().cloned());
                match user {
                    Some(user) => pin::not_delivered(ctx, user, pin, purpose),
                    None => Next::to(stage),
                }
            }
            None => Next::to(stage),
        },
        (stage, Report::PasswordSet(_)) => Next::to(stage),
    }
}

/// A PIN's inputs, in whichever flow it was sent: the PIN, "Resend", the alternative.
fn pin_input<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    pin: crate::state::PinRecord,
    purpose: PinPurpose,
    input: Input,
) -> Next {
    match input {
        Input::Pin(typed) => pin::check_pin(ctx, user, pin, purpose, &typed),
        Input::ResendPin => {
            let channel = pin.channel;
            pin::resend(ctx, user, pin, purpose, channel)
        }
        // The second of two PINs goes by the channel the first did not use: no switching.
        Input::AlternativeAuthentication if purpose != PinPurpose::ResetSecondOfTwo => {
            pin::resend(ctx, user, pin, purpose, Channel::Email)
        }
        Input::AlternativeAuthentication
        | Input::UserId(_)
        | Input::Password(_)
        | Input::ForgotPassword
        | Input::ChooseEnrollment(_)
        | Input::RegistrationCode(_)
        | Input::RegistrationArrived
        | Input::Continue
        | Input::OpenPathCode(_)
        | Input::TokenCode(_)
        | Input::NoAuthenticator
        | Input::NewPassword(_)
        | Input::LostToken
        | Input::RecoveryCode(_)
        | Input::NewRecoveryCodes
        | Input::ChangePassword
        | Input::AddAuthenticator
        | Input::RemoveAuthenticator(_)
        | Input::RenameAuthenticator { .. }
        | Input::Cancel
        | Input::Tick => Next::to(Stage::expect_pin(user, pin, purpose)),
    }
}

fn sign_in<R: CryptoRng>(ctx: &mut Ctx<'_, R>, step: SignIn, input: Input) -> Next {
    match (step, input) {
        (SignIn::ExpectUserId, Input::UserId(text)) => {
            match UserId::parse_as(&text, ctx.config.user_ids) {
                Ok(user) => Next::to(Stage::expect_password(user)),
                Err(_) if ctx.config.user_ids == UserIds::Username => {
                    Next::to(Stage::expect_user_id()).notice(MessageId::UserNameFormat)
                }
                Err(_) => Next::to(Stage::expect_user_id()).notice(MessageId::UserIdFormat),
            }
        }
        (SignIn::ExpectPassword { user }, Input::Password(check)) => {
            pin::password(ctx, user, check)
        }
        (SignIn::ExpectPassword { user }, Input::ForgotPassword) => reset::start(user),
        (SignIn::ExpectPin { user, pin }, input) => {
            pin_input(ctx, user, pin, PinPurpose::FirstLogin, input)
        }
        (SignIn::ExpectTokenCode { user }, Input::TokenCode(typed)) => {
            token::token_code(ctx, user, &typed)
        }
        (SignIn::ExpectTokenCode { user }, Input::LostToken) => {
            Next::to(Stage::expect_recovery_code(user))
        }
        (
            step,
            Input::UserId(_)
            | Input::Password(_)
            | Input::ForgotPassword
            | Input::Pin(_)
            | Input::ResendPin
            | Input::AlternativeAuthentication
            | Input::ChooseEnrollment(_)
            | Input::RegistrationCode(_)
            | Input::RegistrationArrived
            | Input::Continue
            | Input::OpenPathCode(_)
            | Input::TokenCode(_)
            | Input::NoAuthenticator
            | Input::NewPassword(_)
            | Input::LostToken
            | Input::RecoveryCode(_)
            | Input::NewRecoveryCodes
            | Input::ChangePassword
            | Input::AddAuthenticator
            | Input::RemoveAuthenticator(_)
            | Input::RenameAuthenticator { .. }
            | Input::Cancel
            | Input::Tick,
        ) => Next::to(Stage::SignIn(step)),
    }
}

/// An enrollment's steps, a first login's or (with [`Enrolling::Another`]) a session's.
fn enrollment<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    step: Enrollment,
    input: Input,
) -> Next {
    match (step, input) {
        (
            Enrollment::ExpectChoice | Enrollment::ExpectRegistration { .. },
            Input::ChooseEnrollment(kind),
        ) => enroll::issue(ctx, user, kind),
        (Enrollment::ExpectRegistration { kind }, Input::RegistrationCode(typed)) => {
            enroll::register(ctx, user, kind, &typed)
        }
        (Enrollment::ExpectRegistration { kind }, Input::RegistrationArrived) => {
            enroll::arrived(ctx, user, kind)
        }
        (Enrollment::ExpectRegistration { kind }, Input::OpenPathCode(typed)) => {
            enroll::confirm_open(ctx, user, kind, &typed)
        }
        (Enrollment::ExpectContinue, Input::Continue) => match ctx.enrolling {
            // An authenticator added to a session: back to it (the login was whole already).
            Enrolling::Another => {
                ctx.enrolling = Enrolling::First;
                Next::to(Stage::session(user))
            }
            Enrolling::First => match account_state(ctx) {
                Some(state) => authenticated(ctx, user, state),
                None => Next::to(ctx.enrollment(user, Enrollment::ExpectContinue)),
            },
        },
        (
            step,
            Input::UserId(_)
            | Input::Password(_)
            | Input::ForgotPassword
            | Input::Pin(_)
            | Input::ResendPin
            | Input::AlternativeAuthentication
            | Input::ChooseEnrollment(_)
            | Input::RegistrationCode(_)
            | Input::RegistrationArrived
            | Input::Continue
            | Input::OpenPathCode(_)
            | Input::TokenCode(_)
            | Input::NoAuthenticator
            | Input::NewPassword(_)
            | Input::LostToken
            | Input::RecoveryCode(_)
            | Input::NewRecoveryCodes
            | Input::ChangePassword
            | Input::AddAuthenticator
            | Input::RemoveAuthenticator(_)
            | Input::RenameAuthenticator { .. }
            | Input::Cancel
            | Input::Tick,
        ) => Next::to(ctx.enrollment(user, step)),
    }
}

/// "Password locked or forgotten?"
fn resetting<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, step: Reset, input: Input) -> Next {
    match (step, input) {
        (Reset::Start, Input::TokenCode(typed)) => reset::token(ctx, user, &typed),
        (Reset::Start, Input::NoAuthenticator) => reset::without_token(ctx, user),
        (Reset::Start, Input::RecoveryCode(typed)) => reset::recovery_code(ctx, user, &typed),
        (Reset::ExpectPin { pin, purpose }, input) => pin_input(ctx, user, pin, purpose, input),
        (Reset::PasswordChanged, Input::Continue) => Next::to(Stage::expect_password(user)),
        (
            step,
            Input::UserId(_)
            | Input::Password(_)
            | Input::ForgotPassword
            | Input::Pin(_)
            | Input::ResendPin
            | Input::AlternativeAuthentication
            | Input::ChooseEnrollment(_)
            | Input::RegistrationCode(_)
            | Input::RegistrationArrived
            | Input::Continue
            | Input::OpenPathCode(_)
            | Input::TokenCode(_)
            | Input::NoAuthenticator
            // The new password comes as the service's report, once it has checked it.
            | Input::NewPassword(_)
            | Input::LostToken
            | Input::RecoveryCode(_)
            | Input::NewRecoveryCodes
            | Input::ChangePassword
            | Input::AddAuthenticator
            | Input::RemoveAuthenticator(_)
            | Input::RenameAuthenticator { .. }
            | Input::Cancel
            | Input::Tick,
        ) => Next::to(Stage::reset(user, step)),
    }
}

/// "I no longer have my authenticator" at a later login.
fn lost_token<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    step: LostToken,
    input: Input,
) -> Next {
    match (step, input) {
        (LostToken::ExpectRecoveryCode, Input::RecoveryCode(typed)) => {
            lost::recovery_code(ctx, user, &typed)
        }
        (LostToken::ExpectPin { pin }, input) => {
            pin_input(ctx, user, pin, PinPurpose::ReplaceToken, input)
        }
        (
            step,
            Input::UserId(_)
            | Input::Password(_)
            | Input::ForgotPassword
            | Input::Pin(_)
            | Input::ResendPin
            | Input::AlternativeAuthentication
            | Input::ChooseEnrollment(_)
            | Input::RegistrationCode(_)
            | Input::RegistrationArrived
            | Input::Continue
            | Input::OpenPathCode(_)
            | Input::TokenCode(_)
            | Input::NoAuthenticator
            | Input::NewPassword(_)
            | Input::LostToken
            | Input::NewRecoveryCodes
            | Input::ChangePassword
            | Input::AddAuthenticator
            | Input::RemoveAuthenticator(_)
            | Input::RenameAuthenticator { .. }
            | Input::Cancel
            | Input::Tick,
        ) => Next::to(Stage::LostToken { user, step }),
    }
}

/// A whole login's session.
fn session<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, input: Input) -> Next {
    match input {
        Input::NewRecoveryCodes => lost::regenerate(ctx, user),
        Input::AddAuthenticator => authenticators::add(ctx, user),
        Input::RemoveAuthenticator(serial) => authenticators::remove(ctx, user, serial),
        Input::RenameAuthenticator { serial, name } => {
            authenticators::rename(ctx, user, serial, &name)
        }
        // A session's password is no proof of the factors: the reset's, from the start (the
        // session ends with it, and the new password logs in again).
        Input::ChangePassword => reset::start(user),
        Input::UserId(_)
        | Input::Password(_)
        | Input::ForgotPassword
        | Input::Pin(_)
        | Input::ResendPin
        | Input::AlternativeAuthentication
        | Input::ChooseEnrollment(_)
        | Input::RegistrationCode(_)
        | Input::RegistrationArrived
        | Input::Continue
        | Input::OpenPathCode(_)
        | Input::TokenCode(_)
        | Input::NoAuthenticator
        | Input::NewPassword(_)
        | Input::LostToken
        | Input::RecoveryCode(_)
        | Input::Cancel
        | Input::Tick => Next::to(Stage::session(user)),
    }
}
