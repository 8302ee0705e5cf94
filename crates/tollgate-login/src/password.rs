//! What a new password must be (SP 800-63B-4 §3.1.1.2): long enough, not too long to type, not
//! a common or breached password, not the user's own identifiers; no composition rules, no
//! truncation. The rules are a value the pages render ([`PasswordRules::describe`]).

use serde::{Deserialize, Serialize};

use crate::user::UserId;

/// The shipped list of common and breached passwords: its header says where it comes from and
/// under which licence (`crates/tollgate-login/data/common-passwords.txt`).
const COMMON: &str = include_str!("../data/common-passwords.txt");

/// The shortest part of an identifier (a User ID, the part of an e-mail address before `@`, a
/// phone number's digits) that a password may not contain: shorter ones (`jo`) are in too
/// many good passwords to refuse them.
const MIN_IDENTIFIER: usize = 4;

/// What a new password must be. [`PasswordRules::default`] is SP 800-63B-4's for a password
/// used with a second factor: at least 8 characters, up to 64 (the minimum maximum NIST
/// allows; the service takes up to 1 KiB for logins), not on the shipped blocklist, not
/// containing the user's identifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PasswordRules {
    /// At least this many characters (Unicode scalar values).
    pub min: u16,
    /// At most this many.
    pub max: u16,
}

impl Default for PasswordRules {
    fn default() -> Self {
        Self::WITH_SECOND_FACTOR
    }
}

/// Why a new password was refused. Carries no part of the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordRefusal {
    /// Fewer characters than [`PasswordRules::min`].
    #[error("a password needs at least {0} characters")]
    TooShort(u16),
    /// More than [`PasswordRules::max`].
    #[error("a password may have at most {0} characters")]
    TooLong(u16),
    /// On the list of common and breached passwords.
    #[error("that password is common: attackers try it first")]
    Common,
    /// It contains the User ID, the e-mail address's name, or the phone number.
    #[error("a password may not contain your User ID, e-mail address or phone number")]
    Personal,
}

impl PasswordRules {
    /// For a password used with a second factor (every tollgate login): 8 to 64 characters.
    pub const WITH_SECOND_FACTOR: Self = Self { min: 8, max: 64 };
    /// For a password used alone: 15 to 64 characters.
    pub const SINGLE_FACTOR: Self = Self { min: 15, max: 64 };

    /// Rules of `min` to `max` characters; `min` is raised to 8 and `max` to 64 (and to `min`)
    /// if lower, as SP 800-63B-4 requires.
    #[must_use]
    pub fn new(min: u16, max: u16) -> Self {
        let min = min.max(8);
        Self {
            min,
            max: max.max(64).max(min),
        }
    }

    /// Checks `password` for `user`, whose identifiers (`others`: the e-mail address and the
    /// phone number on file) it may not contain.
    ///
    /// # Errors
    /// The first rule it breaks.
    pub fn check(
        &self,
        password: &str,
        user: &UserId,
        others: &[&str],
    ) -> Result<(), PasswordRefusal> {
        // SP 800-63B-4 §3.1.1.2: the same text however it was typed (NFKC), so that the
        // rules see what the hash will see ([`normalize_password`]).
        let password = normalize_password(password);
        let length = password.chars().count();
        if length < usize::from(self.min) {
            return Err(PasswordRefusal::TooShort(self.min));
        }
        if length > usize::from(self.max) {
            return Err(PasswordRefusal::TooLong(self.max));
        }
        let folded = password.to_lowercase();
        if is_common(&folded) {
            return Err(PasswordRefusal::Common);
        }
        let identifiers = core::iter::once(user.as_str())
            .chain(others.iter().copied())
            .flat_map(parts);
        for part in identifiers {
            if part.chars().count() >= MIN_IDENTIFIER && folded.contains(&part) {
                return Err(PasswordRefusal::Personal);
            }
        }
        Ok(())
    }
}

/// A password as it is checked and hashed: NFKC (SP 800-63B-4 §3.1.1.2, "Normalization Process
/// for Stabilization of Strings" of UAX #15), so that the full-width, ligature or decomposed
/// forms that different keyboards produce for the same text are the same password. Borrowed
/// when it is normalized already (every ASCII password).
#[must_use]
pub fn normalize_password(password: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization as _, is_nfkc_quick};
    if is_nfkc_quick(password.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(password)
    } else {
        std::borrow::Cow::Owned(password.nfkc().collect())
    }
}

/// Whether `folded` (in lower case) is on the shipped list.
fn is_common(folded: &str) -> bool {
    use std::sync::OnceLock;
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    let list = LIST.get_or_init(|| {
        let mut list: Vec<&str> = entries().collect();
        list.sort_unstable();
        list
    });
    list.binary_search(&folded).is_ok()
}

