//! Counting failures: the cool-downs, and the second factor's hard limit.

use tollgate_otp::UnixTime;

use super::Ctx;
use crate::account::AccountState;
use crate::output::{AuditEvent, Effect};
use crate::user::UserId;

/// Which factor failed.
#[derive(Clone, Copy, PartialEq, Eq)]
#[expect(
    clippy::enum_variant_names,
    reason = "\"second factor\" is the standard's name for it"
)]
pub(super) enum Factor {
    Password,
    SecondFactor,
    /// A code of a password reset (no password was asked for).
    Reset,
}

/// Counts a failure of `factor`: a cool-down at every run of the configured length (twice as
/// long as the last), and the second factor locked for good at the hard limit. Returns the
/// audit events.
pub(super) fn fail<R>(
    ctx: &Ctx<'_, R>,
    user: &UserId,
    state: &mut AccountState,
    factor: Factor,
) -> Vec<Effect> {
    match factor {
        Factor::Password => {
            // A quiet day forgets the escalation.
            if state
                .password_locked_until
                .is_some_and(|until| ctx.now.as_secs() > until.as_secs().saturating_add(86_400))
            {
                state.password_lockouts = 0;
            }
            state.password_failures = state.password_failures.saturating_add(1);
            if !state
                .password_failures
                .is_multiple_of(ctx.config.password_lockout)
            {
                return Vec::new();
            }
            let (until, event) = cool_down(ctx, user, state.password_lockouts);
            state.password_locked_until = Some(until);
            state.password_lockouts = state.password_lockouts.saturating_add(1);
            vec![event]
        }
        Factor::SecondFactor => {
            state.second_factor_failures = state.second_factor_failures.saturating_add(1);
            let failures = state.second_factor_failures;
            if failures >= ctx.config.second_factor_limit {
                return vec![Effect::Audit(AuditEvent::SecondFactorLocked {
                    user: user.clone(),
                    failures,
                })];
            }
            if !failures.is_multiple_of(ctx.config.code_lockout) {
                return Vec::new();
            }
            let (until, event) = cool_down(ctx, user, state.lockouts);
            state.locked_until = Some(until);
            state.lockouts = state.lockouts.saturating_add(1);
            vec![event]
        }
        // No cool-down (a stranger must not start one for the owner): a short hard limit on
        // resets alone, and a share of the account's hard limit.
        Factor::Reset => {
            // The share was spent and its month has passed: the count starts again.
            if state.reset_failures >= crate::MAX_RESET_SHARE {
                state.reset_failures = 0;
            }
            state.reset_failures = state.reset_failures.saturating_add(1);
            if state
                .reset_failures
                .is_multiple_of(crate::MAX_RESET_FAILURES)
            {
                let closed_for = if state.reset_failures >= crate::MAX_RESET_SHARE {
                    crate::RESET_SHARE_CLOSURE
                } else {
                    86_400
                };
                state.reset_closed_until = Some(UnixTime::from_secs(
                    ctx.now.as_secs().saturating_add(closed_for),
                ));
                let mut effects = vec![Effect::Audit(AuditEvent::ResetsClosed {
                    user: user.clone(),
                })];
                effects.extend(super::notices(ctx, user, crate::Notification::ResetsClosed));
                return effects;
            }
            Vec::new()
        }
    }
}

/// The end of the cool-down that follows `lockouts` earlier ones, from now, and its audit.
pub(super) fn cool_down<R>(ctx: &Ctx<'_, R>, user: &UserId, lockouts: u32) -> (UnixTime, Effect) {
    let until = UnixTime::from_secs(
        ctx.now
            .as_secs()
            .saturating_add(ctx.config.cooldown(lockouts)),
    );
    let event = Effect::Audit(AuditEvent::Locked {
        user: user.clone(),
        until,
    });
    (until, event)
}

/// A code refused: counted as a failure of `factor` and audited; the locked screen once that
/// reaches the hard limit, else `wrong` (the step that says so).
pub(super) fn code_refused<R>(
    ctx: &Ctx<'_, R>,
    user: UserId,
    mut state: AccountState,
    factor: Factor,
    wrong: super::Next,
) -> super::Next {
    let events = fail(ctx, &user, &mut state, factor);
    let refused = AuditEvent::CodeRefused { user: user.clone() };
    let step = if ctx.config.second_factor_locked(&state) {
        super::second_factor_locked(user)
    } else {
        wrong
    };
    step.update(state).audit(refused).effects(events)
}
