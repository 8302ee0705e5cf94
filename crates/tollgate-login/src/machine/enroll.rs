//! Enrollment: issuing activation data, and completing them with the registration code (or,
//! on the open path, with the authenticator app's first code).
//!
//! Only an account without a token enrolls here, or a whole login adding one more
//! ([`super::authenticators`]): the guard in `transition` sends any other login whose account
//! gained a token meanwhile to the token code, and each path below checks again.

use rand_core::CryptoRng;

use super::Enrolling;
use super::token::{learned_drift, verify};
use super::{
    Ctx, Factor, Next, Refusing, account_state, code_refused, refuses_codes, second_factor_locked,
};
use crate::account::{
    AccountState, EnrollmentKind, MobileQr, OpenToken, PendingActivation, TokenRecord,
};
use crate::message::MessageId;
use crate::output::{AuditEvent, Notification};
use crate::state::Enrollment;
use crate::state::Stage;
use crate::user::UserId;
use tollgate_codes::{Activation, ActivationPassword, RegistrationCode, SerialNumber};
use tollgate_otp::{Digits, Period, Secret, TotpParams};
use tollgate_provision::SecureActivation;

/// Issues activation data for `kind`, replacing any earlier ones. Everything random the
/// screen will show is drawn here, once.
pub(super) fn issue<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    kind: EnrollmentKind,
) -> Next {
    let Some(mut state) = account_state(ctx) else {
        return Next::to(ctx.enrollment(user, Enrollment::ExpectChoice));
    };
    if let Some(refused) = refused(ctx, &state, &user) {
        return refused;
    }
    // No new activation data while wrong codes cool the account down.
    if refuses_codes(ctx) == Some(Refusing::CoolingDown) {
        return Next::to(ctx.enrollment(user, Enrollment::ExpectChoice))
            .notice(super::pin::try_later(ctx));
    }
    // Serial numbers are drawn from 10^9; the store's uniqueness constraint refuses the rare
    // repeat, and the driver's retry draws again.
    let serial = SerialNumber::generate(ctx.rng);
    let activation = Activation::issue(
        serial,
        None,
        ctx.now,
        ctx.config.activation_lifetime,
        ctx.rng,
    );
    let mut pending = PendingActivation {
        login: ctx.id,
        kind,
        mobile: None,
        open: None,
        activation,
        registered: None,
        online_failures: 0,
    };
    if kind == EnrollmentKind::Mobile {
        let password = ActivationPassword::generate(ctx.rng);
        let uri = SecureActivation::new(
            serial,
            pending.activation.activation_code().clone(),
            pending.activation.policy().cloned(),
            Some(ctx.config.registration_address.clone()),
        )
        .encode(&password, ctx.rng);
        pending.mobile = Some(MobileQr { uri, password });
        pending.open = ctx.config.open_path.map(|algorithm| OpenToken {
            secret: Secret::generate(algorithm, ctx.rng),
            params: TotpParams::new(algorithm, Digits::SIX, Period::default()),
        });
    }
    state.issue_activation(pending);
    Next::to(ctx.enrollment(user.clone(), Enrollment::ExpectRegistration { kind }))
        .update(state)
        .audit(AuditEvent::ActivationIssued { user, serial, kind })
}

/// Refuses enrollment where it may not go on: the account has a token (and this login is
/// not adding one), it has as many as it may, or codes are refused.
fn refused<R>(ctx: &mut Ctx<'_, R>, state: &AccountState, user: &UserId) -> Option<Next> {
    if state.has_token() && ctx.enrolling == Enrolling::First {
        return Some(
            Next::to(Stage::expect_token_code(user.clone())).notice(MessageId::AlreadyEnrolled),
        );
    }
    if ctx.enrolling == Enrolling::Another && !super::authenticators::has_room(ctx, state) {
        ctx.enrolling = Enrolling::First;
        let notice = super::authenticators::limit_reached(ctx);
        return Some(Next::to(Stage::session(user.clone())).notice(notice));
    }
    (refuses_codes(ctx) == Some(Refusing::Locked)).then(|| second_factor_locked(user.clone()))
}

/// The account's state and the pending activation this login may complete, or the step that
/// says why there is none.
fn pending_of<R>(
    ctx: &mut Ctx<'_, R>,
    user: &UserId,
    kind: EnrollmentKind,
) -> Result<(AccountState, PendingActivation), Box<Next>> {
    let choose =
        |ctx: &Ctx<'_, R>| Next::to(ctx.enrollment(user.clone(), Enrollment::ExpectChoice));
    let Some(state) = account_state(ctx) else {
        return Err(Box::new(choose(ctx)));
    };
    if let Some(refused) = refused(ctx, &state, user) {
        return Err(Box::new(refused));
    }
    let Some(pending) = state.pending.clone() else {
        return Err(Box::new(choose(ctx)));
    };
    if pending.login != ctx.id {
        return Err(Box::new(choose(ctx).notice(MessageId::ActivationReplaced)));
    }
    if refuses_codes(ctx) == Some(Refusing::CoolingDown) {
        let stage = ctx.enrollment(user.clone(), Enrollment::ExpectRegistration { kind });
        let step = Next::to(stage).notice(MessageId::RegistrationNotForThisActivation);
        return Err(Box::new(step));
    }
    if ctx.now >= pending.activation.expires_at() {
        let mut state = state;
        state.pending = None;
        return Err(Box::new(
            choose(ctx)
                .notice(MessageId::ActivationExpired)
                .update(state),
        ));
    }
    Ok((state, pending))
}

