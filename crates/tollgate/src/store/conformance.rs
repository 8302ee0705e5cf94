//! What every [`Store`] must do for the login machine to keep its promises, as checks that a
//! store's own tests call (feature `conformance`): the memory store, the SQLite and PostgreSQL
//! stores, and yours.
//!
//! A [`Cluster`] stands for several service nodes: one [`Service`] per store handle (give each
//! its own connection), sharing one virtual clock, one PIN key and one user. The races then
//! submit from one thread per node at once, and count what the database let through.
//!
//! Every check returns `Err` with a sentence saying what broke, so that a test can
//! `.expect()` it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::TokenActivation;
use tollgate_login::{
    Account, AccountState, AccountUpdate, Config, EnrollmentKind, Input, PinKey, Screen, UserId,
};
use tollgate_otp::{Totp, UnixTime};

use super::{Store, UserRecord};
use crate::clock::{Clock as _, ManualClock};
use crate::delivery::Outbox;
use crate::error::Error;
use crate::password::danger;
use crate::service::Service;

/// A check's verdict: `Err` says what broke.
pub type Check<T = ()> = Result<T, String>;

fn ensure(condition: bool, what: impl FnOnce() -> String) -> Check {
    if condition { Ok(()) } else { Err(what()) }
}

fn err(context: &str) -> impl FnOnce(Error) -> String + '_ {
    move |e| format!("{context}: {e}")
}

/// The user every check logs in as.
pub const USER: &str = "john.smith@example.com";
/// Their password.
pub const PASSWORD: &str = "correct horse";

/// One service node: a [`Service`] over one store handle, with its own outbox.
#[derive(Debug)]
pub struct Node {
    /// The service.
    pub service: Service,
    /// Where its PINs went.
    pub outbox: Outbox,
}

/// Several nodes over one database, one clock, one PIN key.
#[derive(Debug)]
pub struct Cluster {
    /// The nodes, one per store handle.
    pub nodes: Vec<Node>,
    /// The clock they share.
    pub clock: ManualClock,
    /// The user, registered through the first node.
    pub user: UserId,
}

impl Cluster {
    /// One node per store in `stores` (which must all reach the same database), the [`USER`]
    /// registered, the clock at 2023-11-14. Deterministic for a given `seed`, but for the OS
    /// randomness of the stores' sealing nonces.
    ///
    /// # Errors
    /// When a service cannot be built or the user cannot be registered.
    pub fn new(stores: Vec<Arc<dyn Store>>, config: &Config, seed: u64) -> Check<Self> {
        let cluster = Self::unregistered(stores, config, seed)?;
        cluster
            .first()
            .service
            .register_user(USER, PASSWORD, Some("+16132701234"), Some(USER))
            .map_err(err("registering the user"))?;
        Ok(cluster)
    }

    /// As [`Cluster::new`], over a database where [`USER`] is already registered (the same
    /// `seed` gives the same PIN key).
    ///
    /// # Errors
    /// When a service cannot be built.
    pub fn unregistered(stores: Vec<Arc<dyn Store>>, config: &Config, seed: u64) -> Check<Self> {
        let clock = ManualClock::new(UnixTime::from_secs(1_700_000_000));
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let passwords = danger::weak_passwords_for_tests(&mut rng).map_err(err("passwords"))?;
        let mut key = [0u8; 32];
        rand_core::Rng::fill_bytes(&mut rng, &mut key);
        let mut nodes = Vec::with_capacity(stores.len());
        for (i, store) in stores.into_iter().enumerate() {
            let outbox = Outbox::new();
            let service = Service::builder()
                .config(config.clone())
                .pin_key(PinKey::new(key))
                .store(store)
                .delivery(Arc::new(outbox.clone()))
                .clock(Arc::new(clock.clone()))
                .rng(Box::new(ChaCha20Rng::seed_from_u64(seed ^ (i as u64 + 1))))
                .passwords(passwords.clone())
                .build()
                .map_err(err("building a service"))?;
            nodes.push(Node { service, outbox });
        }
        if nodes.is_empty() {
            return Err("a cluster needs a node".into());
        }
        let user = USER.parse().map_err(|e| format!("{e}"))?;
        Ok(Self { nodes, clock, user })
    }

    fn first(&self) -> &Node {
        &self.nodes[0]
    }

