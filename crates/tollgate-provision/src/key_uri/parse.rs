//! Reading key URIs as apps accept them, and saying what was forgiven.

use tollgate_otp::{Algorithm, Counter, Digits, Period, Secret};

use super::{OtpAuthUri, OtpKind};
use crate::error::UriError;
use crate::percent;

/// The longest key URI, written canonically: real ones are under 300 bytes; `image=` links can
/// be longer. Building refuses longer ones too, so that whatever is built parses.
pub(crate) const MAX_LEN: usize = 4096;
/// The longest input read: canonical writing percent-encodes what the input may have left
/// bare, so an input up to three times longer can still be within [`MAX_LEN`] once written.
const MAX_INPUT: usize = 3 * MAX_LEN;

/// A parsed key URI and what the parser had to forgive to read it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Parsed {
    /// The URI.
    pub uri: OtpAuthUri,
    /// Deviations from the Key Uri Format that were accepted, in the order met.
    pub forgiven: Vec<Forgiven>,
}

/// Something a key URI did that the format does not allow, but apps accept.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Forgiven {
    /// The label's issuer differs from the `issuer` parameter; the parameter wins.
    IssuerMismatch {
        /// The label's issuer.
        label: String,
        /// The parameter, which is used.
        parameter: String,
    },
    /// Neither the label nor a parameter names the issuer.
    MissingIssuer,
    /// An `issuer` parameter with no text (`issuer=`), read as absent: the label's prefix, if
    /// any, is the issuer.
    EmptyIssuer,
    /// A colon in the issuer (the label was split at its last colon).
    ColonInIssuer,
    /// White space after the label's colon, which is not part of the account name.
    SpaceAfterColon,
    /// The secret was not canonical base32 (lower case, padding, spaces or leftover bits).
    NonCanonicalSecret,
    /// The secret is shorter than the recommended 160 bits.
    WeakSecret {
        /// Its length in bits.
        bits: usize,
    },
    /// A `+` in a parameter, read as a space (form encoding).
    PlusAsSpace,
    /// The scheme or type was not in lower case.
    Case,
    /// A parameter this crate does not know, kept in [`OtpAuthUri::extra`].
    UnknownParameter(String),
    /// A parameter given twice; the first is used.
    DuplicateParameter(String),
}

/// Known parameters, once each.
#[derive(Default)]
struct Known {
    secret: Option<String>,
    issuer: Option<String>,
    algorithm: Option<String>,
    digits: Option<String>,
    period: Option<String>,
    counter: Option<String>,
}

pub(super) fn parse(uri: &str) -> Result<Parsed, UriError> {
    if uri.len() > MAX_INPUT {
        return Err(UriError::TooLong {
            len: uri.len(),
            max: MAX_LEN,
        });
    }
    let mut forgiven = Vec::new();
    let uri = uri.trim();
    let (scheme, rest) = uri.split_once("://").ok_or(UriError::NotOtpAuth)?;
    if !scheme.eq_ignore_ascii_case("otpauth") {
        return Err(UriError::NotOtpAuth);
    }
    let (kind_name, rest) = rest.split_once('/').ok_or(UriError::NoLabel)?;
    let is_totp = kind_name.eq_ignore_ascii_case("totp");
    if !is_totp && !kind_name.eq_ignore_ascii_case("hotp") {
        return Err(UriError::UnknownType(kind_name.chars().take(32).collect()));
    }
    if scheme != "otpauth" || (kind_name != "totp" && kind_name != "hotp") {
        forgiven.push(Forgiven::Case);
    }
    let (label, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (label_issuer, account) = split_label(label, &mut forgiven)?;

    let mut known = Known::default();
    let mut extra = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent::decode(name).ok_or(UriError::BadEncoding("parameter name"))?;
        if value.contains('+') {
            forgiven.push(Forgiven::PlusAsSpace);
        }
        let value = percent::decode(&value.replace('+', " "))
            .ok_or(UriError::BadEncoding("parameter value"))?;
        let slot = match name.to_ascii_lowercase().as_str() {
            "secret" => &mut known.secret,
            "issuer" => &mut known.issuer,
            "algorithm" => &mut known.algorithm,
            "digits" => &mut known.digits,
            "period" if is_totp => &mut known.period,
            "counter" if !is_totp => &mut known.counter,
            _ => {
                forgiven.push(Forgiven::UnknownParameter(name.clone()));
                extra.push((name, value));
                continue;
            }
        };
        if slot.is_some() {
            forgiven.push(Forgiven::DuplicateParameter(name));
        } else {
            *slot = Some(value);
        }
    }

    let secret_text = known.secret.ok_or(UriError::NoSecret)?;
    let secret = Secret::from_base32(&secret_text)?;
    if Secret::from_base32_strict(&secret_text).is_err()
        || secret_text != secret.expose_base32().as_str()
    {
        forgiven.push(Forgiven::NonCanonicalSecret);
    }
    if secret.is_weak() {
        forgiven.push(Forgiven::WeakSecret {
            bits: secret.bits(),
        });
    }

    let issuer = issuer(label_issuer, known.issuer, &mut forgiven);

    let algorithm = match known.algorithm {
        Some(a) => a
            .parse::<Algorithm>()
            .map_err(|error| UriError::Parameter {
                name: "algorithm",
                error,
            })?,
        None => Algorithm::Sha1,
    };
    let digits = match known.digits {
        Some(d) => d.parse::<Digits>().map_err(|error| UriError::Parameter {
            name: "digits",
            error,
        })?,
        None => Digits::SIX,
    };
    let kind = if is_totp {
        let period = match known.period {
            Some(p) => p.parse::<Period>().map_err(|error| UriError::Parameter {
                name: "period",
                error,
            })?,
            None => Period::default(),
        };
        OtpKind::Totp { period }
    } else {
        let counter = known.counter.ok_or(UriError::NoCounter)?;
        let counter: u64 = counter.trim().parse().map_err(|_| UriError::BadCounter)?;
        OtpKind::Hotp {
            counter: Counter::new(counter),
        }
    };

    let uri = OtpAuthUri {
        kind,
        issuer,
        account,
        secret,
        algorithm,
        digits,
        extra,
    };
    let written = uri.written_len();
    if written > MAX_LEN {
        return Err(UriError::TooLong {
            len: written,
            max: MAX_LEN,
        });
    }
    Ok(Parsed { uri, forgiven })
}

