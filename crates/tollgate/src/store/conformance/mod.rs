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

use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::TokenActivation;
use tollgate_login::{Account, Config, EnrollmentKind, Input, PinKey, Screen, UserId};
use tollgate_otp::{Totp, UnixTime};

mod basics;
mod crash;
mod races;

pub use basics::basics;
pub use crash::{Ack, kill_after, kill_in_rounds, stream, stream_to_stdout, verify_acks};
pub use races::{RaceReport, lockout_race, replay_race};

use super::Store;
use crate::clock::ManualClock;
use crate::delivery::Outbox;
use crate::error::Error;
use crate::password::danger;
use crate::service::Service;

/// A check's verdict: `Err` says what broke.
pub type Check<T = ()> = Result<T, String>;

pub(crate) fn ensure(condition: bool, what: impl FnOnce() -> String) -> Check {
    if condition { Ok(()) } else { Err(what()) }
}

pub(crate) fn err(context: &str) -> impl FnOnce(Error) -> String + '_ {
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

pub(crate) fn password_step(node: &Node, user: &str) -> Check<String> {
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

pub(crate) fn enroll_as(node: &Node, user: &str, seed: u64) -> Check<Totp> {
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

pub(crate) fn later_login_as(node: &Node, user: &str, token: &Totp) -> Check {
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
