//! What every [`Store`] must do for the login machine to keep its promises, as checks that a
//! store's own tests call (feature `conformance`): the memory store, the SQLite and PostgreSQL
//! stores, and yours.
//!
//! A [`Cluster`] stands for several service nodes: one login [`Driver`] per store handle (give
//! each its own connection), sharing one virtual clock, one state key, one PIN key and one
//! user. The races then submit from one thread per node at once, and count what the database
//! let through. The checks need no password hasher: the machine takes a password's verdict,
//! and the checks give it.
//!
//! Every check returns `Err` with a sentence saying what broke, so that a test can `.expect()`
//! it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::TokenActivation;
use tollgate_login::{
    Account, AccountState, AuditEvent, Config, DriveError, Driven, Driver, Effect, EnrollmentKind,
    Input, LoginKey, LoginMachine, PasswordCheck, PinKey, Screen, StateKey, UserId,
};
use tollgate_otp::{Totp, UnixTime};

mod audit;
mod basics;
mod clients;
mod commits;
mod crash;
#[cfg(feature = "signing")]
mod credentials;
mod logins;
mod migration;
mod passwords;
mod races;
mod rotation;
mod rows;
mod sessions;

pub use basics::basics;
pub use crash::{Ack, kill_after, kill_in_rounds, stream, stream_to_stdout, verify_acks};
#[cfg(feature = "signing")]
pub use credentials::credentials;
pub use migration::version_1_fixture;
pub use races::{RaceReport, burst_race, lockout_race, replay_race};
pub use rotation::{Open, RotationReport, rotation_under_load};
pub use rows::{RawAccounts, RawRows, RawState, RefusedRows, refused_rows};
pub use sessions::sessions;

use crate::{PasswordHash, Store, StoreError, UserRecord};

/// A check's verdict: `Err` says what broke.
pub type Check<T = ()> = Result<T, String>;

pub(crate) fn ensure(condition: bool, what: impl FnOnce() -> String) -> Check {
    if condition { Ok(()) } else { Err(what()) }
}

pub(crate) fn err<E: core::fmt::Display>(context: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{context}: {e}")
}

/// The user every check logs in as.
pub const USER: &str = "john.smith@example.com";
/// Their password (the checks compare it in the clear: a store keeps only the hash, which here
/// is a stand-in).
pub const PASSWORD: &str = "correct horse";

/// A clock that moves only when told, shared by a cluster's nodes.
#[derive(Clone, Debug, Default)]
pub struct VirtualClock(Arc<AtomicU64>);

impl VirtualClock {
    /// A clock showing `start`.
    #[must_use]
    pub fn new(start: UnixTime) -> Self {
        Self(Arc::new(AtomicU64::new(start.as_secs())))
    }

    /// Now.
    #[must_use]
    pub fn now(&self) -> UnixTime {
        UnixTime::from_secs(self.0.load(Ordering::SeqCst))
    }

    /// Moves the clock on.
    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, at: UnixTime) {
        self.0.store(at.as_secs(), Ordering::SeqCst);
    }
}

/// One service node: a login driver over one store handle, with its own RNG and outbox.
pub struct Node {
    /// The driver (every node's has the same state key and PIN key).
    pub driver: Driver,
    /// The store handle.
    pub store: Arc<dyn Store>,
    /// The cluster's clock.
    pub clock: VirtualClock,
    rng: Mutex<ChaCha20Rng>,
    /// Every PIN this node sent, in order.
    pins: Mutex<Vec<String>>,
    /// Every audit event this node recorded, in order.
    audit: Mutex<Vec<AuditEvent>>,
}

impl core::fmt::Debug for Node {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Node").finish_non_exhaustive()
    }
}

impl Node {
    /// A node over `store`: the machine of `config` (given `pin_key`), stored logins under
    /// `state_key`, and an RNG seeded with `seed`.
    #[must_use]
    pub fn new(
        store: Arc<dyn Store>,
        config: &Config,
        keys: (&StateKey, &PinKey),
        clock: VirtualClock,
        seed: u64,
    ) -> Self {
        let machine = LoginMachine::new(config.clone(), keys.1.clone());
        Self {
            driver: Driver::new(machine, keys.0.clone()),
            store,
            clock,
            rng: Mutex::new(ChaCha20Rng::seed_from_u64(seed)),
            pins: Mutex::new(Vec::new()),
            audit: Mutex::new(Vec::new()),
        }
    }

