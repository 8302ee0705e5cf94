//! The first factors: the password, then the one-time PIN sent by SMS or e-mail.

use rand_core::CryptoRng;

use super::{
    Ctx, Factor, Next, PasswordCheck, Refusing, account_state, code_refused, cool_down, fail,
    refuses_codes, second_factor_locked,
};
use crate::account::AccountState;
use crate::device::KnownDevice;
use crate::keys::RingKey as _;
use crate::message::{Message, MessageId};
use crate::output::{AuditEvent, Channel, Destination, Dispatch, Effect};
use crate::state::Enrollment;
use crate::state::{Hex, PinPurpose, PinRecord, Stage};
use crate::user::{EmailAddress, UserId};
use tollgate_otp::Pin;

pub(super) fn password<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    check: PasswordCheck,
) -> Next {
    let refused = |user: &UserId, known: bool| AuditEvent::PasswordRefused {
        user: user.clone(),
        known,
    };
    let Some(mut state) = account_state(ctx) else {
        let event = refused(&user, false);
        return Next::to(Stage::expect_password(user))
            .notice(MessageId::WrongPassword)
            .audit(event);
    };
    // A device the account knows is counted on its own; anyone else, together.
    let device = check
        .device()
        .and_then(|d| KnownDevice::find(&state.devices, &d));
    let now = ctx.now;
    let cooling = match device {
        Some(i) => state.devices[i].locked_until,
        None => state.password_locked_until,
    }
    .is_some_and(|until| now < until);
    if cooling || ctx.account.is_some_and(|a| a.is_locked(now)) {
        let event = refused(&user, true);
        return Next::to(Stage::expect_password(user))
            .notice(MessageId::WrongPassword)
            .audit(event);
    }
    if !check.is_correct() {
        let events = match device {
            Some(i) => device_failure(ctx, &user, &mut state.devices[i]),
            None => fail(ctx, &user, &mut state, Factor::Password),
        };
        let event = refused(&user, true);
        return Next::to(Stage::expect_password(user))
            .notice(MessageId::WrongPassword)
            .update(state)
            .audit(event)
            .effects(events);
    }
    // A right password forgives the wrong passwords of where it was typed, and nothing else:
    // not wrong codes, not the cool-downs (only a whole login does).
    let forgiven = match device {
        Some(i) => {
            let known = &mut state.devices[i];
            known.failures = 0;
            known.last_login = now;
            ctx.on_device = true;
            true
        }
        None => {
            let forgiven = state.password_failures != 0;
            state.password_failures = 0;
            forgiven
        }
    };
    let step = if ctx.config.second_factor_locked(&state) {
        second_factor_locked(user)
    } else if state.has_token() {
        Next::to(Stage::expect_token_code(user))
    } else {
        // First login: the one-time PIN, by SMS, or by e-mail when no mobile number is on file.
        let channel = first_channel(ctx);
        let (pin, send) = new_pin(ctx, &user, channel, 1);
        let purpose = PinPurpose::FirstLogin;
        if spend_send(ctx, &mut state, channel, purpose) {
            return Next::to(Stage::expect_pin(user, pin, purpose))
                .effects(send)
                .update(state);
        }
        Next::to(Stage::expect_pin(user, pin, purpose)).notice(MessageId::SendBudget)
    };
    if forgiven { step.update(state) } else { step }
}

/// A wrong password on a known device: a cool-down for that device alone at every run of the
/// configured length, twice as long each time, up to a day.
fn device_failure<R>(ctx: &Ctx<'_, R>, user: &UserId, device: &mut KnownDevice) -> Vec<Effect> {
    device.failures = device.failures.saturating_add(1);
    let every = ctx.config.password_lockout;
    if !device.failures.is_multiple_of(every) {
        return Vec::new();
    }
    let (until, event) = cool_down(ctx, user, device.failures / every - 1);
    device.locked_until = Some(until);
    vec![event]
}

/// How a first PIN goes: by SMS when a mobile number is on file, else by e-mail.
pub(super) fn first_channel<R>(ctx: &Ctx<'_, R>) -> Channel {
    if ctx.account.is_some_and(|a| a.mobile.is_some()) {
        Channel::Sms
    } else {
        Channel::Email
    }
}

/// The e-mail address a PIN goes to: the one on file, else the User ID itself.
pub(super) fn email_of<R>(ctx: &Ctx<'_, R>, user: &UserId) -> Option<EmailAddress> {
    ctx.account
        .and_then(|a| a.email.clone())
        .or_else(|| user.as_str().parse().ok())
}

