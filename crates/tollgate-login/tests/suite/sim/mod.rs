//! A deterministic simulator: the machine run by the crate's one [`Driver`] over a
//! [`MemoryLoginStore`], a virtual clock, a seeded RNG and an outbox. No sleeps, no wall clock.

#![allow(
    dead_code,
    reason = "each scenario file uses a different part of the simulator"
)]

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::{ActivationCode, SerialNumber, TokenActivation};
use tollgate_login::{
    Account, AccountState, AuditEvent, Commit, Config, Destination, DeviceId, Dispatch, DriveError,
    Driven, Driver, Effect, Event, Input, LoginDigest, LoginKey, LoginMachine, LoginState,
    LoginStore, MemoryLoginStore, Notification, Output, PasswordCheck, PinKey, Poisoned, Screen,
    SealedLogin, StateKey, UserId,
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

/// Whether `output` asks for a reset's new password.
pub(crate) fn is_new_password(output: &Output) -> bool {
    matches!(output.screen, Screen::NewPassword { .. })
}

/// A login as its client holds it: the key, and the state last shown.
#[derive(Clone, Debug)]
pub(crate) struct Login {
    pub(crate) key: LoginKey,
    pub(crate) state: LoginState,
}

impl Login {
    pub(crate) fn is_authenticated(&self) -> bool {
        self.state.is_authenticated()
    }

    pub(crate) fn user(&self) -> Option<&UserId> {
        self.state.user()
    }
}

pub(crate) struct Sim {
    pub(crate) driver: Driver,
    pub(crate) store: MemoryLoginStore,
    pub(crate) passwords: HashMap<UserId, String>,
    pub(crate) now: u64,
    pub(crate) rng: ChaCha20Rng,
    /// Every PIN sent: where, and its digits.
    pub(crate) outbox: Vec<(Destination, String)>,
    pub(crate) audit: Vec<AuditEvent>,
    pub(crate) notifications: Vec<(UserId, Notification)>,
    /// Where each notification went.
    pub(crate) notified: Vec<Destination>,
    pub(crate) password_help: Vec<UserId>,
    /// When each message was to go out, in order (PINs, notices, help requests).
    pub(crate) dispatches: Vec<Dispatch>,
    /// Every device cookie handed out.
    pub(crate) devices: Vec<(UserId, DeviceId)>,
}

impl Sim {
    pub(crate) fn new(config: Config) -> Self {
        Self::keyed(config, PinKey::new([0x24; 32]))
    }

    /// A simulator whose machine hashes PINs under `pin_key`.
    pub(crate) fn keyed(config: Config, pin_key: PinKey) -> Self {
        Self {
            driver: Driver::new(
                LoginMachine::new(config, pin_key),
                StateKey::new([0x42; 32]),
            ),
            store: MemoryLoginStore::new(),
            passwords: HashMap::new(),
            now: T0,
            rng: ChaCha20Rng::seed_from_u64(7),
            outbox: Vec::new(),
            audit: Vec::new(),
            notifications: Vec::new(),
            notified: Vec::new(),
            password_help: Vec::new(),
            dispatches: Vec::new(),
            devices: Vec::new(),
        }
    }

    pub(crate) fn at(&self) -> UnixTime {
        UnixTime::from_secs(self.now)
    }

    pub(crate) fn advance(&mut self, seconds: u64) {
        self.now += seconds;
    }

    /// Runs the virtual clock to the time `output` asked to be woken at (a PIN's expiry, an
    /// activation's, the login's deadline), and hands the login the `Tick` it waits for there,
    /// as quinn's test pair drives two endpoints to their next timeout. With no wake time, the
    /// login as it is.
    pub(crate) fn run_to_wake(&mut self, login: &mut Login, output: &Output) -> Output {
        if let Some(at) = output.wake_at {
            self.now = self.now.max(at.as_secs());
        }
        self.submit(login, Input::Tick)
    }

    pub(crate) fn register(
        &mut self,
        user: &str,
        password: &str,
        mobile: Option<&str>,
        email: Option<&str>,
    ) {
        let id: UserId = user.parse().unwrap();
        let account = Account::new(
            0,
            mobile.map(|m| m.parse().unwrap()),
            email.map(|e| e.parse().unwrap()),
            AccountState::default(),
        );
        assert!(self.store.insert_account(id.clone(), account).unwrap());
        self.passwords.insert(id, password.to_owned());
    }

    pub(crate) fn account(&self, user: &str) -> Account {
        self.store
            .account(&user.parse::<UserId>().unwrap())
            .unwrap()
            .unwrap()
    }

    pub(crate) fn start(&mut self) -> (Login, Output) {
        let driven = self
            .driver
            .start(&self.store, self.at(), &mut self.rng)
            .unwrap();
        self.carried_out(driven)
    }

    /// The service's password check (the facade runs Argon2id; here, plain comparison).
    pub(crate) fn check(&self, login: &Login, typed: &str) -> PasswordCheck {
        match login.user().and_then(|u| self.passwords.get(u)) {
            Some(password) if password == typed => PasswordCheck::Correct,
            _ => PasswordCheck::Incorrect,
        }
    }

    /// One request through the driver: on success the client holds the key it returns.
    pub(crate) fn try_submit(
        &mut self,
        login: &mut Login,
        input: impl Into<Event>,
    ) -> Result<Output, DriveError<Poisoned>> {
        let driven =
            self.driver
                .submit(&self.store, &login.key, input, self.at(), &mut self.rng)?;
        let (next, output) = self.carried_out(driven);
        *login = next;
        Ok(output)
    }

    /// [`Sim::try_submit`], which must go through.
    pub(crate) fn submit(&mut self, login: &mut Login, input: impl Into<Event>) -> Output {
        self.try_submit(login, input)
            .unwrap_or_else(|e| panic!("the request failed: {e}"))
    }

    /// [`Sim::submit`], when the test looks only at the login and the store.
    pub(crate) fn step(&mut self, login: &mut Login, input: impl Into<Event>) {
        let _ = self.submit(login, input);
    }

    /// As [`Sim::submit`], but the request's first read of the account returns `stale` (as a
    /// request on another node that loaded it earlier would see); returns the output and how
    /// many commits the store refused.
    pub(crate) fn submit_stale(
        &mut self,
        login: &mut Login,
        input: Input,
        stale: Account,
    ) -> (Output, usize) {
        let store = StaleFirstRead {
            inner: &self.store,
            stale: RefCell::new(Some(stale)),
            refused: Cell::new(0),
        };
        let driven = self
            .driver
            .submit(&store, &login.key, input, self.at(), &mut self.rng)
            .unwrap();
        let refused = store.refused.get();
        let (next, output) = self.carried_out(driven);
        *login = next;
        (output, refused)
    }

    fn carried_out(&mut self, driven: Driven) -> (Login, Output) {
        for effect in driven.effects {
            match effect {
                Effect::SendPin { to, pin, dispatch } => {
                    self.dispatches.push(dispatch);
                    self.outbox.push((to, pin.expose_secret().to_owned()));
                }
                Effect::Audit(event) => self.audit.push(event),
                Effect::Notify {
                    user,
                    to,
                    notification,
                    dispatch,
                } => {
                    self.dispatches.push(dispatch);
                    self.notified.push(to);
                    self.notifications.push((user, notification));
                }
                Effect::PasswordHelp { user, dispatch } => {
                    self.dispatches.push(dispatch);
                    self.password_help.push(user);
                }
                Effect::RememberDevice { user, device } => self.devices.push((user, device)),
                _ => {}
            }
        }
        let login = Login {
            key: driven.key,
            state: driven.state,
        };
        (login, driven.output)
    }

    pub(crate) fn last_pin(&self) -> String {
        self.outbox.last().unwrap().1.clone()
    }

    /// The stored login of `login`, as a database writer sees it.
    pub(crate) fn row(&self, login: &Login) -> SealedLogin {
        self.store.raw_login(&login.key.digest()).unwrap().unwrap()
    }

    /// Files `row` under `digest`, as a database writer would.
    pub(crate) fn put_row(&self, digest: LoginDigest, row: SealedLogin) {
        self.store.put_raw_login(digest, row).unwrap();
    }

    /// User ID and password: the login then waits for the PIN or the token code.
    pub(crate) fn log_in(&mut self, user: &str, password: &str) -> (Login, Output) {
        let (mut login, _) = self.start();
        self.step(&mut login, Input::UserId(user.into()));
        let check = self.check(&login, password);
        let output = self.submit(&mut login, Input::Password(check));
        (login, output)
    }

    /// A login through the password and the PIN: it waits for the enrollment choice.
    pub(crate) fn past_the_pin(&mut self, user: &str, password: &str) -> Login {
        let (mut login, _) = self.log_in(user, password);
        let pin = self.last_pin();
        self.step(&mut login, Input::Pin(pin));
        login
    }

    /// A whole first login through the desktop path; returns the token the "app" holds.
    pub(crate) fn enroll_desktop(&mut self, user: &str, password: &str) -> Totp {
        let login = self.past_the_pin(user, password);
        self.enroll_from(login).0
    }

    /// The desktop enrollment of a login at the enrollment choice, through "Continue": the
    /// token the app holds, and the recovery codes the enrollment showed (once: the page shown
    /// again has none).
    pub(crate) fn enroll_from(&mut self, mut login: Login) -> (Totp, Vec<String>) {
        let (token, output) = self.register_desktop(&mut login);
        let Screen::Enrolled { recovery_codes, .. } = output.screen else {
            panic!("expected the enrolled screen, got {:?}", output.screen);
        };
        let codes: Vec<String> = recovery_codes
            .iter()
            .map(|c| c.expose_grouped().to_string())
            .collect();
        assert_eq!(codes.len(), tollgate_login::recovery::RECOVERY_CODES);
        // Shown once: the same page again has none.
        let again = self.submit(&mut login, Input::Tick);
        assert!(
            matches!(again.screen, Screen::Enrolled { ref recovery_codes, .. } if recovery_codes.is_empty())
        );
        let output = self.submit(&mut login, Input::Continue);
        assert!(matches!(output.screen, Screen::Authenticated { .. }));
        assert!(login.is_authenticated());
        (token, codes)
    }

    /// The desktop path from the enrollment choice to the enrolled screen: the app's token,
    /// and that screen.
    pub(crate) fn register_desktop(&mut self, login: &mut Login) -> (Totp, Output) {
        let output = self.submit(
            login,
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
        let output = self.submit(login, Input::RegistrationCode(code.to_string()));
        (token.totp(), output)
    }

    /// How many second-factor codes the service checked and refused, for `user`.
    pub(crate) fn codes_refused(&self, user: &str) -> usize {
        let user: UserId = user.parse().unwrap();
        self.audit
            .iter()
            .filter(|e| match e {
                AuditEvent::CodeRefused { user: u } | AuditEvent::CodeReplayed { user: u, .. } => {
                    *u == user
                }
                _ => false,
            })
            .count()
    }
}

/// A store whose first account read is stale: a request racing another on a second node.
struct StaleFirstRead<'a> {
    inner: &'a MemoryLoginStore,
    stale: RefCell<Option<Account>>,
    refused: Cell<usize>,
}

impl LoginStore for StaleFirstRead<'_> {
    type Error = Poisoned;

    fn account(&self, user: &UserId) -> Result<Option<Account>, Poisoned> {
        match self.stale.borrow_mut().take() {
            Some(stale) => Ok(Some(stale)),
            None => self.inner.account(user),
        }
    }

    fn login(&self, digest: &LoginDigest, now: UnixTime) -> Result<Option<SealedLogin>, Poisoned> {
        self.inner.login(digest, now)
    }

    fn user_of_serial(&self, serial: &SerialNumber) -> Result<Option<UserId>, Poisoned> {
        self.inner.user_of_serial(serial)
    }

    fn user_of_passkey(&self, credential: &[u8]) -> Result<Option<UserId>, Poisoned> {
        self.inner.user_of_passkey(credential)
    }

    fn commit(&self, commit: &Commit<'_>) -> Result<bool, Poisoned> {
        let applied = self.inner.commit(commit)?;
        if !applied {
            self.refused.set(self.refused.get() + 1);
        }
        Ok(applied)
    }
}