    /// The account as the first node's store holds it now.
    ///
    /// # Errors
    /// When the store fails or the user is gone.
    pub fn account(&self) -> Check<Account> {
        self.first()
            .service
            .store()
            .user(&self.user)
            .map_err(err("loading the account"))?
            .map(|u| u.account)
            .ok_or_else(|| "the user is gone".to_owned())
    }
}

/// User ID and the right password on `node` as [`USER`]: returns the login key, at the PIN or
/// token code.
///
/// # Errors
/// When a submission fails.
pub fn to_second_factor(node: &Node) -> Check<String> {
    password_step(node, USER)
}

fn password_step(node: &Node, user: &str) -> Check<String> {
    let service = &node.service;
    let login = service.start().map_err(err("start"))?.login;
    service
        .submit(&login, Input::UserId(user.into()))
        .map_err(err("User ID"))?;
    service
        .submit(&login, Input::Password(PASSWORD.to_owned().into()))
        .map_err(err("password"))?;
    Ok(login)
}

/// A first login on `node` as [`USER`] through to the enrolled desktop token, whose TOTP it
/// returns.
///
/// # Errors
/// When a screen is not the one the flow expects.
pub fn enroll(node: &Node, seed: u64) -> Check<Totp> {
    enroll_as(node, USER, seed)
}

