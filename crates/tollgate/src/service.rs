//! The one object a web handler calls per request.

use std::sync::{Arc, Mutex};

use rand_core::CryptoRng;
use tollgate_login::{
    Account, AccountState, AccountUpdate, Action, Config, Input, LoginMachine, LoginState, Message,
    Output, PasswordCheck, PinKey, Screen, UserId,
};
use tollgate_otp::UnixTime;
use zeroize::Zeroizing;

use crate::clock::{Clock, SystemClock};
use crate::delivery::{AuditLog, AuditSink, Delivery, Outbox};
use crate::error::Error;
use crate::password::Passwords;
use crate::store::{MemoryStore, Store, UserRecord};

/// A random number generator the service can share between threads.
pub type SharedRng = Box<dyn CryptoRng + Send>;

/// The operating system's RNG.
#[must_use]
pub fn os_rng() -> SharedRng {
    Box::new(rand_core::UnwrapErr(getrandom::SysRng))
}

/// How many compare-and-set conflicts in a row a request retries before giving up.
const MAX_RETRIES: usize = 64;

/// What to render for a request.
#[derive(Debug)]
pub struct View {
    /// The login's key: put it in the session cookie.
    pub login: String,
    /// The screen.
    pub screen: Screen,
    /// A notice above it.
    pub notice: Option<Message>,
    /// When the login next needs the service's attention.
    pub wake_at: Option<UnixTime>,
}

impl View {
    /// The user, once the login is authenticated: open their session.
    #[must_use]
    pub fn authenticated(&self) -> Option<&UserId> {
        match &self.screen {
            Screen::Authenticated { user } => Some(user),
            _ => None,
        }
    }
}

/// The embeddable service: the login machine with a store, a delivery channel, an audit sink,
/// a clock, an RNG and the password hasher.
pub struct Service {
    machine: LoginMachine,
    passwords: Passwords,
    store: Arc<dyn Store>,
    delivery: Arc<dyn Delivery>,
    audit: Arc<dyn AuditSink>,
    clock: Arc<dyn Clock>,
    rng: Mutex<SharedRng>,
}

