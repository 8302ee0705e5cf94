//! Web sessions' table (`tollgate_sessions`, schema version 6 of both stores): each row under
//! the digest of its cookie, its contents sealed under the service's key and bound to that
//! digest, its version, its user and its expiry, so that a database writer can neither read a
//! session, nor move one to another cookie or user, nor extend one.

use std::sync::atomic::Ordering;

use tollgate_login::{RingKey as _, UserId};
use tollgate_otp::UnixTime;

use super::super::{Backend, Connection, Finish, Value, failed, to_i64};
use super::SqlStore;
use crate::sealing::{open_body, seal};
use crate::sessions::{SessionId, SessionSave, SessionStore, StoredSession};
use crate::{KeyId, StoreError};

const SELECT_SESSION: &str = "SELECT version, user_id, expires_at, body FROM tollgate_sessions \
     WHERE id = $1 AND expires_at > $2";
const INSERT_SESSION: &str = "INSERT INTO tollgate_sessions (id, version, user_id, expires_at, \
     body) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING";
const UPDATE_SESSION: &str = "UPDATE tollgate_sessions SET version = $3, user_id = $4, \
     expires_at = $5, body = $6 WHERE id = $1 AND version = $2";
const REMOVE_SESSION: &str = "DELETE FROM tollgate_sessions WHERE id = $1 AND version = $2";
const DELETE_SESSION: &str = "DELETE FROM tollgate_sessions WHERE id = $1";
const DELETE_SESSIONS_OF: &str = "DELETE FROM tollgate_sessions WHERE user_id = $1";
// Every session of $1 but the newest $2.
const TRIM_SESSIONS: &str = "DELETE FROM tollgate_sessions WHERE user_id = $1 AND id NOT IN \
     (SELECT id FROM tollgate_sessions WHERE user_id = $1 ORDER BY expires_at DESC, id LIMIT $2)";
const SWEEP_SESSIONS: &str = "DELETE FROM tollgate_sessions WHERE expires_at <= $1";

/// The format byte of a sealed session.
const SESSION_V1: u8 = 1;

/// Expired sessions are deleted once every this many writes.
const SWEEP_EVERY: u64 = 1024;

/// What a sealed session is bound to.
fn session_aad(key: KeyId, id: &SessionId, session: &StoredSession) -> Vec<u8> {
    let mut aad = Vec::with_capacity(96);
    aad.extend_from_slice(b"tollgate session v1\0");
    aad.extend_from_slice(&key.to_bytes());
    aad.extend_from_slice(id.as_bytes());
    aad.extend_from_slice(&session.version.to_be_bytes());
    aad.extend_from_slice(&session.expires.as_secs().to_be_bytes());
    if let Some(user) = &session.user {
        aad.push(1);
        aad.extend_from_slice(user.as_str().as_bytes());
    } else {
        aad.push(0);
    }
    aad
}

impl<B: Backend> SqlStore<B> {
    fn sealed_session(
        &self,
        id: &SessionId,
        session: &StoredSession,
    ) -> Result<[Value; 5], StoreError> {
        let key = self.keys.current();
        let aad = session_aad(key.id(), id, session);
        let [a, b, c, d] = key.id().to_bytes();
        let mut rng = self.rng.lock().map_err(|_| tollgate_login::Poisoned)?;
        let body = seal(
            key,
            &[SESSION_V1, a, b, c, d],
            &aad,
            &session.body,
            &mut **rng,
        );
        Ok([
            Value::Blob(id.as_bytes().to_vec()),
            Value::Int(to_i64(session.version, "session version")?),
            session.user.as_ref().map(UserId::as_str).into(),
            Value::Int(to_i64(session.expires.as_secs(), "session expiry")?),
            Value::Blob(body),
        ])
    }