fn enroll_as(node: &Node, user: &str, seed: u64) -> Check<Totp> {
    let service = &node.service;
    let login = password_step(node, user)?;
    let pin = node.outbox.last_pin().ok_or("no PIN was sent")?;
    service
        .submit(&login, Input::Pin(pin))
        .map_err(err("PIN"))?;
    let view = service
        .submit(&login, Input::ChooseEnrollment(EnrollmentKind::Desktop))
        .map_err(err("enrollment choice"))?;
    let Screen::DesktopActivation(page) = view.screen else {
        return Err(format!(
            "expected the desktop activation, saw {:?}",
            view.screen
        ));
    };
    let app = TokenActivation::new(page.serial, page.activation_code.clone(), None);
    let (code, token) = app.register(&mut ChaCha20Rng::seed_from_u64(seed));
    service
        .submit(&login, Input::RegistrationCode(code.to_string()))
        .map_err(err("registration code"))?;
    let view = service
        .submit(&login, Input::Continue)
        .map_err(err("continue"))?;
    ensure(view.authenticated().is_some(), || {
        format!("not authenticated after enrollment: {:?}", view.screen)
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

fn later_login_as(node: &Node, user: &str, token: &Totp) -> Check {
    let login = password_step(node, user)?;
    let code = token
        .generate(node.service.now())
        .map_err(|e| e.to_string())?;
    let view = node
        .service
        .submit(&login, Input::TokenCode(code.to_string()))
        .map_err(err("token code"))?;
    ensure(view.authenticated().is_some(), || {
        format!("later login not authenticated: {:?}", view.screen)
    })
}

/// The plain promises: users are unique, updates are compare-and-set and bump the version,
/// state (with its sealed secrets) round-trips, serial numbers are unique across accounts, and
/// logins in progress expire.
///
/// # Errors
/// The first promise broken.
pub fn basics(store: &dyn Store, passwords_seed: u64) -> Check {
    let mut rng = ChaCha20Rng::seed_from_u64(passwords_seed);
    let passwords = danger::weak_passwords_for_tests(&mut rng).map_err(err("passwords"))?;
    let record = |id: &str| -> Check<UserRecord> {
        Ok(UserRecord {
            id: id.parse().map_err(|e| format!("{e}"))?,
            password: passwords
                .hash(b"pw", &mut rng.clone())
                .map_err(err("hash"))?,
            account: Account {
                version: 0,
                mobile: Some("+16132701234".parse().map_err(|e| format!("{e}"))?),
                email: None,
                state: AccountState::default(),
            },
        })
    };
    let alice = record("alice@example.com")?;
    let bob = record("bob@example.com")?;
    store
        .insert_user(alice.clone())
        .map_err(err("insert alice"))?;
    store.insert_user(bob.clone()).map_err(err("insert bob"))?;
    ensure(
        matches!(store.insert_user(alice.clone()), Err(Error::DuplicateUser)),
        || "a second user with the same ID was not refused as DuplicateUser".into(),
    )?;
    let loaded = store
        .user(&alice.id)
        .map_err(err("load alice"))?
        .ok_or("alice is not there")?;
    ensure(loaded.password == alice.password, || {
        "the password hash changed".into()
    })?;
    ensure(
        loaded.account.mobile.as_ref().map(|m| m.as_str()) == Some("+16132701234"),
        || "the mobile number changed".into(),
    )?;
    ensure(
        store
            .user(&"nobody@example.com".parse().map_err(|e| format!("{e}"))?)
            .map_err(err("load nobody"))?
            .is_none(),
        || "an unknown user was found".into(),
    )?;

    // A state with a token and a pending activation, each with secrets.
    let mut state = AccountState {
        password_failures: 2,
        code_failures: 3,
        lockouts: 1,
        locked_until: Some(UnixTime::from_secs(1_700_000_600)),
        ..AccountState::default()
    };
    let secret = tollgate_otp::Secret::from_array([7u8; 32]);
    let serial = tollgate_codes::SerialNumber::generate(&mut rng);
    state.token = Some(tollgate_login::TokenRecord {
        serial,
        secret,
        params: tollgate_otp::TotpParams::default(),
        last_step: Some(tollgate_otp::Step::new(56_666_666)),
        drift: -2,
    });
    let activation = tollgate_codes::Activation::issue(
        tollgate_codes::SerialNumber::generate(&mut rng),
        None,
        UnixTime::from_secs(1_700_000_000),
        tollgate_codes::ActivationLifetime::default(),
        &mut rng,
    );
    state.pending = Some(tollgate_login::PendingActivation {
        activation,
        kind: EnrollmentKind::Mobile,
    });
    let update = AccountUpdate {
        expected_version: 0,
        state: state.clone(),
    };
    ensure(
        store
            .update_account(&alice.id, &update)
            .map_err(err("update"))?,
        || "an update at the stored version was refused".into(),
    )?;
    ensure(
        !store
            .update_account(&alice.id, &update)
            .map_err(err("stale update"))?,
        || "an update at a stale version was applied".into(),
    )?;
    let loaded = store
        .user(&alice.id)
        .map_err(err("reload"))?
        .ok_or("alice is gone")?
        .account;
    ensure(loaded.version == 1, || {
        format!("version is {} after one update", loaded.version)
    })?;
    same_state(&loaded.state, &state)?;

    // Bob cannot take alice's token serial number, nor her pending one.
    let taken = AccountUpdate {
        expected_version: 0,
        state: AccountState {
            token: state.token.clone(),
            ..AccountState::default()
        },
    };
    ensure(
        !store
            .update_account(&bob.id, &taken)
            .map_err(err("serial collision"))?,
        || "a second account was given a token serial number already in use".into(),
    )?;
    let taken = AccountUpdate {
        expected_version: 0,
        state: AccountState {
            pending: state.pending.clone(),
            ..AccountState::default()
        },
    };
    ensure(
        !store
            .update_account(&bob.id, &taken)
            .map_err(err("pending collision"))?,
        || "a second account was given an activation serial number already in use".into(),
    )?;
    ensure(
        !store
            .update_account(
                &"nobody@example.com".parse().map_err(|e| format!("{e}"))?,
                &AccountUpdate {
                    expected_version: 0,
                    state: AccountState::default(),
                },
            )
            .map_err(err("unknown"))?,
        || "an update to an unknown user was applied".into(),
    )?;

    // An update with the login saved alongside: both or neither.
    let now = UnixTime::from_secs(1_700_000_000);
    let later = UnixTime::from_secs(1_700_000_100);
    ensure(
        !store
            .update_account_and_save_login(&alice.id, &update, "k0", "stale", later)
            .map_err(err("stale update with login"))?,
        || "a stale update with its login was applied".into(),
    )?;
    ensure(
        store.load_login("k0", now).map_err(err("load"))?.is_none(),
        || "the login of a refused update was saved".into(),
    )?;
    let next = AccountUpdate {
        expected_version: 1,
        state: state.clone(),
    };
    ensure(
        store
            .update_account_and_save_login(&alice.id, &next, "k0", "moved on", later)
            .map_err(err("update with login"))?,
        || "an update with its login at the stored version was refused".into(),
    )?;
    ensure(
        store.load_login("k0", now).map_err(err("load"))? == Some("moved on".into()),
        || "the login of an applied update was not saved".into(),
    )?;

    // Logins in progress.
    store
        .save_login("k1", "{\"a\":1}", UnixTime::from_secs(1_700_000_100))
        .map_err(err("save"))?;
    store
        .save_login("k1", "{\"a\":2}", UnixTime::from_secs(1_700_000_100))
        .map_err(err("overwrite"))?;
    ensure(
        store.load_login("k1", now).map_err(err("load"))? == Some("{\"a\":2}".into()),
        || "a saved login did not come back as last saved".into(),
    )?;
    ensure(
        store
            .load_login("k1", UnixTime::from_secs(1_700_000_100))
            .map_err(err("load expired"))?
            .is_none(),
        || "a login was loaded at its expiry".into(),
    )?;
    store
        .save_login("k2", "x", UnixTime::from_secs(1_700_000_100))
        .map_err(err("save"))?;
    store.remove_login("k2").map_err(err("remove"))?;
    ensure(
        store.load_login("k2", now).map_err(err("load"))?.is_none(),
        || "a removed login was loaded".into(),
    )?;
    ensure(
        store
            .load_login("never", now)
            .map_err(err("load"))?
            .is_none(),
        || "an unknown login was loaded".into(),
    )
}

/// Two states are the same, secrets included.
fn same_state(got: &AccountState, want: &AccountState) -> Check {
    let plain = |s: &AccountState| {
        (
            s.password_failures,
            s.code_failures,
            s.lockouts,
            s.locked_until,
        )
    };
    ensure(plain(got) == plain(want), || {
        "counters or the lock changed".into()
    })?;
    match (&got.token, &want.token) {
        (None, None) => {}
        (Some(g), Some(w)) => ensure(
            g.serial == w.serial
                && g.secret.expose_secret() == w.secret.expose_secret()
                && g.params == w.params
                && g.last_step == w.last_step
                && g.drift == w.drift,
            || "the token changed in the store".into(),
        )?,
        _ => return Err("the token appeared or vanished".into()),
    }
    match (&got.pending, &want.pending) {
        (None, None) => Ok(()),
        (Some(g), Some(w)) => ensure(
            g.kind == w.kind
                && g.activation.serial() == w.activation.serial()
                && g.activation.activation_code().expose_grouped()
                    == w.activation.activation_code().expose_grouped()
                && g.activation.expires_at() == w.activation.expires_at()
                && g.activation.policy().map(|p| p.as_str())
                    == w.activation.policy().map(|p| p.as_str()),
            || "the pending activation changed in the store".into(),
        ),
        _ => Err("the pending activation appeared or vanished".into()),
    }
}

/// What a replay race saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RaceReport {
    /// Submissions in all.
    pub tries: usize,
    /// Rounds in which more than one node accepted the code.
    pub double_accepts: usize,
    /// Rounds in which no node accepted it.
    pub never_accepted: usize,
}

/// Each round, every node submits the same fresh token code for one account at once, from its
/// own thread; `rounds` rounds. Exactly one node should accept each round. The cluster's
/// config must allow a round's losers (their replays count as failures) before the lock.
///
/// # Errors
/// When a submission fails or the enrollment does not go through.
pub fn replay_race(cluster: &Cluster, rounds: usize) -> Check<RaceReport> {
    let token = enroll(cluster.first(), 3)?;
    let barrier = Barrier::new(cluster.nodes.len());
    let accepted = AtomicUsize::new(0);
    let mut report = RaceReport::default();
    for _ in 0..rounds {
        cluster.clock.advance(30);
        let code = token
            .generate(cluster.clock.now())
            .map_err(|e| e.to_string())?
            .to_string();
        let logins = cluster
            .nodes
            .iter()
            .map(to_second_factor)
            .collect::<Check<Vec<_>>>()?;
        accepted.store(0, Ordering::SeqCst);
        let failures: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = cluster
                .nodes
                .iter()
                .zip(&logins)
                .map(|(node, login)| {
                    let (barrier, accepted, code) = (&barrier, &accepted, &code);
                    scope.spawn(move || -> Check {
                        barrier.wait();
                        let view = node
                            .service
                            .submit(login, Input::TokenCode(code.clone()))
                            .map_err(err("racing code"))?;
                        if view.authenticated().is_some() {
                            accepted.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok(())
                    })
                })
                .collect();
            handles
                .into_iter()
                .filter_map(|h| match h.join() {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e),
                    Err(_) => Some("a racing thread panicked".into()),
                })
                .collect()
        });
        if let Some(first) = failures.into_iter().next() {
            return Err(first);
        }
        report.tries += cluster.nodes.len();
        match accepted.load(Ordering::SeqCst) {
            0 => report.never_accepted += 1,
            1 => {}
            _ => report.double_accepts += 1,
        }
    }
    Ok(report)
}

