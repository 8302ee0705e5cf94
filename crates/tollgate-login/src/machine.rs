//! The transitions: one input in, the next state and an [`Output`] out.

use rand_core::CryptoRng;
use tollgate_otp::UnixTime;

use crate::account::{Account, AccountState, AccountUpdate, EnrollmentKind};
use crate::config::Config;
use crate::message::{Message, MessageId};
use crate::output::{Action, AuditEvent, Channel, Output, Screen};
use crate::state::{FORMAT_VERSION, Hex, LoginState, Stage};
use crate::user::UserId;

/// The result of checking a password, which the service computes (Argon2id in the facade) so
/// that the machine never sees the password. For an unknown user the service checks against a
/// dummy hash, so that both take the same time, and passes [`PasswordCheck::Incorrect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordCheck {
    /// The password matches the account's hash.
    Correct,
    /// It does not, or there is no account.
    Incorrect,
}

/// What a user (or the clock) did. Its `Debug` hides the password and what was typed into the
/// code fields.
///
/// `P` is what the password field carries: the machine takes the service's verdict
/// ([`PasswordCheck`]); a service's request handler holds the typed password (the `tollgate`
/// facade uses `Input<Zeroizing<String>>`) and turns it into a verdict with
/// [`Input::map_password`].
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input<P = PasswordCheck> {
    /// "Enter User ID", then "Next".
    UserId(String),
    /// "Enter your password", then "Next": the password, or the service's verdict on it.
    Password(P),
    /// "Password locked or forgotten?"
    ForgotPassword,
    /// The one-time PIN, then "Login".
    Pin(String),
    /// "Resend OTP".
    ResendPin,
    /// "Alternative Authentication": the PIN by e-mail.
    AlternativeAuthentication,
    /// Mobile or desktop.
    ChooseEnrollment(EnrollmentKind),
    /// The registration code, typed into "Response" or reported by the app.
    RegistrationCode(String),
    /// "Continue" after enrollment.
    Continue,
    /// The soft token's code.
    TokenCode(String),
    /// "Cancel", at any step: back to the start.
    Cancel,
    /// The time given by [`Output::wake_at`] has come.
    Tick,
}

impl<P> Input<P> {
    /// The same input with the password field turned into something else, e.g. the typed
    /// password into the verdict of checking it.
    pub fn map_password<Q>(self, check: impl FnOnce(P) -> Q) -> Input<Q> {
        match self {
            Self::Password(password) => Input::Password(check(password)),
            Self::UserId(id) => Input::UserId(id),
            Self::ForgotPassword => Input::ForgotPassword,
            Self::Pin(pin) => Input::Pin(pin),
            Self::ResendPin => Input::ResendPin,
            Self::AlternativeAuthentication => Input::AlternativeAuthentication,
            Self::ChooseEnrollment(kind) => Input::ChooseEnrollment(kind),
            Self::RegistrationCode(code) => Input::RegistrationCode(code),
            Self::Continue => Input::Continue,
            Self::TokenCode(code) => Input::TokenCode(code),
            Self::Cancel => Input::Cancel,
            Self::Tick => Input::Tick,
        }
    }
}

impl<P> core::fmt::Debug for Input<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::UserId(id) => f.debug_tuple("UserId").field(id).finish(),
            Self::Password(_) => f.write_str("Password(<redacted>)"),
            Self::Pin(_) => f.write_str("Pin(<redacted>)"),
            Self::RegistrationCode(_) => f.write_str("RegistrationCode(<redacted>)"),
            Self::TokenCode(_) => f.write_str("TokenCode(<redacted>)"),
            Self::ChooseEnrollment(kind) => f.debug_tuple("ChooseEnrollment").field(kind).finish(),
            Self::ForgotPassword => f.write_str("ForgotPassword"),
            Self::ResendPin => f.write_str("ResendPin"),
            Self::AlternativeAuthentication => f.write_str("AlternativeAuthentication"),
            Self::Continue => f.write_str("Continue"),
            Self::Cancel => f.write_str("Cancel"),
            Self::Tick => f.write_str("Tick"),
        }
    }
}

/// The login state machine: the rules, configured once, applied to each login's state.
///
/// Sans-IO: it reads no clock, no OS randomness, no store. Each call gets the time and an RNG,
/// and the account as the store holds it now; it returns the next state and an [`Output`]: the
/// screen, and the actions for the service. Account facts come in as a snapshot (rather than
/// through a store trait the machine would call) so that the machine stays a pure function of
/// its arguments: deterministic under a virtual clock and a seeded RNG, replayable after a
/// compare-and-set conflict, and testable without a store.
#[derive(Clone, Debug, Default)]
pub struct LoginMachine {
    config: Config,
}

mod enroll;
mod pin;
mod render;
mod token;

/// What one transition needs besides the state and the input.
struct Ctx<'a, R> {
    config: &'a Config,
    now: UnixTime,
    rng: &'a mut R,
    account: Option<&'a Account>,
    id: [u8; 16],
}

impl LoginMachine {
    /// A machine with this policy.
    #[must_use]
    pub fn new(config: Config) -> Self {
        Self { config }
    }

    /// The policy.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A new login: the "Enter User ID" screen.
    pub fn start(&self, now: UnixTime, rng: &mut impl CryptoRng) -> (LoginState, Output) {
        let state = self.fresh(now, rng);
        let output = Output {
            screen: Screen::EnterUserId,
            notice: None,
            actions: Vec::new(),
            wake_at: Some(state.deadline()),
        };
        (state, output)
    }

