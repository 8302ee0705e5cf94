//! Enrollment: issuing activation data, and completing them with the registration code.

use rand_core::CryptoRng;

use super::{Ctx, Step, account_state, fail, update};
use crate::account::{AccountState, EnrollmentKind, PendingActivation, TokenRecord};
use crate::message::MessageId;
use crate::output::{Action, AuditEvent, Notification};
use crate::state::Stage;
use crate::user::UserId;
use tollgate_codes::{Activation, RegistrationCode, SerialNumber};

pub(super) fn issue<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    kind: EnrollmentKind,
) -> Step {
    let Some((version, mut state)) = account_state(ctx) else {
        return (Stage::ExpectEnrollmentChoice { user }, None, Vec::new());
    };
    // A new activation replaces any earlier one. Serial numbers are drawn from 10^9; the
    // store's uniqueness constraint refuses the rare repeat, and the retry draws again.
    let serial = SerialNumber::generate(ctx.rng);
    let activation = Activation::issue(
        serial,
        None,
        ctx.now,
        ctx.config.activation_lifetime,
        ctx.rng,
    );
    state.pending = Some(PendingActivation { activation, kind });
    let actions = vec![
        update(version, state),
        Action::Audit(AuditEvent::ActivationIssued {
            user: user.clone(),
            serial,
            kind,
        }),
    ];
    (Stage::ExpectRegistration { user, kind }, None, actions)
}

pub(super) fn register<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    kind: EnrollmentKind,
    typed: &str,
) -> Step {
    let Some((version, mut state)) = account_state(ctx) else {
        return (Stage::ExpectEnrollmentChoice { user }, None, Vec::new());
    };
    let Some(pending) = state.pending.clone() else {
        return (Stage::ExpectEnrollmentChoice { user }, None, Vec::new());
    };
    if ctx.account.is_some_and(|a| a.is_locked(ctx.now)) {
        let notice = Some(MessageId::RegistrationNotForThisActivation.into());
        return (Stage::ExpectRegistration { user, kind }, notice, Vec::new());
    }
    let refused = |ctx: &Ctx<'_, R>, mut state: AccountState, user: UserId, id: MessageId| {
        let events = fail(ctx, &user, &mut state, false);
        let mut actions = vec![
            update(version, state),
            Action::Audit(AuditEvent::CodeRefused { user: user.clone() }),
        ];
        actions.extend(events);
        (
            Stage::ExpectRegistration { user, kind },
            Some(id.into()),
            actions,
        )
    };
    let Ok(code) = typed.parse::<RegistrationCode>() else {
        return refused(ctx, state, user, MessageId::RegistrationMistyped);
    };
    match pending
        .activation
        .complete(&code, ctx.config.registration_scheme, ctx.now)
    {
        Ok(token) => {
            let serial = pending.activation.serial();
            let (secret, params) = token.into_parts();
            state.token = Some(TokenRecord {
                serial,
                secret,
                params,
                last_step: None,
                drift: 0,
            });
            state.pending = None;
            state.code_failures = 0;
            let actions = vec![
                update(version, state),
                Action::Audit(AuditEvent::TokenEnrolled {
                    user: user.clone(),
                    serial,
                }),
                Action::Notify {
                    user: user.clone(),
                    notification: Notification::AuthenticatorAdded,
                },
            ];
            (
                Stage::ExpectContinue { user },
                Some(MessageId::Enrolled.into()),
                actions,
            )
        }
        Err(tollgate_codes::CompletionError::Expired) => {
            state.pending = None;
            let actions = vec![update(version, state)];
            let notice = Some(MessageId::ActivationExpired.into());
            (Stage::ExpectEnrollmentChoice { user }, notice, actions)
        }
        Err(_) => refused(
            ctx,
            state,
            user,
            MessageId::RegistrationNotForThisActivation,
        ),
    }
}
