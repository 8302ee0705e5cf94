//! Provisioning costs: decoding a secure activation QR, and drawing a key URI as a PNG.
//!
//! - `secure_qr_decode`: `tollgate` decodes the public vector's format (MAC check, decryption,
//!   typed contents); `pbkdf2` is its key derivation alone (PBKDF2-HMAC-SHA-256, 1000 rounds,
//!   64 bytes), with the `pbkdf2` crate; `limit` is the bare SHA-256 compressions that
//!   derivation needs: 2 output blocks × 1000 rounds × 2 compressions.
//! - `qr_png_render`: `tollgate` is `render_png` of a typical key URI; `qrcode-image` is the
//!   `qrcode` crate's own image renderer with the same PNG encoder.
//!
//! Run: `cargo bench -p tollgate-bench --bench provision`.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;
use std::io::Cursor;

use criterion::{Criterion, criterion_group};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::{ActivationCode, ActivationPassword, SerialNumber};
use tollgate_otp::{Secret, TotpParams};
use tollgate_provision::{OtpAuthUri, QrOptions, SecureActivation, render_png};

fn secure_qr(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let password = ActivationPassword::generate(&mut rng);
    let uri = SecureActivation::new(
        SerialNumber::generate(&mut rng),
        ActivationCode::generate(&mut rng),
        Some(
            r#"{"allowUnsecured":"false","trustedExecution":"NOT_ALLOWED"}"#
                .parse()
                .expect("JSON"),
        ),
        Some("myid.umc.edu/igst".into()),
    )
    .encode(&password, &mut rng);
    assert!(SecureActivation::decode(&uri, &password).is_ok());

    let mut group = c.benchmark_group("secure_qr_decode");
    group.bench_function("tollgate", |b| {
        b.iter(|| SecureActivation::decode(black_box(&uri), &password))
    });
    group.bench_function("pbkdf2", |b| {
        b.iter(|| {
            let mut dk = [0u8; 64];
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(b"12345678", black_box(b"saltsalt"), 1000, &mut dk);
            dk
        })
    });
    group.bench_function("limit", |b| {
        let block = [0x5au8; 64];
        b.iter(|| {
            let mut state = black_box([0x6a09_e667u32; 8]);
            for _ in 0..4000 {
                sha2::block_api::compress256(&mut state, std::slice::from_ref(&block));
            }
            state
        })
    });
    group.finish();
}

fn png(c: &mut Criterion) {
    let uri = OtpAuthUri::totp(
        Some("Remote Signing Service"),
        "john.smith@example.com",
        Secret::from_bytes(&[7; 20]).expect("20 bytes"),
        TotpParams::default(),
    )
    .expect("valid key URI")
    .expose_uri();
    let options = QrOptions::default();

    let mut group = c.benchmark_group("qr_png_render");
    group.bench_function("tollgate", |b| {
        b.iter(|| render_png(black_box(uri.as_bytes()), &options))
    });
    group.bench_function("qrcode-image", |b| {
        b.iter(|| {
            let code = qrcode::QrCode::new(black_box(uri.as_bytes())).expect("fits");
            let image = code
                .render::<image::Luma<u8>>()
                .module_dimensions(8, 8)
                .build();
            let mut png = Vec::new();
            image
                .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
                .expect("PNG");
            png
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = secure_qr, png
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    tollgate_bench::report::print(
        &["secure_qr_decode"],
        &["tollgate", "pbkdf2", "limit"],
        "tollgate",
        "limit",
    );
    tollgate_bench::report::print(
        &["qr_png_render"],
        &["tollgate", "qrcode-image"],
        "tollgate",
        "qrcode-image",
    );
}
