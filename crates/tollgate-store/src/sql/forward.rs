//! Forwarding a newtype's store traits to its [`SqlStore`](super::SqlStore).

/// The [`Store`](crate::Store) and [`LoginStore`](crate::LoginStore) of a newtype over [`SqlStore`](super::SqlStore), forwarded to its field:
/// `tollgate_store::forward_store!(SqliteStore, inner);`.
#[macro_export]
macro_rules! forward_store {
    ($outer:ty, $field:ident) => {
        impl $crate::LoginStore for $outer {
            type Error = $crate::StoreError;

            fn account(
                &self,
                user: &$crate::UserId,
            ) -> Result<Option<$crate::Account>, $crate::StoreError> {
                self.$field.account(user)
            }

            fn login(
                &self,
                digest: &$crate::LoginDigest,
                now: $crate::UnixTime,
            ) -> Result<Option<$crate::SealedLogin>, $crate::StoreError> {
                self.$field.login(digest, now)
            }

            fn user_of_serial(
                &self,
                serial: &$crate::SerialNumber,
            ) -> Result<Option<$crate::UserId>, $crate::StoreError> {
                self.$field.user_of_serial(serial)
            }

            fn commit(&self, commit: &$crate::Commit<'_>) -> Result<bool, $crate::StoreError> {
                self.$field.commit(commit)
            }
        }

        impl $crate::Store for $outer {
            fn insert_user(&self, user: $crate::UserRecord) -> Result<(), $crate::StoreError> {
                self.$field.insert_user(user)
            }

            fn append_audit(&self, record: &$crate::AuditRecord) -> Result<(), $crate::StoreError> {
                self.$field.append_audit(record)
            }

            fn audit_of(
                &self,
                user: &$crate::UserId,
                limit: usize,
            ) -> Result<Vec<$crate::AuditRecord>, $crate::StoreError> {
                self.$field.audit_of(user, limit)
            }

            fn set_password(
                &self,
                user: &$crate::UserId,
                password: $crate::PasswordHash,
            ) -> Result<bool, $crate::StoreError> {
                self.$field.set_password(user, password)
            }

            fn set_contacts(
                &self,
                user: &$crate::UserId,
                mobile: Option<&$crate::PhoneNumber>,
                email: Option<&$crate::EmailAddress>,
            ) -> Result<bool, $crate::StoreError> {
                self.$field.set_contacts(user, mobile, email)
            }

            fn delete_user(&self, user: &$crate::UserId) -> Result<bool, $crate::StoreError> {
                self.$field.delete_user(user)
            }

            fn user(
                &self,
                id: &$crate::UserId,
            ) -> Result<Option<$crate::UserRecord>, $crate::StoreError> {
                self.$field.user(id)
            }

            fn count_client_failure(
                &self,
                client: &$crate::ClientKey,
                now: $crate::UnixTime,
                window: u64,
            ) -> Result<(), $crate::StoreError> {
                self.$field.count_client_failure(client, now, window)
            }

            fn client_failures(
                &self,
                client: &$crate::ClientKey,
                now: $crate::UnixTime,
                window: u64,
            ) -> Result<u64, $crate::StoreError> {
                self.$field.client_failures(client, now, window)
            }

            fn users_after(
                &self,
                after: Option<&$crate::UserId>,
                limit: usize,
            ) -> Result<Vec<$crate::UserId>, $crate::StoreError> {
                self.$field.users_after(after, limit)
            }

            fn reseal(&self, user: &$crate::UserId) -> Result<$crate::Reseal, $crate::StoreError> {
                self.$field.reseal(user)
            }
        }
    };
}
