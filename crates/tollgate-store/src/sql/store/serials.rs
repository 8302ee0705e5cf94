//! Serial numbers to their accounts: the online registration's lookup.

use tollgate_codes::SerialNumber;
use tollgate_login::UserId;

use crate::error::StoreError;
use crate::sql::{Backend, Value, failed};

const SELECT_SERIAL: &str = "SELECT user_id FROM tollgate_serials WHERE serial = $1";

/// The user whose token or pending activation has `serial`.
pub(super) fn user_of<B: Backend>(
    backend: &B,
    serial: &SerialNumber,
) -> Result<Option<UserId>, StoreError> {
    let rows = backend.read(|c| {
        c.query(SELECT_SERIAL, &[serial.to_string().as_str().into()])
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
