//! An enrolled authenticator: its secret, its clock, its name and kind.

use tollgate_codes::SerialNumber;
use tollgate_otp::{Secret, Step, TotpParams, UnixTime};

/// An enrolled soft token.
#[derive(Clone, Debug)]
pub struct TokenRecord {
    /// The token's serial number.
    pub serial: SerialNumber,
    /// Its secret.
    pub secret: Secret,
    /// Its TOTP parameters.
    pub params: TotpParams,
    /// The last step whose code was accepted: that code and older ones are refused.
    pub last_step: Option<Step>,
    /// How many steps the token's clock runs ahead (+) or behind (−), learned at the last
    /// accepted code and applied to the next verification.
    pub drift: i8,
    /// The app it was enrolled into (`None` for a token stored before authenticators had
    /// names and dates).
    pub kind: Option<EnrollmentKind>,
    /// The name the user gave it, if any (a page shows the kind's name otherwise).
    pub name: Option<AuthenticatorName>,
    /// When it was enrolled (`None` for a token stored before).
    pub enrolled_at: Option<UnixTime>,
}

/// The longest name of an authenticator, in characters.
pub const MAX_AUTHENTICATOR_NAME: usize = 40;

/// What a user calls one of their authenticators ("Work phone"): trimmed, NFC, 1 to
/// [`MAX_AUTHENTICATOR_NAME`] characters, none of them a control, format (`Cf`), line or
/// paragraph separator character (no line breaks, no bidirectional overrides or tags to make it
/// read as another name).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuthenticatorName(String);

impl AuthenticatorName {
    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::str::FromStr for AuthenticatorName {
    type Err = crate::InputError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        use unicode_normalization::UnicodeNormalization as _;
        let name: String = text.trim().nfc().collect();
        let count = name.chars().count();
        let printable = |c: char| !c.is_control() && !is_format(c);
        if count == 0 || count > MAX_AUTHENTICATOR_NAME || !name.chars().all(printable) {
            return Err(crate::InputError::NotAnAuthenticatorName {
                max: MAX_AUTHENTICATOR_NAME,
            });
        }
        Ok(Self(name))
    }
}

/// Characters whose Unicode general category is a format character (`Cf`: bidirectional
/// marks, embeddings, overrides and isolates, zero-width characters, tag characters, the BOM),
/// a line separator (`Zl`) or a paragraph separator (`Zp`): each changes how the text around it
/// reads or where it breaks, by its property rather than a hand list.
fn is_format(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};
    matches!(
        c.general_category(),
        GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

impl core::fmt::Display for AuthenticatorName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a token is being enrolled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum EnrollmentKind {
    /// A phone app: secure activation QR and activation password (and, where the service
    /// offers it, the open path's `otpauth://` QR beside it).
    Mobile,
    /// A desktop app: serial number and activation code typed in, registration code typed back.
    Desktop,
}

#[cfg(test)]
mod name_tests {
    use super::AuthenticatorName;

    /// Hostile input (the finding): the Arabic letter mark, tag characters, the line and
    /// paragraph separators were taken (the hand list missed them); every format, line- and
    /// paragraph-separator character is refused by its Unicode property now.
    #[test]
    fn every_format_and_separator_character_is_refused() {
        for c in [
            '\u{061C}',
            '\u{E0001}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{2028}',
            '\u{2029}',
            '\u{00AD}',
            '\u{180E}',
            '\u{200B}',
            '\u{202E}',
            '\u{2066}',
            '\u{FEFF}',
            '\u{FFF9}',
            '\u{1D173}',
            '\n',
            '\u{7F}',
        ] {
            let name = format!("Work{c}phone");
            assert!(
                name.parse::<AuthenticatorName>().is_err(),
                "U+{:04X}",
                u32::from(c)
            );
        }
        for name in [
            "Work phone",
            "Téléphone",
            "رقم العمل",
            "手机",
            "Laptop 2 🚀",
        ] {
            assert!(name.parse::<AuthenticatorName>().is_ok(), "{name}");
        }
    }
}