/// The issuer, from the label's prefix and the `issuer` parameter, by one rule: what is empty
/// (or only white space) is absent ([`Forgiven::EmptyIssuer`]: an `issuer=` with no text used to
/// wipe the label's issuer, where peers read the label's); when both are there and agree,
/// that; when they disagree, the parameter (the field the Key Uri Format recommends), said in
/// [`Forgiven::IssuerMismatch`]; when one is there, it; when neither, none
/// ([`Forgiven::MissingIssuer`]).
fn issuer(
    label: Option<String>,
    parameter: Option<String>,
    forgiven: &mut Vec<Forgiven>,
) -> Option<String> {
    let parameter = match parameter {
        Some(p) if p.trim().is_empty() => {
            forgiven.push(Forgiven::EmptyIssuer);
            None
        }
        other => other,
    };
    let label = label.filter(|l| !l.trim().is_empty());
    let issuer = match (label, parameter) {
        (Some(label), Some(parameter)) => {
            if label != parameter {
                forgiven.push(Forgiven::IssuerMismatch {
                    label,
                    parameter: parameter.clone(),
                });
            }
            Some(parameter)
        }
        (label, parameter) => parameter.or(label),
    };
    if issuer.is_none() {
        forgiven.push(Forgiven::MissingIssuer);
    } else if issuer.as_deref().is_some_and(|i| i.contains(':')) {
        forgiven.push(Forgiven::ColonInIssuer);
    }
    issuer
}

/// Splits `issuer:account` at its last raw colon (issuers contain colons more often than
/// accounts do), decoding each part; white space after the colon is dropped.
fn split_label(
    label: &str,
    forgiven: &mut Vec<Forgiven>,
) -> Result<(Option<String>, String), UriError> {
    let (issuer, account) = match label.rsplit_once(':') {
        Some((issuer, account)) => (Some(issuer), account),
        None => match label.to_ascii_lowercase().rfind("%3a") {
            // An encoded colon is still the separator for apps that encode the whole label.
            Some(at) => (Some(&label[..at]), &label[at + 3..]),
            None => (None, label),
        },
    };
    let issuer = issuer
        .map(|i| percent::decode(i).ok_or(UriError::BadEncoding("label")))
        .transpose()?;
    let decoded = percent::decode(account).ok_or(UriError::BadEncoding("label"))?;
    let account = decoded.trim_start();
    if issuer.is_some() && account.len() != decoded.len() {
        forgiven.push(Forgiven::SpaceAfterColon);
    }
    if account.is_empty() {
        return Err(UriError::NoLabel);
    }
    Ok((issuer.filter(|i| !i.is_empty()), account.to_owned()))
}