pub(super) fn destination<R>(
    ctx: &Ctx<'_, R>,
    user: &UserId,
    channel: Channel,
) -> Option<Destination> {
    match channel {
        Channel::Sms => ctx
            .account
            .and_then(|a| a.mobile.clone())
            .map(Destination::Sms),
        Channel::Email => email_of(ctx, user).map(Destination::Email),
    }
}

/// Draws a PIN, remembers its hash, and says to send it.
pub(super) fn new_pin<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: &UserId,
    channel: Channel,
    sends: u8,
) -> (PinRecord, Vec<Effect>) {
    let pin = Pin::generate(ctx.config.pin_length, ctx.rng);
    let mut salt = [0u8; 16];
    ctx.rng.fill_bytes(&mut salt);
    let record = PinRecord {
        salt: Hex(salt),
        hash: Hex(PinRecord::hash(
            ctx.pin_key.current(),
            &salt,
            ctx.id.as_bytes(),
            pin.expose_secret(),
        )),
        expires: ctx
            .now
            .as_secs()
            .saturating_add(u64::from(ctx.config.pin_lifetime)),
        channel,
        sent_at: ctx.now.as_secs(),
        sends,
        key: Some(Hex(ctx.pin_key.current().id().to_bytes())),
        failed: false,
    };
    let mut effects = Vec::new();
    if let Some(to) = destination(ctx, user, channel) {
        effects.push(Effect::SendPin {
            to,
            pin,
            dispatch: Dispatch::Inline,
        });
        effects.push(Effect::Audit(AuditEvent::PinSent {
            user: user.clone(),
            channel,
        }));
    }
    (record, effects)
}

pub(super) fn check_pin<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    pin: PinRecord,
    purpose: PinPurpose,
    typed: &str,
) -> Next {
    let Some(mut state) = account_state(ctx) else {
        return Next::to(Stage::expect_pin(user, pin, purpose)).notice(MessageId::WrongPin);
    };
    match refuses_codes(ctx) {
        Some(Refusing::Locked) => return second_factor_locked(user),
        Some(Refusing::CoolingDown) => {
            return Next::to(Stage::expect_pin(user, pin, purpose)).notice(MessageId::WrongPin);
        }
        None => {}
    }
    // A reset past its limit checks nothing, and answers as a wrong PIN would.
    if purpose.is_reset() && super::reset::closed(ctx, &state) {
        return Next::to(Stage::expect_pin(user, pin, purpose)).notice(MessageId::WrongPin);
    }
    if ctx.now.as_secs() >= pin.expires {
        return Next::to(Stage::expect_pin(user, pin, purpose)).notice(MessageId::PinExpired);
    }
    // A right PIN moves the login on, so the record (and the PIN) is gone: single use.
    if pin.matches(ctx.pin_key, ctx.id.as_bytes(), typed) {
        // A reset's PIN clears no count: a phone alone must not buy more guesses.
        if purpose.is_reset() {
            return super::reset::pin_proven(ctx, user, purpose, pin.channel, state);
        }
        if purpose == PinPurpose::ReplaceToken {
            return super::lost::replace(ctx, user, state);
        }
        let step = Next::to(ctx.enrollment(user, Enrollment::ExpectChoice));
        if state.second_factor_failures == 0 {
            return step;
        }
        state.second_factor_failures = 0;
        return step.update(state);
    }
    let factor = if purpose.is_reset() {
        Factor::Reset
    } else {
        Factor::SecondFactor
    };
    let wrong = Next::to(Stage::expect_pin(user.clone(), pin, purpose)).notice(MessageId::WrongPin);
    code_refused(ctx, user, state, factor, wrong)
}

