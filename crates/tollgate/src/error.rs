//! The facade's errors.

use thiserror::Error;

/// What can go wrong in the service, as opposed to in a login (which the screens report).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The store failed.
    #[error("store: {0}")]
    Store(String),
    /// A stored record is not what this service wrote: a sealed secret does not open under
    /// the sealing key (wrong key, or the row was altered or moved), or a column holds what no
    /// account can.
    #[error("stored data refused: {0}")]
    Integrity(String),
    /// A user with this ID is already registered.
    #[error("a user with this ID is already registered")]
    DuplicateUser,
    /// The login key is not known (expired, finished, or never issued).
    #[error("no such login in progress")]
    UnknownLogin,
    /// The account kept changing under this login: more compare-and-set conflicts in a row
    /// than the service retries.
    #[error("the account is too busy; try again")]
    Contended,
    /// Password hashing failed.
    #[error("password hashing: {0}")]
    Password(String),
    /// A stored login could not be loaded.
    #[error(transparent)]
    State(#[from] tollgate_login::StateError),
    /// A User ID, phone number or e-mail address is not valid.
    #[error(transparent)]
    Input(#[from] tollgate_login::InputError),
}
