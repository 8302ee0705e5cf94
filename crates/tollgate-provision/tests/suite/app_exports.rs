//! Other apps' plain exports, as those apps publish them (Aegis's importer tests): every
//! account reads with its type, algorithm, digits, period or counter, the Steam entry is
//! skipped with its place, and an encrypted vault is refused.

use tollgate_otp::Algorithm;
use tollgate_provision::OtpKind;
use tollgate_provision::app_exports::{AppExportError, read_aegis, read_uri_list};

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/apps/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn aegis_plain_vault_and_its_uri_list_read_the_same_accounts() {
    let vault = read_aegis(&data("aegis_plain.json")).unwrap();
    let list = read_uri_list(&data("plain.txt")).unwrap();
    assert_eq!(vault.accounts.len(), 6);
    assert_eq!(list.accounts.len(), 6);
    assert_eq!(vault.skipped.len(), 1);
    assert_eq!(vault.skipped[0].0, 7, "the Steam entry");
    assert_eq!(list.skipped.len(), 1);
    assert_eq!(list.skipped[0].0, 7, "the Steam line");
    for (a, b) in vault.accounts.iter().zip(&list.accounts) {
        assert_eq!(a.expose_uri(), b.expose_uri());
    }
    let james = &vault.accounts[1];
    assert_eq!((james.issuer(), james.account()), (Some("SPDX"), "James"));
    assert_eq!(james.algorithm(), Algorithm::Sha256);
    assert_eq!(james.digits().get(), 7);
    assert!(matches!(james.kind(), OtpKind::Totp { period } if period.as_secs() == 20));
    let mason = &vault.accounts[5];
    assert_eq!(mason.algorithm(), Algorithm::Sha512);
    assert!(matches!(mason.kind(), OtpKind::Hotp { counter } if counter.get() == 10_300));
    assert_eq!(vault.accounts[4].issuer(), Some("Air Canada"));
}

#[test]
fn an_encrypted_or_foreign_file_is_refused() {
    assert_eq!(
        read_aegis(&data("aegis_encrypted.json")).unwrap_err(),
        AppExportError::Encrypted
    );
    assert!(matches!(
        read_aegis(b"{\"version\": 1}").unwrap_err(),
        AppExportError::NotAegis(_)
    ));
    assert!(matches!(
        read_aegis(&data("plain.txt")).unwrap_err(),
        AppExportError::NotAegis(_)
    ));
    assert_eq!(read_uri_list(&[0xff]).unwrap_err(), AppExportError::NotText);
    // A list line that is no key URI is skipped with its line, the others read.
    let list = read_uri_list(
        b"\nhttps://example.com\notpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n",
    )
    .unwrap();
    assert_eq!(list.accounts.len(), 1);
    assert_eq!(list.skipped[0].0, 2);
}
