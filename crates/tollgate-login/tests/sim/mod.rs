//! A deterministic simulator: the machine, a virtual clock, a seeded RNG, an in-memory account
//! store with compare-and-set, and an outbox. No sleeps, no wall clock.

#![allow(
    dead_code,
    reason = "each scenario file uses a different part of the simulator"
)]

use std::collections::HashMap;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::{ActivationCode, SerialNumber, TokenActivation};
use tollgate_login::{
    Account, AccountState, Action, AuditEvent, Config, Destination, Input, LoginMachine,
    LoginState, Notification, Output, PasswordCheck, Screen, UserId,
};
use tollgate_otp::{Totp, UnixTime};

pub(crate) const T0: u64 = 1_700_000_000;

pub(crate) const JOHN: &str = "john.smith@example.com";
pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// A simulator with John registered: mobile number and e-mail on file.
pub(crate) fn sim() -> Sim {
    let mut sim = Sim::new(Config::default());
    sim.register(JOHN, PASSWORD, Some("+1 613 270 1234"), Some(JOHN));
    sim
}

/// The notice's message, if any.
pub(crate) fn notice(output: &Output) -> Option<tollgate_login::MessageId> {
    output.notice.as_ref().map(|m| m.id)
}

pub(crate) struct Stored {
    pub(crate) password: String,
    pub(crate) account: Account,
}

pub(crate) struct Sim {
    pub(crate) machine: LoginMachine,
    pub(crate) now: u64,
    pub(crate) rng: ChaCha20Rng,
    pub(crate) accounts: HashMap<UserId, Stored>,
    /// Every PIN sent: where, and its digits.
    pub(crate) outbox: Vec<(Destination, String)>,
    pub(crate) audit: Vec<AuditEvent>,
    pub(crate) notifications: Vec<(UserId, Notification)>,
    pub(crate) password_help: Vec<UserId>,
    pub(crate) conflicts: usize,
}