/// Every node guesses `guesses` wrong values at once: passwords (at the password screen) or,
/// with `codes`, token codes (after an enrollment). Returns how many failures the account
/// counted (its version's growth) and whether it ended locked.
///
/// # Errors
/// When a submission fails.
pub fn lockout_race(cluster: &Cluster, guesses: usize, codes: bool) -> Check<(u64, bool)> {
    if codes {
        enroll(cluster.first(), 5)?;
    }
    let logins = cluster
        .nodes
        .iter()
        .map(|node| {
            if codes {
                to_second_factor(node)
            } else {
                let login = node.service.start().map_err(err("start"))?.login;
                node.service
                    .submit(&login, Input::UserId(USER.into()))
                    .map_err(err("User ID"))?;
                Ok(login)
            }
        })
        .collect::<Check<Vec<_>>>()?;
    let before = cluster.account()?.version;
    let barrier = Barrier::new(cluster.nodes.len());
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cluster
            .nodes
            .iter()
            .zip(&logins)
            .enumerate()
            .map(|(i, (node, login))| {
                let barrier = &barrier;
                scope.spawn(move || -> Check {
                    barrier.wait();
                    for guess in 0..guesses {
                        let input = if codes {
                            Input::TokenCode(format!("{:06}", i * 1000 + guess))
                        } else {
                            Input::Password(format!("guess {guess}").into())
                        };
                        node.service.submit(login, input).map_err(err("guessing"))?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| match h.join() {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(_) => Some("a guessing thread panicked".into()),
            })
            .collect()
    });
    if let Some(first) = failures.into_iter().next() {
        return Err(first);
    }
    let account = cluster.account()?;
    Ok((
        account.version - before,
        account.is_locked(cluster.clock.now()),
    ))
}

/// An update a service acknowledged: once printed, it must survive a crash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ack {
    /// The user was registered.
    Registered {
        /// The User ID.
        user: String,
    },
    /// The user's token with this serial number was enrolled.
    Enrolled {
        /// The User ID.
        user: String,
        /// The token's serial number.
        serial: String,
    },
    /// A login was authenticated, leaving the account at this version.
    LoggedIn {
        /// The User ID.
        user: String,
        /// The account's version after the login.
        version: u64,
    },
}

impl core::fmt::Display for Ack {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Registered { user } => write!(f, "ack registered {user}"),
            Self::Enrolled { user, serial } => write!(f, "ack enrolled {user} {serial}"),
            Self::LoggedIn { user, version } => write!(f, "ack login {user} {version}"),
        }
    }
}

