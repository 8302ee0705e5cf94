//! Factors proven outside a login: the password of an API login (the CSC API's `auth/login`)
//! and the token's code typed to authorize a signature (`credentials/authorize`). The same
//! rules as a login's steps, on the same account: a wrong password counts toward the same
//! cool-downs, a code once accepted (by a login or here) is refused again, and a wrong one
//! counts against the same failures, cool-downs and hard limit.

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
    /// The context of a decision about `account` outside any login: no login of its own, from
    /// no known device.
    fn outside_login<'a, R>(
        &'a self,
        account: &'a Account,
        now: UnixTime,
        rng: &'a mut R,
    ) -> Ctx<'a, R> {
        Ctx {
            config: &self.config,
            pin_key: &self.pin_key,
            now,
            rng,
            account: Some(account),
            id: LoginId::from_bytes([0; 16]),
            on_device: false,
            enrolling: Enrolling::First,
            proven_at: None,
        }
    }

    /// Whether `correct` (the password's verdict, checked by the caller against the account's
    /// hash) lets `user` in through an API, counted as a login's password step counts it (from
    /// no known device). Refused without counting while the password or the account cools
    /// down, and for an account with no token yet (its first login is on the web, where it
    /// enrolls one) or whose second factor is locked. A pure decision: call it from
    /// `change_account`. `outcome` is [`CodeProof::Proven`] when it is let in.
    pub fn prove_password(
        &self,
        account: &Account,
        user: &UserId,
        correct: bool,
        now: UnixTime,
        rng: &mut impl CryptoRng,
    ) -> Proof {
        let ctx = self.outside_login(account, now, rng);
        let mut state = account.state.clone();
        let refused = Effect::Audit(AuditEvent::PasswordRefused {
            user: user.clone(),
            known: true,
        });
        let cooling = state.password_locked_until.is_some_and(|until| now < until);
        if cooling || account.is_locked(now) {
            return Proof {
                update: None,
                outcome: CodeProof::NotChecked,
                effects: vec![refused],
            };
        }
        if !correct {
            let mut effects = vec![refused];
            effects.extend(fail(&ctx, user, &mut state, Factor::Password));
            return Proof {
                update: Some(state),
                outcome: CodeProof::Wrong,
                effects,
            };
        }
        let forgiven = state.password_failures != 0;
        state.password_failures = 0;
        let outcome = if state.has_token() && !self.config.second_factor_locked(&state) {
            CodeProof::Proven
        } else {
            CodeProof::NotChecked
        };
        Proof {
            update: forgiven.then_some(state),
            outcome,
            effects: Vec::new(),
        }
    }

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
        let ctx = self.outside_login(account, now, rng);
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
