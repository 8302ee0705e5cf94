//! How often one request reads the account: once. A typed password needs the account's
//! password hash and its state; the service reads both in one go and hands the account to the
//! driver, which does not read it again (before, each password was two selects and two unseals
//! of the same row).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::{JOHN, PASSWORD, World, world};
use tollgate::login::{
    Account, Commit, Config, Input, LoginDigest, LoginStore, Screen, SealedLogin, UserId,
};
use tollgate::otp::UnixTime;
use tollgate::store::{AuditRecord, ClientKey, Reseal, SerialNumber};
use tollgate::{MemoryStore, PasswordHash, Store, StoreError, UserRecord};

/// A memory store that counts the reads of an account (alone, or with its password hash).
struct Counting {
    inner: MemoryStore,
    reads: AtomicUsize,
}

impl LoginStore for Counting {
    type Error = StoreError;

    fn account(&self, user: &UserId) -> Result<Option<Account>, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.account(user)
    }

    fn login(
        &self,
        digest: &LoginDigest,
        now: UnixTime,
    ) -> Result<Option<SealedLogin>, StoreError> {
        self.inner.login(digest, now)
    }

    fn user_of_serial(&self, serial: &SerialNumber) -> Result<Option<UserId>, StoreError> {
        self.inner.user_of_serial(serial)
    }

    fn user_of_passkey(&self, credential: &[u8]) -> Result<Option<UserId>, StoreError> {
        self.inner.user_of_passkey(credential)
    }

    fn commit(&self, commit: &Commit<'_>) -> Result<bool, StoreError> {
        self.inner.commit(commit)
    }
}

impl Store for Counting {
    fn insert_user(&self, user: UserRecord) -> Result<(), StoreError> {
        self.inner.insert_user(user)
    }

    fn set_password(&self, user: &UserId, password: PasswordHash) -> Result<bool, StoreError> {
        self.inner.set_password(user, password)
    }

    fn set_contacts(
        &self,
        user: &UserId,
        mobile: Option<&tollgate::login::PhoneNumber>,
        email: Option<&tollgate::login::EmailAddress>,
    ) -> Result<bool, StoreError> {
        self.inner.set_contacts(user, mobile, email)
    }

    fn delete_user(&self, user: &UserId) -> Result<bool, StoreError> {
        self.inner.delete_user(user)
    }

    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.user(id)
    }

    fn count_client_failure(
        &self,
        client: &ClientKey,
        now: UnixTime,
        window: u64,
    ) -> Result<(), StoreError> {
        self.inner.count_client_failure(client, now, window)
    }

    fn client_failures(
        &self,
        client: &ClientKey,
        now: UnixTime,
        window: u64,
    ) -> Result<u64, StoreError> {
        self.inner.client_failures(client, now, window)
    }

    fn users_after(&self, after: Option<&UserId>, limit: usize) -> Result<Vec<UserId>, StoreError> {
        self.inner.users_after(after, limit)
    }

    fn reseal(&self, user: &UserId) -> Result<Reseal, StoreError> {
        self.inner.reseal(user)
    }

    fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        self.inner.append_audit(record)
    }

    fn audit_of(&self, user: &UserId, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        self.inner.audit_of(user, limit)
    }
}

/// John's password `typed` at a fresh login's password step: the screen it leads to, and how
/// many times the account was read for it.
fn reads_for(world: &World, store: &Counting, typed: &str) -> (Screen, usize) {
    let service = &world.service;
    let client = tollgate::Client::default;
    let view = service.start().unwrap();
    let view = service
        .submit(&view.login, Input::UserId(JOHN.into()), client())
        .unwrap();
    let before = store.reads.load(Ordering::SeqCst);
    let view = service
        .submit(
            &view.login,
            Input::Password(typed.to_owned().into()),
            client(),
        )
        .unwrap();
    (view.screen, store.reads.load(Ordering::SeqCst) - before)
}

#[test]
fn a_typed_password_reads_the_account_once() {
    let store = Arc::new(Counting {
        inner: MemoryStore::new(),
        reads: AtomicUsize::new(0),
    });
    let world = world(store.clone(), Config::default(), 3);
    let (screen, reads) = reads_for(&world, &store, PASSWORD);
    assert!(matches!(screen, Screen::EnterPin { .. }), "{screen:?}");
    assert_eq!(reads, 1);
    // A wrong one, too (the dummy hash for an unknown user reads nothing more).
    let (_, reads) = reads_for(&world, &store, "wrong");
    assert_eq!(reads, 1);
}