impl Ack {
    /// An ack from its [`Display`](core::fmt::Display) line; `None` for anything else.
    #[must_use]
    pub fn parse(line: &str) -> Option<Self> {
        let mut words = line.split(' ');
        if words.next()? != "ack" {
            return None;
        }
        let kind = words.next()?;
        let user = words.next()?.to_owned();
        let ack = match kind {
            "registered" => Self::Registered { user },
            "enrolled" => Self::Enrolled {
                user,
                serial: words.next()?.to_owned(),
            },
            "login" => Self::LoggedIn {
                user,
                version: words.next()?.parse().ok()?,
            },
            _ => return None,
        };
        words.next().is_none().then_some(ack)
    }
}

/// A stream of users, each registered, enrolled and logged in again, through one service over
/// `store`, starting at user number `first`; `ack` hears of each update once the service has
/// acknowledged it. Runs `users` users, or forever with `None` (until the process is killed).
///
/// # Errors
/// When a step does not go as the flow expects.
pub fn stream(
    store: Arc<dyn Store>,
    first: u64,
    users: Option<u64>,
    ack: &mut dyn FnMut(&Ack),
) -> Check {
    let clock = ManualClock::new(UnixTime::from_secs(1_700_000_000 + first * 1000));
    let mut rng = ChaCha20Rng::seed_from_u64(first);
    let outbox = Outbox::new();
    let node = Node {
        service: Service::builder()
            .pin_key(PinKey::new([9; 32]))
            .store(store)
            .delivery(Arc::new(outbox.clone()))
            .clock(Arc::new(clock.clone()))
            .rng(Box::new(ChaCha20Rng::seed_from_u64(first + 1)))
            .passwords(danger::weak_passwords_for_tests(&mut rng).map_err(err("passwords"))?)
            .build()
            .map_err(err("building the service"))?,
        outbox,
    };
    let last = users.map_or(u64::MAX, |n| first + n);
    for i in first..last {
        let user = format!("user{i}@example.com");
        let id: UserId = user.parse().map_err(|e| format!("{e}"))?;
        node.service
            .register_user(&user, PASSWORD, Some("+16132701234"), None)
            .map_err(err("registering"))?;
        ack(&Ack::Registered { user: user.clone() });
        let token = enroll_as(&node, &user, i)?;
        let account = node
            .service
            .store()
            .user(&id)
            .map_err(err("reload"))?
            .ok_or("the user vanished")?
            .account;
        let serial = account
            .state
            .token
            .map(|t| t.serial.to_string())
            .ok_or("enrolled, but no token stored")?;
        ack(&Ack::Enrolled {
            user: user.clone(),
            serial,
        });
        clock.advance(30);
        later_login_as(&node, &user, &token)?;
        let version = node
            .service
            .store()
            .user(&id)
            .map_err(err("reload"))?
            .ok_or("the user vanished")?
            .account
            .version;
        ack(&Ack::LoggedIn { user, version });
        clock.advance(30);
    }
    Ok(())
}

