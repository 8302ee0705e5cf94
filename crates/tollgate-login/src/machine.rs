//! The transitions: one input in, the next state and an [`Output`] out.

use rand_core::CryptoRng;
use tollgate_codes::{Activation, RegistrationCode, SerialNumber};
use tollgate_otp::{Code, Pin, UnixTime, VerifyError};
use tollgate_provision::{OtpAuthUri, SecureActivation};

use crate::account::{
    Account, AccountState, AccountUpdate, EnrollmentKind, PendingActivation, TokenRecord,
};
use crate::config::Config;
use crate::message::{Message, MessageId};
use crate::output::{
    Action, AuditEvent, Channel, DesktopActivation, Destination, MobileActivation, Notification,
    Output, Screen,
};
use crate::state::{FORMAT_VERSION, Hex, LoginState, PinRecord, Stage};
use crate::user::{EmailAddress, UserId};

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

/// What a user (or the clock) did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// "Enter User ID", then "Next".
    UserId(String),
    /// "Enter your password", then "Next", as checked by the service.
    Password(PasswordCheck),
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
        let screen = render(&mut ctx, &state.stage);
        let wake_at = wake_at(&ctx, &state);
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
        (Stage::ExpectPassword { user }, Input::Password(check)) => password(ctx, user, check),
        (Stage::ExpectPassword { user }, Input::ForgotPassword) => {
            let actions = vec![Action::PasswordHelp { user: user.clone() }];
            (
                Stage::ExpectPassword { user },
                Some(MessageId::PasswordHelp.into()),
                actions,
            )
        }
        (Stage::ExpectPin { user, pin }, Input::Pin(typed)) => check_pin(ctx, user, pin, &typed),
        (Stage::ExpectPin { user, pin }, Input::ResendPin) => {
            let channel = pin.channel;
            resend(ctx, user, pin, channel)
        }
        (Stage::ExpectPin { user, pin }, Input::AlternativeAuthentication) => {
            resend(ctx, user, pin, Channel::Email)
        }
        (
            Stage::ExpectEnrollmentChoice { user } | Stage::ExpectRegistration { user, .. },
            Input::ChooseEnrollment(kind),
        ) => issue(ctx, user, kind),
        (Stage::ExpectRegistration { user, kind }, Input::RegistrationCode(typed)) => {
            register(ctx, user, kind, &typed)
        }
        (Stage::ExpectContinue { user }, Input::Continue) => {
            let actions = vec![Action::Audit(AuditEvent::Authenticated {
                user: user.clone(),
            })];
            (Stage::Authenticated { user }, None, actions)
        }
        (Stage::ExpectTokenCode { user }, Input::TokenCode(typed)) => token_code(ctx, user, &typed),
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

fn password<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, check: PasswordCheck) -> Step {
    let refused = |user: &UserId, known: bool| {
        Action::Audit(AuditEvent::PasswordRefused {
            user: user.clone(),
            known,
        })
    };
    let wrong = Some(Message::new(MessageId::WrongPassword));
    let Some((version, mut state)) = account_state(ctx) else {
        let actions = vec![refused(&user, false)];
        return (Stage::ExpectPassword { user }, wrong, actions);
    };
    let locked = ctx.account.is_some_and(|a| a.is_locked(ctx.now));
    if locked {
        let actions = vec![refused(&user, true)];
        return (Stage::ExpectPassword { user }, wrong, actions);
    }
    if check == PasswordCheck::Incorrect {
        let events = fail(ctx, &user, &mut state, true);
        let mut actions = vec![update(version, state), refused(&user, true)];
        actions.extend(events);
        return (Stage::ExpectPassword { user }, wrong, actions);
    }
    state.password_failures = 0;
    state.lockouts = 0;
    state.locked_until = None;
    if state.token.is_some() {
        let actions = vec![update(version, state)];
        return (Stage::ExpectTokenCode { user }, None, actions);
    }
    // First login: the one-time PIN, by SMS, or by e-mail when no mobile number is on file.
    let channel = if ctx.account.is_some_and(|a| a.mobile.is_some()) {
        Channel::Sms
    } else {
        Channel::Email
    };
    let (pin, send) = new_pin(ctx, &user, channel, 1);
    let mut actions = vec![update(version, state)];
    actions.extend(send);
    (Stage::ExpectPin { user, pin }, None, actions)
}

