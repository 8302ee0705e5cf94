//! The transitions: one input in, the next state and an [`Output`] out.

use rand_core::CryptoRng;
use tollgate_otp::UnixTime;

use crate::account::{Account, AccountState, AccountUpdate};
use crate::config::Config;
use crate::keys::PinKeys;
use crate::message::{Message, MessageId};
use crate::output::{AuditEvent, Effect, Output, Screen, Transition};
use crate::state::{Enrollment, FORMAT_VERSION, LoginId, LoginState, Stage};
use crate::user::UserId;

mod input;

pub use input::{Event, Input, PasswordCheck, Report};
pub use proof::{CodeProof, Proof};

/// The login state machine: the rules, configured once, applied to each login's state.
///
/// Sans-IO: it reads no clock, no OS randomness, no store. Each call gets the time and an RNG,
/// and the account as the store holds it now; it returns a [`Transition`]: the next state, at
/// most one account change, what to show, and the effects. Account facts come in as a snapshot
/// (rather than through a store trait the machine would call) so that the machine stays a pure
/// function of its arguments: deterministic under a virtual clock and a seeded RNG, replayable
/// after a compare-and-set conflict, and testable without a store. [`Driver`](crate::Driver)
/// runs it against a store.
#[derive(Clone, Debug)]
pub struct LoginMachine {
    config: Config,
    pin_key: PinKeys,
}

mod authenticators;
mod enroll;
mod failures;
mod finish;
mod flows;
mod lost;
mod passkey;
mod pin;
mod proof;
mod render;
mod reset;
mod token;

use failures::{Factor, code_refused, cool_down, fail};
use finish::{authenticated, notices};

/// What one transition needs besides the state and the input.
struct Ctx<'a, R> {
    config: &'a Config,
    pin_key: &'a PinKeys,
    now: UnixTime,
    rng: &'a mut R,
    account: Option<&'a Account>,
    id: LoginId,
    /// Whether this login's password was typed on a device the account knows.
    on_device: bool,
    /// Whose enrollment an enrollment step is: a first login's, or a session's adding another
    /// (read from the stage the input arrived at; a session's "Add" sets it).
    enrolling: Enrolling,
    /// When this login last proved the second factor.
    proven_at: Option<u64>,
}

/// How long after a second factor was proven a session may add or remove an authenticator or
/// draw new recovery codes without proving it again: 5 minutes (a hijacked session would use
/// exactly these to stay).
pub const STEP_UP_WINDOW: u64 = 300;

/// Whose enrollment an enrollment step is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Enrolling {
    /// A first login's (or a replacement's): it ends in a whole login.
    First,
    /// A session's, adding one more: it ends back in the session.
    Another,
}

impl<R> Ctx<'_, R> {
    /// The stage of enrollment step `step`, in the flow this transition enrolls for.
    fn enrollment(&self, user: UserId, step: Enrollment) -> Stage {
        match self.enrolling {
            Enrolling::First => Stage::Enrollment { user, step },
            Enrolling::Another => Stage::Session {
                user,
                adding: Some(step),
                confirming: None,
            },
        }
    }
}

impl LoginMachine {
    /// A machine with this policy, hashing the PINs of stored logins under `pin_key` (a
    /// [`PinKey`](crate::PinKey), or a [`PinKeys`] ring whose old keys still check the PINs of logins stored
    /// before a rotation).
    ///
    /// There is no default key: every node that shares a store needs the same one (a PIN sent
    /// by one node is checked by whichever node takes the next request), kept outside the
    /// database with the service's other secrets.
    #[must_use]
    pub fn new(config: Config, pin_key: impl Into<PinKeys>) -> Self {
        Self {
            config,
            pin_key: pin_key.into(),
        }
    }

    /// The policy.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The credential ID a passkey's answer names (`None` when it names none, or the crate
    /// was built without passkeys): what a store looks its account up by.
    pub(crate) fn passkey_credential(json: &str) -> Option<Vec<u8>> {
        passkey::credential_of(json)
    }

    /// A new login: the "Enter User ID" screen.
    pub fn start(&self, now: UnixTime, rng: &mut impl CryptoRng) -> Transition {
        let next = LoginState {
            v: FORMAT_VERSION,
            id: LoginId::generate(rng),
            deadline: now
                .as_secs()
                .saturating_add(u64::from(self.config.login_lifetime)),
            stage: Stage::expect_user_id(),
            on_device: false,
            proven_at: None,
        };
        let output = Output {
            screen: Screen::EnterUserId,
            notice: None,
            wake_at: Some(next.deadline()),
        };
        Transition {
            next,
            update: None,
            rekey: false,
            stand_in: false,
            output,
            effects: Vec::new(),
        }
    }