/// Checks that `store` holds every acknowledged update; returns how many it checked.
///
/// # Errors
/// The first acknowledged update that is not there.
pub fn verify_acks(store: &dyn Store, acks: &[Ack]) -> Check<usize> {
    for ack in acks {
        let (Ack::Registered { user } | Ack::Enrolled { user, .. } | Ack::LoggedIn { user, .. }) =
            ack;
        let id: UserId = user.parse().map_err(|e| format!("{e}"))?;
        let found = store
            .user(&id)
            .map_err(err("loading after the crash"))?
            .ok_or_else(|| format!("lost after the crash: {ack}"))?;
        match ack {
            Ack::Registered { .. } => {}
            Ack::Enrolled { serial, .. } => ensure(
                found
                    .account
                    .state
                    .token
                    .is_some_and(|t| t.serial.to_string() == *serial),
                || format!("lost after the crash: {ack}"),
            )?,
            Ack::LoggedIn { version, .. } => ensure(found.account.version >= *version, || {
                format!(
                    "lost after the crash: {ack} (version {} now)",
                    found.account.version
                )
            })?,
        }
    }
    Ok(acks.len())
}

/// Runs `child` (a process that runs [`stream`] and prints each [`Ack`] on its own line),
/// kills it with SIGKILL once it has acknowledged `kill_after` updates, and returns them.
///
/// # Errors
/// When the child cannot start, or ends by itself before that many acknowledgements.
pub fn kill_after(mut child: std::process::Command, kill_after: usize) -> Check<Vec<Ack>> {
    use std::io::{BufRead as _, Read as _};
    let mut child = child
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the child: {e}"))?;
    let stdout = child.stdout.take().ok_or("the child has no stdout")?;
    let mut acks = Vec::with_capacity(kill_after);
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading the child: {e}"))?;
        if let Some(ack) = Ack::parse(&line) {
            acks.push(ack);
            if acks.len() == kill_after {
                // std's kill is SIGKILL on Unix: no destructor, no flush, no rollback.
                child
                    .kill()
                    .map_err(|e| format!("cannot kill the child: {e}"))?;
                break;
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for the child: {e}"))?;
    if acks.len() < kill_after {
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        return Err(format!(
            "the child ended by itself after {} acknowledgements ({status}): {stderr}",
            acks.len()
        ));
    }
    Ok(acks)
}
