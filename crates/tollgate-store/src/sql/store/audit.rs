//! The audit trail's table (`tollgate_audit`, schema version 4 of both stores).

use tollgate_login::UserId;
use tollgate_otp::UnixTime;

use super::super::{Backend, Finish, Value, failed, to_i64};
use super::SqlStore;
use crate::{AuditRecord, StoreError};

const INSERT_AUDIT: &str =
    "INSERT INTO tollgate_audit (at, user_id, kind, detail) VALUES ($1, $2, $3, $4)";
const SELECT_AUDIT: &str = "SELECT at, kind, detail FROM tollgate_audit WHERE user_id = $1 \
     ORDER BY seq DESC LIMIT $2";

impl<B: Backend> SqlStore<B> {
    pub(super) fn add_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        let params = [
            Value::Int(to_i64(record.at.as_secs(), "an audit record's time")?),
            record.user.as_str().into(),
            record.kind.as_str().into(),
            record.detail.as_str().into(),
        ];
        self.backend.write(|c| {
            c.execute(INSERT_AUDIT, &params)
                .map_err(failed("append an audit record"))?;
            Ok(Finish::Commit(()))
        })
    }

    pub(super) fn audit_trail(
        &self,
        user: &UserId,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.backend.read(|c| {
            c.query(SELECT_AUDIT, &[user.as_str().into(), Value::Int(limit)])
                .map_err(failed("load an audit trail"))
        })?;
        rows.iter()
            .map(|row| match row.as_slice() {
                [Value::Int(at), Value::Text(kind), Value::Text(detail)] => Ok(AuditRecord {
                    at: UnixTime::from_secs(u64::try_from(*at).unwrap_or(0)),
                    user: user.clone(),
                    kind: kind.clone(),
                    detail: detail.clone(),
                }),
                _ => Err(StoreError::Integrity(format!(
                    "an audit record of {user} is not one this service wrote"
                ))),
            })
            .collect()
    }
}