pub(super) fn resend<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    pin: PinRecord,
    purpose: PinPurpose,
    channel: Channel,
) -> Next {
    let Some(mut state) = account_state(ctx) else {
        return Next::to(Stage::expect_pin(user, pin, purpose));
    };
    match refuses_codes(ctx) {
        Some(Refusing::Locked) => return second_factor_locked(user),
        // No new PIN while wrong ones cool the account down.
        Some(Refusing::CoolingDown) => {
            return Next::to(Stage::expect_pin(user, pin, purpose)).notice(try_later(ctx));
        }
        None => {}
    }
    if pin.sends >= ctx.config.max_sends {
        return Next::to(Stage::expect_pin(user, pin, purpose)).notice(MessageId::TooManySends);
    }
    // Throttled per channel: a switch to e-mail is not held back by the last SMS.
    if channel == pin.channel {
        let interval = match channel {
            Channel::Sms => ctx.config.resend_sms,
            Channel::Email => ctx.config.resend_email,
        };
        let ready = pin.sent_at.saturating_add(u64::from(interval));
        if ctx.now.as_secs() < ready {
            let wait = ready - ctx.now.as_secs();
            let notice = Message::new(MessageId::ResendTooSoon).with("seconds", wait.to_string());
            return Next::to(Stage::expect_pin(user, pin, purpose)).notice(notice);
        }
    }
    if destination(ctx, &user, channel).is_none() {
        return Next::to(Stage::expect_pin(user, pin, purpose));
    }
    if !spend_send(ctx, &mut state, channel, purpose) {
        return Next::to(Stage::expect_pin(user, pin, purpose)).notice(MessageId::SendBudget);
    }
    // A new PIN replaces the old one; failures stay counted in the account.
    let (pin, send) = new_pin(ctx, &user, channel, pin.sends.saturating_add(1));
    Next::to(Stage::expect_pin(user, pin, purpose))
        .effects(send)
        .update(state)
}

/// Takes one send by `channel` from the account's hourly budget; false when it is spent.
///
/// A password reset's PINs come from a budget of their own
/// ([`Config::with_reset_send_budget`](crate::Config::with_reset_send_budget)): a reset asks
/// for no password, so anyone who knows the User ID can start one, and what they spend must not
/// be what the owner's own login needs (the login's budget is theirs alone).
pub(super) fn spend_send<R>(
    ctx: &Ctx<'_, R>,
    state: &mut AccountState,
    channel: Channel,
    purpose: PinPurpose,
) -> bool {
    let (sent, budget) = match channel {
        _ if purpose.is_reset() => (&mut state.reset_sent, ctx.config.reset_sends_per_hour),
        Channel::Sms => (&mut state.sms_sent, ctx.config.sms_per_hour),
        Channel::Email => (&mut state.email_sent, ctx.config.email_per_hour),
    };
    let hour_ago = ctx.now.as_secs().saturating_sub(3600);
    sent.retain(|at| at.as_secs() > hour_ago);
    if sent.len() >= usize::try_from(budget).unwrap_or(usize::MAX) {
        return false;
    }
    sent.push(ctx.now);
    true
}

/// "Try again in {seconds} seconds": until the account's cool-down ends.
pub(super) fn try_later<R>(ctx: &Ctx<'_, R>) -> Message {
    let until = ctx
        .account
        .and_then(|a| a.state.locked_until)
        .map_or(0, |until| until.as_secs());
    let seconds = until.saturating_sub(ctx.now.as_secs());
    Message::new(MessageId::TryLater).with("seconds", seconds.to_string())
}

/// The service reports that the PIN it was asked to send did not go out (the gateway refused it
/// or never answered, after its retries): the PIN is void, the send is not counted (neither in
/// the login's sends nor in the account's hourly budget), and the screen says so. Nothing is
/// counted against the user. The resend interval still holds (a gateway that is down is not
/// hammered faster than one that works); the other channel is not held by it.
pub(super) fn not_delivered<R>(
    ctx: &Ctx<'_, R>,
    user: UserId,
    mut pin: PinRecord,
    purpose: PinPurpose,
) -> Next {
    if pin.failed {
        return Next::to(Stage::expect_pin(user, pin, purpose));
    }
    let sent_at = pin.sent_at;
    let channel = pin.channel;
    pin.failed = true;
    pin.expires = ctx.now.as_secs();
    pin.sends = pin.sends.saturating_sub(1);
    let event = AuditEvent::PinNotDelivered {
        user: user.clone(),
        channel,
    };
    let step = Next::to(Stage::expect_pin(user, pin, purpose))
        .notice(MessageId::SendFailed)
        .audit(event);
    let Some(mut state) = account_state(ctx) else {
        return step;
    };
    let sent = match channel {
        _ if purpose.is_reset() => &mut state.reset_sent,
        Channel::Sms => &mut state.sms_sent,
        Channel::Email => &mut state.email_sent,
    };
    match sent.iter().rposition(|at| at.as_secs() == sent_at) {
        Some(at) => {
            sent.remove(at);
            step.update(state)
        }
        None => step,
    }
}
