//! Google Authenticator export links: round trips, batches, and hostile payloads.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use tollgate_otp::{
    Algorithm, ConstantTimeEq, Counter, Digits, Period, Secret, SecretError, TotpParams,
};
use tollgate_provision::migration::{self, SkipReason};
use tollgate_provision::{MigrationError, OtpAuthUri};

/// Deterministic by default (a fixed seed); set `PROPTEST_RNG_SEED` to explore other cases.
fn config() -> ProptestConfig {
    tollgate_test_kit::proptest_config(256, 0x316)
}

fn accounts() -> Vec<OtpAuthUri> {
    (0..23u8)
        .map(|i| {
            let secret = Secret::from_bytes(&[i; 20]).unwrap();
            let account = format!("user{i}@example.com");
            if i % 3 == 0 {
                OtpAuthUri::hotp(
                    Some("Big Corp"),
                    &account,
                    secret,
                    Algorithm::Sha256,
                    Digits::EIGHT,
                    Counter::new(u64::from(i) * 1000),
                )
            } else {
                OtpAuthUri::totp(
                    (i % 2 == 0).then_some("Portal"),
                    &account,
                    secret,
                    TotpParams::default(),
                )
            }
            .unwrap()
        })
        .collect()
}

#[test]
fn export_then_import_in_batches() {
    let accounts = accounts();
    let (links, left_out) = migration::export(&accounts, migration::DEFAULT_BATCH, 77);
    assert!(left_out.is_empty());
    assert_eq!(links.len(), 3);
    let mut imported = Vec::new();
    for (index, link) in links.iter().enumerate() {
        let batch = migration::import(link).unwrap();
        assert_eq!(
            (
                batch.batch_size,
                batch.batch_index,
                batch.batch_id,
                batch.version
            ),
            (3, index as u64, 77, 1)
        );
        assert!(batch.skipped.is_empty());
        imported.extend(batch.accounts);
    }
    assert_eq!(imported.len(), accounts.len());
    for (a, b) in accounts.iter().zip(&imported) {
        assert!(bool::from(a.ct_eq(b)), "{a:?} != {b:?}");
    }
}

#[test]
fn what_the_format_cannot_say_is_left_out() {
    let secret = || Secret::from_bytes(&[9; 20]).unwrap();
    let sixty = TotpParams::new(Algorithm::Sha1, Digits::SIX, Period::from_secs(60).unwrap());
    let seven = TotpParams::new(Algorithm::Sha1, Digits::SEVEN, Period::default());
    let accounts = [
        OtpAuthUri::totp(None, "a", secret(), sixty).unwrap(),
        OtpAuthUri::totp(None, "b", secret(), TotpParams::default()).unwrap(),
        OtpAuthUri::totp(None, "c", secret(), seven).unwrap(),
    ];
    let (links, left_out) = migration::export(&accounts, 10, 1);
    assert_eq!(left_out, vec![0, 2]);
    assert_eq!(migration::import(&links[0]).unwrap().accounts.len(), 1);
}

/// A payload written by hand, field by field: what other exporters produce.
fn payload(accounts: &[Vec<u8>]) -> String {
    let mut out = Vec::new();
    for account in accounts {
        out.push(0x0a);
        out.push(u8::try_from(account.len()).unwrap());
        out.extend_from_slice(account);
    }
    format!("otpauth-migration://offline?data={}", STANDARD.encode(out))
}

fn account(secret: &[u8], name: &str, algorithm: u8, digits: u8, kind: u8) -> Vec<u8> {
    let mut a = vec![0x0a, u8::try_from(secret.len()).unwrap()];
    a.extend_from_slice(secret);
    a.push(0x12);
    a.push(u8::try_from(name.len()).unwrap());
    a.extend_from_slice(name.as_bytes());
    a.extend_from_slice(&[0x20, algorithm, 0x28, digits, 0x30, kind]);
    a
}

#[test]
fn unusable_accounts_are_skipped_with_a_reason() {
    let link = payload(&[
        account(&[1; 20], "Issuer:alice", 1, 1, 2),
        account(&[1; 20], "md5", 4, 1, 2),
        account(&[1; 5], "short", 1, 1, 2),
        account(&[1; 20], "odd", 9, 1, 2),
    ]);
    let batch = migration::import(&link).unwrap();
    assert_eq!(batch.accounts.len(), 1);
    assert_eq!(batch.accounts[0].issuer(), Some("Issuer"));
    assert_eq!(batch.accounts[0].account(), "alice");
    let reasons: Vec<_> = batch
        .skipped
        .iter()
        .map(|s| (s.index, s.reason.clone()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (1, SkipReason::Md5),
            (2, SkipReason::Secret(SecretError::TooShort { bits: 40 })),
            (3, SkipReason::Unknown("algorithm")),
        ]
    );
}

