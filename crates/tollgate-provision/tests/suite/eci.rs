//! A QR symbol whose text is not ASCII says it is UTF-8 (an ECI 26 designator), so that a
//! decoder reads it back exactly. Played against zbar (`zbarimg`, Debian's `zbar-tools`) in
//! its default mode, the decoder of many phone apps' libraries: without the designator it read
//! `Bücher:jöhn` as Shift-JIS mojibake. Without `zbarimg` the test prints a loud SKIPPED and
//! passes, unless `TOLLGATE_REQUIRE_ZBAR=1` (which `.ci/run` sets) makes it fail.

#![cfg(feature = "png")]
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::process::Command;

use tollgate_provision::{QrOptions, render_png};

fn zbar() -> bool {
    let found = Command::new("zbarimg").arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("TOLLGATE_REQUIRE_ZBAR").is_none(),
            "TOLLGATE_REQUIRE_ZBAR is set but zbarimg is not installed"
        );
        eprintln!("SKIPPED: zbarimg is not installed (Debian: apt-get install zbar-tools)");
    }
    found
}

/// What zbarimg reads from the PNG of `payload`, in its default mode.
fn read_back(payload: &str, name: &str) -> String {
    let png = render_png(payload.as_bytes(), &QrOptions::default()).unwrap();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("eci-{name}.png"));
    std::fs::write(&path, &*png).unwrap();
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zbarimg found no symbol in {}",
        path.display()
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end_matches('\n')
        .to_owned()
}

#[test]
fn raw_utf8_reads_back_exactly() {
    if !zbar() {
        return;
    }
    for (name, payload) in [
        (
            "key-uri",
            "otpauth://totp/Bücher:jöhn@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Bücher",
        ),
        (
            "cjk",
            "otpauth://totp/東京:山田?secret=JBSWY3DPEHPK3PXP&issuer=東京",
        ),
        ("emoji", "otpauth://totp/🔐:ana?secret=JBSWY3DPEHPK3PXP"),
    ] {
        assert_eq!(read_back(payload, name), payload, "{name}");
    }
}

#[test]
fn ascii_is_unchanged_and_reads_back() {
    if !zbar() {
        return;
    }
    let uri = "otpauth://totp/Portal:john%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Portal";
    assert_eq!(read_back(uri, "ascii"), uri);
}
