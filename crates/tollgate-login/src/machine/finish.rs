//! How a login ends in success, and how the user is told of a change.

use rand_core::CryptoRng;

use super::{Ctx, Next, pin};
use crate::account::AccountState;
use crate::device::{DeviceId, KnownDevice, MAX_DEVICES};
use crate::message::MessageId;
use crate::output::{AuditEvent, Destination, Dispatch, Effect, Notification};
use crate::state::Reset;
use crate::state::Stage;
use crate::user::UserId;

/// Tells `user` of `notification` at every address on file: the e-mail address (or the User ID,
/// when it is one) and the mobile number.
pub(super) fn notices<R>(
    ctx: &Ctx<'_, R>,
    user: &UserId,
    notification: Notification,
) -> Vec<Effect> {
    let email = pin::email_of(ctx, user).map(Destination::Email);
    let mobile = ctx
        .account
        .and_then(|a| a.mobile.clone())
        .map(Destination::Sms);
    email
        .into_iter()
        .chain(mobile)
        .map(|to| Effect::Notify {
            user: user.clone(),
            to,
            notification,
            dispatch: Dispatch::Inline,
        })
        .collect()
}

/// The login ends in success: the escalating second-factor cool-down starts again from a
/// minute, and a browser the account did not know is remembered as one of its devices (the one
/// unused longest makes room for it).
pub(super) fn authenticated<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    mut state: AccountState,
) -> Next {
    // A temporary password from an administrator: both factors are proven, but the login
    // is not authenticated until the user sets a password of their own.
    if state.password_expired {
        let event = AuditEvent::PasswordChangeRequired { user: user.clone() };
        return Next::to(Stage::reset(user, Reset::ExpectNewPassword))
            .notice(MessageId::PasswordChangeRequired)
            .update(state)
            .audit(event);
    }
    let mut step = Next::to(Stage::session(user.clone()))
        .audit(AuditEvent::Authenticated { user: user.clone() });
    // A whole login opens the owner's resets again after a day's run of a stranger's wrong
    // codes (the owner is here), but keeps their count: forgiving it would give the stranger a
    // fresh run at every login of the owner's (1,670 codes checked in a week, seen in
    // `tests/suite/reset.rs`). Once the share is spent, resets stay closed for its month.
    let reopen =
        state.reset_closed_until.is_some() && state.reset_failures < crate::MAX_RESET_SHARE;
    let mut changed = state.lockouts != 0 || state.last_login != Some(ctx.now) || reopen;
    state.lockouts = 0;
    if reopen {
        state.reset_closed_until = None;
    }
    state.last_login = Some(ctx.now);
    if !ctx.on_device {
        let device = DeviceId::generate(ctx.rng);
        if state.devices.len() >= MAX_DEVICES
            && let Some(oldest) = state
                .devices
                .iter()
                .enumerate()
                .min_by_key(|(_, d)| d.last_login)
                .map(|(i, _)| i)
        {
            state.devices.remove(oldest);
        }
        state.devices.push(KnownDevice {
            digest: device.digest(),
            last_login: ctx.now,
            failures: 0,
            locked_until: None,
        });
        ctx.on_device = true;
        changed = true;
        step = step.effect(Effect::RememberDevice { user, device });
    }
    if changed { step.update(state) } else { step }
}