#[test]
fn plus_arriving_as_space_and_missing_padding_are_mended() {
    // A batch id whose link's base64 has a `+` (the batch id is the payload's last field), and
    // one whose base64 ends with `+`, which arrives as a trailing space.
    let decoded = (0..1000)
        .map(|id| {
            let (links, _) = migration::export(&accounts(), 10, id);
            percent_decode(links[0].split_once("data=").unwrap().1)
        })
        .find(|decoded| decoded.contains('+'))
        .expect("some batch id puts a + in the base64");
    let at_the_end = (0..10_000)
        .map(|id| {
            let (links, _) = migration::export(&accounts()[..1], 10, id);
            percent_decode(links[0].split_once("data=").unwrap().1)
        })
        .find(|decoded| decoded.trim_end_matches('=').ends_with('+'))
        .expect("some batch id ends the base64 with a +");
    let body = at_the_end.trim_end_matches('=').replace('+', " ");
    assert!(body.ends_with(' '));
    let mangled = format!("otpauth-migration://offline?data={body}");
    assert_eq!(migration::import(&mangled).unwrap().accounts.len(), 1);
    let mangled = format!(
        "otpauth-migration://offline?data={}",
        decoded.replace('+', " ").trim_end_matches('=')
    );
    let batch = migration::import(&mangled).unwrap();
    assert_eq!(batch.accounts.len(), 10);
}

