//! The [`Service`]'s builder: every part with a default.

use std::sync::{Arc, Mutex};

use tollgate_login::{Config, Driver, LoginMachine, PinKey, PinKeys, StateKey, StateKeys};
use tollgate_store::{MemoryStore, SharedRng, Store, os_rng};

use super::{ClientLimit, Service};
use crate::clock::{Clock, SystemClock};
use crate::delivery::{AuditLog, AuditSink, Delivery, Outbox, RetryPolicy};
use crate::error::Error;
use crate::password::Passwords;

/// Builds a [`Service`]; every part has a default.
pub struct ServiceBuilder {
    config: Config,
    pin_key: Option<PinKeys>,
    state_key: Option<StateKeys>,
    passwords: Option<Passwords>,
    store: Arc<dyn Store>,
    delivery: Arc<dyn Delivery>,
    audit: Arc<dyn AuditSink>,
    audit_trail: bool,
    clock: Arc<dyn Clock>,
    rng: SharedRng,
    client_limit: ClientLimit,
    reset_send_limit: ClientLimit,
    retry: RetryPolicy,
    sleep: Arc<dyn Fn(std::time::Duration) + Send + Sync>,
    #[cfg(feature = "signing")]
    signer: Option<crate::signing::Signer>,
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
            state_key: None,
            passwords: None,
            store: Arc::new(MemoryStore::new()),
            delivery: Arc::new(Outbox::new()),
            audit: Arc::new(AuditLog::default()),
            audit_trail: false,
            clock: Arc::new(SystemClock),
            rng: os_rng(),
            client_limit: ClientLimit::default(),
            reset_send_limit: ClientLimit {
                failures: 10,
                window: 3600,
            },
            retry: RetryPolicy::default(),
            sleep: Arc::new(std::thread::sleep),
            #[cfg(feature = "signing")]
            signer: None,
        }
    }
}

impl ServiceBuilder {
    /// Signing (feature `signing`): "Create your Signing Certificate" and signatures
    /// authorized by the second factor ([`Service::signing`]).
    #[cfg(feature = "signing")]
    #[must_use]
    pub fn signer(mut self, signer: crate::signing::Signer) -> Self {
        self.signer = Some(signer);
        self
    }

    /// How transient delivery failures are tried again ([`RetryPolicy::default`]).
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How the service waits between delivery tries (default: the thread sleeps; a test passes
    /// one that records the waits).
    #[must_use]
    pub fn sleep(mut self, sleep: Arc<dyn Fn(std::time::Duration) + Send + Sync>) -> Self {
        self.sleep = sleep;
        self
    }

    /// The PIN key and the state key of `keys` (a [`KeyFile`](crate::KeyFile)'s, with the old
    /// keys a rotation keeps): [`ServiceBuilder::pin_key`] and [`ServiceBuilder::state_key`] in
    /// one call. The store takes the sealing keys ([`ServiceKeys::sealing_keys`](crate::ServiceKeys::sealing_keys)).
    #[must_use]
    pub fn keys(self, keys: &tollgate_store::ServiceKeys) -> Self {
        self.pin_key(keys.pin_keys()).state_key(keys.state_keys())
    }

    /// The login policy (default: [`Config::default`]).
    #[must_use]
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The key stored logins hash their PINs under (default: drawn from the RNG when the
    /// service is built, which suits a store that forgets logins on restart, like the
    /// [`MemoryStore`]). Give a persistent one when logins outlive the process or are shared
    /// between nodes: every node of a service needs the same one, or a PIN sent by one node is
    /// refused by the next.
    ///
    /// A [`PinKey`], or a [`PinKeys`] ring to rotate it: new PINs are hashed under the current
    /// key, and the PINs of logins stored before the rotation are checked under the old key
    /// they name (keep it for as long as a login lives, [`Config`]'s deadline plus an hour).
    #[must_use]
    pub fn pin_key(mut self, key: impl Into<PinKeys>) -> Self {
        self.pin_key = Some(key.into());
        self
    }

    /// The key stored logins are authenticated under (default: drawn from the RNG when the
    /// service is built, as for [`ServiceBuilder::pin_key`]). Every node of a service needs
    /// the same one, kept outside the database: with it, whoever writes the database could
    /// forge a login.
    ///
    /// A [`StateKey`], or a [`StateKeys`] ring to rotate it: every login is sealed under the
    /// current key at its next step, and the old key still opens the logins stored before
    /// (keep it for as long as a login lives).
    #[must_use]
    pub fn state_key(mut self, key: impl Into<StateKeys>) -> Self {
        self.state_key = Some(key.into());
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

    /// Whether the store also keeps each account's audit trail, for
    /// [`Admin::recent_events`](crate::Admin::recent_events) (default: no, as Keycloak's "Save
    /// events"). It costs one write per event; the sink gets every event either way.
    #[must_use]
    pub fn audit_trail(mut self, keep: bool) -> Self {
        self.audit_trail = keep;
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

    /// Wrong passwords per client and window (default: [`ClientLimit::default`]).
    #[must_use]
    pub fn client_limit(mut self, limit: ClientLimit) -> Self {
        self.client_limit = limit;
        self
    }

    /// Password resets' steps that may send a PIN ("I no longer have my authenticator", a
    /// resend, "Alternative authentication") per client network and window, for any User IDs
    /// (default: 10 an hour). A reset asks for no password, so this bounds the PINs one network
    /// can make the service send to everyone's phones together; each account's own bound is
    /// [`Config::with_reset_send_budget`](tollgate_login::Config::with_reset_send_budget).
    #[must_use]
    pub fn reset_send_limit(mut self, limit: ClientLimit) -> Self {
        self.reset_send_limit = limit;
        self
    }

    /// The password hasher (default: Argon2id with OWASP's parameters, one check per core at
    /// once: [`PasswordLimits`](crate::PasswordLimits)).
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
        let pin_key = self
            .pin_key
            .unwrap_or_else(|| PinKey::generate(&mut self.rng).into());
        let state_key = self
            .state_key
            .unwrap_or_else(|| StateKey::generate(&mut self.rng).into());
        let machine = LoginMachine::new(self.config, pin_key);
        Ok(Service {
            driver: Driver::new(machine, state_key),
            passwords,
            store: self.store,
            delivery: self.delivery,
            audit: self.audit,
            audit_trail: self.audit_trail,
            clock: self.clock,
            rng: Mutex::new(self.rng),
            client_limit: self.client_limit,
            reset_send_limit: self.reset_send_limit,
            retry: self.retry,
            sleep: self.sleep,
            background: std::sync::OnceLock::new(),
            #[cfg(feature = "signing")]
            signer: self.signer,
        })
    }
}