/// The e-mail address a PIN goes to: the one on file, else the User ID itself.
fn email_of<R>(ctx: &Ctx<'_, R>, user: &UserId) -> Option<EmailAddress> {
    ctx.account
        .and_then(|a| a.email.clone())
        .or_else(|| user.as_str().parse().ok())
}

fn destination<R>(ctx: &Ctx<'_, R>, user: &UserId, channel: Channel) -> Option<Destination> {
    match channel {
        Channel::Sms => ctx
            .account
            .and_then(|a| a.mobile.clone())
            .map(Destination::Sms),
        Channel::Email => email_of(ctx, user).map(Destination::Email),
    }
}

/// Draws a PIN, remembers its hash, and says to send it.
fn new_pin<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: &UserId,
    channel: Channel,
    sends: u8,
) -> (PinRecord, Vec<Action>) {
    let pin = Pin::generate(ctx.config.pin_length, ctx.rng);
    let mut salt = [0u8; 16];
    ctx.rng.fill_bytes(&mut salt);
    let record = PinRecord {
        salt: Hex(salt),
        hash: Hex(PinRecord::hash(&salt, &ctx.id, pin.expose_secret())),
        expires: ctx
            .now
            .as_secs()
            .saturating_add(u64::from(ctx.config.pin_lifetime)),
        channel,
        sent_at: ctx.now.as_secs(),
        sends,
    };
    let mut actions = Vec::new();
    if let Some(to) = destination(ctx, user, channel) {
        actions.push(Action::SendPin { to, pin });
        actions.push(Action::Audit(AuditEvent::PinSent {
            user: user.clone(),
            channel,
        }));
    }
    (record, actions)
}

fn check_pin<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    pin: PinRecord,
    typed: &str,
) -> Step {
    let Some((version, mut state)) = account_state(ctx) else {
        return (
            Stage::ExpectPin { user, pin },
            Some(MessageId::WrongPin.into()),
            Vec::new(),
        );
    };
    if ctx.account.is_some_and(|a| a.is_locked(ctx.now)) {
        return (
            Stage::ExpectPin { user, pin },
            Some(MessageId::WrongPin.into()),
            Vec::new(),
        );
    }
    if ctx.now.as_secs() >= pin.expires {
        return (
            Stage::ExpectPin { user, pin },
            Some(MessageId::PinExpired.into()),
            Vec::new(),
        );
    }
    // A right PIN moves the login on, so the record (and the PIN) is gone: single use.
    if pin.matches(&ctx.id, typed) {
        state.code_failures = 0;
        let actions = vec![update(version, state)];
        return (Stage::ExpectEnrollmentChoice { user }, None, actions);
    }
    let events = fail(ctx, &user, &mut state, false);
    let mut actions = vec![
        update(version, state),
        Action::Audit(AuditEvent::CodeRefused { user: user.clone() }),
    ];
    actions.extend(events);
    (
        Stage::ExpectPin { user, pin },
        Some(MessageId::WrongPin.into()),
        actions,
    )
}

fn resend<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: UserId,
    pin: PinRecord,
    channel: Channel,
) -> Step {
    if pin.sends >= ctx.config.max_sends {
        return (
            Stage::ExpectPin { user, pin },
            Some(MessageId::TooManySends.into()),
            Vec::new(),
        );
    }
    // Throttled per channel: a switch to e-mail is not held back by the last SMS.
    if channel == pin.channel {
        let interval = match channel {
            Channel::Sms => ctx.config.resend_sms,
            Channel::Email => ctx.config.resend_email,
        };
        let ready = pin.sent_at.saturating_add(u64::from(interval));
        if ctx.now.as_secs() < ready {
            let wait = ready - ctx.now.as_secs();
            let notice = Message::new(MessageId::ResendTooSoon).with("seconds", wait.to_string());
            return (Stage::ExpectPin { user, pin }, Some(notice), Vec::new());
        }
    }
    if destination(ctx, &user, channel).is_none() {
        return (Stage::ExpectPin { user, pin }, None, Vec::new());
    }
    // A new PIN replaces the old one; failures stay counted in the account.
    let (pin, actions) = new_pin(ctx, &user, channel, pin.sends.saturating_add(1));
    (Stage::ExpectPin { user, pin }, None, actions)
}