    fn carry_out(&self, driven: Driven) -> Driven {
        let Driven {
            key,
            state,
            output,
            effects,
        } = driven;
        for effect in effects {
            match effect {
                Effect::SendPin { pin, .. } => self
                    .pins
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(pin.expose_secret().to_owned()),
                Effect::Audit(event) => self
                    .audit
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(event),
                _ => {}
            }
        }
        Driven {
            key,
            state,
            output,
            effects: Vec::new(),
        }
    }

    /// Starts a login.
    ///
    /// # Errors
    /// When the store fails.
    pub fn start(&self) -> Result<Driven, DriveError<StoreError>> {
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        let driven = self
            .driver
            .start(&*self.store, self.clock.now(), &mut *rng)?;
        drop(rng);
        Ok(self.carry_out(driven))
    }

    /// One request on the login of `key`; its effects are carried out (PINs kept, audit
    /// events recorded), and the result has none left.
    ///
    /// # Errors
    /// As [`Driver::submit`].
    pub fn submit(&self, key: &LoginKey, input: Input) -> Result<Driven, DriveError<StoreError>> {
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        let driven = self
            .driver
            .submit(&*self.store, key, input, self.clock.now(), &mut *rng)?;
        drop(rng);
        Ok(self.carry_out(driven))
    }

    /// The last PIN this node sent.
    #[must_use]
    pub fn last_pin(&self) -> Option<String> {
        self.pins
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last()
            .cloned()
    }

