//! Forwarding a newtype's store traits to its [`SqlStore`](super::SqlStore).

/// The [`Store`](crate::Store), [`LoginStore`](crate::LoginStore) and [`SessionStore`](crate::SessionStore) of a newtype over [`SqlStore`](super::SqlStore), forwarded to its field:
/// `tollgate_store::forward_store!(SqliteStore, inner);`.
///
/// With a third argument, every call runs inside it: a function that takes the call as a
/// `Send` closure and returns what it returns (the PostgreSQL store moves its driver's calls
/// out of an async task that way).
#[macro_export]
macro_rules! forward_store {
    ($outer:ty, $field:ident) => {
        $crate::forward_store!($outer, $field, $crate::sql::on_this_thread);
    };
    ($outer:ty, $field:ident, $via:path) => {
        impl $crate::LoginStore for $outer {
            type Error = $crate::StoreError;

            fn account(
                &self,
                user: &$crate::UserId,
            ) -> Result<Option<$crate::Account>, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.account(user))
            }

            fn login(
                &self,
                digest: &$crate::LoginDigest,
                now: $crate::UnixTime,
            ) -> Result<Option<$crate::SealedLogin>, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.login(digest, now))
            }

            fn user_of_serial(
                &self,
                serial: &$crate::SerialNumber,
            ) -> Result<Option<$crate::UserId>, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.user_of_serial(serial))
            }

            fn user_of_passkey(
                &self,
                credential: &[u8],
            ) -> Result<Option<$crate::UserId>, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.user_of_passkey(credential))
            }

            fn commit(&self, commit: &$crate::Commit<'_>) -> Result<bool, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.commit(commit))
            }
        }

        impl $crate::Store for $outer {
            fn insert_user(&self, user: $crate::UserRecord) -> Result<(), $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.insert_user(user))
            }

            fn append_audit(&self, record: &$crate::AuditRecord) -> Result<(), $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.append_audit(record))
            }

            fn audit_of(
                &self,
                user: &$crate::UserId,
                limit: usize,
            ) -> Result<Vec<$crate::AuditRecord>, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.audit_of(user, limit))
            }

            fn set_password(
                &self,
                user: &$crate::UserId,
                password: $crate::PasswordHash,
            ) -> Result<bool, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.set_password(user, password))
            }

            fn set_contacts(
                &self,
                user: &$crate::UserId,
                mobile: Option<&$crate::PhoneNumber>,
                email: Option<&$crate::EmailAddress>,
            ) -> Result<bool, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.set_contacts(user, mobile, email))
            }

            fn delete_user(&self, user: &$crate::UserId) -> Result<bool, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.delete_user(user))
            }

            fn user(
                &self,
                id: &$crate::UserId,
            ) -> Result<Option<$crate::UserRecord>, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.user(id))
            }

            fn count_client_failure(
                &self,
                client: &$crate::ClientKey,
                now: $crate::UnixTime,
                window: u64,
            ) -> Result<(), $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.count_client_failure(client, now, window))
            }

            fn client_failures(
                &self,
                client: &$crate::ClientKey,
                now: $crate::UnixTime,
                window: u64,
            ) -> Result<u64, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.client_failures(client, now, window))
            }

            fn users_after(
                &self,
                after: Option<&$crate::UserId>,
                limit: usize,
            ) -> Result<Vec<$crate::UserId>, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.users_after(after, limit))
            }

            fn reseal(&self, user: &$crate::UserId) -> Result<$crate::Reseal, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.reseal(user))
            }
        }
        impl $crate::SessionStore for $outer {
            fn load_session(
                &self,
                id: &$crate::SessionId,
                now: $crate::UnixTime,
            ) -> Result<Option<$crate::StoredSession>, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.load_session(id, now))
            }

            fn save_session(
                &self,
                save: &$crate::SessionSave<'_>,
            ) -> Result<bool, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.save_session(save))
            }

            fn delete_session(&self, id: &$crate::SessionId) -> Result<bool, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.delete_session(id))
            }

            fn delete_sessions_of(&self, user: &$crate::UserId) -> Result<u64, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.delete_sessions_of(user))
            }
        }
    };
}

/// The [`SigningStore`](crate::tollgate_sign::SigningStore) of a newtype over
/// [`SqlStore`](super::SqlStore) (feature `signing`), forwarded as
/// [`forward_store!`](crate::forward_store) forwards the others:
/// `tollgate_store::forward_signing_store!(SqliteStore, inner);`.
#[cfg(feature = "signing")]
#[macro_export]
macro_rules! forward_signing_store {
    ($outer:ty, $field:ident) => {
        $crate::forward_signing_store!($outer, $field, $crate::sql::on_this_thread);
    };
    ($outer:ty, $field:ident, $via:path) => {
        impl $crate::tollgate_sign::SigningStore for $outer {
            type Error = $crate::StoreError;

            fn credential(
                &self,
                id: &$crate::tollgate_sign::CredentialId,
            ) -> Result<Option<$crate::tollgate_sign::StoredCredential>, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.credential(id))
            }

            fn credentials_of(
                &self,
                user: &$crate::UserId,
            ) -> Result<Vec<$crate::tollgate_sign::StoredCredential>, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.credentials_of(user))
            }

            fn put_credential(
                &self,
                credential: &$crate::tollgate_sign::Credential,
                expected_version: Option<u64>,
            ) -> Result<bool, $crate::StoreError> {
                let inner = &self.$field;
                $via(move || inner.put_credential(credential, expected_version))
            }
        }
    };
}
