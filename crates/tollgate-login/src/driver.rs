//! The loops that run decisions against a store: a login's ([`Driver::submit_loaded`]: load
//! the login and its account, handle the input, store the account change and the next state in
//! one atomic step, retry on a conflict, and only then hand back the effects), and every other
//! change to an account ([`change_account`]: online registration, the administrators',
//! re-sealing under a new key). The decisions themselves are pure; only these loop.

use rand_core::CryptoRng;
use tollgate_codes::SerialNumber;
use tollgate_otp::UnixTime;

use crate::account::{Account, AccountState, AccountUpdate};
use crate::error::{DriveError, Refusal};
use crate::keys::StateKeys;
use crate::machine::{Event, Input, LoginMachine};
use crate::output::{Effect, Output};
use crate::sealed::{LoginDigest, LoginKey, SealedLogin};
use crate::state::LoginState;
use crate::user::UserId;

mod memory;

pub use memory::{MemoryLoginStore, Poisoned};

/// How many compare-and-set conflicts in a row one input, or one account change, retries
/// before giving up.
pub(crate) const MAX_RETRIES: usize = 64;

/// What the [`Driver`] needs of a store: accounts by User ID, stored logins by digest, and one
/// atomic commit of both.
pub trait LoginStore {
    /// What goes wrong in the store.
    type Error;

    /// The account of `user` as stored now (`None` for an unknown user).
    ///
    /// # Errors
    /// When the store fails.
    fn account(&self, user: &UserId) -> Result<Option<Account>, Self::Error>;

    /// The login filed under `digest`, unless it is missing or expired at `now`.
    ///
    /// # Errors
    /// When the store fails.
    fn login(
        &self,
        digest: &LoginDigest,
        now: UnixTime,
    ) -> Result<Option<SealedLogin>, Self::Error>;

    /// The user whose token or pending activation has `serial` (a store keeps serial numbers
    /// unique across accounts), for the online registration.
    ///
    /// # Errors
    /// When the store fails.
    fn user_of_serial(&self, serial: &SerialNumber) -> Result<Option<UserId>, Self::Error>;

    /// The user whose passkey has the credential ID `credential` (a store keeps them unique
    /// across accounts, as [`AccountState::claims`](crate::AccountState::claims) names them),
    /// for a login with a passkey before any User ID is typed.
    ///
    /// # Errors
    /// When the store fails.
    fn user_of_passkey(&self, credential: &[u8]) -> Result<Option<UserId>, Self::Error>;

    /// Applies `commit` whole, or nothing of it: `Ok(false)` when one of its conditions does
    /// not hold (see [`Commit`]).
    ///
    /// # Errors
    /// When the store fails (a condition that does not hold is `Ok(false)`, not an error).
    fn commit(&self, commit: &Commit<'_>) -> Result<bool, Self::Error>;
}

/// One atomic step of a login: an account change and a stored login, each conditional.
///
/// A store applies all of it or none of it, and refuses (`Ok(false)` from
/// [`LoginStore::commit`]) when
/// - `account` is given and the account's version is no longer `expected_version`, or the new
///   state holds a serial number that another account holds (the machine draws serial numbers
///   at random, and draws again on the retry);
/// - `replaces` is given and no login is filed under that digest at that version (another
///   request moved it on);
/// - `login` is given, `replaces` is not, and a login is already filed under that digest.
///
/// Applied, it replaces the account's state (bumping its version), removes the login of
/// `replaces`, and files `login` (which may be under the same digest, or under a new one when
/// the key was replaced).
#[derive(Clone, Copy, Debug)]
pub struct Commit<'a> {
    /// The account change, for that user.
    pub account: Option<(&'a UserId, &'a AccountUpdate)>,
    /// The stored login this step replaces, at the version it was loaded at.
    pub replaces: Option<(&'a LoginDigest, u64)>,
    /// The login to file, and under which digest.
    pub login: Option<(&'a LoginDigest, &'a SealedLogin)>,
    /// A User ID that is no account, whose login this step files where a real account's step
    /// would also change the account: a store whose account write takes time (a database
    /// round trip) runs the same statements for it, on no row, so that the step takes as long
    /// as a real account's and its time does not tell a stranger which User IDs are accounts.
    /// It changes nothing.
    pub stand_in: Option<&'a UserId>,
}

/// What a decision about an account came to ([`change_account`]).
#[derive(Debug)]
#[must_use]
#[expect(
    clippy::large_enum_variant,
    reason = "made once per attempt and taken apart at once: a box would only add an allocation"
)]
pub enum Change<T> {
    /// Store this state, computed from the account as loaded (compare-and-set against its
    /// version), then answer `T`.
    Store(AccountState, T),
    /// Store nothing; answer `T`.
    Keep(T),
}