/// The list's entries: every line after the header's (which start with `#`).
fn entries() -> impl Iterator<Item = &'static str> {
    COMMON.lines().skip_while(|l| l.starts_with('#'))
}

/// The parts of an identifier a password may not contain, in lower case: the whole, the name
/// of an e-mail address, and a phone number's digits (with and without the country code's
/// first digits).
fn parts(identifier: &str) -> Vec<String> {
    let folded = identifier.trim().to_lowercase();
    let mut parts = vec![folded.clone()];
    if let Some((name, _)) = folded.split_once('@') {
        parts.push(name.to_owned());
        parts.extend(name.split(['.', '_', '-', '+']).map(str::to_owned));
    }
    let digits: String = folded.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 7 {
        // The subscriber's number without a country code: the last seven digits.
        parts.push(digits[digits.len() - 7..].to_owned());
        parts.push(digits);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn john() -> UserId {
        "john.smith@example.com"
            .parse()
            .unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn lengths_are_counted_in_characters_and_never_truncated() {
        let rules = PasswordRules::default();
        assert_eq!(
            rules.check("short", &john(), &[]),
            Err(PasswordRefusal::TooShort(8))
        );
        // Eight characters of 3 bytes each: long enough.
        assert_eq!(rules.check("日本語の長い合言", &john(), &[]), Ok(()));
        let long = "v".repeat(64);
        assert_eq!(rules.check(&long, &john(), &[]), Ok(()));
        assert_eq!(
            rules.check(&format!("{long}w"), &john(), &[]),
            Err(PasswordRefusal::TooLong(64))
        );
        assert_eq!(PasswordRules::new(4, 20), PasswordRules { min: 8, max: 64 });
        assert_eq!(PasswordRules::SINGLE_FACTOR.min, 15);
    }

    #[test]
    fn no_composition_rules() {
        // Lower case letters and spaces only, no digit, no symbol: fine.
        assert_eq!(
            PasswordRules::default().check("purple monkey dishwasher", &john(), &[]),
            Ok(())
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in [
            "password1",
            "PASSWORD1",
            "iloveyou123",
            "trustno1",
            "qwertyuiop",
        ] {
            assert_eq!(
                PasswordRules::default().check(common, &john(), &[]),
                Err(PasswordRefusal::Common),
                "{common}"
            );
        }
        assert!(is_common("12345678"));
        assert!(!is_common("# common and breached passwords"));
    }

    #[test]
    fn the_users_own_identifiers_are_refused() {
        let rules = PasswordRules::default();
        let phone = "+16132701234";
        for personal in [
            "john.smith@example.com!",
            "mysmithpassword",
            "JohnTheBest2024",
            "call me at 2701234",
            "x16132701234x",
        ] {
            assert_eq!(
                rules.check(personal, &john(), &[phone]),
                Err(PasswordRefusal::Personal),
                "{personal}"
            );
        }
        // A short name part (`jo`) is not refused on its own.
        let jo: UserId = "jo@example.com".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(rules.check("jolly good fellow", &jo, &[]), Ok(()));
    }

    /// Variants that look different but are the same text after NFKC (full-width letters, a
    /// ligature, a decomposed accent) are the same password to the rules: no way around the
    /// blocklist or the identifiers by typing a common password in full-width letters.
    #[test]
    fn compatibility_variants_keep_to_the_same_rules() {
        let rules = PasswordRules::default();
        for (variant, refusal) in [
            (
                "\u{ff50}\u{ff41}\u{ff53}\u{ff53}\u{ff57}\u{ff4f}\u{ff52}\u{ff44}1",
                PasswordRefusal::Common,
            ),
            ("1big\u{fb01}sh", PasswordRefusal::Common),
            (
                "\u{ff4a}\u{ff4f}\u{ff48}\u{ff4e} is great",
                PasswordRefusal::Personal,
            ),
        ] {
            assert_eq!(
                rules.check(variant, &john(), &[]),
                Err(refusal),
                "{variant}"
            );
        }
        // Counted as typed once normalised: "ﬃ" is three characters.
        assert_eq!(
            rules.check("\u{fb03}\u{fb03}x", &john(), &[]),
            Err(PasswordRefusal::TooShort(8))
        );
        assert_eq!(rules.check("\u{fb03}\u{fb03}xy", &john(), &[]), Ok(()));
    }

    #[test]
    fn the_shipped_list_is_sorted_folded_and_long_enough() {
        let entries: Vec<&str> = entries().collect();
        assert!(entries.len() > 10_000, "{}", entries.len());
        assert!(entries.windows(2).all(|w| w[0] < w[1]));
        assert!(
            entries
                .iter()
                .all(|e| e.len() >= 8 && *e == e.to_lowercase())
        );
        assert!(COMMON.contains("MIT licence") && COMMON.contains("public domain"));
    }
}
