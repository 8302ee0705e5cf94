//! Passkeys: "Use a passkey" instead of the soft token's code at a later login, "Add a passkey"
//! and "Remove" once logged in, and "phishing-resistant only", after which no code of any kind
//! is the account's second factor (NIST SP 800-63B-4 §3.2.5: no OTP is phishing-resistant;
//! §2.2.2: at least one phishing-resistant option at AAL2).
//!
//! Each ceremony's challenge is drawn at the transition that starts it, kept in the login's
//! sealed state, and spent by the first answer, right or wrong (the next try draws another).
//! A refused assertion counts against the same second-factor budget as a wrong code.

use rand_core::CryptoRng;

use super::{
    Ctx, Factor, Next, Refusing, account_state, authenticated, fail, notices, refuses_codes,
    second_factor_locked,
};
use crate::account::AccountState;
use crate::message::{Message, MessageId};
use crate::output::{AuditEvent, Notification};
use crate::state::{Enrollment, Hex, SignIn, Stage};
use crate::user::UserId;

mod ceremony;

pub(super) use ceremony::{creation, request};

fn challenge<R: CryptoRng>(ctx: &mut Ctx<'_, R>) -> Hex<32> {
    let mut bytes = [0u8; 32];
    ctx.rng.fill_bytes(&mut bytes);
    Hex(bytes)
}

/// "Use a passkey" at the token-code step: a challenge for the account's passkeys.
pub(super) fn begin_login<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId) -> Next {
    let back = |user| Next::to(Stage::expect_token_code(user));
    let Some(state) = account_state(ctx) else {
        return back(user).notice(MessageId::NoPasskey);
    };
    if !ctx.config.takes_passkeys() || state.passkeys.is_empty() {
        return back(user).notice(MessageId::NoPasskey);
    }
    match refuses_codes(ctx) {
        Some(Refusing::Locked) => return second_factor_locked(user),
        Some(Refusing::CoolingDown) => return back(user).notice(super::pin::try_later(ctx)),
        None => {}
    }
    let challenge = challenge(ctx);
    Next::to(Stage::SignIn(SignIn::ExpectPasskey { user, challenge }))
}

/// The browser's assertion at a login: the account's passkey signed this login's challenge at
/// one of the service's origins, or the attempt counts as a wrong code.
pub(super) fn login<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    challenge: Hex<32>,
    json: &str,
) -> Next {
    let refused = |user| Next::to(Stage::expect_token_code(user)).notice(MessageId::PasskeyRefused);
    let Some(mut state) = account_state(ctx) else {
        return refused(user);
    };
    match refuses_codes(ctx) {
        Some(Refusing::Locked) => return second_factor_locked(user),
        Some(Refusing::CoolingDown) => return refused(user),
        None => {}
    }
    match ceremony::assertion(ctx.config, challenge.0, &state.passkeys, json) {
        Ok(verified) => logged_in(ctx, user, state, &verified),
        Err(failure) => {
            let events = fail(ctx, &user, &mut state, Factor::SecondFactor);
            let audit = refusal(user.clone(), &failure, &state);
            let step = if ctx.config.second_factor_locked(&state) {
                second_factor_locked(user)
            } else {
                refused(user)
            };
            step.update(state).audit(audit).effects(events)
        }
    }
}

/// A verified assertion ends the login whole: the passkey's counter, backup state and last use
/// kept, the second factor's failures forgiven.
fn logged_in<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    mut state: AccountState,
    verified: &ceremony::Verified,
) -> Next {
    if let Some(passkey) = state.passkeys.get_mut(verified.at) {
        passkey.counter = verified.counter;
        passkey.backed_up = verified.backed_up;
        passkey.last_used = Some(ctx.now);
    }
    state.second_factor_failures = 0;
    let step = authenticated(ctx, user, state.clone());
    // The passkey's counter and last use changed: the update is always there.
    if step.update.is_some() {
        step
    } else {
        step.update(state)
    }
}

