//! A token in the sealed state, with its name and date (since several authenticators).

use serde::{Deserialize, Serialize};
use tollgate_codes::SerialNumber;
use tollgate_login::{EnrollmentKind, TokenRecord};
use tollgate_otp::{Secret, Step, UnixTime};
use zeroize::Zeroizing;

use super::PlainParams;

#[derive(Serialize, Deserialize)]
pub(super) struct PlainToken {
    serial: String,
    secret: Zeroizing<String>,
    params: PlainParams,
    last_step: Option<u64>,
    drift: i8,
    // Since several authenticators (tokens written before have none of these).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<EnrollmentKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enrolled_at: Option<u64>,
}

impl PlainToken {
    pub(super) fn of(t: &TokenRecord) -> Self {
        Self {
            serial: t.serial.to_string(),
            secret: t.secret.expose_base32(),
            params: PlainParams::of(&t.params),
            last_step: t.last_step.map(Step::get),
            drift: t.drift,
            kind: t.kind,
            name: t.name.as_ref().map(|n| n.as_str().to_owned()),
            enrolled_at: t.enrolled_at.map(UnixTime::as_secs),
        }
    }

    pub(super) fn token(&self) -> Option<TokenRecord> {
        Some(TokenRecord {
            serial: self.serial.parse::<SerialNumber>().ok()?,
            secret: Secret::from_base32_strict(&self.secret).ok()?,
            params: self.params.params()?,
            last_step: self.last_step.map(Step::new),
            drift: self.drift,
            kind: self.kind,
            name: match &self.name {
                Some(name) => Some(name.parse().ok()?),
                None => None,
            },
            enrolled_at: self.enrolled_at.map(UnixTime::from_secs),
        })
    }
}
