//! The default store: everything in memory. Lost on restart.

use std::collections::HashMap;
use std::sync::Mutex;

use tollgate_login::{
    Account, Commit, LoginDigest, LoginStore, MemoryLoginStore, Poisoned, SealedLogin, UserId,
};
use tollgate_otp::UnixTime;

use crate::{EmailAddress, PasswordHash, PhoneNumber, Store, StoreError, UserRecord};

/// A [`Store`] in memory: the login crate's [`MemoryLoginStore`] for accounts and logins, and
/// the password hashes beside it. Nothing is sealed: nothing leaves the process.
#[derive(Debug, Default)]
pub struct MemoryStore {
    logins: MemoryLoginStore,
    passwords: Mutex<HashMap<UserId, PasswordHash>>,
    /// Wrong passwords by client: the window's start and the count.
    clients: Mutex<HashMap<crate::ClientKey, (u64, u64)>>,
    /// The audit trail, oldest first, at most [`MEMORY_AUDIT_LIMIT`](crate::MEMORY_AUDIT_LIMIT).
    audit: Mutex<std::collections::VecDeque<crate::AuditRecord>>,
    /// Signing credentials' records (feature `signing`), by ID: version and encoding.
    #[cfg_attr(
        not(feature = "signing"),
        expect(dead_code, reason = "used by feature signing")
    )]
    credentials: Mutex<HashMap<String, (u64, Vec<u8>)>>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The accounts and logins, for tests that play a database writer
    /// ([`MemoryLoginStore::put_raw_login`]).
    #[must_use]
    pub fn logins(&self) -> &MemoryLoginStore {
        &self.logins
    }
}

impl LoginStore for MemoryStore {
    type Error = StoreError;

    fn account(&self, user: &UserId) -> Result<Option<Account>, StoreError> {
        Ok(self.logins.account(user)?)
    }

    fn login(
        &self,
        digest: &LoginDigest,
        now: UnixTime,
    ) -> Result<Option<SealedLogin>, StoreError> {
        Ok(self.logins.login(digest, now)?)
    }

    fn user_of_serial(
        &self,
        serial: &tollgate_codes::SerialNumber,
    ) -> Result<Option<UserId>, StoreError> {
        Ok(self.logins.user_of_serial(serial)?)
    }

    fn user_of_passkey(&self, credential: &[u8]) -> Result<Option<UserId>, StoreError> {
        Ok(self.logins.user_of_passkey(credential)?)
    }

    fn commit(&self, commit: &Commit<'_>) -> Result<bool, StoreError> {
        Ok(self.logins.commit(commit)?)
    }
}

impl Store for MemoryStore {
    fn users_after(&self, after: Option<&UserId>, limit: usize) -> Result<Vec<UserId>, StoreError> {
        let passwords = self.passwords.lock().map_err(|_| Poisoned)?;
        let mut ids: Vec<&UserId> = passwords
            .keys()
            .filter(|id| after.is_none_or(|after| id.as_str() > after.as_str()))
            .collect();
        ids.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        Ok(ids.into_iter().take(limit).cloned().collect())
    }

    fn reseal(&self, user: &UserId) -> Result<crate::Reseal, StoreError> {
        // Nothing in memory is sealed.
        let known = self
            .passwords
            .lock()
            .map_err(|_| Poisoned)?
            .contains_key(user);
        Ok(if known {
            crate::Reseal::Current
        } else {
            crate::Reseal::Gone
        })
    }

    fn insert_user(&self, user: UserRecord) -> Result<(), StoreError> {
        let mut passwords = self.passwords.lock().map_err(|_| Poisoned)?;
        if passwords.contains_key(&user.id) {
            return Err(StoreError::DuplicateUser);
        }
        if !self.logins.insert_account(user.id.clone(), user.account)? {
            return Err(StoreError::SerialTaken);
        }
        passwords.insert(user.id, user.password);
        Ok(())
    }

    fn set_password(&self, user: &UserId, password: PasswordHash) -> Result<bool, StoreError> {
        let mut passwords = self.passwords.lock().map_err(|_| Poisoned)?;
        Ok(passwords
            .get_mut(user)
            .map(|stored| *stored = password)
            .is_some())
    }

    fn set_contacts(
        &self,
        user: &UserId,
        mobile: Option<&PhoneNumber>,
        email: Option<&EmailAddress>,
    ) -> Result<bool, StoreError> {
        Ok(self
            .logins
            .set_contacts(user, mobile.cloned(), email.cloned())?)
    }

