//! "Password locked or forgotten?", as the portal does it (a recovery code may stand in for
//! the authenticator's code) (Entrust's "How to change the password
//! for Remote Signing Service Portal"): the authenticator's code (first factor), then a one-time
//! PIN by SMS or, by "Alternative authentication", e-mail (second factor), then a new password.
//! Without the authenticator: two PINs by independent channels, SMS then e-mail (SP 800-63B-4
//! §4.2), which an account that has an authenticator is refused at the end (ASVS 6.4.3: a
//! reset must not go around the second factor).
//!
//! A User ID that is not an account gets the same screens and answers: its codes are wrong and
//! no PIN is sent. A reset asks for no password, so anyone who knows the User ID can type its
//! codes: they count apart from a login's ([`AccountState::reset_failures`]), with no
//! cool-down a stranger could start for the owner, at most [`MAX_RESET_FAILURES`] in a row, and
//! toward the account's hard limit together with the login's. A right PIN of a reset clears no
//! count (a phone alone must not buy more guesses at the authenticator's code).
//!
//! [`MAX_RESET_FAILURES`]: crate::MAX_RESET_FAILURES

use rand_core::CryptoRng;

use super::pin::{first_channel, new_pin, spend_send};
use super::token::accept;
use super::{
    Ctx, Factor, Next, Refusing, account_state, code_refused, refuses_codes, second_factor_locked,
};
use crate::PasswordRefusal;
use crate::account::AccountState;
use crate::message::{Message, MessageId};
use crate::output::{AuditEvent, Channel, Dispatch, Effect, Notification};
use crate::state::Enrollment;
use crate::state::Reset;
use crate::state::{PinPurpose, Stage};
use crate::user::UserId;

/// "Password locked or forgotten?" from the password screen.
pub(super) fn start(user: UserId) -> Next {
    let event = AuditEvent::ResetStarted { user: user.clone() };
    Next::to(Stage::reset(user, Reset::Start)).audit(event)
}

/// The authenticator's code: right, and the PIN goes out (by SMS when a mobile number is on
/// file); wrong, and it counts as a wrong code at a login does.
pub(super) fn token<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, typed: &str) -> Next {
    let wrong =
        |user: UserId| Next::to(Stage::reset(user, Reset::Start)).notice(MessageId::WrongCode);
    let Some(mut state) = account_state(ctx) else {
        return wrong(user);
    };
    match refuses_codes(ctx) {
        Some(Refusing::Locked) => return second_factor_locked(user),
        Some(Refusing::CoolingDown) => return wrong(user),
        None => {}
    }
    if closed(ctx, &state) {
        return wrong(user);
    }
    match accept(ctx, &mut state, typed) {
        Ok(()) => {
            state.reset_failures = 0;
            let channel = first_channel(ctx);
            first_pin(ctx, user, state, PinPurpose::ResetAfterToken, channel)
        }
        Err(_) => {
            let wrong = wrong(user.clone());
            code_refused(ctx, user, state, Factor::Reset, wrong)
        }
    }
}

/// A recovery code in place of the authenticator's code (SP 800-63B-4 §4.2: a recovery code and
/// one PIN): right, and it is spent and the PIN goes out; wrong, and it counts as a reset code.
pub(super) fn recovery_code<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, typed: &str) -> Next {
    let wrong =
        |user: UserId| Next::to(Stage::reset(user, Reset::Start)).notice(MessageId::WrongCode);
    let Some(mut state) = account_state(ctx) else {
        return wrong(user);
    };
    match refuses_codes(ctx) {
        Some(Refusing::Locked) => return second_factor_locked(user),
        Some(Refusing::CoolingDown) => return wrong(user),
        None => {}
    }
    if closed(ctx, &state) {
        return wrong(user);
    }
    let Some(at) = crate::recovery::find(&user, &state.recovery_codes, typed) else {
        let wrong = wrong(user.clone());
        return code_refused(ctx, user, state, Factor::Reset, wrong);
    };
    let spent = super::lost::spend(ctx, &user, &mut state, at);
    let channel = first_channel(ctx);
    first_pin(ctx, user, state, PinPurpose::ResetAfterToken, channel).effects(spent)
}

/// "I no longer have my authenticator": the first of two PINs, by SMS.
pub(super) fn without_token<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId) -> Next {
    match refuses_codes(ctx) {
        Some(Refusing::Locked) => return second_factor_locked(user),
        Some(Refusing::CoolingDown) => {
            return Next::to(Stage::reset(user, Reset::Start)).notice(super::pin::try_later(ctx));
        }
        None => {}
    }
    match account_state(ctx) {
        Some(state) if !closed(ctx, &state) => {
            first_pin(ctx, user, state, PinPurpose::ResetFirstOfTwo, Channel::Sms)
        }
        // Nobody to send to, or resets closed: the same screen, and no PIN will ever match.
        _ => {
            let (pin, _) = new_pin(ctx, &user, Channel::Sms, 1);
            let purpose = PinPurpose::ResetFirstOfTwo;
            Next::to(Stage::expect_pin(user, pin, purpose))
        }
    }
}