    fn open_session(&self, id: &SessionId, row: &[Value]) -> Result<StoredSession, StoreError> {
        let refused = || {
            StoreError::Integrity(
                "a stored session does not open under this service's keys: wrong key, or the \
                 row was altered, moved, extended or put back"
                    .into(),
            )
        };
        let [
            Value::Int(version),
            user,
            Value::Int(expires),
            Value::Blob(sealed),
        ] = row
        else {
            return Err(refused());
        };
        let user = match user {
            Value::Null => None,
            Value::Text(text) => Some(text.parse::<UserId>().map_err(|_| refused())?),
            _ => return Err(refused()),
        };
        let mut session = StoredSession {
            version: u64::try_from(*version).map_err(|_| refused())?,
            user,
            expires: UnixTime::from_secs(u64::try_from(*expires).map_err(|_| refused())?),
            body: Vec::new().into(),
        };
        let [SESSION_V1, a, b, c, d, body @ ..] = sealed.as_slice() else {
            return Err(refused());
        };
        let key_id = KeyId::from_bytes([*a, *b, *c, *d]);
        let key = self.keys.find(key_id).ok_or_else(refused)?;
        session.body =
            open_body(key, &session_aad(key_id, id, &session), body).map_err(|_| refused())?;
        Ok(session)
    }
}

/// Every session of `user` but the newest `keep`.
fn trim(c: &mut dyn Connection, user: &UserId, keep: usize) -> Result<(), StoreError> {
    let keep = i64::try_from(keep).unwrap_or(i64::MAX);
    c.execute(TRIM_SESSIONS, &[user.as_str().into(), Value::Int(keep)])
        .map_err(failed("end a user's oldest sessions"))?;
    Ok(())
}

impl<B: Backend> SessionStore for SqlStore<B> {
    fn load_session(
        &self,
        id: &SessionId,
        now: UnixTime,
    ) -> Result<Option<StoredSession>, StoreError> {
        let now = to_i64(now.as_secs(), "time")?;
        let rows = self.backend.read(|c| {
            c.query(
                SELECT_SESSION,
                &[Value::Blob(id.as_bytes().to_vec()), Value::Int(now)],
            )
            .map_err(failed("load a session"))
        })?;
        rows.first()
            .map(|row| self.open_session(id, row))
            .transpose()
    }

    fn save_session(&self, save: &SessionSave<'_>) -> Result<bool, StoreError> {
        let row = self.sealed_session(save.id, save.session)?;
        let sweep =
            self.session_writes.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1;
        let now = to_i64(save.now.as_secs(), "time")?;
        let write = |c: &mut dyn Connection| {
            if sweep {
                c.execute(SWEEP_SESSIONS, &[Value::Int(now)])
                    .map_err(failed("sweep sessions"))?;
            }
            match save.replaces {
                Some((from, version)) if from == save.id => {
                    let [id, new_version, user, expires, body] = row;
                    let params = [
                        id,
                        Value::Int(to_i64(version, "session version")?),
                        new_version,
                        user,
                        expires,
                        body,
                    ];
                    let updated = c
                        .execute(UPDATE_SESSION, &params)
                        .map_err(failed("update a session"))?;
                    return Ok(Finish::Commit(updated == 1));
                }
                Some((from, version)) => {
                    let params = [
                        Value::Blob(from.as_bytes().to_vec()),
                        Value::Int(to_i64(version, "session version")?),
                    ];
                    if c.execute(REMOVE_SESSION, &params)
                        .map_err(failed("replace a session"))?
                        == 0
                    {
                        return Ok(Finish::Rollback(false));
                    }
                }
                None => {}
            }
            if c.execute(INSERT_SESSION, &row)
                .map_err(failed("save a session"))?
                == 0
            {
                return Ok(Finish::Rollback(false));
            }
            if let Some(user) = &save.session.user {
                trim(c, user, save.keep_per_user.max(1))?;
            }
            Ok(Finish::Commit(true))
        };
        if save.durable {
            self.backend.write(write)
        } else {
            self.backend.write_unsynced(write)
        }
    }

    fn delete_session(&self, id: &SessionId) -> Result<bool, StoreError> {
        self.backend.write(|c| {
            let gone = c
                .execute(DELETE_SESSION, &[Value::Blob(id.as_bytes().to_vec())])
                .map_err(failed("end a session"))?;
            Ok(Finish::Commit(gone > 0))
        })
    }

    fn delete_sessions_of(&self, user: &UserId) -> Result<u64, StoreError> {
        self.backend.write(|c| {
            let gone = c
                .execute(DELETE_SESSIONS_OF, &[user.as_str().into()])
                .map_err(failed("end a user's sessions"))?;
            Ok(Finish::Commit(gone))
        })
    }
}