    fn delete_user(&self, user: &UserId) -> Result<bool, StoreError> {
        let mut passwords = self.passwords.lock().map_err(|_| Poisoned)?;
        let removed = passwords.remove(user).is_some();
        Ok(self.logins.remove_account(user)? || removed)
    }

    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        let Some(password) = self
            .passwords
            .lock()
            .map_err(|_| Poisoned)?
            .get(id)
            .cloned()
        else {
            return Ok(None);
        };
        Ok(self.logins.account(id)?.map(|account| UserRecord {
            id: id.clone(),
            password,
            account,
        }))
    }

    fn count_client_failure(
        &self,
        client: &crate::ClientKey,
        now: UnixTime,
        window: u64,
    ) -> Result<(), StoreError> {
        let mut clients = self.clients.lock().map_err(|_| Poisoned)?;
        // Ended windows go, so that the map holds only the last window's clients.
        clients.retain(|_, (start, _)| start.saturating_add(window) > now.as_secs());
        let entry = clients.entry(*client).or_insert((now.as_secs(), 0));
        entry.1 = entry.1.saturating_add(1);
        Ok(())
    }

    fn client_failures(
        &self,
        client: &crate::ClientKey,
        now: UnixTime,
        window: u64,
    ) -> Result<u64, StoreError> {
        let clients = self.clients.lock().map_err(|_| Poisoned)?;
        Ok(clients
            .get(client)
            .filter(|(start, _)| start.saturating_add(window) > now.as_secs())
            .map_or(0, |(_, failures)| *failures))
    }

    fn append_audit(&self, record: &crate::AuditRecord) -> Result<(), StoreError> {
        let mut audit = self.audit.lock().map_err(|_| Poisoned)?;
        if audit.len() >= crate::MEMORY_AUDIT_LIMIT {
            audit.pop_front();
        }
        audit.push_back(record.clone());
        Ok(())
    }

    fn audit_of(&self, user: &UserId, limit: usize) -> Result<Vec<crate::AuditRecord>, StoreError> {
        let audit = self.audit.lock().map_err(|_| Poisoned)?;
        Ok(audit
            .iter()
            .rev()
            .filter(|r| r.user == *user)
            .take(limit)
            .cloned()
            .collect())
    }
}

#[cfg(feature = "signing")]
impl tollgate_sign::SigningStore for MemoryStore {
    type Error = StoreError;

    fn credential(
        &self,
        id: &tollgate_sign::CredentialId,
    ) -> Result<Option<tollgate_sign::StoredCredential>, StoreError> {
        let credentials = self.credentials.lock().map_err(|_| Poisoned)?;
        credentials
            .get(id.as_str())
            .map(|(version, bytes)| stored_credential(*version, bytes))
            .transpose()
    }

    fn credentials_of(
        &self,
        user: &UserId,
    ) -> Result<Vec<tollgate_sign::StoredCredential>, StoreError> {
        let credentials = self.credentials.lock().map_err(|_| Poisoned)?;
        let mut found = credentials
            .values()
            .map(|(version, bytes)| stored_credential(*version, bytes))
            .filter(|s| s.as_ref().is_ok_and(|s| s.credential.is_owned_by(user)))
            .collect::<Result<Vec<_>, _>>()?;
        found.sort_by_key(|s| (s.credential.created_at(), s.credential.id()));
        Ok(found)
    }

    fn put_credential(
        &self,
        credential: &tollgate_sign::Credential,
        expected_version: Option<u64>,
    ) -> Result<bool, StoreError> {
        let mut credentials = self.credentials.lock().map_err(|_| Poisoned)?;
        let id = credential.id();
        let slot = credentials.get(id.as_str());
        let version = match (expected_version, slot) {
            (None, None) => 0,
            (Some(expected), Some((stored, bytes)))
                if *stored == expected
                    && stored_credential(*stored, bytes)?.credential.owner()
                        == credential.owner() =>
            {
                expected.saturating_add(1)
            }
            _ => return Ok(false),
        };
        credentials.insert(id.as_str().to_owned(), (version, credential.encode()));
        Ok(true)
    }
}

#[cfg(feature = "signing")]
fn stored_credential(
    version: u64,
    bytes: &[u8],
) -> Result<tollgate_sign::StoredCredential, StoreError> {
    let credential = tollgate_sign::Credential::decode(bytes)
        .map_err(|_| StoreError::Integrity("a signing credential does not decode".into()))?;
    Ok(tollgate_sign::StoredCredential {
        version,
        credential,
    })
}
