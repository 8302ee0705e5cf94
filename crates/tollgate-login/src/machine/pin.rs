//! The first factors: the password, then the one-time PIN sent by SMS or e-mail.

use rand_core::CryptoRng;

use super::{Ctx, PasswordCheck, Step, account_state, fail, update};
use crate::message::{Message, MessageId};
use crate::output::{Action, AuditEvent, Channel, Destination};
use crate::state::{Hex, PinRecord, Stage};
use crate::user::{EmailAddress, UserId};
use tollgate_otp::Pin;

pub(super) fn password<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    check: PasswordCheck,
) -> Step {
    let refused = |user: &UserId, known: bool| {
        Action::Audit(AuditEvent::PasswordRefused {
            user: user.clone(),
            known,
        })
    };
    let wrong = Some(Message::new(MessageId::WrongPassword));
    let Some((version, mut state)) = account_state(ctx) else {
        let actions = vec![refused(&user, false)];
        return (Stage::ExpectPassword { user }, wrong, actions);
    };
    let locked = ctx.account.is_some_and(|a| a.is_locked(ctx.now));
    if locked {
        let actions = vec![refused(&user, true)];
        return (Stage::ExpectPassword { user }, wrong, actions);
    }
    if check == PasswordCheck::Incorrect {
        let events = fail(ctx, &user, &mut state, true);
        let mut actions = vec![update(version, state), refused(&user, true)];
        actions.extend(events);
        return (Stage::ExpectPassword { user }, wrong, actions);
    }
    state.password_failures = 0;
    state.lockouts = 0;
    state.locked_until = None;
    if state.token.is_some() {
        let actions = vec![update(version, state)];
        return (Stage::ExpectTokenCode { user }, None, actions);
    }
    // First login: the one-time PIN, by SMS, or by e-mail when no mobile number is on file.
    let channel = if ctx.account.is_some_and(|a| a.mobile.is_some()) {
        Channel::Sms
    } else {
        Channel::Email
    };
    let (pin, send) = new_pin(ctx, &user, channel, 1);
    let mut actions = vec![update(version, state)];
    actions.extend(send);
    (Stage::ExpectPin { user, pin }, None, actions)
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
) -> (PinRecord, Vec<Action>) {
    let pin = Pin::generate(ctx.config.pin_length, ctx.rng);
    let mut salt = [0u8; 16];
    ctx.rng.fill_bytes(&mut salt);
    let record = PinRecord {
        salt: Hex(salt),
        hash: Hex(PinRecord::hash(
            &ctx.config.pin_key,
            &salt,
            &ctx.id,
            pin.expose_secret(),
        )),
        expires: ctx
            .now
            .as_secs()
            .saturating_add(u64::from(ctx.config.pin_lifetime)),
        channel,
        sent_at: ctx.now.as_secs(),
        sends,
    };
    let mut actions = Vec::new();
    if let Some(to) = destination(ctx, user, channel) {
        actions.push(Action::SendPin { to, pin });
        actions.push(Action::Audit(AuditEvent::PinSent {
            user: user.clone(),
            channel,
        }));
    }
    (record, actions)
}

pub(super) fn check_pin<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    pin: PinRecord,
    typed: &str,
) -> Step {
    let Some((version, mut state)) = account_state(ctx) else {
        return (
            Stage::ExpectPin { user, pin },
            Some(MessageId::WrongPin.into()),
            Vec::new(),
        );
    };
    if ctx.account.is_some_and(|a| a.is_locked(ctx.now)) {
        return (
            Stage::ExpectPin { user, pin },
            Some(MessageId::WrongPin.into()),
            Vec::new(),
        );
    }
    if ctx.now.as_secs() >= pin.expires {
        return (
            Stage::ExpectPin { user, pin },
            Some(MessageId::PinExpired.into()),
            Vec::new(),
        );
    }
    // A right PIN moves the login on, so the record (and the PIN) is gone: single use.
    if pin.matches(&ctx.config.pin_key, &ctx.id, typed) {
        state.code_failures = 0;
        let actions = vec![update(version, state)];
        return (Stage::ExpectEnrollmentChoice { user }, None, actions);
    }
    let events = fail(ctx, &user, &mut state, false);
    let mut actions = vec![
        update(version, state),
        Action::Audit(AuditEvent::CodeRefused { user: user.clone() }),
    ];
    actions.extend(events);
    (
        Stage::ExpectPin { user, pin },
        Some(MessageId::WrongPin.into()),
        actions,
    )
}

pub(super) fn resend<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    pin: PinRecord,
    channel: Channel,
) -> Step {
    if pin.sends >= ctx.config.max_sends {
        return (
            Stage::ExpectPin { user, pin },
            Some(MessageId::TooManySends.into()),
            Vec::new(),
        );
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
            return (Stage::ExpectPin { user, pin }, Some(notice), Vec::new());
        }
    }
    if destination(ctx, &user, channel).is_none() {
        return (Stage::ExpectPin { user, pin }, None, Vec::new());
    }
    // A new PIN replaces the old one; failures stay counted in the account.
    let (pin, actions) = new_pin(ctx, &user, channel, pin.sends.saturating_add(1));
    (Stage::ExpectPin { user, pin }, None, actions)
}
