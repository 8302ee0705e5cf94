//! The facade's errors.

use thiserror::Error;

/// What can go wrong in the service, as opposed to in a login (which the screens report).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The store failed, or refused what it holds; its cause is the source.
    #[error(transparent)]
    Store(#[from] tollgate_store::StoreError),
    /// A user with this ID is already registered.
    #[error("a user with this ID is already registered")]
    DuplicateUser,
    /// The login key is not known (expired, finished, replaced, or never issued).
    #[error("no such login in progress")]
    UnknownLogin,
    /// Another request on the same login went first (a double submit, a second tab): this one
    /// was not applied, and nothing was counted. Show the page again.
    #[error("another request moved this login on first")]
    Superseded,
    /// The stored login is not what the service wrote (forged, altered, copied from another
    /// login, or rolled back): it was removed; start a new login.
    #[error("stored login refused: {0}")]
    LoginRefused(#[source] tollgate_login::Refusal),
    /// The account kept changing under this login: more compare-and-set conflicts in a row
    /// than the service retries.
    #[error("the account is too busy; try again")]
    Contended,
    /// Every password check is taken and the queue is full, or the wait for a turn ran out:
    /// answer "busy, try again in a moment" (HTTP 503 with `Retry-After`).
    #[error("the service is busy checking passwords; try again in a moment")]
    Busy,
    /// No such user (an administrator's action named one that is not registered).
    #[error("no such user")]
    UnknownUser,
    /// The account has no token (an administrator asked for an app unlock code).
    #[error("the account has no token")]
    NoToken,
    /// The account has no passkey (an administrator asked for "phishing-resistant only").
    #[error("the account has no passkey")]
    NoPasskey,
    /// The service keeps no audit trail in its store
    /// ([`ServiceBuilder::audit_trail`](crate::ServiceBuilder::audit_trail)).
    #[error("this service keeps no audit trail in its store")]
    NoAuditTrail,
    /// A re-enrollment grant asked to last no time, or longer than
    /// [`MAX_GRANT_LIFETIME`](crate::MAX_GRANT_LIFETIME).
    #[error("a re-enrollment grant lasts 1 s to {max} s")]
    GrantLifetime {
        /// The longest allowed, in seconds.
        max: u32,
    },
    /// The account has several tokens, and the action needs to know which (by serial number).
    #[error("the account has several tokens: name one by its serial number")]
    WhichToken,
    /// A password over the limit ([`PasswordLimits::max_len`](crate::PasswordLimits)), refused
    /// before any work was done.
    #[error("a password is at most {max} bytes")]
    PasswordTooLong {
        /// The limit, in bytes.
        max: usize,
    },
    /// Too many wrong passwords from this client's network lately: this one was not checked.
    /// Answer HTTP 429 with `Retry-After`.
    #[error("too many wrong passwords from this network; try again later")]
    Throttled {
        /// Seconds to wait at most (the limit's window).
        retry_after: u64,
    },
    /// A new password breaks the service's [`PasswordRules`](tollgate_login::PasswordRules):
    /// say which rule ([`PasswordRefusal`](tollgate_login::PasswordRefusal)'s text, or its
    /// catalogue message).
    #[error(transparent)]
    PasswordRefused(#[from] tollgate_login::PasswordRefusal),
    /// Password hashing failed.
    #[error("password hashing: {0}")]
    Password(String),
    /// A thread panicked while holding the service's RNG.
    #[error("a thread panicked while holding the service's RNG")]
    Poisoned,
    /// A signing call was refused ([`crate::signing`]).
    #[cfg(feature = "signing")]
    #[error(transparent)]
    Signing(#[from] crate::signing::SigningError),
    /// A User ID, phone number or e-mail address is not valid.
    #[error(transparent)]
    Input(#[from] tollgate_login::InputError),
}