/// A refused code: counted as a second-factor failure.
fn wrong<R>(
    ctx: &Ctx<'_, R>,
    state: AccountState,
    user: UserId,
    kind: EnrollmentKind,
    id: MessageId,
) -> Next {
    let wrong =
        Next::to(ctx.enrollment(user.clone(), Enrollment::ExpectRegistration { kind })).notice(id);
    code_refused(ctx, user, state, Factor::SecondFactor, wrong)
}

/// The token is in: stored, audited, and the user told (NIST SP 800-63B-4 §4.1.2.1). A first
/// token comes with new recovery codes, shown on this step's screen alone; one added beside
/// others keeps the codes the user has.
fn enrolled<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    mut state: AccountState,
    user: UserId,
    token: TokenRecord,
) -> Next {
    let serial = token.serial;
    let first = state.add_authenticator(token);
    // The enrolled screen says "Congratulations" itself: no notice repeats it.
    let step = Next::to(ctx.enrollment(user.clone(), Enrollment::ExpectContinue));
    let step = if first {
        super::lost::issue(ctx, &user, &mut state, step)
    } else {
        step
    };
    step.update(state)
        .audit(AuditEvent::TokenEnrolled {
            user: user.clone(),
            serial,
        })
        .effects(super::notices(ctx, &user, Notification::AuthenticatorAdded))
}

pub(super) fn register<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    kind: EnrollmentKind,
    typed: &str,
) -> Next {
    let (state, pending) = match pending_of(ctx, &user, kind) {
        Ok(found) => found,
        Err(step) => return *step,
    };
    let Ok(code) = typed.parse::<RegistrationCode>() else {
        return wrong(ctx, state, user, kind, MessageId::RegistrationMistyped);
    };
    complete(ctx, state, &pending, user, kind, &code)
}

/// "OK" without a code typed: the code the token registered online, if it has. Nothing is
/// counted when it has not: the user clicked too soon, and guessed nothing.
pub(super) fn arrived<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    kind: EnrollmentKind,
) -> Next {
    let (state, pending) = match pending_of(ctx, &user, kind) {
        Ok(found) => found,
        Err(step) => return *step,
    };
    match pending.registered.as_ref().map(|r| r.code.clone()) {
        Some(code) => complete(ctx, state, &pending, user, kind, &code),
        None => Next::to(ctx.enrollment(user, Enrollment::ExpectRegistration { kind }))
            .notice(MessageId::RegistrationNotArrived),
    }
}

/// Completes the pending activation with `code`, typed or registered online.
fn complete<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    state: AccountState,
    pending: &PendingActivation,
    user: UserId,
    kind: EnrollmentKind,
    code: &RegistrationCode,
) -> Next {
    match pending
        .activation
        .complete(code, ctx.config.registration_scheme, ctx.now)
    {
        Ok(token) => {
            let (secret, params) = token.into_parts();
            let token = TokenRecord {
                serial: pending.activation.serial(),
                secret,
                params,
                last_step: None,
                drift: 0,
                kind: Some(kind),
                name: None,
                enrolled_at: Some(ctx.now),
            };
            enrolled(ctx, state, user, token)
        }
        Err(_) => wrong(
            ctx,
            state,
            user,
            kind,
            MessageId::RegistrationNotForThisActivation,
        ),
    }
}

/// The open path: the first right code of the app that scanned the `otpauth://` QR code
/// enrolls its secret (and that code is spent).
pub(super) fn confirm_open<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    kind: EnrollmentKind,
    typed: &str,
) -> Next {
    let (state, pending) = match pending_of(ctx, &user, kind) {
        Ok(found) => found,
        Err(step) => return *step,
    };
    let Some(open) = pending.open else {
        return Next::to(ctx.enrollment(user, Enrollment::ExpectRegistration { kind }));
    };
    match verify(&open.secret, open.params, 0, None, ctx, typed) {
        Ok(verified) => {
            let token = TokenRecord {
                serial: pending.activation.serial(),
                secret: open.secret,
                params: open.params,
                last_step: Some(verified.step()),
                drift: learned_drift(0, &verified),
                kind: Some(kind),
                name: None,
                enrolled_at: Some(ctx.now),
            };
            enrolled(ctx, state, user, token)
        }
        Err(_) => wrong(ctx, state, user, kind, MessageId::WrongCode),
    }
}
