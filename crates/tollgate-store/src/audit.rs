//! The audit trail a store keeps for its administrators ("a user's recent events"): each
//! event of an account, when it happened, its stable name and its description (which never
//! holds a secret: `AuditEvent`s carry none). It outlives the user it names: deleting a user
//! keeps their trail. How long it is kept is the operator's choice
//! (`DELETE FROM tollgate_audit WHERE at < …`); the memory store keeps the newest
//! [`MEMORY_AUDIT_LIMIT`].

use tollgate_login::{AuditEvent, UserId};
use tollgate_otp::UnixTime;

/// How many records the memory store keeps (the oldest go first).
pub const MEMORY_AUDIT_LIMIT: usize = 10_000;

/// The longest description a store keeps, in bytes (a longer one is cut at a character).
pub const MAX_AUDIT_DETAIL: usize = 1024;

/// One event in an account's audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// When it happened.
    pub at: UnixTime,
    /// Whose account.
    pub user: UserId,
    /// [`AuditEvent::kind`]: `token_enrolled`, `code_refused`, ….
    pub kind: String,
    /// What happened, in full (the event's `Debug`, at most [`MAX_AUDIT_DETAIL`] bytes).
    pub detail: String,
}

impl AuditRecord {
    /// The record of `event` at `at`, if it is an account's (two kinds of event are nobody's).
    #[must_use]
    pub fn of(event: &AuditEvent, at: UnixTime) -> Option<Self> {
        let mut detail = format!("{event:?}");
        if detail.len() > MAX_AUDIT_DETAIL {
            let mut cut = MAX_AUDIT_DETAIL;
            while !detail.is_char_boundary(cut) {
                cut -= 1;
            }
            detail.truncate(cut);
        }
        Some(Self {
            at,
            user: event.user()?.clone(),
            kind: event.kind().to_owned(),
            detail,
        })
    }
}
