//! The one object a web handler calls per request.

use std::sync::{Arc, Mutex};

use chacha20::ChaCha20Rng;
use rand_core::{CryptoRng, SeedableRng};
use tollgate_login::{
    Account, AccountState, AuditEvent, Config, DeviceId, DriveError, Driven, Driver, Event, Input,
    KnownDevice, LoginKey, Message, PasswordCheck, Report, Screen, UserId,
};
use tollgate_otp::UnixTime;
use tollgate_store::{SharedRng, Store, StoreError, UserRecord};
use zeroize::Zeroizing;

use crate::clock::Clock;
use crate::delivery::{AuditSink, Delivery};
use crate::error::Error;
use crate::password::Passwords;

mod api;
mod builder;
mod effects;
mod online;
mod reset;

pub use builder::ServiceBuilder;
pub use online::OnlineAnswer;

/// What to render for a request.
#[derive(Debug)]
pub struct View {
    /// The login's key from now on: keep it in the session (a new one replaces the old at
    /// every rise in the login's assurance, and the old one is dead).
    pub login: LoginKey,
    /// The screen.
    pub screen: Screen,
    /// A notice above it.
    pub notice: Option<Message>,
    /// When the login next needs the service's attention.
    pub wake_at: Option<UnixTime>,
    /// A whole login from a browser the account did not know: give the browser this device
    /// cookie (long-lived, `HttpOnly`, `SameSite=Strict`; its value is [`DeviceId::to_text`])
    /// and pass it back with [`Service::submit`]. Passwords typed there are then counted on
    /// their own, so that strangers' wrong passwords cannot keep the owner out.
    pub device: Option<DeviceId>,
}

impl View {
    /// The user, once the login is authenticated: open their session.
    #[must_use]
    pub fn authenticated(&self) -> Option<&UserId> {
        match &self.screen {
            Screen::Authenticated { user, .. } => Some(user),
            _ => None,
        }
    }
}

/// Who is asking, as the web layer knows it: the client's address (from the connection, or a
/// trusted proxy's header) and the device cookie it presented ([`View::device`] of an earlier
/// login; one that does not parse counts as none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Client {
    /// The client's address.
    pub address: Option<std::net::IpAddr>,
    /// Its device cookie.
    pub device: Option<DeviceId>,
}

/// How many wrong passwords a client (an IPv4 address, an IPv6 /64) may make in a window,
/// across all accounts, before its passwords are refused unchecked ([`Error::Throttled`]).
/// Devices an account knows are not held by it (the owner behind the same NAT as a guesser).
/// NIST SP 800-63B-4 §3.2.2 lists limiting by network address among the ways to throttle; the
/// default, 50 an hour, leaves an office behind one address room for its typos.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientLimit {
    /// Wrong passwords per window.
    pub failures: u64,
    /// The window, in seconds.
    pub window: u64,
}

impl Default for ClientLimit {
    fn default() -> Self {
        Self {
            failures: 50,
            window: 3600,
        }
    }
}

/// The embeddable service: the login driver with a store, a delivery channel, an audit sink,
/// a clock, an RNG and the password hasher.
pub struct Service {
    driver: Driver,
    passwords: Passwords,
    store: Arc<dyn Store>,
    delivery: Arc<dyn Delivery>,
    audit: Arc<dyn AuditSink>,
    /// Whether the store keeps each account's audit trail too.
    audit_trail: bool,
    clock: Arc<dyn Clock>,
    rng: Mutex<SharedRng>,
    client_limit: ClientLimit,
    /// Password resets' sending steps per client network and window.
    reset_send_limit: ClientLimit,
    retry: crate::delivery::RetryPolicy,
    sleep: Arc<dyn Fn(std::time::Duration) + Send + Sync>,
    /// The worker that sends a password reset's messages, started at the first of them.
    background:
        std::sync::OnceLock<Option<std::sync::mpsc::Sender<crate::delivery::background::Job>>>,
    /// Signing, when configured.
    #[cfg(feature = "signing")]
    pub(crate) signer: Option<crate::signing::Signer>,
}