/// A first PIN of the reset (or of a lost token's replacement) by `channel`, from the
/// account's hourly budget.
pub(super) fn first_pin<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    mut state: AccountState,
    purpose: PinPurpose,
    channel: Channel,
) -> Next {
    let (pin, send) = new_pin(ctx, &user, channel, 1);
    if spend_send(ctx, &mut state, channel, purpose) {
        Next::to(Stage::expect_pin(user, pin, purpose))
            .effects(send)
            .update(state)
    } else {
        Next::to(Stage::expect_pin(user, pin, purpose))
            .notice(MessageId::SendBudget)
            .update(state)
    }
}

/// A right PIN of the reset (the PIN record is gone with it: single use).
pub(super) fn pin_proven<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    purpose: PinPurpose,
    channel: Channel,
    state: AccountState,
) -> Next {
    match purpose {
        PinPurpose::ResetFirstOfTwo => {
            let other = match channel {
                Channel::Sms => Channel::Email,
                Channel::Email => Channel::Sms,
            };
            first_pin(ctx, user, state, PinPurpose::ResetSecondOfTwo, other)
        }
        // Whoever got here holds the phone and the mailbox: the owner who lost the token, or
        // someone with both. The help desk is told (it can grant a re-enrollment); the
        // password stays.
        // A phishing-resistant account's reset ends here too, whatever it proved: codes and
        // PINs are what it refuses (the same answer as for any account with a token).
        PinPurpose::ResetSecondOfTwo | PinPurpose::ResetAfterToken
            if state.has_token()
                && (purpose == PinPurpose::ResetSecondOfTwo || state.phishing_resistant) =>
        {
            let event = AuditEvent::ResetNeedsToken { user: user.clone() };
            let help = Effect::PasswordHelp {
                user: user.clone(),
                dispatch: Dispatch::Inline,
            };
            Next::to(Stage::reset(user, Reset::Start))
                .notice(MessageId::ResetNeedsToken)
                .update(state)
                .audit(event)
                .effect(help)
        }
        PinPurpose::ResetAfterToken | PinPurpose::ResetSecondOfTwo => {
            Next::to(Stage::reset(user, Reset::ExpectNewPassword)).update(state)
        }
        // Not a reset's (check_pin hands those elsewhere).
        PinPurpose::FirstLogin | PinPurpose::ReplaceToken => {
            Next::to(ctx.enrollment(user, Enrollment::ExpectChoice)).update(state)
        }
    }
}

/// The service's verdict on the new password: stored (the password lockouts are lifted, and
/// the user is told by every address on file), or refused by a rule the page names.
pub(super) fn password_set<R>(
    ctx: &Ctx<'_, R>,
    user: UserId,
    result: Result<(), PasswordRefusal>,
) -> Next {
    let Some(mut state) = account_state(ctx) else {
        return Next::to(Stage::reset(user, Reset::ExpectNewPassword));
    };
    if let Err(refusal) = result {
        return Next::to(Stage::reset(user, Reset::ExpectNewPassword)).notice(refused(refusal));
    }
    state.password_replaced();
    let notify = super::notices(ctx, &user, Notification::PasswordChanged);
    let event = AuditEvent::PasswordReset { user: user.clone() };
    Next::to(Stage::reset(user, Reset::PasswordChanged))
        .update(state)
        .audit(event)
        .effects(notify)
}

/// Whether the account's resets check no codes now: for a day after each run of wrong ones,
/// for [`RESET_SHARE_CLOSURE`](crate::RESET_SHARE_CLOSURE) once their share of the hard limit
/// is spent.
pub(super) fn closed<R>(ctx: &Ctx<'_, R>, state: &AccountState) -> bool {
    state
        .reset_closed_until
        .is_some_and(|until| until > ctx.now)
}

/// What the page says about a refused new password.
pub(crate) fn refused(refusal: PasswordRefusal) -> Message {
    match refusal {
        PasswordRefusal::TooShort(min) => {
            Message::new(MessageId::PasswordTooShort).with("min", min.to_string())
        }
        PasswordRefusal::TooLong(max) => {
            Message::new(MessageId::PasswordTooLong).with("max", max.to_string())
        }
        PasswordRefusal::Common => MessageId::PasswordCommon.into(),
        _ => MessageId::PasswordPersonal.into(),
    }
}
