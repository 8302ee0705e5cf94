//! The QR images are real: rendered to PNG and read back by an independent decoder (`rqrr`).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]
#![cfg(feature = "png")]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::{ActivationCode, ActivationPassword, SerialNumber};
use tollgate_otp::{Secret, TotpParams};
use tollgate_provision::{
    ErrorCorrection, OtpAuthUri, QrOptions, SecureActivation, render_png, render_svg,
    render_terminal,
};

fn decode_png(png: &[u8]) -> String {
    let image = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    let (_, content) = grids[0].decode().unwrap();
    content
}

fn payloads() -> Vec<String> {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let key_uri = OtpAuthUri::totp(
        Some("Remote Signing Service"),
        "john.smith@example.com",
        Secret::from_bytes(&[7; 20]).unwrap(),
        TotpParams::default(),
    )
    .unwrap()
    .expose_uri()
    .to_string();
    let secure = SecureActivation::new(
        SerialNumber::generate(&mut rng),
        ActivationCode::generate(&mut rng),
        Some(
            r#"{"allowUnsecured":"false","trustedExecution":"NOT_ALLOWED"}"#
                .parse()
                .unwrap(),
        ),
        Some("https://portal.example/api/mobile".into()),
    )
    .encode(&ActivationPassword::generate(&mut rng), &mut rng);
    vec![key_uri, secure]
}

#[test]
fn png_images_decode_to_the_exact_payload() {
    for payload in payloads() {
        for error_correction in [
            ErrorCorrection::Low,
            ErrorCorrection::Medium,
            ErrorCorrection::High,
        ] {
            let options = QrOptions {
                error_correction,
                ..QrOptions::default()
            };
            let png = render_png(payload.as_bytes(), &options).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            assert_eq!(decode_png(&png), payload);
        }
    }
}

#[test]
fn options_shape_the_image() {
    let payload = b"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP";
    let small = QrOptions {
        module_size: 2,
        quiet_zone: 1,
        ..QrOptions::default()
    };
    let png = render_png(payload, &small).unwrap();
    let image = image::load_from_memory(&png).unwrap();
    // 41 bytes at level M need version 3: 29 modules, plus 1 on each side, 2 pixels each.
    assert_eq!(image.width(), (29 + 2) * 2);
    assert!(
        render_png(
            payload,
            &QrOptions {
                module_size: 0,
                ..small
            }
        )
        .is_err()
    );
    assert!(render_png(&[b'x'; 3000], &QrOptions::default()).is_err());
}

#[test]
fn svg_and_terminal_output() {
    let payload = payloads().remove(0);
    let svg = render_svg(payload.as_bytes(), &QrOptions::default()).unwrap();
    assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("<path fill=\"#000\" d=\"M"));

    let text = render_terminal(payload.as_bytes(), &QrOptions::default(), true).unwrap();
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(
        widest <= 80,
        "a typical key URI fits an 80-column terminal: {widest}"
    );
    // The quiet zone is light: inverted, its first row is all full blocks.
    assert!(text.lines().next().unwrap().chars().all(|c| c == '█'));
}