fn issue<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, kind: EnrollmentKind) -> Step {
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

fn register<R: CryptoRng>(
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

fn token_code<R: CryptoRng>(ctx: &mut Ctx<'_, R>, user: UserId, typed: &str) -> Step {
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

/// The screen for a stage.
fn render<R: CryptoRng>(ctx: &mut Ctx<'_, R>, stage: &Stage) -> Screen {
    match stage {
        Stage::ExpectUserId => Screen::EnterUserId,
        Stage::ExpectPassword { user } => Screen::EnterPassword { user: user.clone() },
        Stage::ExpectPin { user, pin } => {
            let sent_to = match destination(ctx, user, pin.channel) {
                Some(Destination::Sms(phone)) => phone.masked(),
                Some(Destination::Email(email)) => email.masked(),
                None => String::new(),
            };
            let interval = match pin.channel {
                Channel::Sms => ctx.config.resend_sms,
                Channel::Email => ctx.config.resend_email,
            };
            Screen::EnterPin {
                user: user.clone(),
                sent_to,
                channel: pin.channel,
                resend_at: UnixTime::from_secs(pin.sent_at.saturating_add(u64::from(interval))),
                alternative: pin.channel == Channel::Sms && email_of(ctx, user).is_some(),
            }
        }
        Stage::ExpectEnrollmentChoice { user } => Screen::ChooseEnrollment { user: user.clone() },
        Stage::ExpectRegistration { user, kind } => activation_screen(ctx, user, *kind),
        Stage::ExpectContinue { user } => Screen::Enrolled { user: user.clone() },
        Stage::ExpectTokenCode { user } => Screen::EnterTokenCode { user: user.clone() },
        Stage::Authenticated { user } => Screen::Authenticated { user: user.clone() },
    }
}

fn activation_screen<R: CryptoRng>(
    ctx: &mut Ctx<'_, R>,
    user: &UserId,
    kind: EnrollmentKind,
) -> Screen {
    let Some(pending) = ctx.account.and_then(|a| a.state.pending.as_ref()) else {
        return Screen::ChooseEnrollment { user: user.clone() };
    };
    let activation = &pending.activation;
    match kind {
        EnrollmentKind::Desktop => Screen::DesktopActivation(Box::new(DesktopActivation {
            user: user.clone(),
            address: ctx.config.registration_address.clone(),
            serial: activation.serial(),
            activation_code: activation.activation_code().clone(),
            expires_at: activation.expires_at(),
        })),
        EnrollmentKind::Mobile => {
            let qr_uri = SecureActivation::new(
                activation.serial(),
                activation.activation_code().clone(),
                activation.policy().cloned(),
                Some(ctx.config.registration_address.clone()),
            )
            .encode(activation.password(), ctx.rng);
            let open_uri = ctx
                .config
                .offer_open_path
                .then(|| {
                    OtpAuthUri::open_alternative(Some(&ctx.config.issuer), user.as_str(), ctx.rng)
                        .ok()
                })
                .flatten()
                .map(|uri| uri.expose_uri());
            Screen::MobileActivation(Box::new(MobileActivation {
                user: user.clone(),
                qr_uri,
                password: activation.password().clone(),
                open_uri,
                expires_at: activation.expires_at(),
            }))
        }
    }
}

/// The next deadline: the login's, or sooner a PIN's or an activation's expiry.
fn wake_at<R>(ctx: &Ctx<'_, R>, state: &LoginState) -> Option<UnixTime> {
    if state.is_authenticated() {
        return None;
    }
    let mut next = state.deadline;
    if let Stage::ExpectPin { pin, .. } = &state.stage
        && pin.expires > ctx.now.as_secs()
    {
        next = next.min(pin.expires);
    }
    if let Stage::ExpectRegistration { .. } = &state.stage
        && let Some(pending) = ctx.account.and_then(|a| a.state.pending.as_ref())
    {
        next = next.min(pending.activation.expires_at().as_secs());
    }
    Some(UnixTime::from_secs(next))
}