    /// The audit events this node recorded.
    #[must_use]
    pub fn audit(&self) -> Vec<AuditEvent> {
        self.audit
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Several nodes over one database, one clock, one state key, one PIN key.
#[derive(Debug)]
pub struct Cluster {
    /// The nodes, one per store handle.
    pub nodes: Vec<Node>,
    /// The clock they share.
    pub clock: VirtualClock,
    /// The user, registered through the first node.
    pub user: UserId,
}

/// A stand-in for a password hash: the checks give the machine the password's verdict.
pub(crate) fn stand_in_hash() -> PasswordHash {
    PasswordHash::from_phc("$argon2id$v=19$m=8,t=1,p=1$c3RhbmQtaW4$c3RhbmQtaW4".into())
}

/// Registers `user` in `store` with a mobile number and no token.
///
/// # Errors
/// When the store refuses.
pub fn register(store: &dyn Store, user: &str) -> Check {
    store
        .insert_user(UserRecord {
            id: user.parse().map_err(err("User ID"))?,
            password: stand_in_hash(),
            account: Account::new(
                0,
                Some("+16132701234".parse().map_err(err("mobile"))?),
                Some(user.parse().map_err(err("e-mail"))?),
                AccountState::default(),
            ),
        })
        .map_err(err("registering the user"))
}

impl Cluster {
    /// One node per store in `stores` (which must all reach the same database), the [`USER`]
    /// registered, the clock at 2023-11-14. Deterministic for a given `seed`, sealing nonces
    /// included when the stores' RNGs are seeded.
    ///
    /// # Errors
    /// When the user cannot be registered.
    pub fn new(stores: Vec<Arc<dyn Store>>, config: &Config, seed: u64) -> Check<Self> {
        let cluster = Self::unregistered(stores, config, seed)?;
        register(&*cluster.first().store, USER)?;
        Ok(cluster)
    }

    /// As [`Cluster::new`], over a database where [`USER`] is already registered (the same
    /// `seed` gives the same keys).
    ///
    /// # Errors
    /// When there is no store.
    pub fn unregistered(stores: Vec<Arc<dyn Store>>, config: &Config, seed: u64) -> Check<Self> {
        let clock = VirtualClock::new(UnixTime::from_secs(1_700_000_000));
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let state_key = StateKey::generate(&mut rng);
        let mut pin = [0u8; 32];
        rand_core::Rng::fill_bytes(&mut rng, &mut pin);
        let pin_key = PinKey::new(pin);
        let nodes: Vec<Node> = stores
            .into_iter()
            .enumerate()
            .map(|(i, store)| {
                let seed = seed ^ (i as u64 + 1);
                Node::new(store, config, (&state_key, &pin_key), clock.clone(), seed)
            })
            .collect();
        if nodes.is_empty() {
            return Err("a cluster needs a node".into());
        }
        let user = USER.parse().map_err(err("User ID"))?;
        Ok(Self { nodes, clock, user })
    }

    /// The first node.
    #[must_use]
    pub fn first(&self) -> &Node {
        &self.nodes[0]
    }

    /// The account as the first node's store holds it now.
    ///
    /// # Errors
    /// When the store fails or the user is gone.
    pub fn account(&self) -> Check<Account> {
        self.first()
            .store
            .user(&self.user)
            .map_err(err("loading the account"))?
            .map(|u| u.account)
            .ok_or_else(|| "the user is gone".to_owned())
    }
}

/// User ID and the right password on `node` as [`USER`]: returns the login's key, at the PIN
/// or the token code.
///
/// # Errors
/// When a submission fails.
pub fn to_second_factor(node: &Node) -> Check<LoginKey> {
    password_step(node, USER)
}

pub(crate) fn password_step(node: &Node, user: &str) -> Check<LoginKey> {
    let started = node.start().map_err(err("start"))?;
    let driven = node
        .submit(&started.key, Input::UserId(user.into()))
        .map_err(err("User ID"))?;
    let driven = node
        .submit(&driven.key, Input::Password(PasswordCheck::Correct))
        .map_err(err("password"))?;
    Ok(driven.key)
}

/// A first login on `node` as [`USER`] through to the enrolled desktop token, whose TOTP it
/// returns.
///
/// # Errors
/// When a screen is not the one the flow expects.
pub fn enroll(node: &Node, seed: u64) -> Check<Totp> {
    enroll_as(node, USER, seed)
}

/// As [`enroll`], for `user`.
///
/// # Errors
/// As [`enroll`].
pub fn enroll_as(node: &Node, user: &str, seed: u64) -> Check<Totp> {
    let key = password_step(node, user)?;
    let pin = node.last_pin().ok_or("no PIN was sent")?;
    let driven = node.submit(&key, Input::Pin(pin)).map_err(err("PIN"))?;
    let driven = node
        .submit(
            &driven.key,
            Input::ChooseEnrollment(EnrollmentKind::Desktop),
        )
        .map_err(err("enrollment choice"))?;
    let Screen::DesktopActivation(page) = &driven.output.screen else {
        return Err(format!(
            "expected the desktop activation, saw {:?}",
            driven.output.screen
        ));
    };
    let app = TokenActivation::new(page.serial, page.activation_code.clone(), None);
    let (code, token) = app.register(&mut ChaCha20Rng::seed_from_u64(seed));
    let driven = node
        .submit(&driven.key, Input::RegistrationCode(code.to_string()))
        .map_err(err("registration code"))?;
    let driven = node
        .submit(&driven.key, Input::Continue)
        .map_err(err("continue"))?;
    ensure(driven.state.is_authenticated(), || {
        format!(
            "not authenticated after enrollment: {:?}",
            driven.output.screen
        )
    })?;
    Ok(token.totp())
}

/// A later login on `node` as [`USER`] with the token's code at the clock's time.
///
/// # Errors
/// When it does not end authenticated.
pub fn later_login(node: &Node, token: &Totp) -> Check {
    later_login_as(node, USER, token)
}

/// As [`later_login`], for `user`.
///
/// # Errors
/// As [`later_login`].
pub fn later_login_as(node: &Node, user: &str, token: &Totp) -> Check {
    let key = password_step(node, user)?;
    let code = token
        .generate(node.clock.now())
        .map_err(|e| e.to_string())?;
    let driven = node
        .submit(&key, Input::TokenCode(code.to_string()))
        .map_err(err("token code"))?;
    ensure(driven.state.is_authenticated(), || {
        format!("later login not authenticated: {:?}", driven.output.screen)
    })
}