fn percent_decode(s: &str) -> String {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn hostile_payloads_are_errors() {
    let cases: [(&[u8], &str); 5] = [
        (&[0x0a, 0x80], "truncated varint"),
        (&[0x0a, 0x05, 1, 2], "length past the end"),
        (&[0x0b], "unsupported wire type"),
        (
            &[
                0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
            ],
            "varint overflows 64 bits",
        ),
        (&[0x0a, 0x02, 0x0a, 0x80], "truncated varint"),
    ];
    for (bytes, message) in cases {
        let link = format!(
            "otpauth-migration://offline?data={}",
            STANDARD.encode(bytes)
        );
        assert_eq!(
            migration::import(&link).unwrap_err(),
            MigrationError::Protobuf(message),
            "{bytes:?}"
        );
    }
    assert_eq!(
        migration::import("otpauth-migration://offline?data=!!!").unwrap_err(),
        MigrationError::Base64
    );
    assert_eq!(
        migration::import("otpauth://totp/a?secret=AAAA").unwrap_err(),
        MigrationError::NotMigration
    );
    // Many empty accounts: bounded.
    let many = [0x0a, 0x00].repeat(1001);
    let link = format!("otpauth-migration://offline?data={}", STANDARD.encode(many));
    assert_eq!(
        migration::import(&link).unwrap_err(),
        MigrationError::TooManyAccounts { max: 1000 }
    );
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary bytes as a payload: an error or a batch, never a panic.
    #[test]
    fn arbitrary_payloads_are_safe(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let link = format!("otpauth-migration://offline?data={}", STANDARD.encode(&bytes));
        let _ = migration::import(&link);
    }
}

/// A link as Google Authenticator writes one (built by hand from its protobuf schema in Python,
/// not by this crate): one TOTP account with a non-ASCII name, and a negative `batch_id`, which
/// protobuf writes sign-extended to 10 bytes. It was read as 18 446 744 071 860 341 273 and
/// could not be written back; now it is -1 849 210 343 and the link comes back unchanged.
#[test]
fn a_negative_batch_id_is_read_and_written_back_unchanged() {
    let link = "otpauth-migration://offline?data=Cj4KFDEyMzQ1Njc4OTAxMjM0NTY3ODkwEhhQb3J0YWw6asO2aG5\
                AZXhhbXBsZS5jb20aBlBvcnRhbCABKAEwAhABGAEgACiZlJ2O%2Bf%2F%2F%2F%2F8B";
    let batch = migration::import(link).unwrap();
    assert_eq!(batch.batch_id, -1_849_210_343);
    assert_eq!(batch.accounts.len(), 1);
    assert_eq!(batch.accounts[0].account(), "jöhn@example.com");
    let (again, left_out) = migration::export(&batch.accounts, 10, batch.batch_id);
    assert!(left_out.is_empty());
    assert_eq!(again.len(), 1);
    // The same link, but for the name field: the account alone ("jöhn@example.com") where
    // the imported link said "Portal:jöhn@example.com" beside the issuer "Portal".
    assert_eq!(
        again[0].as_str(),
        "otpauth-migration://offline?data=CjcKFDEyMzQ1Njc4OTAxMjM0NTY3ODkwEhFqw7ZobkBleGFtcGxlLmNv\
         bRoGUG9ydGFsIAEoATACEAEYASAAKJmUnY75%2F%2F%2F%2F%2FwE%3D"
    );
    let reread = migration::import(&again[0]).unwrap();
    assert_eq!(reread.batch_id, batch.batch_id);
    assert_eq!(reread.accounts[0].account(), "jöhn@example.com");
    assert_eq!(reread.accounts[0].issuer(), Some("Portal"));
    // The extremes of an int32 survive too.
    for id in [i32::MIN, -1, 0, i32::MAX] {
        let (links, _) = migration::export(&batch.accounts, 10, id);
        assert_eq!(migration::import(&links[0]).unwrap().batch_id, id);
    }
}

/// The second finding: an export's name field is the account alone, its issuer in the
/// issuer field, so that the importers that were tried read the entry as it is. Each reads the
/// fields its own way (their sources, as of this writing): Aegis's `GoogleAuthImporter` and
/// GNOME Authenticator take the name as the account when the issuer field is filled (an
/// "issuer:account" name showed the issuer inside the account); extract_otp_secrets writes
/// `otpauth://TYPE/<name>?issuer=<issuer>`, a key URI whose label is then the account.
#[test]
fn an_export_names_the_account_alone_beside_its_issuer() {
    let secret = Secret::from_bytes(&[7; 20]).unwrap();
    let uri = OtpAuthUri::totp(
        Some("ACME Co"),
        "john@example.com",
        secret,
        TotpParams::default(),
    )
    .unwrap();
    let (links, left_out) = migration::export(std::slice::from_ref(&uri), 10, 1);
    assert!(left_out.is_empty());
    let data = percent_decode(links[0].split_once("data=").unwrap().1);
    let payload = STANDARD.decode(data).unwrap();
    let (name, issuer) = name_and_issuer(&payload);
    // As Aegis and GNOME Authenticator read it.
    let aegis_account = if issuer.is_empty() {
        name.split_once(':').map_or(name.as_str(), |(_, a)| a)
    } else {
        name.as_str()
    };
    assert_eq!(aegis_account, "john@example.com");
    assert_eq!(issuer, "ACME Co");
    // As extract_otp_secrets writes it, read back by this crate.
    let extracted = format!(
        "otpauth://totp/{}?secret={}&issuer={}",
        name.replace('@', "%40"),
        uri.secret().expose_base32().as_str(),
        issuer.replace(' ', "%20")
    );
    let read = OtpAuthUri::parse(&extracted).unwrap().uri;
    assert_eq!(read.issuer(), Some("ACME Co"));
    assert_eq!(read.account(), "john@example.com");
    // And by this crate's own import.
    let batch = migration::import(&links[0]).unwrap();
    assert_eq!(batch.accounts[0].account(), "john@example.com");
    assert_eq!(batch.accounts[0].issuer(), Some("ACME Co"));
}

/// The name (field 2) and issuer (field 3) of the first account (field 1) of a payload.
fn name_and_issuer(payload: &[u8]) -> (String, String) {
    fn field(bytes: &[u8], at: &mut usize) -> (u64, Vec<u8>) {
        let key = u64::from(bytes[*at]);
        *at += 1;
        if key & 7 == 2 {
            let len = usize::from(bytes[*at]);
            *at += 1;
            let value = bytes[*at..*at + len].to_vec();
            *at += len;
            (key >> 3, value)
        } else {
            while bytes[*at] & 0x80 != 0 {
                *at += 1;
            }
            *at += 1;
            (key >> 3, Vec::new())
        }
    }
    let mut at = 0;
    let (number, account) = field(payload, &mut at);
    assert_eq!(number, 1);
    let (mut name, mut issuer) = (String::new(), String::new());
    let mut inner = 0;
    while inner < account.len() {
        match field(&account, &mut inner) {
            (2, value) => name = String::from_utf8(value).unwrap(),
            (3, value) => issuer = String::from_utf8(value).unwrap(),
            _ => {}
        }
    }
    (name, issuer)
}
