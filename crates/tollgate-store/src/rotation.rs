//! Re-sealing every account under the current sealing key, in batches that can stop at any
//! point and resume: the work behind a key rotation.
//!
//! A rotation, with every node of the service on the same store:
//! 1. give every node the new key as an *old* key of its ring (each can read what the others
//!    will write);
//! 2. make it the *current* key on every node (everything written is now sealed under it);
//! 3. run [`reseal_batch`] from the first User ID to the last, keeping the cursor it returns
//!    somewhere that survives a crash (the `rotate_keys` example keeps it in a file);
//! 4. once a pass finds every account [`Reseal::Current`], drop the old key.
//!
//! A batch that is cut short by a crash is simply run again: an account already under the
//! current key is left as it is.

use tollgate_login::UserId;

use crate::{Reseal, Store, StoreError};

/// What one batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// The last User ID the batch looked at: the cursor for the next one. `None` once there
    /// are no more users.
    pub last: Option<UserId>,
    /// Accounts sealed again under the current key.
    pub resealed: usize,
    /// Accounts already under it.
    pub current: usize,
    /// Users deleted between the listing and the re-seal.
    pub gone: usize,
    /// Accounts other writers kept changing: run them again later (a next pass does).
    pub contended: Vec<UserId>,
}

impl Batch {
    /// Whether this was the end: no users after the cursor.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.last.is_none()
    }
}

/// Re-seals up to `limit` accounts after `after` (from the first when `None`) under the
/// store's current sealing key.
///
/// # Errors
/// [`StoreError::Integrity`] for an account that opens under no key of the store's ring (the
/// batch stops there: nothing after it is touched, and the cursor is not moved past it);
/// [`StoreError::Backend`].
pub fn reseal_batch(
    store: &dyn Store,
    after: Option<&UserId>,
    limit: usize,
) -> Result<Batch, StoreError> {
    let users = store.users_after(after, limit.max(1))?;
    let mut batch = Batch::default();
    for user in &users {
        match store.reseal(user)? {
            Reseal::Current => batch.current += 1,
            Reseal::Resealed => batch.resealed += 1,
            Reseal::Gone => batch.gone += 1,
            Reseal::Contended => batch.contended.push(user.clone()),
        }
    }
    batch.last = users.last().cloned();
    Ok(batch)
}
