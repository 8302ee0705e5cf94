//! Google Authenticator's export: `otpauth-migration://offline?data=…`, a base64 protobuf of
//! accounts, split into batches when there are many.
//!
//! Payload fields: 1 = repeated account, 2 = version, 3 = batch_size, 4 = batch_index,
//! 5 = batch_id. Account fields: 1 = secret (raw bytes), 2 = name, 3 = issuer, 4 = algorithm
//! (1 SHA1, 2 SHA256, 3 SHA512, 4 MD5), 5 = digits (1 six, 2 eight), 6 = type (1 HOTP, 2 TOTP),
//! 7 = counter. There is no period: 30 s is implied.

mod protobuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tollgate_otp::{Algorithm, Counter, Digits, Period, Secret, SecretError};
use zeroize::Zeroizing;

use self::protobuf::{Reader, Value, Writer};
use crate::error::MigrationError;
use crate::key_uri::{OtpAuthUri, OtpKind};
use crate::percent;

/// The longest link accepted: a full batch of ten accounts is about 1 KiB.
const MAX_LEN: usize = 64 * 1024;
/// The most accounts accepted in one payload.
pub const MAX_ACCOUNTS: usize = 1000;
/// Accounts per link when exporting, as Google Authenticator does: a QR code stays scannable.
pub const DEFAULT_BATCH: usize = 10;

/// One payload of an export: its accounts and its place among the batches.
#[derive(Debug)]
#[non_exhaustive]
pub struct MigrationBatch {
    /// The accounts that can be used, in payload order.
    pub accounts: Vec<OtpAuthUri>,
    /// The accounts that cannot, with their position in the payload and why.
    pub skipped: Vec<Skipped>,
    /// The payload's format version.
    pub version: u64,
    /// How many batches the export has (1 when unset).
    pub batch_size: u64,
    /// This batch's index, from 0.
    pub batch_index: u64,
    /// The export's identifier, the same in every batch: a protobuf `int32`, negative for half
    /// the exports in the wild (Google Authenticator draws it at random), kept as such so that
    /// it is written back unchanged.
    pub batch_id: i32,
}

/// An account of the payload that cannot become a token.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Skipped {
    /// Its position in the payload, from 0.
    pub index: usize,
    /// Why.
    pub reason: SkipReason,
}

/// Why an account was skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// MD5, which no RFC allows for OTPs.
    Md5,
    /// An unknown algorithm, digit count or type number.
    Unknown(&'static str),
    /// The secret is unusable.
    Secret(SecretError),
    /// An account name no key URI can carry.
    Name,
}

/// Reads one `otpauth-migration://offline?data=…` link.
///
/// Accepts the `+` of the base64 arriving as a space (the link passed through form decoding)
/// and missing padding.
///
/// # Errors
/// A [`MigrationError`] for a link that is not one, bad base64, or a malformed protobuf
/// (truncated varints, lengths past the end, unknown wire types, more than
/// [`MAX_ACCOUNTS`] accounts).
pub fn import(link: &str) -> Result<MigrationBatch, MigrationError> {
    if link.len() > MAX_LEN {
        return Err(MigrationError::TooLong {
            len: link.len(),
            max: MAX_LEN,
        });
    }
    match decode_link(link.trim()) {
        // A base64 `+` at the very end, turned into a space by form decoding, went with the
        // trim: read it again with the trailing spaces as `+`.
        Err(MigrationError::Base64 | MigrationError::Protobuf(_))
            if link.trim_start().ends_with(' ') =>
        {
            decode_link(link.trim_start().trim_end_matches(['\r', '\n', '\t']))
        }
        decoded => decoded,
    }
}