/// "Log in with a passkey" before any User ID: a challenge for whichever discoverable
/// credential the browser holds for the service.
pub(super) fn begin_discoverable<R: CryptoRng>(ctx: &mut Ctx<'_, R>) -> Next {
    if !ctx.config.takes_passkeys() {
        return Next::to(Stage::expect_user_id());
    }
    let challenge = challenge(ctx);
    Next::to(Stage::SignIn(SignIn::ExpectDiscoverable { challenge }))
}

/// The answer at "Log in with a passkey", with the account that holds its credential: a whole
/// login if that account's passkey signed the challenge (user verification makes it two
/// factors in one) and returned the account's user handle. A refusal is audited but not
/// counted: anyone can post an answer naming a credential ID, and must not lock its owner out
/// with it.
pub(super) fn login_discoverable<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    challenge: Hex<32>,
    json: &str,
) -> Next {
    let refused = || Next::to(Stage::expect_user_id()).notice(MessageId::PasskeyRefused);
    let Some(state) = account_state(ctx) else {
        return refused();
    };
    match refuses_codes(ctx) {
        Some(Refusing::Locked) => return second_factor_locked(user),
        Some(Refusing::CoolingDown) => return refused(),
        None => {}
    }
    let handle = state.user_handle;
    match ceremony::assertion(ctx.config, challenge.0, &state.passkeys, json) {
        Ok(verified)
            if verified
                .user_handle
                .as_deref()
                .is_none_or(|h| handle.is_some_and(|ours| h == ours.as_slice())) =>
        {
            logged_in(ctx, user, state, &verified)
        }
        Ok(_) => refused().audit(AuditEvent::PasskeyRefused {
            user,
            reason: "another account's user handle",
        }),
        Err(failure) => refused().audit(refusal(user, &failure, &state)),
    }
}

/// The audit event of a refused assertion: a possible clone, or the check that failed.
fn refusal(user: UserId, failure: &ceremony::Failure, state: &AccountState) -> AuditEvent {
    match failure.clone_of.and_then(|at| state.passkeys.get(at)) {
        Some(passkey) => AuditEvent::PasskeyCloneSuspected {
            user,
            credential: passkey.id_text(),
        },
        None => AuditEvent::PasskeyRefused {
            user,
            reason: failure.reason,
        },
    }
}

/// The credential ID an answer names, for the store's lookup of its account.
pub(super) fn credential_of(json: &str) -> Option<Vec<u8>> {
    ceremony::credential(json)
}

/// "Add a passkey", once the second factor is fresh: a challenge, and the account's user
/// handle (drawn at its first passkey).
pub(super) fn begin_add<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId) -> Next {
    let here = |user| Next::to(Stage::session(user));
    let Some(mut state) = account_state(ctx) else {
        return here(user);
    };
    if !ctx.config.takes_passkeys() {
        return here(user);
    }
    if !super::authenticators::has_room(ctx, &state) {
        return here(user).notice(super::authenticators::limit_reached(ctx));
    }
    let challenge = challenge(ctx);
    let mut step = Next::to(Stage::Session {
        user,
        adding: Some(Enrollment::ExpectPasskey { challenge }),
        confirming: None,
    });
    if state.user_handle.is_none() {
        let mut handle = [0u8; 16];
        ctx.rng.fill_bytes(&mut handle);
        state.user_handle = Some(handle);
        step = step.update(state);
    }
    step
}