/// Changes `user`'s account: loads it, lets `decide` compute the change from it, and stores
/// the new state with compare-and-set; when another writer changed the account meanwhile, loads
/// it again and decides again (so `decide` must be a pure function of the account it is given:
/// it may run more than once, and only the last run's answer counts). `Ok(None)` when there is
/// no such account.
///
/// This is the one loop for every change outside a login: the administrators' actions, online
/// registration, re-sealing under a new key.
///
/// # Errors
/// [`DriveError::Contended`] when the account changed under it more often than it retries;
/// [`DriveError::Store`].
pub fn change_account<S: LoginStore + ?Sized, T>(
    store: &S,
    user: &UserId,
    mut decide: impl FnMut(&Account) -> Change<T>,
) -> Result<Option<T>, DriveError<S::Error>> {
    for _ in 0..MAX_RETRIES {
        let Some(account) = store.account(user).map_err(DriveError::Store)? else {
            return Ok(None);
        };
        let (state, answer) = match decide(&account) {
            Change::Keep(answer) => return Ok(Some(answer)),
            Change::Store(state, answer) => (state, answer),
        };
        let update = AccountUpdate {
            expected_version: account.version,
            state,
        };
        let commit = Commit {
            account: Some((user, &update)),
            replaces: None,
            login: None,
            stand_in: None,
        };
        if store.commit(&commit).map_err(DriveError::Store)? {
            return Ok(Some(answer));
        }
    }
    Err(DriveError::Contended)
}

/// What one input came to, once stored.
#[derive(Debug)]
#[must_use]
pub struct Driven {
    /// The login's key from now on: give it back to the client (it is a new one when the
    /// login's assurance rose, and its generation moves at every stored change).
    pub key: LoginKey,
    /// The login's state as stored.
    pub state: LoginState,
    /// What to show.
    pub output: Output,
    /// What to carry out now, in order: the PINs to send, the audit events, the notifications.
    pub effects: Vec<Effect>,
}

/// A login loaded and verified, waiting for its input ([`Driver::submit_loaded`]): a service
/// that must look at the login first (whose password to check) loads it once.
#[derive(Debug)]
pub struct Loaded {
    key: LoginKey,
    digest: LoginDigest,
    version: u64,
    state: LoginState,
    /// The login's account as the service already loaded it, if it did.
    account: Option<Account>,
}

impl Loaded {
    /// The login as stored.
    #[must_use]
    pub fn state(&self) -> &LoginState {
        &self.state
    }

    /// The same login with the account of [`LoginState::user`] as the service just loaded it
    /// (with its password hash, say): the driver handles the input against it instead of
    /// reading it again. A conflict on commit reloads it as usual.
    #[must_use]
    pub fn with_account(mut self, account: Account) -> Self {
        self.account = Some(account);
        self
    }
}

/// The machine and the key stored logins are authenticated under: runs inputs against a
/// [`LoginStore`].
#[derive(Clone, Debug)]
pub struct Driver {
    machine: LoginMachine,
    key: StateKeys,
}

