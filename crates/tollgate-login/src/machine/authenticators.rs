//! A user's authenticators, once logged in: the list, "Add an authenticator" (enrollment as
//! at a first login, ending back in the session: only a whole login with an authenticator the
//! account has adds one, SP 800-63B-4 §4.1.2.1), "Rename" and "Remove" (never the last one:
//! an account without an authenticator would log in with the password and a PIN alone).

use super::Enrolling;
use super::{Ctx, Next, account_state, notices};
use crate::account::{AccountState, AuthenticatorName};
use crate::message::{Message, MessageId};
use crate::output::{AuditEvent, Authenticator, Notification};
use crate::state::Enrollment;
use crate::state::Stage;
use crate::user::UserId;
use tollgate_codes::SerialNumber;

/// The session's list of the account's authenticators, and whether one more may be added.
pub(super) fn list<R>(ctx: &Ctx<'_, R>) -> (Vec<Authenticator>, bool) {
    let Some(state) = ctx.account.map(|a| &a.state) else {
        return (Vec::new(), false);
    };
    let listed = state.tokens.iter().map(Authenticator::of).collect();
    (listed, has_room(ctx, state))
}

/// The notice when the account holds the most authenticators allowed.
pub(super) fn limit_reached<R>(ctx: &Ctx<'_, R>) -> Message {
    Message::new(MessageId::AuthenticatorLimit)
        .with("max", ctx.config.max_authenticators.to_string())
}

/// Whether `state` may take one more authenticator (soft tokens and passkeys count alike).
pub(super) fn has_room<R>(ctx: &Ctx<'_, R>, state: &AccountState) -> bool {
    state.authenticators() < ctx.config.max_authenticators
}

/// "Add an authenticator": on to the enrollment choice, this login marked as adding.
pub(super) fn add<R>(ctx: &mut Ctx<'_, R>, user: UserId) -> Next {
    let Some(state) = account_state(ctx) else {
        return Next::to(Stage::session(user));
    };
    if !has_room(ctx, &state) {
        return Next::to(Stage::session(user)).notice(limit_reached(ctx));
    }
    ctx.enrolling = Enrolling::Another;
    Next::to(ctx.enrollment(user, Enrollment::ExpectChoice))
}

/// "Remove": the authenticator is revoked, unless it is the account's last.
pub(super) fn remove<R>(ctx: &Ctx<'_, R>, user: UserId, serial: SerialNumber) -> Next {
    let here = || Next::to(Stage::session(user.clone()));
    let Some(mut state) = account_state(ctx) else {
        return here();
    };
    let Some(at) = state.tokens.iter().position(|t| t.serial == serial) else {
        return here();
    };
    if state.tokens.len() == 1 {
        return here().notice(MessageId::LastAuthenticator);
    }
    state.tokens.remove(at);
    let event = AuditEvent::TokenRemoved {
        user: user.clone(),
        serial,
    };
    let told = notices(ctx, &user, Notification::AuthenticatorRemoved);
    here()
        .notice(MessageId::AuthenticatorRemoved)
        .update(state)
        .audit(event)
        .effects(told)
}

/// "Rename": the name typed, if it is one.
pub(super) fn rename<R>(ctx: &Ctx<'_, R>, user: UserId, serial: SerialNumber, typed: &str) -> Next {
    let here = || Next::to(Stage::session(user.clone()));
    let Some(mut state) = account_state(ctx) else {
        return here();
    };
    let Some(token) = state.tokens.iter_mut().find(|t| t.serial == serial) else {
        return here();
    };
    let Ok(name) = typed.parse::<AuthenticatorName>() else {
        let max = crate::account::MAX_AUTHENTICATOR_NAME.to_string();
        return here().notice(Message::new(MessageId::AuthenticatorNameFormat).with("max", max));
    };
    if token.name.as_ref() == Some(&name) {
        return here();
    }
    token.name = Some(name);
    let event = AuditEvent::TokenRenamed {
        user: user.clone(),
        serial,
    };
    here()
        .notice(MessageId::AuthenticatorRenamed)
        .update(state)
        .audit(event)
}
