//! Which transition an input takes, flow by flow: each flow's function lists every input, the
//! ones it takes and the ones it leaves the login as it is for (a page shown again, a repeated
//! or out-of-place request), so that a new input is a decision in every flow, not a silent
//! no-op behind a catch-all.

use rand_core::CryptoRng;

use super::{
    Ctx, Enrolling, Factor, Next, Refusing, account_state, authenticated, authenticators, enroll,
    fail, lost, passkey, pin, refuses_codes, reset, token,
};
use crate::message::MessageId;
use crate::output::AuditEvent;
use crate::output::Channel;
use crate::state::Sensitive;
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
        Stage::Session {
            user,
            adding: None,
            confirming: None,
        } => session(ctx, user, input),
        Stage::Session {
            user,
            adding: None,
            confirming: Some(change),
        } => confirming(ctx, user, change, input),
        Stage::Session {
            user,
            adding: Some(step),
            ..
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
        (
            Stage::SignIn(SignIn::ExpectDiscoverable { challenge }),
            Report::PasskeyOwner { user, response },
        ) => passkey::login_discoverable(ctx, user, challenge, &response),
        (stage, Report::PasswordSet(_) | Report::PasskeyOwner { .. }) => Next::to(stage),
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
        | Input::BeginPasskey
        | Input::Passkey(_)
        | Input::RemovePasskey(_)
        | Input::RenamePasskey { .. }
        | Input::PhishingResistantOnly(_)
        | Input::Cancel
        | Input::Tick => Next::to(Stage::expect_pin(user, pin, purpose)),
    }
}

fn sign_in<R: CryptoRng>(ctx: &mut Ctx<'_, R>, step: SignIn, input: Input) -> Next {
    match (step, input) {
        (SignIn::ExpectUserId | SignIn::ExpectDiscoverable { .. }, Input::BeginPasskey) => {
            passkey::begin_discoverable(ctx)
        }
        // No account holds the answer's credential (the driver found no owner).
        (SignIn::ExpectDiscoverable { .. }, Input::Passkey(_)) => {
            Next::to(Stage::expect_user_id()).notice(MessageId::PasskeyRefused)
        }
        // The User ID typed after all.
        (SignIn::ExpectDiscoverable { .. }, Input::UserId(text)) => {
            sign_in(ctx, SignIn::ExpectUserId, Input::UserId(text))
        }
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
        (SignIn::ExpectTokenCode { user }, Input::LostToken)
        | (SignIn::ExpectPasskey { user, .. }, Input::LostToken) => {
            Next::to(Stage::expect_recovery_code(user))
        }
        (
            SignIn::ExpectTokenCode { user } | SignIn::ExpectPasskey { user, .. },
            Input::BeginPasskey,
        ) => passkey::begin_login(ctx, user),
        (SignIn::ExpectPasskey { user, challenge }, Input::Passkey(json)) => {
            passkey::login(ctx, user, challenge, &json)
        }
        // The code form stays on the passkey's page: a code typed there is taken as at the
        // token-code step (and the challenge is dropped).
        (SignIn::ExpectPasskey { user, .. }, Input::TokenCode(typed)) => {
            token::token_code(ctx, user, &typed)
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
            | Input::BeginPasskey
            | Input::Passkey(_)
            | Input::RemovePasskey(_)
            | Input::RenamePasskey { .. }
            | Input::PhishingResistantOnly(_)
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
        (Enrollment::ExpectPasskey { challenge }, Input::Passkey(json))
            if ctx.enrolling == Enrolling::Another =>
        {
            ctx.enrolling = Enrolling::First;
            passkey::add(ctx, user, challenge, &json)
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
            | Input::BeginPasskey
            | Input::Passkey(_)
            | Input::RemovePasskey(_)
            | Input::RenamePasskey { .. }
            | Input::PhishingResistantOnly(_)
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
            | Input::BeginPasskey
            | Input::Passkey(_)
            | Input::RemovePasskey(_)
            | Input::RenamePasskey { .. }
            | Input::PhishingResistantOnly(_)
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
            | Input::BeginPasskey
            | Input::Passkey(_)
            | Input::RemovePasskey(_)
            | Input::RenamePasskey { .. }
            | Input::PhishingResistantOnly(_)
            | Input::Cancel
            | Input::Tick,
        ) => Next::to(Stage::LostToken { user, step }),
    }
}

/// A whole login's session.
fn session<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, input: Input) -> Next {
    match input {
        // What a hijacked session would use to stay: only with a second factor proven in the
        // last few minutes, else the authenticator's code first.
        Input::NewRecoveryCodes => step_up(ctx, user, Sensitive::NewRecoveryCodes),
        Input::AddAuthenticator => step_up(ctx, user, Sensitive::AddAuthenticator),
        Input::RemoveAuthenticator(serial) => step_up(
            ctx,
            user,
            Sensitive::RemoveAuthenticator(serial.to_string()),
        ),
        Input::RenameAuthenticator { serial, name } => {
            authenticators::rename(ctx, user, serial, &name)
        }
        Input::BeginPasskey => step_up(ctx, user, Sensitive::AddPasskey),
        Input::RemovePasskey(id) => step_up(ctx, user, Sensitive::RemovePasskey(id)),
        Input::RenamePasskey { id, name } => passkey::rename(ctx, user, &id, &name),
        Input::PhishingResistantOnly(true) => passkey::phishing_resistant(ctx, user, true),
        Input::PhishingResistantOnly(false) => step_up(ctx, user, Sensitive::AllowCodes),
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
        | Input::Passkey(_)
        | Input::Cancel
        | Input::Tick => Next::to(Stage::session(user)),
    }
}

