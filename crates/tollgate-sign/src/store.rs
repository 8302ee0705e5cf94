//! Where credentials are kept: a store that compare-and-sets whole records, shared by every
//! node, and the one loop that changes a credential through it.

use tollgate_login::UserId;

use crate::credential::{Credential, CredentialId};

/// A credential as stored, at a version.
#[derive(Clone, Debug)]
pub struct StoredCredential {
    /// What a write back compare-and-sets.
    pub version: u64,
    /// The credential.
    pub credential: Credential,
}

/// Storage for signing credentials (the SQL stores and the memory store of `tollgate-store`
/// implement it, sealing each record).
pub trait SigningStore {
    /// The store's error.
    type Error;

    /// The credential `id`, if there is one.
    ///
    /// # Errors
    /// The store's.
    fn credential(&self, id: &CredentialId) -> Result<Option<StoredCredential>, Self::Error>;

    /// `user`'s credentials, oldest first.
    ///
    /// # Errors
    /// The store's.
    fn credentials_of(&self, user: &UserId) -> Result<Vec<StoredCredential>, Self::Error>;

    /// Writes `credential`: a new one when `expected_version` is `None` (`Ok(false)` when its
    /// ID is taken), else only while the stored version is still that one (`Ok(false)` when
    /// not). The version moves on by one.
    ///
    /// # Errors
    /// The store's.
    fn put_credential(
        &self,
        credential: &Credential,
        expected_version: Option<u64>,
    ) -> Result<bool, Self::Error>;
}

/// How often [`change_credential`] tries before giving up.
pub const MAX_RETRIES: usize = 32;

/// What a decision about a credential came to.
#[derive(Debug)]
#[must_use]
#[expect(
    clippy::large_enum_variant,
    reason = "made once per attempt and taken apart at once: a box would only add an allocation"
)]
pub enum Change<T> {
    /// Store this credential (computed from the one given), then answer `T`.
    Store(Credential, T),
    /// Store nothing; answer `T`.
    Keep(T),
}

/// Why [`change_credential`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError<E> {
    /// The store failed.
    #[error("the store failed")]
    Store(E),
    /// The credential changed under it [`MAX_RETRIES`] times.
    #[error("the credential kept changing")]
    Contended,
}

/// Changes credential `id`: loads it, lets `decide` compute the change, and stores it with
/// compare-and-set, deciding again on the newer record when another writer came first (so
/// `decide` must depend only on what it is given). `Ok(None)` when there is no such credential.
///
/// # Errors
/// [`ChangeError`].
pub fn change_credential<S: SigningStore + ?Sized, T>(
    store: &S,
    id: &CredentialId,
    mut decide: impl FnMut(&Credential) -> Change<T>,
) -> Result<Option<T>, ChangeError<S::Error>> {
    for _ in 0..MAX_RETRIES {
        let Some(stored) = store.credential(id).map_err(ChangeError::Store)? else {
            return Ok(None);
        };
        match decide(&stored.credential) {
            Change::Keep(answer) => return Ok(Some(answer)),
            Change::Store(credential, answer) => {
                if store
                    .put_credential(&credential, Some(stored.version))
                    .map_err(ChangeError::Store)?
                {
                    return Ok(Some(answer));
                }
            }
        }
    }
    Err(ChangeError::Contended)
}