    /// Applies `input` to `state`.
    ///
    /// `account` is the account of [`LoginState::user`] as the store holds it now (`None`
    /// before the User ID is known, and for an unknown user). When the transition's
    /// [`Transition::update`] is refused by the store, call again with the same `state` and
    /// `input` and the reloaded account.
    pub fn handle(
        &self,
        state: LoginState,
        input: impl Into<Event>,
        account: Option<&Account>,
        now: UnixTime,
        rng: &mut impl CryptoRng,
    ) -> Transition {
        let input = input.into();
        let expired = now.as_secs() >= state.deadline && !state.is_authenticated();
        // Adding an authenticator, or confirming a change with a code: "Cancel" and the clock
        // end that, not the session.
        if (state.stage.is_adding() || state.stage.is_confirming())
            && (input.is(&Input::Cancel) || expired)
            && let Some(user) = state.user().cloned()
        {
            let back = LoginState {
                stage: Stage::session(user),
                ..state.clone()
            };
            // Back to the assurance of a whole login: a new key, as every time it is reached.
            let mut back = self.handle(back, Input::Tick, account, now, rng);
            back.rekey = true;
            return back;
        }
        if input.is(&Input::Cancel) || expired {
            let expired = !input.is(&Input::Cancel);
            let mut started = self.start(now, rng);
            started.output.notice = expired.then(|| MessageId::LoginExpired.into());
            return started;
        }
        let assurance = state.stage.assurance();
        let stand_in = account.is_none() && state.user().is_some() && input.changes_an_account();
        let mut ctx = Ctx {
            config: &self.config,
            pin_key: &self.pin_key,
            now,
            rng,
            account,
            id: state.id,
            on_device: state.on_device,
            enrolling: if state.stage.is_adding() {
                Enrolling::Another
            } else {
                Enrolling::First
            },
            proven_at: state.proven_at,
        };
        let adding = state.stage.is_adding();
        let LoginState {
            v,
            id,
            mut deadline,
            stage,
            on_device: _,
            proven_at,
        } = state;
        let Next {
            stage,
            notice,
            update,
            mut effects,
            codes,
            proven,
        } = flows::transition(&mut ctx, stage, input);
        // The second factor was proven now: by the step that ends the login, or a step-up.
        let proven_at = if proven || (stage.is_session() && assurance < 3) {
            Some(now.as_secs())
        } else {
            proven_at
        };
        // A password reset's steps can be taken by anyone who knows a User ID: what they send
        // must not hold up the answer (its time would tell whether the User ID is an account).
        if stage.is_reset() {
            effects = effects.into_iter().map(Effect::detached).collect();
        }
        // An authenticated login that starts adding an authenticator has a login's time for it.
        if stage.is_adding() && !adding {
            deadline = now
                .as_secs()
                .saturating_add(u64::from(self.config.login_lifetime));
        }
        let next = LoginState {
            v,
            id,
            deadline,
            stage,
            on_device: ctx.on_device,
            proven_at,
        };
        // The screen shows the account as it will be once the update is stored.
        let update = update.zip(account).map(|(state, account)| {
            Box::new(AccountUpdate {
                expected_version: account.version,
                state,
            })
        });
        let updated = update
            .as_ref()
            .zip(account)
            .map(|(update, account)| Account {
                state: update.state.clone(),
                ..account.clone()
            });
        if let Some(updated) = &updated {
            ctx.account = Some(updated);
        }
        let output = Output {
            screen: render::with_codes(render::render(&ctx, &next.stage), codes),
            notice,
            wake_at: render::wake_at(&ctx, &next),
        };
        Transition {
            rekey: next.stage.assurance() > assurance,
            stand_in,
            next,
            update,
            output,
            effects,
        }
    }
}

/// What a transition decided: the next stage, a notice, the account's new state (stored with
/// compare-and-set against the version it was loaded at), and the effects.
struct Next {
    stage: Stage,
    notice: Option<Message>,
    update: Option<AccountState>,
    effects: Vec<Effect>,
    /// Recovery codes drawn by this step, for its screen alone.
    codes: Vec<crate::recovery::RecoveryCode>,
    /// Whether this step proved the second factor (a session's step-up).
    proven: bool,
}

impl Next {
    fn to(stage: Stage) -> Self {
        Self {
            stage,
            notice: None,
            update: None,
            effects: Vec::new(),
            codes: Vec::new(),
            proven: false,
        }
    }

    fn proven(mut self) -> Self {
        self.proven = true;
        self
    }

    fn notice(mut self, notice: impl Into<Message>) -> Self {
        self.notice = Some(notice.into());
        self
    }

    fn update(mut self, state: AccountState) -> Self {
        self.update = Some(state);
        self
    }

    fn effect(mut self, effect: Effect) -> Self {
        self.effects.push(effect);
        self
    }

    fn effects(mut self, effects: impl IntoIterator<Item = Effect>) -> Self {
        self.effects.extend(effects);
        self
    }

    fn audit(self, event: AuditEvent) -> Self {
        self.effect(Effect::Audit(event))
    }

    fn codes(mut self, codes: Vec<crate::recovery::RecoveryCode>) -> Self {
        self.codes = codes;
        self
    }
}

/// The account's state, for stages that exist only with one.
fn account_state<R>(ctx: &Ctx<'_, R>) -> Option<AccountState> {
    ctx.account.map(|a| a.state.clone())
}

/// Whether the account refuses codes now: a cool-down, or a second factor locked for good.
fn refuses_codes<R>(ctx: &Ctx<'_, R>) -> Option<Refusing> {
    let account = ctx.account?;
    if ctx.config.second_factor_locked(&account.state) {
        Some(Refusing::Locked)
    } else if account.is_locked(ctx.now) {
        Some(Refusing::CoolingDown)
    } else {
        None
    }
}

/// Why the account refuses a code without looking at it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Refusing {
    /// A cool-down: the answer is the same as for a wrong code, and nothing is counted.
    CoolingDown,
    /// The hard limit was reached: the locked screen.
    Locked,
}

fn second_factor_locked(user: UserId) -> Next {
    Next::to(Stage::second_factor_locked(user)).notice(MessageId::SecondFactorLocked)
}
