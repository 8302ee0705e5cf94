//! The token policy: a JSON document that the issuer gives the token, and that enters the
//! derivation of its secret byte for byte.

use core::str::FromStr;

use serde::Deserialize;
use serde_json::{Map, Value};
use tollgate_otp::Digits;

use crate::error::PolicyError;

/// A token policy, e.g. `{"allowUnsecured":"false","trustedExecution":"NOT_ALLOWED"}`.
///
/// The exact text is kept ([`Policy::as_str`]): the secret's derivation hashes it as it came, so
/// re-serialising it would change the secret. The known fields are parsed into types and every
/// other field is kept in [`Policy::other`], not dropped.
///
/// ```
/// use tollgate_codes::Policy;
///
/// let text = r#"{"allowUnsecured":"false","trustedExecution":"NOT_ALLOWED","x":1}"#;
/// let policy: Policy = text.parse()?;
/// assert_eq!(policy.allow_unsecured(), Some(false));
/// assert_eq!(policy.trusted_execution(), Some("NOT_ALLOWED"));
/// assert!(policy.other().contains_key("x"));
/// assert_eq!(policy.as_str(), text);
/// # Ok::<(), tollgate_codes::PolicyError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    text: String,
    fields: Fields,
    otp_digits: Option<Digits>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
struct Fields {
    /// Public samples carry the boolean as a string (`"false"`).
    #[serde(rename = "allowUnsecured", default)]
    allow_unsecured: Option<Value>,
    #[serde(rename = "trustedExecution", default)]
    trusted_execution: Option<String>,
    /// The field name is tollgate's guess: no public sample carries an OTP length.
    #[serde(rename = "otpLength", default)]
    otp_length: Option<Value>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

impl Policy {
    /// The policy exactly as given, for the secret's derivation.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `allowUnsecured`, given as a JSON boolean or as the string `"true"` / `"false"`.
    #[must_use]
    pub fn allow_unsecured(&self) -> Option<bool> {
        match self.fields.allow_unsecured.as_ref()? {
            Value::Bool(b) => Some(*b),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// `trustedExecution`, e.g. `NOT_ALLOWED`.
    #[must_use]
    pub fn trusted_execution(&self) -> Option<&str> {
        self.fields.trusted_execution.as_deref()
    }

    /// The number of digits the token shows: `otpLength` when present, else 6.
    #[must_use]
    pub fn otp_digits(&self) -> Digits {
        self.otp_digits.unwrap_or(Digits::SIX)
    }

    /// Every field that is not one of the above, kept as given.
    #[must_use]
    pub fn other(&self) -> &Map<String, Value> {
        &self.fields.other
    }
}

impl FromStr for Policy {
    type Err = PolicyError;

    /// Parses a JSON object. Input is bounded by `serde_json`'s recursion limit (128 levels).
    ///
    /// # Errors
    /// [`PolicyError::Json`] when the text is not a JSON object; [`PolicyError::Field`] when
    /// `otpLength` is present but not 6, 7 or 8.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fields: Fields = serde_json::from_str(text)?;
        let otp_digits = match &fields.otp_length {
            None => None,
            Some(value) => Some(
                match value {
                    Value::Number(n) => n.as_u64(),
                    Value::String(s) => s.parse().ok(),
                    _ => None,
                }
                .and_then(|n| u8::try_from(n).ok())
                .and_then(|n| Digits::try_from(n).ok())
                .ok_or(PolicyError::Field { field: "otpLength" })?,
            ),
        };
        Ok(Self {
            text: text.to_owned(),
            fields,
            otp_digits,
        })
    }
}