impl core::fmt::Debug for Service {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Service")
            .field("config", self.driver.machine().config())
            .finish_non_exhaustive()
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

    /// The login machine (its rules, for decisions outside a login).
    pub(crate) fn machine(&self) -> &tollgate_login::LoginMachine {
        self.driver.machine()
    }

    /// The login policy.
    #[must_use]
    pub fn config(&self) -> &Config {
        self.driver.machine().config()
    }

    /// Now, by the service's clock.
    #[must_use]
    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    /// A generator for one request, seeded from the service's RNG: the shared RNG's lock is
    /// held for 32 bytes, not across a password hash or a database round trip.
    pub(crate) fn request_rng(&self) -> Result<impl CryptoRng, Error> {
        let mut seed = Zeroizing::new([0u8; 32]);
        self.rng
            .lock()
            .map_err(|_| Error::Poisoned)?
            .fill_bytes(&mut *seed);
        Ok(ChaCha20Rng::from_seed(*seed))
    }

    /// Registers a user: the stand-in for the portal's "personal validation".
    ///
    /// # Errors
    /// [`Error::Input`] for an invalid User ID, mobile number or e-mail address;
    /// [`Error::PasswordTooLong`]; [`Error::PasswordRefused`] for a password the
    /// [`Config::password_rules`] refuse; [`Error::Busy`] when the password work is saturated;
    /// [`Error::DuplicateUser`]; [`Error::Store`].
    pub fn register_user(
        &self,
        id: &str,
        password: &str,
        mobile: Option<&str>,
        email: Option<&str>,
    ) -> Result<UserId, Error> {
        let id = UserId::parse_as(id, self.config().user_ids())?;
        let account = Account::new(
            0,
            mobile.map(str::parse).transpose()?,
            email.map(str::parse).transpose()?,
            AccountState::default(),
        );
        self.passwords.check_length(password.as_bytes())?;
        let identifiers = [mobile.unwrap_or_default(), email.unwrap_or_default()];
        self.config()
            .password_rules()
            .check(password, &id, &identifiers)?;
        let hash = self
            .passwords
            .hash(password.as_bytes(), &mut self.request_rng()?)?;
        let record = UserRecord {
            id: id.clone(),
            password: hash,
            account,
        };
        match self.store.insert_user(record) {
            Ok(()) => Ok(id),
            Err(StoreError::DuplicateUser) => Err(Error::DuplicateUser),
            Err(e) => Err(Error::Store(e)),
        }
    }