impl Driver {
    /// A driver for `machine`, sealing stored logins under `key` (every node of a service must
    /// use the same one): a [`StateKey`](crate::StateKey), or a [`StateKeys`] ring whose old keys still open the
    /// logins stored before a rotation (each is sealed under the current key at its next step).
    #[must_use]
    pub fn new(machine: LoginMachine, key: impl Into<StateKeys>) -> Self {
        Self {
            machine,
            key: key.into(),
        }
    }

    /// The machine.
    #[must_use]
    pub fn machine(&self) -> &LoginMachine {
        &self.machine
    }

    /// Starts a login: files it under a new key, and shows "Enter User ID".
    ///
    /// # Errors
    /// [`DriveError::Store`]; [`DriveError::Contended`] if new keys keep colliding (they are
    /// 128 random bits: only a broken RNG does that).
    pub fn start<S: LoginStore + ?Sized>(
        &self,
        store: &S,
        now: UnixTime,
        rng: &mut impl CryptoRng,
    ) -> Result<Driven, DriveError<S::Error>> {
        for _ in 0..MAX_RETRIES {
            let transition = self.machine.start(now, rng);
            let key = LoginKey::generate(rng, 0);
            let digest = key.digest();
            let sealed = SealedLogin::seal(transition.next(), &self.key, &digest, 0);
            let commit = Commit {
                account: None,
                replaces: None,
                login: Some((&digest, &sealed)),
                stand_in: None,
            };
            if store.commit(&commit).map_err(DriveError::Store)? {
                let state = transition.next().clone();
                let (output, effects) = transition.into_effects();
                return Ok(Driven {
                    key,
                    state,
                    output,
                    effects,
                });
            }
        }
        Err(DriveError::Contended)
    }

    /// Loads the login filed under `key` and checks it.
    ///
    /// # Errors
    /// [`DriveError::UnknownLogin`] when nothing is filed under it; [`DriveError::Refused`]
    /// (and the row is removed) when it does not verify or is older than the key;
    /// [`DriveError::Store`].
    pub fn load<S: LoginStore + ?Sized>(
        &self,
        store: &S,
        key: &LoginKey,
        now: UnixTime,
    ) -> Result<Loaded, DriveError<S::Error>> {
        let digest = key.digest();
        let sealed = store
            .login(&digest, now)
            .map_err(DriveError::Store)?
            .ok_or(DriveError::UnknownLogin)?;
        let refusal = match sealed.open(&self.key, &digest) {
            Ok(_) if sealed.version < key.generation() => Refusal::RolledBack {
                stored: sealed.version,
                presented: key.generation(),
            },
            Ok(state) => {
                return Ok(Loaded {
                    key: key.clone(),
                    digest,
                    version: sealed.version,
                    state,
                    account: None,
                });
            }
            Err(refusal) => refusal,
        };
        // Nothing of a refused row is trusted, or kept.
        let remove = Commit {
            account: None,
            replaces: Some((&digest, sealed.version)),
            login: None,
            stand_in: None,
        };
        store.commit(&remove).map_err(DriveError::Store)?;
        Err(DriveError::Refused(refusal))
    }

    /// Applies `input` to the login filed under `key`.
    ///
    /// # Errors
    /// As [`Driver::load`] and [`Driver::submit_loaded`].
    pub fn submit<S: LoginStore + ?Sized>(
        &self,
        store: &S,
        key: &LoginKey,
        input: impl Into<Event>,
        now: UnixTime,
        rng: &mut impl CryptoRng,
    ) -> Result<Driven, DriveError<S::Error>> {
        let loaded = self.load(store, key, now)?;
        self.submit_loaded(store, loaded, input, now, rng)
    }