impl Sim {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            machine: LoginMachine::new(config),
            now: T0,
            rng: ChaCha20Rng::seed_from_u64(7),
            accounts: HashMap::new(),
            outbox: Vec::new(),
            audit: Vec::new(),
            notifications: Vec::new(),
            password_help: Vec::new(),
            conflicts: 0,
        }
    }

    pub(crate) fn at(&self) -> UnixTime {
        UnixTime::from_secs(self.now)
    }

    pub(crate) fn advance(&mut self, seconds: u64) {
        self.now += seconds;
    }

    pub(crate) fn register(
        &mut self,
        user: &str,
        password: &str,
        mobile: Option<&str>,
        email: Option<&str>,
    ) {
        let id: UserId = user.parse().unwrap();
        self.accounts.insert(
            id,
            Stored {
                password: password.to_owned(),
                account: Account {
                    version: 0,
                    mobile: mobile.map(|m| m.parse().unwrap()),
                    email: email.map(|e| e.parse().unwrap()),
                    state: AccountState::default(),
                },
            },
        );
    }

    pub(crate) fn account(&self, user: &str) -> &Account {
        &self.accounts[&user.parse::<UserId>().unwrap()].account
    }

    pub(crate) fn start(&mut self) -> (LoginState, Output) {
        self.machine.start(self.at(), &mut self.rng)
    }

    /// The service's password check (the facade runs Argon2id; here, plain comparison).
    pub(crate) fn check(&self, state: &LoginState, typed: &str) -> PasswordCheck {
        match state.user().and_then(|u| self.accounts.get(u)) {
            Some(stored) if stored.password == typed => PasswordCheck::Correct,
            _ => PasswordCheck::Incorrect,
        }
    }

    /// One request: load the account, run the machine, apply the actions; on a
    /// compare-and-set conflict, reload and run again.
    pub(crate) fn submit(&mut self, state: &mut LoginState, input: Input) -> Output {
        let snapshot = state
            .user()
            .and_then(|u| self.accounts.get(u))
            .map(|s| s.account.clone());
        self.submit_with(state, input, snapshot)
    }

    /// [`Sim::submit`], when the test looks only at the state and the store.
    pub(crate) fn step(&mut self, state: &mut LoginState, input: Input) {
        let _ = self.submit(state, input);
    }

    /// [`Sim::submit_with`], when the test looks only at the state and the store.
    pub(crate) fn step_with(
        &mut self,
        state: &mut LoginState,
        input: Input,
        snapshot: Option<Account>,
    ) {
        let _ = self.submit_with(state, input, snapshot);
    }

    /// As [`Sim::submit`], but with an account snapshot loaded earlier (possibly stale), as a
    /// concurrent request on another node would have.
    pub(crate) fn submit_with(
        &mut self,
        state: &mut LoginState,
        input: Input,
        mut snapshot: Option<Account>,
    ) -> Output {
        loop {
            let (next, output) = self.machine.handle(
                state.clone(),
                input.clone(),
                snapshot.as_ref(),
                self.at(),
                &mut self.rng,
            );
            if self.apply_update(state, &output) {
                *state = next;
                return self.carry_out(output);
            }
            self.conflicts += 1;
            snapshot = state
                .user()
                .and_then(|u| self.accounts.get(u))
                .map(|s| s.account.clone());
        }
    }

    /// Applies the output's account update with compare-and-set; false on a conflict.
    fn apply_update(&mut self, state: &LoginState, output: &Output) -> bool {
        for action in &output.actions {
            if let Action::UpdateAccount(update) = action {
                let user = state.user().unwrap();
                let stored = self.accounts.get_mut(user).unwrap();
                if stored.account.version != update.expected_version {
                    return false;
                }
                stored.account.version += 1;
                stored.account.state = update.state.clone();
            }
        }
        true
    }

    fn carry_out(&mut self, mut output: Output) -> Output {
        for action in output.actions.drain(..) {
            match action {
                Action::SendPin { to, pin } => {
                    self.outbox.push((to, pin.expose_secret().to_owned()))
                }
                Action::Audit(event) => self.audit.push(event),
                Action::Notify { user, notification } => {
                    self.notifications.push((user, notification))
                }
                Action::PasswordHelp { user } => self.password_help.push(user),
                _ => {}
            }
        }
        output
    }

    pub(crate) fn last_pin(&self) -> String {
        self.outbox.last().unwrap().1.clone()
    }

    /// User ID and password: the login then waits for the PIN or the token code.
    pub(crate) fn log_in(&mut self, user: &str, password: &str) -> (LoginState, Output) {
        let (mut state, _) = self.start();
        self.step(&mut state, Input::UserId(user.into()));
        let check = self.check(&state, password);
        let output = self.submit(&mut state, Input::Password(check));
        (state, output)
    }

    /// A whole first login through the desktop path; returns the token the "app" holds.
    pub(crate) fn enroll_desktop(&mut self, user: &str, password: &str) -> Totp {
        let (mut state, _) = self.log_in(user, password);
        let pin = self.last_pin();
        self.step(&mut state, Input::Pin(pin));
        let output = self.submit(
            &mut state,
            Input::ChooseEnrollment(tollgate_login::EnrollmentKind::Desktop),
        );
        let Screen::DesktopActivation(screen) = output.screen else {
            panic!(
                "expected the desktop activation screen, got {:?}",
                output.screen
            );
        };
        let app = TokenActivation::new(
            screen.serial.to_string().parse::<SerialNumber>().unwrap(),
            screen
                .activation_code
                .expose_grouped()
                .parse::<ActivationCode>()
                .unwrap(),
            None,
        );
        let (code, token) = app.register(&mut self.rng);
        let output = self.submit(&mut state, Input::RegistrationCode(code.to_string()));
        assert!(
            matches!(output.screen, Screen::Enrolled { .. }),
            "{:?}",
            output.screen
        );
        let output = self.submit(&mut state, Input::Continue);
        assert!(matches!(output.screen, Screen::Authenticated { .. }));
        assert!(state.is_authenticated());
        token.totp()
    }
}
