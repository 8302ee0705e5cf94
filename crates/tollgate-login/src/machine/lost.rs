//! "I no longer have my authenticator" at a later login (SP 800-63B-4 §4.2): after the
//! password, one of the recovery codes (or an administrator's re-enrollment grant, once,
//! before it expires), then a one-time PIN; the old token is revoked and a
//! new one is enrolled as at a first login (with new recovery codes). The password alone
//! cannot get here with the token lost; a wrong recovery code counts as a wrong code does.
//! And the recovery codes themselves: issued with every token, replaced on request once logged
//! in, each spent by its use, the user told each time.

use rand_core::CryptoRng;

use super::pin::first_channel;
use super::reset::first_pin;
use super::{
    Ctx, Factor, Next, Refusing, account_state, code_refused, notices, refuses_codes,
    second_factor_locked,
};
use crate::account::AccountState;
use crate::message::MessageId;
use crate::output::{AuditEvent, Effect, Notification};
use crate::recovery;
use crate::state::Enrollment;
use crate::state::{PinPurpose, Stage};
use crate::user::UserId;

/// A recovery code: right, and it is spent and a PIN goes out; wrong, and it counts.
pub(super) fn recovery_code<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, typed: &str) -> Next {
    let wrong = |user: UserId| {
        Next::to(Stage::expect_recovery_code(user)).notice(MessageId::WrongRecoveryCode)
    };
    let Some(mut state) = account_state(ctx) else {
        return wrong(user);
    };
    match refuses_codes(ctx) {
        Some(Refusing::Locked) => return second_factor_locked(user),
        Some(Refusing::CoolingDown) => return wrong(user),
        None => {}
    }
    let spent = match recovery::find(&user, &state.recovery_codes, typed) {
        // A recovery code is a code: a phishing-resistant account takes an administrator's
        // grant only (given out of band).
        Some(_) if super::passkey::codes_refused(&state) => {
            return Next::to(Stage::expect_recovery_code(user))
                .notice(MessageId::PasskeyOnlyRecovery);
        }
        Some(at) => spend(ctx, &user, &mut state, at),
        None => match state.grant {
            Some(grant) if recovery::is_grant(&user, &grant.hash, typed) => {
                state.grant = None;
                if ctx.now >= grant.expires_at {
                    let expired = Next::to(Stage::expect_recovery_code(user.clone()))
                        .notice(MessageId::GrantExpired);
                    return code_refused(ctx, user, state, Factor::SecondFactor, expired);
                }
                vec![Effect::Audit(AuditEvent::GrantUsed { user: user.clone() })]
            }
            _ => {
                let wrong = wrong(user.clone());
                return code_refused(ctx, user, state, Factor::SecondFactor, wrong);
            }
        },
    };
    let channel = first_channel(ctx);
    first_pin(ctx, user, state, PinPurpose::ReplaceToken, channel).effects(spent)
}

/// Spends the recovery code at `at`: the audit event, and the user told.
pub(super) fn spend<R>(
    ctx: &Ctx<'_, R>,
    user: &UserId,
    state: &mut AccountState,
    at: usize,
) -> Vec<Effect> {
    state.recovery_codes.remove(at);
    let used = AuditEvent::RecoveryCodeUsed {
        user: user.clone(),
        left: state.recovery_codes.len(),
    };
    let mut effects = vec![Effect::Audit(used)];
    effects.extend(notices(ctx, user, Notification::RecoveryCodeUsed));
    effects
}

/// The PIN after a recovery code: the lost token is revoked, and a new one is enrolled next.
pub(super) fn replace<R>(ctx: &Ctx<'_, R>, user: UserId, mut state: AccountState) -> Next {
    let serials = state.revoke_all();
    state.second_factor_failures = 0;
    let event = AuditEvent::TokenReplaced {
        user: user.clone(),
        serials,
    };
    let told = notices(ctx, &user, Notification::AuthenticatorReplaced);
    Next::to(ctx.enrollment(user, Enrollment::ExpectChoice))
        .update(state)
        .audit(event)
        .effects(told)
}

/// Draws new recovery codes into `state` (the old ones stop working): the step shows them.
pub(super) fn issue<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: &UserId,
    state: &mut AccountState,
    step: Next,
) -> Next {
    let (codes, hashes) = recovery::generate(user, ctx.rng);
    state.recovery_codes = hashes;
    step.codes(codes)
}

/// "New recovery codes", logged in.
pub(super) fn regenerate<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId) -> Next {
    let Some(mut state) = account_state(ctx) else {
        return Next::to(Stage::session(user));
    };
    let event = AuditEvent::RecoveryCodesIssued { user: user.clone() };
    let told = notices(ctx, &user, Notification::RecoveryCodesReplaced);
    let step = Next::to(Stage::session(user.clone()));
    let step = issue(ctx, &user, &mut state, step);
    step.update(state).audit(event).effects(told)
}
