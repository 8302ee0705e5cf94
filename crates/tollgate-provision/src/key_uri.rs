//! `otpauth://` key URIs: the open provisioning path that every authenticator app reads.
//!
//! Format (Google Authenticator "Key Uri Format"):
//! `otpauth://TYPE/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30`.

mod parse;

use core::fmt;
use core::str::FromStr;

use rand_core::CryptoRng;
use subtle::{Choice, ConstantTimeEq};
use tollgate_otp::{Algorithm, Counter, Digits, Period, Secret, TotpParams, UnixTime};
use zeroize::Zeroizing;

pub use self::parse::{Forgiven, Parsed};
use crate::error::{BuildError, UriError};
use crate::percent;

/// What kind of token a key URI describes, with its moving factor's parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OtpKind {
    /// Time-based (RFC 6238), with its period.
    Totp {
        /// The time step.
        period: Period,
    },
    /// Counter-based (RFC 4226), with the counter of the next code.
    Hotp {
        /// The counter the app starts from.
        counter: Counter,
    },
}

/// A key URI: a token's secret and parameters, with the name the app shows.
///
/// Built strictly ([`OtpAuthUri::totp`], [`OtpAuthUri::hotp`]) and written canonically
/// ([`OtpAuthUri::expose_uri`]: unpadded upper-case base32, `%20` for spaces); parsed leniently
/// ([`OtpAuthUri::parse`]), with a list of what had to be forgiven. Its `Debug` does not show
/// the secret.
///
/// ```
/// use tollgate_otp::{Secret, TotpParams};
/// use tollgate_provision::{Forgiven, OtpAuthUri};
///
/// let secret = Secret::from_base32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")?;
/// let uri = OtpAuthUri::totp(Some("Remote Signing"), "john.smith@example.com", secret, TotpParams::default())?;
/// assert_eq!(
///     uri.expose_uri().as_str(),
///     "otpauth://totp/Remote%20Signing:john.smith@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Remote%20Signing&algorithm=SHA1&digits=6&period=30"
/// );
///
/// // What real apps emit: a lower-case padded secret, an issuer that disagrees with the label.
/// let parsed = OtpAuthUri::parse("otpauth://totp/Old:alice?secret=jbsw%20y3dp%20ehpk%203pxp&issuer=New")?;
/// assert_eq!(parsed.uri.issuer(), Some("New"));
/// assert!(parsed.forgiven.iter().any(|f| matches!(f, Forgiven::IssuerMismatch { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct OtpAuthUri {
    kind: OtpKind,
    issuer: Option<String>,
    account: String,
    secret: Secret,
    algorithm: Algorithm,
    digits: Digits,
    /// Parameters this crate does not know (e.g. `image=`), kept in order.
    extra: Vec<(String, String)>,
}

impl OtpAuthUri {
    /// A `totp` key URI.
    ///
    /// # Errors
    /// [`BuildError::Colon`] for a colon in `issuer` or `account`,
    /// [`BuildError::EmptyAccount`], [`BuildError::NonzeroT0`].
    pub fn totp(
        issuer: Option<&str>,
        account: &str,
        secret: Secret,
        params: TotpParams,
    ) -> Result<Self, BuildError> {
        if params.t0() != UnixTime::EPOCH {
            return Err(BuildError::NonzeroT0);
        }
        Self::build(
            OtpKind::Totp {
                period: params.period(),
            },
            issuer,
            account,
            secret,
            params.algorithm(),
            params.digits(),
        )
    }

    /// An `hotp` key URI; `counter` is the counter of the first code the app will show.
    ///
    /// # Errors
    /// As [`OtpAuthUri::totp`], but for T0.
    pub fn hotp(
        issuer: Option<&str>,
        account: &str,
        secret: Secret,
        algorithm: Algorithm,
        digits: Digits,
        counter: Counter,
    ) -> Result<Self, BuildError> {
        Self::build(
            OtpKind::Hotp { counter },
            issuer,
            account,
            secret,
            algorithm,
            digits,
        )
    }

    /// The open alternative to the secure activation QR: a new random secret of the hash's
    /// length for a TOTP token with HMAC-SHA-256, 6 digits, 30 s, which the Entrust app and
    /// every other authenticator app accept, with none of the activation formats' weaknesses.
    ///
    /// # Errors
    /// As [`OtpAuthUri::totp`].
    pub fn open_alternative(
        issuer: Option<&str>,
        account: &str,
        rng: &mut impl CryptoRng,
    ) -> Result<Self, BuildError> {
        let params = TotpParams::new(Algorithm::Sha256, Digits::SIX, Period::default());
        Self::totp(
            issuer,
            account,
            Secret::generate(Algorithm::Sha256, rng),
            params,
        )
    }

