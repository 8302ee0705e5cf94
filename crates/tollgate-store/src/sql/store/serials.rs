//! What accounts hold uniquely, to their accounts: serial numbers (the online registration's
//! lookup) and passkeys' credential IDs (a login with a passkey before a User ID is typed).

use tollgate_login::UserId;

use crate::error::StoreError;
use crate::sql::{Backend, Value, failed};

const SELECT_SERIAL: &str = "SELECT user_id FROM tollgate_serials WHERE serial = $1";

/// The user who holds `claim` ([`tollgate_login::AccountState::claims`]).
pub(super) fn user_of<B: Backend>(backend: &B, claim: &str) -> Result<Option<UserId>, StoreError> {
    let rows = backend.read(|c| {
        c.query(SELECT_SERIAL, &[claim.into()])
            .map_err(failed("find serial"))
    })?;
    match rows.into_iter().next().as_deref() {
        None => Ok(None),
        Some([Value::Text(user)]) => user
            .parse()
            .map(Some)
            .map_err(|_| StoreError::Integrity("a serial number's user is not a User ID".into())),
        Some(_) => Err(StoreError::Integrity(
            "a serial number's row has the wrong types".into(),
        )),
    }
}