/// A sensitive change: made now when the second factor was proven within
/// [`STEP_UP_WINDOW`](crate::STEP_UP_WINDOW), else asked for with the authenticator's code.
fn step_up<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, change: Sensitive) -> Next {
    let fresh = ctx
        .proven_at
        .is_some_and(|at| ctx.now.as_secs() < at.saturating_add(crate::STEP_UP_WINDOW));
    if fresh {
        return make(ctx, user, change);
    }
    Next::to(Stage::Session {
        user,
        adding: None,
        confirming: Some(change),
    })
    .notice(MessageId::ConfirmWithCode)
}

/// The change itself, once the second factor is fresh.
fn make<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, change: Sensitive) -> Next {
    match change {
        Sensitive::NewRecoveryCodes => lost::regenerate(ctx, user),
        Sensitive::AddAuthenticator => authenticators::add(ctx, user),
        Sensitive::RemoveAuthenticator(serial) => match serial.parse() {
            Ok(serial) => authenticators::remove(ctx, user, serial),
            Err(_) => Next::to(Stage::session(user)),
        },
        Sensitive::AddPasskey => passkey::begin_add(ctx, user),
        Sensitive::RemovePasskey(id) => passkey::remove(ctx, user, &id),
        Sensitive::AllowCodes => passkey::phishing_resistant(ctx, user, false),
    }
}

/// A session waiting for the authenticator's code to confirm `change`: a right code makes it
/// (and counts as the second factor proven now), a wrong one counts as a login's does.
fn confirming<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    change: Sensitive,
    input: Input,
) -> Next {
    let waiting = |user: UserId, change: Sensitive| Stage::Session {
        user,
        adding: None,
        confirming: Some(change),
    };
    let Input::TokenCode(typed) = input else {
        // Anything else (Cancel is the machine's) leaves the question open.
        return Next::to(waiting(user, change));
    };
    let wrong = |user: UserId, change: Sensitive| {
        Next::to(waiting(user, change)).notice(MessageId::WrongCode)
    };
    let Some(mut state) = account_state(ctx) else {
        return wrong(user, change);
    };
    // A phishing-resistant account confirms nothing with a code: a passkey login within the
    // last few minutes is its step-up.
    if passkey::codes_refused(&state) {
        return Next::to(Stage::session(user)).notice(MessageId::PasskeyRequired);
    }
    match refuses_codes(ctx) {
        Some(Refusing::Locked) => {
            return Next::to(Stage::session(user)).notice(MessageId::SecondFactorLocked);
        }
        Some(Refusing::CoolingDown) => return wrong(user, change),
        None => {}
    }
    match token::accept(ctx, &mut state, &typed) {
        Ok(()) => {
            // The change, then the code spent on the state it leaves (the same tokens, but for
            // one removed, whose step goes with it).
            let mut step = make(ctx, user, change).proven();
            let mut after = step.update.take().unwrap_or(state);
            let _spent = token::accept(ctx, &mut after, &typed);
            step.update(after)
        }
        Err(_) => {
            let events = fail(ctx, &user, &mut state, Factor::SecondFactor);
            let audit = AuditEvent::CodeRefused { user: user.clone() };
            wrong(user, change)
                .update(state)
                .audit(audit)
                .effects(events)
        }
    }
}
