//! A second factor proven outside a login: the token's code typed to authorize a signature
//! (the CSC API's `credentials/authorize`). The same rules as a login's token step, on the same
//! account: a code once accepted (by a login or here) is refused again, and a wrong one counts
//! against the same failures, cool-downs and hard limit.

use rand_core::CryptoRng;
use tollgate_otp::{UnixTime, VerifyError};

use super::failures::{Factor, fail};
use super::{Ctx, Enrolling, LoginMachine, Refusing, refuses_codes};
use crate::account::{Account, AccountState};
use crate::output::{AuditEvent, Effect};
use crate::state::LoginId;
use crate::user::UserId;

/// What a code came to ([`LoginMachine::prove_code`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodeProof {
    /// One of the account's tokens took it; its time step is spent.
    Proven,
    /// Wrong, or a code already used: counted as a failure of the second factor.
    Wrong,
    /// Not looked at, and nothing counted: a cool-down, the second factor locked, no token, or
    /// an account that takes passkeys only.
    NotChecked,
}

/// A proof's outcome: the account's new state, when it changed (store it with
/// compare-and-set), what the code came to, and what to carry out (audit events, and the
/// notices a cool-down sends).
#[derive(Debug)]
#[must_use]
pub struct Proof {
    /// The state to store, if any.
    pub update: Option<AccountState>,
    /// What it came to.
    pub outcome: CodeProof,
    /// Audit events and notices.
    pub effects: Vec<Effect>,
}

impl LoginMachine {
    /// Checks `typed` against `account`'s tokens as a later login's token step does, outside
    /// any login (a pure decision: call it from `change_account`).
    pub fn prove_code(
        &self,
        account: &Account,
        user: &UserId,
        typed: &str,
        now: UnixTime,
        rng: &mut impl CryptoRng,
    ) -> Proof {
        let ctx = Ctx {
            config: &self.config,
            pin_key: &self.pin_key,
            now,
            rng,
            account: Some(account),
            id: LoginId::from_bytes([0; 16]),
            on_device: false,
            enrolling: Enrolling::First,
            proven_at: None,
        };
        let not_checked = Proof {
            update: None,
            outcome: CodeProof::NotChecked,
            effects: Vec::new(),
        };
        let mut state = account.state.clone();
        if !state.has_token() || super::passkey::codes_refused(&state) {
            return not_checked;
        }
        if let Some(Refusing::Locked | Refusing::CoolingDown) = refuses_codes(&ctx) {
            return not_checked;
        }
        match super::token::accept(&ctx, &mut state, typed) {
            Ok(()) => Proof {
                update: Some(state),
                outcome: CodeProof::Proven,
                effects: Vec::new(),
            },
            Err(error) => {
                let mut effects = vec![Effect::Audit(match error {
                    VerifyError::Replayed { step } => AuditEvent::CodeReplayed {
                        user: user.clone(),
                        step,
                    },
                    _ => AuditEvent::CodeRefused { user: user.clone() },
                })];
                effects.extend(fail(&ctx, user, &mut state, Factor::SecondFactor));
                Proof {
                    update: Some(state),
                    outcome: CodeProof::Wrong,
                    effects,
                }
            }
        }
    }
}
