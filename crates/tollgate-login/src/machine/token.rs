//! Later logins: the soft token's code.

use rand_core::CryptoRng;

use super::{Ctx, Step, account_state, fail, update};
use crate::account::TokenRecord;
use crate::message::{Message, MessageId};
use crate::output::{Action, AuditEvent};
use crate::state::Stage;
use crate::user::UserId;
use tollgate_otp::{Code, UnixTime, VerifyError};

pub(super) fn token_code<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, typed: &str) -> Step {
    let wrong = Some(Message::new(MessageId::WrongCode));
    let Some((version, mut state)) = account_state(ctx) else {
        return (Stage::ExpectTokenCode { user }, wrong, Vec::new());
    };
    let Some(token) = state.token.clone() else {
        return (Stage::ExpectTokenCode { user }, wrong, Vec::new());
    };
    if ctx.account.is_some_and(|a| a.is_locked(ctx.now)) {
        return (Stage::ExpectTokenCode { user }, wrong, Vec::new());
    }
    let totp = tollgate_otp::Totp::new(&token.secret, token.params);
    // The token's learned drift moves the window's centre.
    let period = i64::from(token.params.period().as_secs());
    let shift = i64::from(token.drift) * period;
    let at = ctx
        .now
        .as_secs()
        .checked_add_signed(shift)
        .map(UnixTime::from_secs);
    let result = match (Code::parse(typed, token.params.digits()), at) {
        (Ok(code), Some(at)) => totp.verify(&code, at, ctx.config.window, token.last_step),
        _ => Err(VerifyError::Mismatch),
    };
    match result {
        Ok(verified) => {
            let drift = i16::from(token.drift) + i16::from(verified.drift());
            let limit = i16::from(tollgate_otp::Window::MAX_SIDE);
            let drift = i8::try_from(drift.clamp(-limit, limit)).unwrap_or(0);
            state.token = Some(TokenRecord {
                last_step: Some(verified.step()),
                drift,
                ..token
            });
            state.code_failures = 0;
            let actions = vec![
                update(version, state),
                Action::Audit(AuditEvent::Authenticated { user: user.clone() }),
            ];
            (Stage::Authenticated { user }, None, actions)
        }
        Err(error) => {
            let events = fail(ctx, &user, &mut state, false);
            let audit = match error {
                VerifyError::Replayed { step } => AuditEvent::CodeReplayed {
                    user: user.clone(),
                    step,
                },
                _ => AuditEvent::CodeRefused { user: user.clone() },
            };
            let mut actions = vec![update(version, state), Action::Audit(audit)];
            actions.extend(events);
            (Stage::ExpectTokenCode { user }, wrong, actions)
        }
    }
}