/// The browser's new credential: kept with the account if it answers this challenge at one
/// of the service's origins and no account holds its ID yet.
pub(super) fn add<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    challenge: Hex<32>,
    json: &str,
) -> Next {
    let here = |user| Next::to(Stage::session(user));
    let Some(mut state) = account_state(ctx) else {
        return here(user);
    };
    if !super::authenticators::has_room(ctx, &state) {
        return here(user).notice(super::authenticators::limit_reached(ctx));
    }
    let passkey = match ceremony::registration(ctx.config, challenge.0, json, ctx.now) {
        Ok(passkey) => passkey,
        Err(reason) => {
            let audit = AuditEvent::PasskeyRefused {
                user: user.clone(),
                reason,
            };
            return here(user).notice(MessageId::PasskeyNotAdded).audit(audit);
        }
    };
    // excludeCredentials asked the authenticator not to make it twice; a browser that did not
    // listen gets the same answer.
    if state.passkeys.iter().any(|p| p.id == passkey.id) {
        return here(user).notice(MessageId::PasskeyNotAdded);
    }
    let credential = passkey.id_text();
    state.passkeys.push(passkey);
    let told = notices(ctx, &user, Notification::AuthenticatorAdded);
    here(user.clone())
        .notice(MessageId::PasskeyAdded)
        .update(state)
        .audit(AuditEvent::PasskeyAdded { user, credential })
        .effects(told)
}

/// "Remove" beside a passkey (after a fresh second factor): never the last one of an account
/// that takes nothing else.
pub(super) fn remove<R>(ctx: &Ctx<'_, R>, user: UserId, id: &str) -> Next {
    let here = |user| Next::to(Stage::session(user));
    let Some(mut state) = account_state(ctx) else {
        return here(user);
    };
    let Some(at) = state.passkeys.iter().position(|p| p.id_text() == id) else {
        return here(user);
    };
    if state.phishing_resistant && state.passkeys.len() == 1 {
        return here(user).notice(MessageId::LastPasskey);
    }
    let removed = state.passkeys.remove(at);
    let told = notices(ctx, &user, Notification::AuthenticatorRemoved);
    here(user.clone())
        .notice(MessageId::PasskeyRemoved)
        .update(state)
        .audit(AuditEvent::PasskeyRemoved {
            user,
            credential: removed.id_text(),
        })
        .effects(told)
}

/// "Rename" beside a passkey: the name typed, if it is one.
pub(super) fn rename<R>(ctx: &Ctx<'_, R>, user: UserId, id: &str, typed: &str) -> Next {
    let here = |user| Next::to(Stage::session(user));
    let Some(mut state) = account_state(ctx) else {
        return here(user);
    };
    let Some(passkey) = state.passkeys.iter_mut().find(|p| p.id_text() == id) else {
        return here(user);
    };
    let Ok(name) = typed.parse::<crate::account::AuthenticatorName>() else {
        let max = crate::account::MAX_AUTHENTICATOR_NAME.to_string();
        return here(user)
            .notice(Message::new(MessageId::AuthenticatorNameFormat).with("max", max));
    };
    if passkey.name.as_ref() == Some(&name) {
        return here(user);
    }
    passkey.name = Some(name);
    let credential = passkey.id_text();
    here(user.clone())
        .notice(MessageId::AuthenticatorRenamed)
        .update(state)
        .audit(AuditEvent::PasskeyRenamed { user, credential })
}

/// "Phishing-resistant only" on (with a passkey to log in with) or, after a fresh passkey,
/// off.
pub(super) fn phishing_resistant<R>(ctx: &Ctx<'_, R>, user: UserId, on: bool) -> Next {
    let here = |user| Next::to(Stage::session(user));
    let Some(mut state) = account_state(ctx) else {
        return here(user);
    };
    if on && state.passkeys.is_empty() {
        return here(user).notice(MessageId::PasskeyNeeded);
    }
    if state.phishing_resistant == on {
        return here(user);
    }
    state.phishing_resistant = on;
    let notice = if on {
        MessageId::PhishingResistantOn
    } else {
        MessageId::PhishingResistantOff
    };
    here(user.clone())
        .notice(notice)
        .update(state)
        .audit(AuditEvent::PhishingResistantOnly { user, on })
}

/// Whether `state` takes no code as its second factor.
pub(super) fn codes_refused(state: &AccountState) -> bool {
    state.phishing_resistant
}