    fn fresh(&self, now: UnixTime, rng: &mut impl CryptoRng) -> LoginState {
        let mut id = [0u8; 16];
        rng.fill_bytes(&mut id);
        LoginState {
            v: FORMAT_VERSION,
            id: Hex(id),
            deadline: now
                .as_secs()
                .saturating_add(u64::from(self.config.login_lifetime)),
            stage: Stage::ExpectUserId,
        }
    }

    /// Applies `input` to `state`.
    ///
    /// `account` is the account of [`LoginState::user`] as the store holds it now (`None`
    /// before the User ID is known, and for an unknown user). When the output's
    /// [`Action::UpdateAccount`] is refused by the store, call again with the same `state` and
    /// `input` and the reloaded account.
    pub fn handle(
        &self,
        state: LoginState,
        input: Input,
        account: Option<&Account>,
        now: UnixTime,
        rng: &mut impl CryptoRng,
    ) -> (LoginState, Output) {
        if input == Input::Cancel || (now.as_secs() >= state.deadline && !state.is_authenticated())
        {
            let expired = input != Input::Cancel;
            let (state, mut output) = self.start(now, rng);
            output.notice = expired.then(|| MessageId::LoginExpired.into());
            return (state, output);
        }
        let mut ctx = Ctx {
            config: &self.config,
            now,
            rng,
            account,
            id: state.id.0,
        };
        let LoginState {
            v,
            id,
            deadline,
            stage,
        } = state;
        let (stage, notice, actions) = transition(&mut ctx, stage, input);
        let state = LoginState {
            v,
            id,
            deadline,
            stage,
        };
        // The screen shows the account as it will be once the update is stored.
        let updated = actions.iter().find_map(|action| match action {
            Action::UpdateAccount(update) => account.map(|a| Account {
                state: update.state.clone(),
                ..a.clone()
            }),
            _ => None,
        });
        if let Some(updated) = &updated {
            ctx.account = Some(updated);
        }
        let screen = render::render(&mut ctx, &state.stage);
        let wake_at = render::wake_at(&ctx, &state);
        (
            state,
            Output {
                screen,
                notice,
                actions,
                wake_at,
            },
        )
    }
}

/// The next stage, a notice, and the actions.
type Step = (Stage, Option<Message>, Vec<Action>);

fn transition<R: CryptoRng>(ctx: &mut Ctx<'_, R>, stage: Stage, input: Input) -> Step {
    match (stage, input) {
        (Stage::ExpectUserId, Input::UserId(text)) => match text.parse::<UserId>() {
            Ok(user) => (Stage::ExpectPassword { user }, None, Vec::new()),
            Err(_) => (
                Stage::ExpectUserId,
                Some(MessageId::UserIdFormat.into()),
                Vec::new(),
            ),
        },
        (Stage::ExpectPassword { user }, Input::Password(check)) => pin::password(ctx, user, check),
        (Stage::ExpectPassword { user }, Input::ForgotPassword) => {
            let actions = vec![Action::PasswordHelp { user: user.clone() }];
            (
                Stage::ExpectPassword { user },
                Some(MessageId::PasswordHelp.into()),
                actions,
            )
        }
        (Stage::ExpectPin { user, pin }, Input::Pin(typed)) => {
            pin::check_pin(ctx, user, pin, &typed)
        }
        (Stage::ExpectPin { user, pin }, Input::ResendPin) => {
            let channel = pin.channel;
            pin::resend(ctx, user, pin, channel)
        }
        (Stage::ExpectPin { user, pin }, Input::AlternativeAuthentication) => {
            pin::resend(ctx, user, pin, Channel::Email)
        }
        (
            Stage::ExpectEnrollmentChoice { user } | Stage::ExpectRegistration { user, .. },
            Input::ChooseEnrollment(kind),
        ) => enroll::issue(ctx, user, kind),
        (Stage::ExpectRegistration { user, kind }, Input::RegistrationCode(typed)) => {
            enroll::register(ctx, user, kind, &typed)
        }
        (Stage::ExpectContinue { user }, Input::Continue) => {
            let actions = vec![Action::Audit(AuditEvent::Authenticated {
                user: user.clone(),
            })];
            (Stage::Authenticated { user }, None, actions)
        }
        (Stage::ExpectTokenCode { user }, Input::TokenCode(typed)) => {
            token::token_code(ctx, user, &typed)
        }
        // Anything else (a Tick, a repeated or out-of-place request) leaves the login as it is.
        (stage, _) => (stage, None, Vec::new()),
    }
}

/// The account, for stages that exist only with one.
fn account_state<R>(ctx: &Ctx<'_, R>) -> Option<(u64, AccountState)> {
    ctx.account.map(|a| (a.version, a.state.clone()))
}

fn update(version: u64, state: AccountState) -> Action {
    Action::UpdateAccount(Box::new(AccountUpdate {
        expected_version: version,
        state,
    }))
}

/// Counts a failure of `password` or code kind; locks at the limit. Returns the events.
fn fail<R>(
    ctx: &Ctx<'_, R>,
    user: &UserId,
    state: &mut AccountState,
    password: bool,
) -> Vec<Action> {
    let (failures, limit) = if password {
        state.password_failures += 1;
        (state.password_failures, ctx.config.password_lockout)
    } else {
        state.code_failures += 1;
        (state.code_failures, ctx.config.code_lockout)
    };
    let mut events = Vec::new();
    if failures >= limit {
        let until = UnixTime::from_secs(
            ctx.now
                .as_secs()
                .saturating_add(ctx.config.cooldown(state.lockouts)),
        );
        state.locked_until = Some(until);
        state.lockouts = state.lockouts.saturating_add(1);
        state.password_failures = 0;
        state.code_failures = 0;
        events.push(Action::Audit(AuditEvent::Locked {
            user: user.clone(),
            until,
        }));
    }
    events
}
