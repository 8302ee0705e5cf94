//! Signing credentials' table (`tollgate_credentials`, schema version 7 of both stores): each
//! record under its ID, with its owner and version, sealed under the service's key and bound to
//! all three, so that a database writer can neither read a credential's wrapped key and open
//! authorizations, nor give it to another user, nor move another record under its ID.

use tollgate_login::{RingKey as _, UserId};
use tollgate_sign::{Credential, CredentialId, SigningStore, StoredCredential};

use super::super::{Backend, Finish, SqlError, Value, failed, to_i64};
use super::SqlStore;
use crate::sealing::{open_body, seal};
use crate::{KeyId, StoreError};

const SELECT_CREDENTIAL: &str =
    "SELECT id, version, user_id, record FROM tollgate_credentials WHERE id = $1";
const SELECT_CREDENTIALS_OF: &str =
    "SELECT id, version, user_id, record FROM tollgate_credentials WHERE user_id = $1";
const INSERT_CREDENTIAL: &str = "INSERT INTO tollgate_credentials (id, version, user_id, record) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING";
const UPDATE_CREDENTIAL: &str = "UPDATE tollgate_credentials SET version = $2, record = $4 \
     WHERE id = $1 AND user_id = $3 AND version = $5";

/// The format byte of a sealed credential.
const CREDENTIAL_V1: u8 = 1;

fn credential_aad(key: KeyId, id: &str, user: &str, version: u64) -> Vec<u8> {
    let mut aad = Vec::with_capacity(96);
    aad.extend_from_slice(b"tollgate credential v1\0");
    aad.extend_from_slice(&key.to_bytes());
    aad.extend_from_slice(id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(user.as_bytes());
    aad.push(0);
    aad.extend_from_slice(&version.to_be_bytes());
    aad
}

impl<B: Backend> SqlStore<B> {
    fn sealed_credential(
        &self,
        credential: &Credential,
        version: u64,
    ) -> Result<[Value; 4], StoreError> {
        let key = self.keys.current();
        let id = credential.id();
        let aad = credential_aad(key.id(), id.as_str(), credential.owner(), version);
        let [a, b, c, d] = key.id().to_bytes();
        let mut rng = self.rng.lock().map_err(|_| tollgate_login::Poisoned)?;
        let record = seal(
            key,
            &[CREDENTIAL_V1, a, b, c, d],
            &aad,
            &credential.encode(),
            &mut **rng,
        );
        Ok([
            id.as_str().into(),
            Value::Int(to_i64(version, "credential version")?),
            credential.owner().into(),
            Value::Blob(record),
        ])
    }

    fn open_credential(&self, row: &[Value]) -> Result<StoredCredential, StoreError> {
        let refused = || {
            StoreError::Integrity(
                "a stored signing credential does not open under this service's keys: wrong \
                 key, or the row was altered or moved"
                    .into(),
            )
        };
        let [
            Value::Text(id),
            Value::Int(version),
            Value::Text(user),
            Value::Blob(sealed),
        ] = row
        else {
            return Err(refused());
        };
        let version = u64::try_from(*version).map_err(|_| refused())?;
        let [CREDENTIAL_V1, a, b, c, d, body @ ..] = sealed.as_slice() else {
            return Err(refused());
        };
        let key_id = KeyId::from_bytes([*a, *b, *c, *d]);
        let key = self.keys.find(key_id).ok_or_else(refused)?;
        let bytes = open_body(key, &credential_aad(key_id, id, user, version), body)
            .map_err(|_| refused())?;
        let credential = Credential::decode(&bytes).map_err(|_| refused())?;
        // The seal binds the columns; the record must say the same.
        if credential.id().as_str() != id || credential.owner() != user {
            return Err(refused());
        }
        Ok(StoredCredential {
            version,
            credential,
        })
    }
}

impl<B: Backend> SigningStore for SqlStore<B> {
    type Error = StoreError;

    fn credential(&self, id: &CredentialId) -> Result<Option<StoredCredential>, StoreError> {
        let rows = self.backend.read(|c| {
            c.query(SELECT_CREDENTIAL, &[id.as_str().into()])
                .map_err(failed("load a signing credential"))
        })?;
        rows.first()
            .map(|row| self.open_credential(row))
            .transpose()
    }

    fn credentials_of(&self, user: &UserId) -> Result<Vec<StoredCredential>, StoreError> {
        let rows = self.backend.read(|c| {
            c.query(SELECT_CREDENTIALS_OF, &[user.as_str().into()])
                .map_err(failed("load a user's signing credentials"))
        })?;
        let mut found = rows
            .iter()
            .map(|row| self.open_credential(row))
            .collect::<Result<Vec<_>, _>>()?;
        found.sort_by_key(|s| (s.credential.created_at(), s.credential.id()));
        Ok(found)
    }

    fn put_credential(
        &self,
        credential: &Credential,
        expected_version: Option<u64>,
    ) -> Result<bool, StoreError> {
        let version = expected_version.map_or(0, |v| v.saturating_add(1));
        let row = self.sealed_credential(credential, version)?;
        self.backend.write(|c| {
            let changed = match expected_version {
                None => c.execute(INSERT_CREDENTIAL, &row),
                Some(expected) => {
                    let mut params = row.to_vec();
                    params.push(Value::Int(to_i64(expected, "credential version")?));
                    c.execute(UPDATE_CREDENTIAL, &params)
                }
            };
            match changed {
                Ok(n) => Ok(Finish::Commit(n == 1)),
                Err(SqlError::UniqueViolation) => Ok(Finish::Rollback(false)),
                Err(e) => Err(failed("write a signing credential")(e)),
            }
        })
    }
}