fn decode_link(link: &str) -> Result<MigrationBatch, MigrationError> {
    let (scheme, rest) = link.split_once("://").ok_or(MigrationError::NotMigration)?;
    if !scheme.eq_ignore_ascii_case("otpauth-migration") {
        return Err(MigrationError::NotMigration);
    }
    let (host, query) = rest.split_once('?').ok_or(MigrationError::NotMigration)?;
    if !host.trim_end_matches('/').eq_ignore_ascii_case("offline") {
        return Err(MigrationError::NotMigration);
    }
    let data = query
        .split('&')
        .find_map(|p| p.strip_prefix("data="))
        .ok_or(MigrationError::NotMigration)?;
    let data = percent::decode(data).ok_or(MigrationError::Base64)?;
    let mut data: String = data
        .chars()
        .map(|c| if c == ' ' { '+' } else { c })
        .filter(|c| !matches!(c, '\n' | '\r'))
        .collect();
    while !data.len().is_multiple_of(4) {
        data.push('=');
    }
    let bytes = Zeroizing::new(STANDARD.decode(&data).map_err(|_| MigrationError::Base64)?);
    decode_payload(&bytes)
}

/// A varint read as a protobuf `int32`: its low 32 bits, two's complement.
fn int32(value: u64) -> i32 {
    u32::try_from(value & u64::from(u32::MAX))
        .unwrap_or_default()
        .cast_signed()
}

fn decode_payload(bytes: &[u8]) -> Result<MigrationBatch, MigrationError> {
    let mut batch = MigrationBatch {
        accounts: Vec::new(),
        skipped: Vec::new(),
        version: 0,
        batch_size: 1,
        batch_index: 0,
        batch_id: 0,
    };
    let mut index = 0;
    let mut reader = Reader::new(bytes);
    while let Some((number, value)) = reader.next_field()? {
        match (number, value) {
            (1, Value::Bytes(account)) => {
                if index >= MAX_ACCOUNTS {
                    return Err(MigrationError::TooManyAccounts { max: MAX_ACCOUNTS });
                }
                match decode_account(account)? {
                    Ok(uri) => batch.accounts.push(uri),
                    Err(reason) => batch.skipped.push(Skipped { index, reason }),
                }
                index += 1;
            }
            (2, Value::Varint(v)) => batch.version = v,
            (3, Value::Varint(v)) => batch.batch_size = v,
            (4, Value::Varint(v)) => batch.batch_index = v,
            // An `int32`: negative values arrive sign-extended to 64 bits (10 bytes), and
            // protobuf readers keep the low 32 bits.
            (5, Value::Varint(v)) => batch.batch_id = int32(v),
            (1..=5, _) => return Err(MigrationError::Protobuf("field of the wrong wire type")),
            _ => {}
        }
    }
    Ok(batch)
}

/// Decodes one account: `Err` for a malformed message, `Ok(Err)` for a well-formed account
/// that cannot be used.
fn decode_account(bytes: &[u8]) -> Result<Result<OtpAuthUri, SkipReason>, MigrationError> {
    let mut secret: &[u8] = &[];
    let (mut name, mut issuer) = (String::new(), String::new());
    let (mut algorithm, mut digits, mut kind, mut counter) = (0, 0, 0, 0);
    let mut reader = Reader::new(bytes);
    while let Some((number, value)) = reader.next_field()? {
        match (number, value) {
            (1, Value::Bytes(b)) => secret = b,
            (2, Value::Bytes(b)) => name = utf8(b)?,
            (3, Value::Bytes(b)) => issuer = utf8(b)?,
            (4, Value::Varint(v)) => algorithm = v,
            (5, Value::Varint(v)) => digits = v,
            (6, Value::Varint(v)) => kind = v,
            (7, Value::Varint(v)) => counter = v,
            (1..=7, _) => return Err(MigrationError::Protobuf("field of the wrong wire type")),
            _ => {}
        }
    }
    Ok(account_uri(
        secret, &name, &issuer, algorithm, digits, kind, counter,
    ))
}

fn utf8(bytes: &[u8]) -> Result<String, MigrationError> {
    core::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| MigrationError::Protobuf("a name is not UTF-8"))
}