impl core::fmt::Debug for Service {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Service")
            .field("config", self.machine.config())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Service`]; every part has a default.
pub struct ServiceBuilder {
    config: Config,
    pin_key: Option<PinKey>,
    passwords: Option<Passwords>,
    store: Arc<dyn Store>,
    delivery: Arc<dyn Delivery>,
    audit: Arc<dyn AuditSink>,
    clock: Arc<dyn Clock>,
    rng: SharedRng,
}

impl core::fmt::Debug for ServiceBuilder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServiceBuilder").finish_non_exhaustive()
    }
}

impl Default for ServiceBuilder {
    fn default() -> Self {
        Self {
            config: Config::default(),
            pin_key: None,
            passwords: None,
            store: Arc::new(MemoryStore::new()),
            delivery: Arc::new(Outbox::new()),
            audit: Arc::new(AuditLog::default()),
            clock: Arc::new(SystemClock),
            rng: os_rng(),
        }
    }
}

impl ServiceBuilder {
    /// The login policy (default: [`Config::default`]).
    #[must_use]
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The key stored logins hash their PINs under (default: drawn from the RNG when the
    /// service is built, which suits a store that forgets logins on restart, like the
    /// [`MemoryStore`]). Give a persistent one when logins outlive the process or are shared
    /// between nodes. It replaces the key of the [`Config`].
    #[must_use]
    pub fn pin_key(mut self, key: PinKey) -> Self {
        self.pin_key = Some(key);
        self
    }

    /// The store (default: a [`MemoryStore`]).
    #[must_use]
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = store;
        self
    }

    /// The delivery channel (default: an [`Outbox`] that keeps messages in memory).
    #[must_use]
    pub fn delivery(mut self, delivery: Arc<dyn Delivery>) -> Self {
        self.delivery = delivery;
        self
    }

    /// The audit sink (default: an in-memory [`AuditLog`]).
    #[must_use]
    pub fn audit(mut self, audit: Arc<dyn AuditSink>) -> Self {
        self.audit = audit;
        self
    }

    /// The clock (default: the [`SystemClock`]).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The RNG (default: the operating system's, [`os_rng`]).
    #[must_use]
    pub fn rng(mut self, rng: SharedRng) -> Self {
        self.rng = rng;
        self
    }

    /// The password hasher (default: Argon2id with OWASP's parameters).
    #[must_use]
    pub fn passwords(mut self, passwords: Passwords) -> Self {
        self.passwords = Some(passwords);
        self
    }

    /// The service.
    ///
    /// # Errors
    /// [`Error::Password`] if the password hasher cannot be set up.
    pub fn build(mut self) -> Result<Service, Error> {
        let passwords = match self.passwords {
            Some(p) => p,
            None => Passwords::new(&mut self.rng)?,
        };
        let pin_key = self.pin_key.unwrap_or_else(|| {
            let mut key = [0u8; 32];
            self.rng.fill_bytes(&mut key);
            PinKey::new(key)
        });
        Ok(Service {
            machine: LoginMachine::new(self.config.with_pin_key(pin_key)),
            passwords,
            store: self.store,
            delivery: self.delivery,
            audit: self.audit,
            clock: self.clock,
            rng: Mutex::new(self.rng),
        })
    }
}

impl Service {
    /// A builder with every default.
    #[must_use]
    pub fn builder() -> ServiceBuilder {
        ServiceBuilder::default()
    }

    /// The store the service keeps its accounts and logins in.
    #[must_use]
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Now, by the service's clock.
    #[must_use]
    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    fn with_rng<T>(&self, f: impl FnOnce(&mut SharedRng) -> T) -> Result<T, Error> {
        let mut rng = self
            .rng
            .lock()
            .map_err(|_| Error::Store("a thread panicked while holding the RNG".into()))?;
        Ok(f(&mut rng))
    }

    /// Registers a user: the stand-in for the portal's "personal validation".
    ///
    /// # Errors
    /// [`Error::Input`] for an invalid User ID, mobile number or e-mail address;
    /// [`Error::DuplicateUser`]; [`Error::Store`].
    pub fn register_user(
        &self,
        id: &str,
        password: &str,
        mobile: Option<&str>,
        email: Option<&str>,
    ) -> Result<UserId, Error> {
        let id: UserId = id.parse()?;
        let hash = self.with_rng(|rng| self.passwords.hash(password.as_bytes(), rng))??;
        self.store.insert_user(UserRecord {
            id: id.clone(),
            password: hash,
            account: Account {
                version: 0,
                mobile: mobile.map(str::parse).transpose()?,
                email: email.map(str::parse).transpose()?,
                state: AccountState::default(),
            },
        })?;
        Ok(id)
    }

    /// Starts a login: the "Enter User ID" screen, and the key to put in the session cookie.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn start(&self) -> Result<View, Error> {
        let now = self.now();
        let (key, (state, output)) = self.with_rng(|rng| {
            let mut key = [0u8; 16];
            rng.fill_bytes(&mut key);
            let key: String = key.iter().map(|b| format!("{b:02x}")).collect();
            (key, self.machine.start(now, rng))
        })?;
        self.store
            .save_login(&key, &state.to_json(), state.deadline())?;
        Ok(View {
            login: key,
            screen: output.screen,
            notice: output.notice,
            wake_at: output.wake_at,
        })
    }

    /// What the login shows now (and what its deadlines did meanwhile).
    ///
    /// # Errors
    /// As [`Service::submit`].
    pub fn view(&self, login: &str) -> Result<View, Error> {
        let state = self.load(login)?;
        self.run(login, state, Input::Tick)
    }

    /// Applies what the user submitted to their login: the typed password is checked here
    /// (Argon2id; for an unknown user, against the dummy hash) and wiped.
    ///
    /// # Errors
    /// [`Error::UnknownLogin`] for a key that is not (or no longer) a login in progress: start
    /// a new one; [`Error::Contended`] when the account changed under the request more often
    /// than it retries; [`Error::Store`].
    pub fn submit(&self, login: &str, input: Input<Zeroizing<String>>) -> Result<View, Error> {
        let state = self.load(login)?;
        let user = match (&input, state.user()) {
            (Input::Password(_), Some(id)) => self.store.user(id)?,
            _ => None,
        };
        let input = input.map_password(|password| {
            // Unknown users cost the same: the dummy hash is checked instead.
            if self
                .passwords
                .verify(password.as_bytes(), user.as_ref().map(|u| &u.password))
            {
                PasswordCheck::Correct
            } else {
                PasswordCheck::Incorrect
            }
        });
        self.run(login, state, input)
    }

    fn load(&self, login: &str) -> Result<LoginState, Error> {
        let text = self
            .store
            .load_login(login, self.now())?
            .ok_or(Error::UnknownLogin)?;
        Ok(LoginState::from_json(&text)?)
    }

    /// Runs the machine until its account update is stored, then carries out its actions.
    fn run(&self, login: &str, state: LoginState, input: Input) -> Result<View, Error> {
        for _ in 0..MAX_RETRIES {
            let now = self.now();
            let account = match state.user() {
                Some(id) => self.store.user(id)?.map(|u| u.account),
                None => None,
            };
            let (next, output) = self.with_rng(|rng| {
                self.machine
                    .handle(state.clone(), input.clone(), account.as_ref(), now, rng)
            })?;
            let json = next.to_json();
            let updates: Vec<&AccountUpdate> = output
                .actions
                .iter()
                .filter_map(|action| match action {
                    Action::UpdateAccount(update) => Some(&**update),
                    _ => None,
                })
                .collect();
            let stored = match (updates.as_slice(), next.user()) {
                ([], _) | (_, None) => {
                    self.store.save_login(login, &json, next.deadline())?;
                    true
                }
                ([update], Some(user)) => self.store.update_account_and_save_login(
                    user,
                    update,
                    login,
                    &json,
                    next.deadline(),
                )?,
                (more, Some(user)) => {
                    let mut applied = true;
                    for update in more {
                        applied = applied && self.store.update_account(user, update)?;
                    }
                    if applied {
                        self.store.save_login(login, &json, next.deadline())?;
                    }
                    applied
                }
            };
            if !stored {
                continue;
            }
            return Ok(self.carry_out(login, output));
        }
        Err(Error::Contended)
    }

    fn carry_out(&self, login: &str, output: Output) -> View {
        for action in output.actions {
            match action {
                Action::SendPin { to, pin } => self.delivery.send_pin(&to, &pin),
                Action::Audit(event) => self.audit.record(event),
                Action::Notify { user, notification } => self.delivery.notify(&user, notification),
                Action::PasswordHelp { user } => self.delivery.password_help(&user),
                _ => {}
            }
        }
        View {
            login: login.to_owned(),
            screen: output.screen,
            notice: output.notice,
            wake_at: output.wake_at,
        }
    }
}