    /// Applies `input` to a login [`Driver::load`] returned: handles it against the account as
    /// stored, commits the account change and the next state together, and on a conflict
    /// reloads and handles it again. [`Input::Tick`] from a key an older generation than the
    /// stored login (a page shown again while another request went through) shows the login as
    /// it is; any other input from such a key is [`DriveError::Superseded`], and counts
    /// nothing.
    ///
    /// # Errors
    /// [`DriveError::Superseded`] when another request moved the login on first (this input
    /// was not applied); [`DriveError::Contended`] after too many conflicts on the account;
    /// [`DriveError::Store`].
    pub fn submit_loaded<S: LoginStore + ?Sized>(
        &self,
        store: &S,
        loaded: Loaded,
        input: impl Into<Event>,
        now: UnixTime,
        rng: &mut impl CryptoRng,
    ) -> Result<Driven, DriveError<S::Error>> {
        let Loaded {
            key,
            digest,
            version,
            state,
            account: mut preloaded,
        } = loaded;
        let mut input = input.into();
        let tick = input.is(&Input::Tick);
        if key.generation() < version && !tick {
            return Err(DriveError::Superseded);
        }
        // A passkey's answer before any User ID: its credential names the account.
        let mut owner = None;
        if state.expects_discoverable()
            && let Event::Input(Input::Passkey(response)) = &input
            && let Some(credential) = LoginMachine::passkey_credential(response)
            && let Some(user) = store
                .user_of_passkey(&credential)
                .map_err(DriveError::Store)?
        {
            owner = Some(user.clone());
            input = Event::Report(crate::Report::PasskeyOwner {
                user,
                response: response.clone(),
            });
        }
        let whose = state.user().or(owner.as_ref());
        for _ in 0..MAX_RETRIES {
            let account = match (preloaded.take(), whose) {
                (Some(account), Some(_)) => Some(account),
                (_, Some(user)) => store.account(user).map_err(DriveError::Store)?,
                (_, None) => None,
            };
            let transition =
                self.machine
                    .handle(state.clone(), input.clone(), account.as_ref(), now, rng);
            // A page shown again stores nothing; every other input is stored, changed or not,
            // so that a key's generation moves alike for every user (an unknown User ID
            // included).
            if tick && transition.is_unchanged(&state) {
                let (output, effects) = transition.into_effects();
                return Ok(Driven {
                    key: key.at_generation(version),
                    state,
                    output,
                    effects,
                });
            }
            let next_version = version.saturating_add(1);
            let next_key = if transition.rekey() {
                LoginKey::generate(rng, next_version)
            } else {
                key.at_generation(next_version)
            };
            let next_digest = next_key.digest();
            let sealed =
                SealedLogin::seal(transition.next(), &self.key, &next_digest, next_version);
            let commit = Commit {
                account: transition.update().zip(whose).map(|(u, user)| (user, u)),
                replaces: Some((&digest, version)),
                login: Some((&next_digest, &sealed)),
                stand_in: state.user().filter(|_| transition.stand_in()),
            };
            if store.commit(&commit).map_err(DriveError::Store)? {
                let state = transition.next().clone();
                let (output, effects) = transition.into_effects();
                return Ok(Driven {
                    key: next_key,
                    state,
                    output,
                    effects,
                });
            }
            // The account changed, or the login did: only the first is retried.
            let current = store.login(&digest, now).map_err(DriveError::Store)?;
            if current.is_none_or(|row| row.version != version) {
                return Err(DriveError::Superseded);
            }
        }
        Err(DriveError::Contended)
    }

    /// Ends the login filed under `key` (a logout): its key is dead from now on.
    ///
    /// # Errors
    /// [`DriveError::Superseded`] when another request moved it on first;
    /// [`DriveError::Store`].
    pub fn end<S: LoginStore + ?Sized>(
        &self,
        store: &S,
        key: &LoginKey,
        now: UnixTime,
    ) -> Result<(), DriveError<S::Error>> {
        let loaded = self.load(store, key, now)?;
        let commit = Commit {
            account: None,
            replaces: Some((&loaded.digest, loaded.version)),
            login: None,
            stand_in: None,
        };
        if store.commit(&commit).map_err(DriveError::Store)? {
            Ok(())
        } else {
            Err(DriveError::Superseded)
        }
    }
}