    fn build(
        kind: OtpKind,
        issuer: Option<&str>,
        account: &str,
        secret: Secret,
        algorithm: Algorithm,
        digits: Digits,
    ) -> Result<Self, BuildError> {
        if issuer.is_some_and(|i| i.contains(':')) {
            return Err(BuildError::Colon { field: "issuer" });
        }
        if account.contains(':') {
            return Err(BuildError::Colon {
                field: "account name",
            });
        }
        if account.is_empty() {
            return Err(BuildError::EmptyAccount);
        }
        if issuer == Some("") {
            return Err(BuildError::EmptyIssuer);
        }
        if account.starts_with(char::is_whitespace) {
            return Err(BuildError::LeadingSpace);
        }
        let uri = Self {
            kind,
            issuer: issuer.map(str::to_owned),
            account: account.to_owned(),
            secret,
            algorithm,
            digits,
            extra: Vec::new(),
        };
        let len = uri.written_len();
        if len > parse::MAX_LEN {
            return Err(BuildError::TooLong {
                len,
                max: parse::MAX_LEN,
            });
        }
        Ok(uri)
    }

    /// The length of [`OtpAuthUri::expose_uri`].
    fn written_len(&self) -> usize {
        self.expose_uri().len()
    }

    /// Parses a key URI as apps accept them, and says what it forgave.
    ///
    /// # Errors
    /// A [`UriError`] for what no app could use: no secret, a secret that is not base32 or
    /// shorter than 80 bits, an unknown type, digits or period out of range, an `hotp` URI
    /// without counter.
    pub fn parse(uri: &str) -> Result<Parsed, UriError> {
        parse::parse(uri)
    }

    /// The token kind and its period or counter.
    #[must_use]
    pub fn kind(&self) -> OtpKind {
        self.kind
    }

    /// The issuer (the `issuer` parameter, else the label's prefix).
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The account name.
    #[must_use]
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The secret.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The HMAC hash.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Digits per code.
    #[must_use]
    pub fn digits(&self) -> Digits {
        self.digits
    }

    /// Parameters kept from parsing that this crate does not interpret.
    #[must_use]
    pub fn extra(&self) -> &[(String, String)] {
        &self.extra
    }

    /// The TOTP parameters, for a `totp` URI.
    #[must_use]
    pub fn totp_params(&self) -> Option<TotpParams> {
        match self.kind {
            OtpKind::Totp { period } => Some(TotpParams::new(self.algorithm, self.digits, period)),
            OtpKind::Hotp { .. } => None,
        }
    }

    /// The URI, canonically written; wiped on drop.
    ///
    /// # Security
    /// It carries the secret: put it into a QR code for the user, never into a log.
    #[must_use]
    pub fn expose_uri(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(128));
        // Writing to a String cannot fail.
        let _ = self.write_uri(&mut *out);
        out
    }

    fn write_uri(&self, out: &mut impl fmt::Write) -> fmt::Result {
        let kind = match self.kind {
            OtpKind::Totp { .. } => "totp",
            OtpKind::Hotp { .. } => "hotp",
        };
        write!(out, "otpauth://{kind}/")?;
        if let Some(issuer) = &self.issuer {
            write!(out, "{}:", percent::encode(issuer))?;
        }
        write!(
            out,
            "{}?secret={}",
            percent::encode(&self.account),
            self.secret.expose_base32().as_str()
        )?;
        if let Some(issuer) = &self.issuer {
            write!(out, "&issuer={}", percent::encode(issuer))?;
        }
        write!(out, "&algorithm={}&digits={}", self.algorithm, self.digits)?;
        match self.kind {
            OtpKind::Totp { period } => write!(out, "&period={}", period.as_secs())?,
            OtpKind::Hotp { counter } => write!(out, "&counter={}", counter.get())?,
        }
        for (name, value) in &self.extra {
            write!(out, "&{}={}", percent::encode(name), percent::encode(value))?;
        }
        Ok(())
    }
}

impl FromStr for OtpAuthUri {
    type Err = UriError;

    /// [`OtpAuthUri::parse`], keeping only the URI.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).map(|parsed| parsed.uri)
    }
}

impl ConstantTimeEq for OtpAuthUri {
    /// Equal when every field is; the secrets are compared in constant time.
    fn ct_eq(&self, other: &Self) -> Choice {
        let public = self.kind == other.kind
            && self.issuer == other.issuer
            && self.account == other.account
            && self.algorithm == other.algorithm
            && self.digits == other.digits
            && self.extra == other.extra;
        self.secret.ct_eq(&other.secret) & Choice::from(u8::from(public))
    }
}
