//! The open path end to end, as a person with any authenticator app goes through it: the
//! mobile screen's `otpauth://` QR code is drawn as a PNG, read back by an independent decoder
//! (`rqrr`), its first code enrolls the token, and later logins take its codes.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use std::sync::Arc;

use common::{JOHN, world};
use tollgate::MemoryStore;
use tollgate::login::{Config, EnrollmentKind, Input, MessageId, Screen};
use tollgate::otp::{Algorithm, Totp};
use tollgate::provision::{OtpAuthUri, QrOptions, render_png};

/// What a phone's camera reads from the image.
fn scan(png: &[u8]) -> String {
    let image = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

fn open_path(algorithm: Algorithm, bits: usize) {
    let config = Config::default()
        .with_issuer("Remote Signing Service")
        .with_open_path(algorithm);
    let world = world(Arc::new(MemoryStore::new()), config, 7);
    let service = &world.service;
    let key = world.past_the_password();
    let view = service
        .submit(
            &key,
            Input::Pin(world.outbox.last_pin().unwrap()),
            tollgate::Client::default(),
        )
        .unwrap();
    let view = service
        .submit(
            &view.login,
            Input::ChooseEnrollment(EnrollmentKind::Mobile),
            tollgate::Client::default(),
        )
        .unwrap();
    let Screen::MobileActivation(page) = &view.screen else {
        panic!("{:?}", view.screen)
    };
    let open = page.open.as_ref().unwrap();
    let png = render_png(open.uri.as_bytes(), &QrOptions::default()).unwrap();
    let scanned = scan(&png);
    assert_eq!(scanned, *open.uri);
    let parsed = OtpAuthUri::parse(&scanned).unwrap();
    assert!(parsed.forgiven.is_empty());
    let app = parsed.uri;
    assert_eq!(app.issuer(), Some("Remote Signing Service"));
    assert_eq!(app.account(), JOHN);
    assert_eq!(app.secret().bits(), bits);
    assert_eq!(app.algorithm(), algorithm);
    // The key as text, for an app that cannot scan, is the same secret.
    assert_eq!(&*app.secret().expose_base32(), &**open.key);
    let totp = Totp::new(app.secret(), app.totp_params().unwrap());

    // The page shown again shows the same QR code (the app that scanned it still works).
    let again = service.view(&view.login).unwrap();
    let Screen::MobileActivation(again_page) = &again.screen else {
        panic!()
    };
    assert_eq!(*again_page.open.as_ref().unwrap().uri, *open.uri);

    let first = totp.generate(service.now()).unwrap().to_string();
    let view = service
        .submit(
            &again.login,
            Input::OpenPathCode(first.clone()),
            tollgate::Client::default(),
        )
        .unwrap();
    assert!(
        matches!(view.screen, Screen::Enrolled { .. }),
        "{:?}",
        view.screen
    );
    let view = service
        .submit(&view.login, Input::Continue, tollgate::Client::default())
        .unwrap();
    assert!(view.authenticated().is_some());

    // Later logins take the app's codes, and not the one spent on enrolling.
    let key = world.past_the_password();
    let view = service
        .submit(&key, Input::TokenCode(first), tollgate::Client::default())
        .unwrap();
    assert_eq!(view.notice.map(|n| n.id), Some(MessageId::WrongCode));
    for _ in 0..3 {
        world.clock.advance(45);
        let key = world.past_the_password();
        let code = totp.generate(service.now()).unwrap().to_string();
        let view = service
            .submit(&key, Input::TokenCode(code), tollgate::Client::default())
            .unwrap();
        assert_eq!(view.authenticated().map(|u| u.as_str()), Some(JOHN));
    }
}

#[test]
fn the_open_path_qr_scans_enrolls_and_logs_in_with_sha1() {
    open_path(Algorithm::Sha1, 160);
}

#[test]
fn the_open_path_qr_scans_enrolls_and_logs_in_with_sha256() {
    open_path(Algorithm::Sha256, 256);
}