    /// Starts a login: the "Enter User ID" screen, and the key to keep in the session.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn start(&self) -> Result<View, Error> {
        let _span = tracing::info_span!("tollgate.start").entered();
        let driven = self
            .driver
            .start(&*self.store, self.now(), &mut self.request_rng()?)?;
        metrics::counter!("tollgate_logins_started_total").increment(1);
        Ok(self.carry_out(driven))
    }

    /// What the login shows now (and what its deadlines did meanwhile).
    ///
    /// # Errors
    /// As [`Service::submit`].
    pub fn view(&self, login: &LoginKey) -> Result<View, Error> {
        let driven = self.viewing(login)?;
        Ok(self.carry_out(driven))
    }

    fn viewing(&self, login: &LoginKey) -> Result<Driven, Error> {
        let _span = tracing::debug_span!("tollgate.view").entered();
        let mut rng = self.request_rng()?;
        let driven = self
            .driver
            .submit(&*self.store, login, Input::Tick, self.now(), &mut rng);
        self.audited(driven)
    }

    /// A refused stored login is audited: someone wrote the database.
    fn audited<T>(&self, result: Result<T, DriveError<StoreError>>) -> Result<T, Error> {
        if let Err(DriveError::Refused(refusal)) = &result {
            let event = AuditEvent::StoredLoginRefused {
                reason: refusal.kind(),
            };
            crate::observe::audit(&event);
            self.record(event);
        }
        Ok(result?)
    }

    /// Applies what the user submitted to their login, from `client`: the typed password is
    /// checked here (Argon2id; for an unknown user, against the dummy hash; only at the password
    /// step) and wiped. The check waits for a turn of the [`Passwords`]' bounded work.
    ///
    /// A password typed on a device the account knows is counted against that device alone;
    /// from anywhere else it also counts against the client's network, and past [`ClientLimit`]
    /// that network's passwords are refused before any work. There is no call without a
    /// [`Client`]: a web service passes the address it knows; `Client::default()` says that
    /// nobody's address is known (a command-line tool), and turns the network's limit off for
    /// that request.
    ///
    /// # Errors
    /// [`Error::UnknownLogin`] for a key that is not (or no longer) a login in progress: start
    /// a new one; [`Error::Superseded`] when another request on the same login went first
    /// (show the page again); [`Error::LoginRefused`] when the stored login is not what the
    /// service wrote (it is removed: start a new one); [`Error::Contended`] when the account
    /// changed under the request more often than the driver retries; [`Error::PasswordTooLong`]
    /// (refused before any work); [`Error::Busy`] when every password check is taken and the
    /// queue is full or its wait ran out (answer "busy, try again"); [`Error::Throttled`];
    /// [`Error::Store`].
    ///
    /// # What a caller can say
    /// What the user did, and only that. The service's own findings (a new password checked
    /// and stored, a PIN that did not go out) are [`Report`]s that only the service makes where
    /// it did that work: a caller cannot hand one on, however its input is built.
    ///
    /// ```
    /// # fn page(service: &tollgate::Service, key: &tollgate::LoginKey) {
    /// let _ = service.submit(key, tollgate::login::Input::Continue, tollgate::Client::default());
    /// # }
    /// ```
    /// ```compile_fail
    /// # fn page(service: &tollgate::Service, key: &tollgate::LoginKey) {
    /// // No such input: the new password is stored only by the service, which says so itself.
    /// let _ = service.submit(key, tollgate::login::Input::PasswordSet(Ok(())), Default::default());
    /// # }
    /// ```
    /// ```compile_fail
    /// # fn page(service: &tollgate::Service, key: &tollgate::LoginKey) {
    /// // A report is no input.
    /// let _ = service.submit(key, tollgate::login::Report::PasswordSet(Ok(())), Default::default());
    /// # }
    /// ```
    /// ```compile_fail
    /// # fn page(service: &tollgate::Service, key: &tollgate::LoginKey) {
    /// let _ = service.submit(key, tollgate::login::Report::PinNotDelivered, Default::default());
    /// # }
    /// ```
    pub fn submit(
        &self,
        login: &LoginKey,
        input: Input<Zeroizing<String>>,
        client: Client,
    ) -> Result<View, Error> {
        self.submitting(login, input, client, |driven| self.carry_out(driven))
    }

    /// A submit in its span, finished by `finish` (the messages sent, or handed back).
    fn submitting<T: Shown>(
        &self,
        login: &LoginKey,
        input: Input<Zeroizing<String>>,
        client: Client,
        finish: impl FnOnce(Driven) -> T,
    ) -> Result<T, Error> {
        let span = tracing::info_span!(
            "tollgate.submit",
            input = crate::observe::input_kind(&input),
            screen = tracing::field::Empty,
        );
        let _entered = span.enter();
        let done = self.submit_inner(login, input, client).map(finish);
        match &done {
            Ok(done) => span.record("screen", crate::observe::screen_name(&done.view().screen)),
            Err(e) => {
                tracing::info!(error = %e, "refused");
                &span
            }
        };
        done
    }

    /// How the service tries deliveries again (for a caller that sends them itself).
    #[must_use]
    pub fn retry_policy(&self) -> crate::delivery::RetryPolicy {
        self.retry
    }

    fn submit_inner(
        &self,
        login: &LoginKey,
        input: Input<Zeroizing<String>>,
        client: Client,
    ) -> Result<Driven, Error> {
        let device = client.device;
        let now = self.now();
        let mut loaded = self.audited(self.driver.load(&*self.store, login, now))?;
        let user = match (&input, loaded.state().user()) {
            (Input::Password(password), Some(id)) if loaded.state().expects_password() => {
                self.passwords.check_length(password.as_bytes())?;
                self.store.user(id)?
            }
            _ => None,
        };
        // A reset asks for no password: the steps of one that may send a PIN count against
        // the client's network (whoever the User ID is, so that the count tells nothing), and
        // past its limit the network's resets send nothing more.
        let sends = matches!(
            input,
            Input::NoAuthenticator | Input::ResendPin | Input::AlternativeAuthentication
        );
        if sends
            && loaded.state().is_resetting()
            && let Some(address) = client.address
        {
            let network = tollgate_store::ClientKey::of(address).within("reset sends");
            let limit = self.reset_send_limit;
            if self.store.client_failures(&network, now, limit.window)? >= limit.failures {
                return Err(Error::Throttled {
                    retry_after: limit.window,
                });
            }
            self.store
                .count_client_failure(&network, now, limit.window)?;
        }
        let verdict = match &input {
            // Unknown users cost the same: the dummy hash is checked instead.
            Input::Password(password) if loaded.state().expects_password() => {
                let known = device.zip(user.as_ref()).is_some_and(|(device, user)| {
                    KnownDevice::find(user.account.state().devices(), &device).is_some()
                });
                let network = client
                    .address
                    .filter(|_| !known)
                    .map(tollgate_store::ClientKey::of);
                let limit = self.client_limit;
                if let Some(network) = &network
                    && self.store.client_failures(network, now, limit.window)? >= limit.failures
                {
                    return Err(Error::Throttled {
                        retry_after: limit.window,
                    });
                }
                let hash = user.as_ref().map(|u| &u.password);
                let correct = self.passwords.verify(password.as_bytes(), hash)?;
                if !correct && let Some(network) = &network {
                    self.store
                        .count_client_failure(network, now, limit.window)?;
                }
                PasswordCheck::of(correct, device)
            }
            // Anywhere else the machine ignores a password: no work is done for it.
            _ => PasswordCheck::Incorrect,
        };
        // The account was read with its password hash: the driver takes it as it is.
        if let Some(user) = user {
            loaded = loaded.with_account(user.account);
        }
        // The new password is checked and stored here, and only this code reports it so.
        let event: Event = match input {
            Input::NewPassword(password) if loaded.state().expects_new_password() => {
                Report::PasswordSet(self.set_password(loaded.state().user(), &password)?).into()
            }
            input => input.map_password(|_| verdict).into(),
        };
        let driven = self.driver.submit_loaded(
            &*self.store,
            loaded,
            event,
            now,
            &mut self.request_rng()?,
        )?;
        Ok(driven)
    }

    /// Ends a login (a logout, or "start over"): its key is dead from now on.
    ///
    /// # Errors
    /// As [`Service::submit`].
    pub fn end(&self, login: &LoginKey) -> Result<(), Error> {
        Ok(self.driver.end(&*self.store, login, self.now())?)
    }
}

/// What a submit gives back, with its view.
trait Shown {
    fn view(&self) -> &View;
}

impl Shown for View {
    fn view(&self) -> &View {
        self
    }
}

impl Shown for (View, crate::Outgoing) {
    fn view(&self) -> &View {
        &self.0
    }
}

impl From<DriveError<StoreError>> for Error {
    fn from(e: DriveError<StoreError>) -> Self {
        match e {
            DriveError::Store(e) => Self::Store(e),
            DriveError::UnknownLogin => Self::UnknownLogin,
            DriveError::Superseded => Self::Superseded,
            DriveError::Refused(refusal) => Self::LoginRefused(refusal),
            _ => Self::Contended,
        }
    }
}
