#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod audit;
#[cfg(feature = "conformance")]
pub mod conformance;
mod error;
mod keys;
pub mod ledger;
pub mod legacy;
mod memory;
pub mod rotation;
mod row;
mod sealing;
pub mod sessions;
pub mod sql;

pub use audit::{AuditRecord, MAX_AUDIT_DETAIL, MEMORY_AUDIT_LIMIT};
pub use error::{Source, StoreError};
pub use keys::{KEYS_HEADER, KeysError, MAX_KEYS_PER_KIND, ServiceKeys};
pub use memory::MemoryStore;
pub use row::AccountRow;
pub use sealing::{SealingKey, SealingKeys};
pub use sessions::{MemorySessions, SessionId, SessionSave, SessionStore, StoredSession};
pub use sql::SqlStore;

// What a store implements, re-exported for `forward_store!` and the store crates.
pub use tollgate_codes::SerialNumber;
pub use tollgate_login::{
    Account, Commit, EmailAddress, KeyId, KeyRing, LoginDigest, LoginStore, PhoneNumber, RingKey,
    SealedLogin, UserId,
};
pub use tollgate_otp::UnixTime;
#[cfg(feature = "signing")]
pub use tollgate_sign;

/// A random number generator a store (or a service) can share between threads: where the
/// sealing nonces come from.
pub type SharedRng = Box<dyn rand_core::CryptoRng + Send>;

/// The operating system's RNG.
#[must_use]
pub fn os_rng() -> SharedRng {
    Box::new(rand_core::UnwrapErr(getrandom::SysRng))
}

/// A password hash in PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$…`), as a store
/// keeps it. Its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// The PHC string, to store.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A stored PHC string.
    #[must_use]
    pub fn from_phc(phc: String) -> Self {
        Self(phc)
    }
}

tollgate_otp::redacted_debug!(PasswordHash);

/// A registered user: the stand-in for the portal's "personal validation".
#[derive(Clone, Debug)]
pub struct UserRecord {
    /// The User ID.
    pub id: UserId,
    /// The password's hash.
    pub password: PasswordHash,
    /// The account, with its version.
    pub account: Account,
}

/// Storage for users, their accounts, and logins in progress: what the login
/// `tollgate_login::Driver` needs ([`LoginStore`]), and the users' registration and
/// password hashes.
///
/// Every store passes the checks of [`conformance`][checks] (feature `conformance`).
///
/// [checks]: https://docs.rs/tollgate-store/latest/tollgate_store/conformance/
pub trait Store: LoginStore<Error = StoreError> + Send + Sync {
    /// Registers a user.
    ///
    /// # Errors
    /// [`StoreError::DuplicateUser`] when the ID is taken; [`StoreError::SerialTaken`] when
    /// the state holds another account's serial number; [`StoreError::Backend`].
    fn insert_user(&self, user: UserRecord) -> Result<(), StoreError>;

    /// Replaces `user`'s password hash (a reset or a change, once the service has checked
    /// both factors and the new password's rules). The account's state is not touched; a store
    /// that seals the hash with it (the SQL stores) writes it at the next version, so that a
    /// login that loaded the old one tries again on top of it.
    ///
    /// # Errors
    /// [`StoreError::Backend`]. `Ok(false)` when there is no such user.
    fn set_password(&self, user: &UserId, password: PasswordHash) -> Result<bool, StoreError>;

    /// Replaces `user`'s mobile number and e-mail address (an administrator's action). The
    /// account's state is not touched; a store that seals the contacts with it writes it at the
    /// next version.
    ///
    /// # Errors
    /// [`StoreError::Backend`]. `Ok(false)` when there is no such user.
    fn set_contacts(
        &self,
        user: &UserId,
        mobile: Option<&PhoneNumber>,
        email: Option<&EmailAddress>,
    ) -> Result<bool, StoreError>;

    /// Deletes `user`, their account and its serial numbers (an administrator's action). A
    /// login in progress for them goes on as an unknown user's would.
    ///
    /// # Errors
    /// [`StoreError::Backend`]. `Ok(false)` when there is no such user.
    fn delete_user(&self, user: &UserId) -> Result<bool, StoreError>;

    /// A user and their account as stored now.
    ///
    /// # Errors
    /// [`StoreError::Integrity`] for a row this service did not write;
    /// [`StoreError::Backend`].
    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError>;

    /// Counts a wrong password from `client` at `now`, in fixed windows of `window` seconds (a
    /// window that has ended starts again at `now`). Shared by every node of the service.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn count_client_failure(
        &self,
        client: &ClientKey,
        now: UnixTime,
        window: u64,
    ) -> Result<(), StoreError>;

    /// The wrong passwords counted from `client` in its current window of `window` seconds.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn client_failures(
        &self,
        client: &ClientKey,
        now: UnixTime,
        window: u64,
    ) -> Result<u64, StoreError>;

    /// Up to `limit` User IDs in the store's order, after `after` (from the first when
    /// `None`): for work over every account in batches that can stop and resume, such as
    /// re-sealing under a new key.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn users_after(&self, after: Option<&UserId>, limit: usize) -> Result<Vec<UserId>, StoreError>;

    /// Seals `user`'s account under the current sealing key if it is sealed under another
    /// (an old key of the ring, or the format before key identifiers): opened, sealed again,
    /// and written with a compare-and-set on its version, so that a login's concurrent update
    /// is never lost (the re-seal tries again on top of it, or finds it already current).
    ///
    /// # Errors
    /// [`StoreError::Integrity`] for a row that opens under no key of the ring;
    /// [`StoreError::Backend`].
    fn reseal(&self, user: &UserId) -> Result<Reseal, StoreError>;

    /// Appends `record` to its user's audit trail.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError>;

    /// The newest `limit` records of `user`'s audit trail, newest first (kept after the user
    /// is deleted).
    ///
    /// # Errors
    /// [`StoreError::Backend`]; [`StoreError::Integrity`] for a row this service did not write.
    fn audit_of(&self, user: &UserId, limit: usize) -> Result<Vec<AuditRecord>, StoreError>;
}

/// What [`Store::reseal`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reseal {
    /// The account was already sealed under the current key (or the store seals nothing).
    Current,
    /// It is now sealed under the current key.
    Resealed,
    /// There is no such user (deleted since it was listed).
    Gone,
    /// Other writers kept moving its version on; try it again later.
    Contended,
}

/// Whom the service throttles by: a SHA-256 of the client's network (its IPv4 address, or its
/// IPv6 /64, which one subscriber gets whole), so that the store keeps no address.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(pub [u8; 32]);

impl ClientKey {
    /// The key of `address`.
    #[must_use]
    pub fn of(address: std::net::IpAddr) -> Self {
        use sha2::Digest as _;
        let mut hash = sha2::Sha256::new();
        hash.update(b"tollgate client v1\0");
        match address {
            std::net::IpAddr::V4(v4) => hash.update(v4.octets()),
            std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => hash.update(v4.octets()),
                None => hash.update(&v6.octets()[..8]),
            },
        }
        Self(hash.finalize().into())
    }

    /// The key of this network's tries within one `scope`, counted apart from its wrong
    /// passwords: a serial number's online registrations (so that one network cannot spend
    /// another's), or the PINs its password resets make the service send.
    #[must_use]
    pub fn within(&self, scope: &str) -> Self {
        use sha2::Digest as _;
        let mut hash = sha2::Sha256::new();
        hash.update(b"tollgate client scope v1\0");
        hash.update(self.0);
        hash.update(scope.as_bytes());
        Self(hash.finalize().into())
    }
}

impl core::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ClientKey(..)")
    }
}
