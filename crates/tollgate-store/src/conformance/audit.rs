//! The audit trail: each user's newest records first, no other user's, kept after the user is
//! deleted, any text kept as written.

use tollgate_login::UserId;
use tollgate_otp::UnixTime;

use super::{Check, ensure, err};
use crate::{AuditRecord, Store};

/// Appends records for two users (one of them with quotes, a newline and non-ASCII text) and
/// reads them back newest first, under a limit; then deletes the first user and reads again.
pub(super) fn audit(store: &dyn Store) -> Check {
    let carol: UserId = "carol@example.com".parse().map_err(err("User ID"))?;
    let dave: UserId = "dave@example.com".parse().map_err(err("User ID"))?;
    let record = |user: &UserId, at: u64, kind: &str, detail: &str| AuditRecord {
        at: UnixTime::from_secs(1_700_000_000 + at),
        user: user.clone(),
        kind: kind.to_owned(),
        detail: detail.to_owned(),
    };
    let written = [
        record(
            &carol,
            1,
            "pin_sent",
            "PinSent { user: UserId(carol@example.com), channel: Sms }",
        ),
        record(
            &dave,
            2,
            "code_refused",
            "CodeRefused { user: UserId(dave@example.com) }",
        ),
        record(
            &carol,
            2,
            "token_renamed",
            "a name: \"Téléphone\"\nnext line; DROP TABLE x; --",
        ),
        record(
            &carol,
            3,
            "authenticated",
            "Authenticated { user: UserId(carol@example.com) }",
        ),
    ];
    for r in &written {
        store
            .append_audit(r)
            .map_err(err("append an audit record"))?;
    }
    let newest = store
        .audit_of(&carol, 2)
        .map_err(err("read the audit trail"))?;
    ensure(newest == [written[3].clone(), written[2].clone()], || {
        format!("carol's newest two records are not these: {newest:?}")
    })?;
    let all = store
        .audit_of(&carol, 100)
        .map_err(err("read the audit trail"))?;
    ensure(
        all.len() == 3 && all.iter().all(|r| r.user == carol),
        || format!("carol's trail holds another's, or misses one: {all:?}"),
    )?;
    ensure(
        store.audit_of(&carol, 0).map_err(err("read"))?.is_empty(),
        || "a limit of 0 returned records".into(),
    )?;
    store.delete_user(&carol).map_err(err("delete carol"))?;
    let kept = store
        .audit_of(&carol, 100)
        .map_err(err("read the audit trail"))?;
    ensure(kept == all, || {
        "deleting the user deleted their trail".into()
    })
}
