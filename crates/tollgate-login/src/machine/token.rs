//! Later logins: the soft token's code.

use rand_core::CryptoRng;

use super::{
    Ctx, Factor, Next, Refusing, account_state, authenticated, fail, refuses_codes,
    second_factor_locked,
};
use crate::account::{AccountState, TokenRecord};
use crate::message::MessageId;
use crate::output::AuditEvent;
use crate::state::Stage;
use crate::user::UserId;
use tollgate_otp::{Code, TotpParams, UnixTime, Verified, VerifyError, Window};
use tollgate_otp::{Secret, Step};

pub(super) fn token_code<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, typed: &str) -> Next {
    let wrong = || Next::to(Stage::expect_token_code(user.clone())).notice(MessageId::WrongCode);
    let Some(mut state) = account_state(ctx) else {
        return wrong();
    };
    if !state.has_token() {
        return wrong();
    }
    // "Phishing-resistant only": a code is no second factor (a relay page would pass it on).
    // Nothing is counted: it is no guess at a secret.
    if super::passkey::codes_refused(&state) {
        return Next::to(Stage::expect_token_code(user)).notice(MessageId::PasskeyRequired);
    }
    match refuses_codes(ctx) {
        Some(Refusing::Locked) => return second_factor_locked(user),
        Some(Refusing::CoolingDown) => return wrong(),
        None => {}
    }
    match accept(ctx, &mut state, typed) {
        Ok(()) => {
            let mut step = authenticated(ctx, user, state.clone());
            // The token's step and drift changed: the update is always there.
            if step.update.is_none() {
                step = step.update(state);
            }
            step
        }
        Err(error) => {
            let events = fail(ctx, &user, &mut state, Factor::SecondFactor);
            let audit = match error {
                VerifyError::Replayed { step } => AuditEvent::CodeReplayed {
                    user: user.clone(),
                    step,
                },
                _ => AuditEvent::CodeRefused { user: user.clone() },
            };
            let step = if ctx.config.second_factor_locked(&state) {
                second_factor_locked(user)
            } else {
                wrong()
            };
            step.update(state).audit(audit).effects(events)
        }
    }
}

/// Checks `typed` against the account's tokens: when one takes it, its step is spent, its
/// drift learned, and the second factor's failures forgiven.
pub(super) fn accept<R>(
    ctx: &Ctx<'_, R>,
    state: &mut AccountState,
    typed: &str,
) -> Result<(), VerifyError> {
    let (at, verified) = verify_any(ctx, &state.tokens, typed)?;
    if let Some(token) = state.tokens.get_mut(at) {
        token.last_step = Some(verified.step());
        token.drift = learned_drift(token.drift, &verified);
    }
    state.second_factor_failures = 0;
    Ok(())
}

/// Checks `typed` against each of the account's tokens (every one of them, so that the time
/// taken does not say which matched): the first that takes it, and where. A replayed code of
/// one token is reported as such when no other token takes it.
fn verify_any<R>(
    ctx: &Ctx<'_, R>,
    tokens: &[TokenRecord],
    typed: &str,
) -> Result<(usize, Verified), VerifyError> {
    let mut found = Err(VerifyError::Mismatch);
    for (at, token) in tokens.iter().enumerate() {
        let checked = verify(
            &token.secret,
            token.params,
            token.drift,
            token.last_step,
            ctx,
            typed,
        );
        found = match (found, checked) {
            (Ok(first), _) => Ok(first),
            (_, Ok(verified)) => Ok((at, verified)),
            (Err(VerifyError::Replayed { step }), Err(_)) => Err(VerifyError::Replayed { step }),
            (Err(_), Err(error)) => Err(error),
        };
    }
    found
}

/// Checks `typed` against a TOTP token whose clock runs `drift` steps off, refusing the step
/// `last` and older ones.
pub(super) fn verify<R>(
    secret: &Secret,
    params: TotpParams,
    drift: i8,
    last: Option<Step>,
    ctx: &Ctx<'_, R>,
    typed: &str,
) -> Result<Verified, VerifyError> {
    let totp = tollgate_otp::Totp::new(secret, params);
    // The token's learned drift moves the window's centre.
    let period = i64::from(params.period().as_secs());
    let at = ctx
        .now
        .as_secs()
        .checked_add_signed(i64::from(drift) * period)
        .map(UnixTime::from_secs);
    match (Code::parse(typed, params.digits()), at) {
        (Ok(code), Some(at)) => totp.verify(&code, at, ctx.config.window, last),
        _ => Err(VerifyError::Mismatch),
    }
}

/// The drift to apply next time: what the window centre was, moved by where the code matched,
/// within the widest window.
pub(super) fn learned_drift(drift: i8, verified: &Verified) -> i8 {
    let learned = i16::from(drift) + i16::from(verified.drift());
    let limit = i16::from(Window::MAX_SIDE);
    i8::try_from(learned.clamp(-limit, limit)).unwrap_or(0)
}