fn account_uri(
    secret: &[u8],
    name: &str,
    issuer: &str,
    algorithm: u64,
    digits: u64,
    kind: u64,
    counter: u64,
) -> Result<OtpAuthUri, SkipReason> {
    let algorithm = match algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return Err(SkipReason::Md5),
        _ => return Err(SkipReason::Unknown("algorithm")),
    };
    let digits = match digits {
        0 | 1 => Digits::SIX,
        2 => Digits::EIGHT,
        _ => return Err(SkipReason::Unknown("digits")),
    };
    let secret = Secret::from_bytes(secret).map_err(SkipReason::Secret)?;
    // Some apps write the name as "issuer:account" beside the issuer field, others the account
    // alone (as `export` does); without an issuer field, the name's own prefix is the issuer.
    // White space is dropped after a prefix only (the readable "issuer: account").
    let (issuer, account) = if issuer.trim().is_empty() {
        match name.rsplit_once(':') {
            Some((prefix, account)) if !prefix.trim().is_empty() => {
                (Some(prefix), account.trim_start())
            }
            _ => (None, name),
        }
    } else {
        let account = name
            .strip_prefix(issuer)
            .and_then(|rest| rest.strip_prefix(':'))
            .map_or(name, str::trim_start);
        (Some(issuer), account)
    };
    let built = match kind {
        0 | 2 => OtpAuthUri::totp(
            issuer,
            account,
            secret,
            tollgate_otp::TotpParams::new(algorithm, digits, Period::default()),
        ),
        1 => OtpAuthUri::hotp(
            issuer,
            account,
            secret,
            algorithm,
            digits,
            Counter::new(counter),
        ),
        _ => return Err(SkipReason::Unknown("type")),
    };
    built.map_err(|_| SkipReason::Name)
}

/// Writes accounts as migration links, `per_batch` accounts per link (at least 1), all with
/// `batch_id`. The format knows only 30 s TOTP periods and 6 or 8 digits; other accounts are
/// left out and their indices returned.
///
/// # Security
/// The links carry the secrets: show them as QR codes to their owner, never log them.
#[must_use]
pub fn export(
    accounts: &[OtpAuthUri],
    per_batch: usize,
    batch_id: i32,
) -> (Vec<Zeroizing<String>>, Vec<usize>) {
    let (exportable, left_out): (Vec<_>, Vec<_>) =
        accounts.iter().enumerate().partition(|(_, a)| {
            a.digits() != Digits::SEVEN
                && match a.kind() {
                    OtpKind::Totp { period } => period == Period::default(),
                    OtpKind::Hotp { .. } => true,
                }
        });
    let chunks: Vec<_> = exportable.chunks(per_batch.max(1)).collect();
    let links = chunks
        .iter()
        .enumerate()
        .map(|(index, chunk)| {
            let mut payload = Zeroizing::new(Vec::new());
            let mut writer = Writer::new(&mut payload);
            for (_, account) in *chunk {
                let mut encoded = Zeroizing::new(Vec::new());
                encode_account(account, &mut encoded);
                writer.bytes(1, &encoded);
            }
            writer.varint(2, 1);
            writer.varint(3, chunks.len() as u64);
            writer.varint(4, index as u64);
            // Sign-extended, as protobuf writes a negative `int32`.
            writer.varint(5, i64::from(batch_id).cast_unsigned());
            let data = Zeroizing::new(STANDARD.encode(&*payload));
            Zeroizing::new(format!(
                "otpauth-migration://offline?data={}",
                percent::encode(&data)
            ))
        })
        .collect();
    (links, left_out.into_iter().map(|(i, _)| i).collect())
}

fn encode_account(account: &OtpAuthUri, out: &mut Vec<u8>) {
    let mut writer = Writer::new(out);
    writer.bytes(1, account.secret().expose_secret());
    // The account alone in the name, the issuer in its own field: Aegis and GNOME
    // Authenticator take a filled issuer field's name as the account verbatim (an
    // "issuer:account" name showed the issuer twice), and extract_otp_secrets writes the name
    // as the label beside `issuer=`, which is what a key URI means.
    writer.bytes(2, account.account().as_bytes());
    if let Some(issuer) = account.issuer() {
        writer.bytes(3, issuer.as_bytes());
    }
    writer.varint(
        4,
        match account.algorithm() {
            Algorithm::Sha256 => 2,
            Algorithm::Sha512 => 3,
            _ => 1,
        },
    );
    writer.varint(
        5,
        if account.digits() == Digits::EIGHT {
            2
        } else {
            1
        },
    );
    match account.kind() {
        OtpKind::Totp { .. } => writer.varint(6, 2),
        OtpKind::Hotp { counter } => {
            writer.varint(6, 1);
            writer.varint(7, counter.get());
        }
    }
}
