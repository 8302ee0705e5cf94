//! Who is logging in, and where a PIN can be sent.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::InputError;

/// The longest e-mail address (RFC 5321 §4.5.3.1.3 path limit, less the angle brackets).
const MAX_EMAIL: usize = 254;

/// The longest user name, in characters.
pub const MAX_USERNAME: usize = 64;

/// What a service's User IDs are ([`Config::with_user_ids`](crate::Config::with_user_ids)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UserIds {
    /// E-mail addresses, trimmed and compared case-insensitively (stored in lower case).
    #[default]
    Email,
    /// User names, as RFC 8265's UsernameCaseMapped profile prepares them: full- and
    /// half-width forms mapped to their ordinary ones (here by NFKC, which does that and also
    /// maps compatibility characters), upper and title case to lower case, then NFC; what is
    /// left must be letters, digits or printable ASCII other than space (the PRECIS
    /// IdentifierClass), 1 to 64 characters, and a name with right-to-left characters must
    /// keep to RFC 5893's Bidi Rule. So `ＪＯＨＮ` and `John` are the user `john`.
    Username,
}

/// A User ID: an e-mail address (trimmed, in lower case) or a user name (prepared as
/// [`UserIds::Username`] says), as the service's [`UserIds`] rule takes them.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    /// The normalised ID.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What a person typed, read under `rule`.
    ///
    /// # Errors
    /// [`InputError::NotAnEmail`] or [`InputError::EmailTooLong`] under [`UserIds::Email`];
    /// [`InputError::NotAUsername`] under [`UserIds::Username`].
    pub fn parse_as(text: &str, rule: UserIds) -> Result<Self, InputError> {
        match rule {
            UserIds::Email => {
                let email = EmailAddress::from_str(text)?;
                Ok(Self(email.0.to_lowercase()))
            }
            UserIds::Username => username(text).map(Self),
        }
    }
}

/// RFC 8265 §3.3 (UsernameCaseMapped), as [`UserIds::Username`] describes it.
fn username(text: &str) -> Result<String, InputError> {
    use unicode_normalization::UnicodeNormalization as _;
    let text = text.trim();
    let mapped: String = text
        .nfkc()
        .collect::<String>()
        .to_lowercase()
        .nfc()
        .collect();
    let count = mapped.chars().count();
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '!'..='~');
    if count == 0 || count > MAX_USERNAME || !mapped.chars().all(allowed) || !bidi_rule(&mapped) {
        return Err(InputError::NotAUsername { max: MAX_USERNAME });
    }
    Ok(mapped)
}

/// RFC 5893 §2's Bidi Rule, which RFC 8265 §3.3.2 applies to a user name with right-to-left
/// characters (R, AL or AN): a name that would show in another order than it was typed, or
/// that could look like another name beside left-to-right text, is refused.
fn bidi_rule(name: &str) -> bool {
    use unicode_bidi::{BidiClass::*, bidi_class};
    let classes: Vec<_> = name.chars().map(bidi_class).collect();
    if !classes.iter().any(|c| matches!(c, R | AL | AN)) {
        return true;
    }
    // Rule 1: the first character is L, R or AL, and says the direction.
    let rtl = match classes.first() {
        Some(R | AL) => true,
        Some(L) => false,
        _ => return false,
    };
    // The last character that is not a non-spacing mark (rules 3 and 6).
    let last = classes.iter().rev().find(|c| **c != NSM);
    if rtl {
        // Rule 2: only these in a right-to-left name.
        let allowed = |c: &_| matches!(c, R | AL | AN | EN | ES | CS | ET | ON | BN | NSM);
        // Rule 4: European and Arabic-Indic digits are not mixed.
        let mixed = classes.contains(&EN) && classes.contains(&AN);
        classes.iter().all(allowed) && matches!(last, Some(R | AL | EN | AN)) && !mixed
    } else {
        // Rule 5 (which right-to-left characters fail here), and rule 6.
        let allowed = |c: &_| matches!(c, L | EN | ES | CS | ET | ON | BN | NSM);
        classes.iter().all(allowed) && matches!(last, Some(L | EN))
    }
}

impl FromStr for UserId {
    type Err = InputError;

    /// An e-mail address, or else a user name: what either rule accepts (a stored ID reads
    /// back whichever rule wrote it).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_as(s, UserIds::Email)
            .or_else(|e| Self::parse_as(s, UserIds::Username).map_err(|_| e))
    }
}

impl TryFrom<String> for UserId {
    type Error = InputError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> Self {
        id.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserId({})", self.0)
    }
}

/// An e-mail address to send a PIN to: one `@`, something on each side, no white space or
/// control characters, at most 254 characters.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address as a screen may show it: `j•••@example.com`.
    #[must_use]
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}•••@{domain}")
    }
}

impl FromStr for EmailAddress {
    type Err = InputError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.chars().count() > MAX_EMAIL {
            return Err(InputError::EmailTooLong { max: MAX_EMAIL });
        }
        let valid = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(InputError::NotAnEmail)
        }
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InputError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<EmailAddress> for String {
    fn from(e: EmailAddress) -> Self {
        e.0
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({})", self.masked())
    }
}

/// A mobile number in E.164 form: `+`, then 8 to 15 digits (spaces, dots, hyphens and
/// brackets typed between them are dropped).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// The number, `+` and digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as a screen may show it: `+1 ••• ••• 1234`.
    #[must_use]
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let (head, tail) = digits.split_at(digits.len().saturating_sub(4));
        let country: String = head.chars().take(1).collect();
        format!("+{country} ••• ••• {tail}")
    }
}

impl FromStr for PhoneNumber {
    type Err = InputError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let rest = s.strip_prefix('+').ok_or(InputError::NotAPhoneNumber)?;
        let mut digits = String::from("+");
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return Err(InputError::NotAPhoneNumber),
            }
        }
        if (9..=16).contains(&digits.len()) {
            Ok(Self(digits))
        } else {
            Err(InputError::NotAPhoneNumber)
        }
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = InputError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> Self {
        p.0
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_trimmed_and_case_insensitive() {
        let a: UserId = "  John.Smith@Entrust.com ".parse().unwrap();
        let b: UserId = "john.smith@entrust.com".parse().unwrap();
        assert_eq!(a, b);
        let email = |text| UserId::parse_as(text, UserIds::Email);
        assert!(email("john").is_err());
        assert!(email("a@b@c").is_err());
        assert!(email("a b@c").is_err());
        // A stored ID of either kind reads back; a space is in neither.
        assert!("john".parse::<UserId>().is_ok());
        assert!("a b@c".parse::<UserId>().is_err());
    }

    #[test]
    fn masking() {
        let phone: PhoneNumber = "+1 (613) 270-1234".parse().unwrap();
        assert_eq!(phone.as_str(), "+16132701234");
        assert_eq!(phone.masked(), "+1 ••• ••• 1234");
        let email: EmailAddress = "john.smith@example.com".parse().unwrap();
        assert_eq!(email.masked(), "j•••@example.com");
        assert!("0613".parse::<PhoneNumber>().is_err());
    }
}
