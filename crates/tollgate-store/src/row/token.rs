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

#[cfg(test)]
mod tests {
    use super::super::Plain;
    use tollgate_login::AccountState;

    /// The layout a build from before several authenticators reads: the oldest token where it
    /// looked for its one token, the others in a field it ignores; and a state with more
    /// tokens but no first is no state.
    #[test]
    fn the_oldest_token_stays_where_the_previous_version_reads_it() {
        let token = |serial: &str| tollgate_login::TokenRecord {
            serial: serial.parse().unwrap_or_else(|_| unreachable!()),
            secret: tollgate_otp::Secret::from_array([1; 20]),
            params: tollgate_otp::TotpParams::default(),
            last_step: None,
            drift: 0,
            kind: None,
            name: None,
            enrolled_at: None,
        };
        let state = AccountState {
            tokens: vec![token("48244-13456"), token("12211-49352")],
            ..AccountState::default()
        };
        let json: serde_json::Value = serde_json::to_value(Plain::of(&state)).unwrap_or_default();
        assert_eq!(json["token"]["serial"], "48244-13456");
        assert_eq!(json["more_tokens"][0]["serial"], "12211-49352");
        let mut orphan = json.clone();
        orphan["token"] = serde_json::Value::Null;
        let plain: Plain = serde_json::from_value(orphan).unwrap_or_else(|_| unreachable!());
        assert!(plain.state().is_none());
    }
}
