//! The `web_login` example in a real browser: headless Chromium, driven through ChromeDriver,
//! takes the desktop path (the soft-token library computes the Response), the mobile path (the
//! QR image the page shows is decoded, the app registers online, the person clicks OK), the
//! open path (its `otpauth://` QR image decoded, its
//! first code typed back), a later login with the token's code, a wrong code, a resend, a
//! lockout, the French catalogue and a forged form, and sees the session cookie and the CSRF
//! token replaced past the password. Screenshots of the main screens go to
//! `target/web_login/`.
//!
//! Needs `chromium` and `chromedriver` (Debian's `chromium` and `chromium-driver`); without them
//! the test says loudly that it was skipped, unless `TOLLGATE_REQUIRE_CHROMIUM` is set (CI).

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::agent;
use crate::web;

use fantoccini::Locator;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::codes::TokenActivation;
use tollgate::otp::{Totp, UnixTime};
use tollgate::provision::OtpAuthUri;
use web::{PASSWORD, decode_qr, raw_get, raw_response};

const START: u64 = 1_700_000_000;
const JOHN: &str = "john.smith@example.com";
const JANE: &str = "jane.doe@example.com";
const JOE: &str = "joe.bloggs@example.com";

#[tokio::test(flavor = "current_thread")]
async fn a_person_logs_in_through_the_browser() {
    let Some(mut b) = web::Browser::launch(START).await else {
        return;
    };

    // The session cookie's flags, as the server sends them.
    let set_cookie = raw_get(&b.base);
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );

    // ---- First login, desktop path.
    b.open("/").await;
    b.on("enter-user-id").await;
    b.shot("01-user-id").await;
    // The session cookie is HttpOnly: scripts cannot read it.
    let cookies = b
        .client
        .execute("return document.cookie", vec![])
        .await
        .unwrap();
    assert_eq!(
        cookies,
        serde_json::json!(""),
        "the session cookie is visible to scripts"
    );
    b.answer("user_id", JOHN).await;
    b.expect("enter-password").await;
    b.shot("02-password").await;
    // Planter (OWASP Session Management): the session ID and the CSRF token seen before the
    // password are replaced after it.
    let (cookie, csrf) = b.session().await;
    b.answer("password", PASSWORD).await;
    let page = b.expect("enter-pin").await;
    assert!(page.contains("1234"), "the masked mobile number: {page}");
    let (cookie_after, csrf_after) = b.session().await;
    assert_ne!(
        cookie, cookie_after,
        "the session ID was not replaced past the password"
    );
    assert_ne!(
        csrf, csrf_after,
        "the CSRF token was not replaced past the password"
    );
    let login = b.text("pin_next").await;
    assert_eq!(
        login, "Login",
        "the PIN is sent with LOGIN, as in the guide"
    );
    b.shot("03-pin").await;

    // A resend at once is refused; a minute later it goes out.
    b.click("resend").await;
    b.expect("enter-pin").await;
    let notice = b.notice().await.unwrap_or_default();
    assert!(notice.contains("Please wait"), "{notice}");
    b.advance(60).await;
    b.click("resend").await;
    b.expect("enter-pin").await;
    let pins = b.pins().await;
    assert_eq!(pins.len(), 2, "the first PIN and the resent one");
    // The development outbox (on in this run, and every page says so) shows a session only
    // what its own requests sent: a stranger's request sees neither PIN.
    let page = b.client.source().await.unwrap();
    assert!(page.contains("dev_banner"), "no development banner: {page}");
    let stranger = raw_response(&b.base, "/outbox");
    assert!(stranger.starts_with("HTTP/1.1 200"), "{stranger}");
    assert!(
        !pins.iter().any(|pin| stranger.contains(pin.as_str())),
        "another session read this one's PINs: {stranger}"
    );
    b.on("enter-pin").await;
    b.answer("pin", &pins[0]).await;
    b.expect("choose-enrollment").await;
    b.shot("04-choose-enrollment").await;

    b.click("desktop").await;
    let page = b.expect("desktop-activation").await;
    // The Address is the server's own registration address.
    assert!(page.contains(&format!("{}/api/mobile", b.base)), "{page}");
    assert!(page.contains("Progress 1 of 1"), "{page}");
    b.shot("05-desktop-activation").await;
    let serial = b.text("serial").await.parse().unwrap();
    let code = b.text("activation_code").await.parse().unwrap();
    let app = TokenActivation::new(serial, code, None);
    let (registration, john_token) = app.register(&mut ChaCha20Rng::seed_from_u64(1));
    b.fill("registration", &registration.to_string()).await;
    b.click("ok").await;
    b.expect("enrolled").await;
    b.shot("06-enrolled").await;
    b.click("continue").await;
    let page = b.expect("authenticated").await;
    assert!(page.contains(JOHN), "{page}");
    b.shot("07-authenticated").await;
    // The whole login left a device cookie, for a year, out of scripts' reach: the passwords
    // typed in this browser are counted on their own from now on.
    let device = b.client.get_named_cookie("tollgate_device").await.unwrap();
    assert!(device.value().starts_with("d1."), "{}", device.value());
    assert_eq!(device.http_only(), Some(true));

    // ---- A later login: a wrong code, then the token's code.
    let john: Totp = john_token.totp();
    b.start_over().await;
    b.advance(30).await;
    b.sign_in(JOHN, "enter-token-code").await;
    b.shot("08-token-code").await;
    let right = john
        .generate(UnixTime::from_secs(b.now))
        .unwrap()
        .to_string();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    b.answer("token", wrong).await;
    b.expect("enter-token-code").await;
    assert_eq!(b.notice().await.as_deref(), Some("The code is incorrect."));
    b.answer("token", &right).await;
    b.expect("authenticated").await;

    // ---- Jane's first login, mobile path: the QR image on the page, decoded.
    b.start_over().await;
    b.sign_in(JANE, "enter-pin").await;
    // "Alternative authentication": the PIN again, by e-mail.
    b.click("alternative").await;
    let page = b.expect("enter-pin").await;
    assert!(
        page.contains("@example.com"),
        "the masked e-mail address: {page}"
    );
    let pin = b.pins().await.remove(0);
    b.on("enter-pin").await;
    b.answer("pin", &pin).await;
    b.expect("choose-enrollment").await;
    b.click("mobile").await;
    b.expect("mobile-activation").await;
    b.shot("09-mobile-activation").await;
    let (uri, scanned, app) = web::scan(&b).await;
    // OK before the app has registered: the page says so.
    b.click("ok").await;
    b.expect("mobile-activation").await;
    let notice = b.notice().await.unwrap_or_default();
    assert!(notice.contains("has not registered yet"), "{notice}");
    // The app reports its registration to the QR code's address itself (as `soft_token scan`
    // does: tests/suite/mobile_online.rs runs that process); then the person clicks OK.
    let (registration, jane_token) = app.register(&mut ChaCha20Rng::seed_from_u64(2));
    assert_eq!(
        scanned.registration_url(),
        Some(format!("{}/api/mobile", b.base).as_str())
    );
    let reply = agent::register_online(&b.base, &app, &registration);
    assert_eq!(reply.status, 200, "{}", reply.body);
    b.open("/").await;
    let page = b.expect("mobile-activation").await;
    assert!(page.contains("Your app has registered"), "{page}");
    b.shot("09b-mobile-registered").await;
    b.click("ok").await;
    b.expect("enrolled").await;
    b.click("continue").await;
    let page = b.expect("authenticated").await;
    assert!(page.contains(JANE), "{page}");
    b.start_over().await;
    b.advance(30).await;
    b.sign_in(JANE, "enter-token-code").await;
    let code = jane_token
        .totp()
        .generate(UnixTime::from_secs(b.now))
        .unwrap();
    b.answer("token", &code.to_string()).await;
    b.expect("authenticated").await;

    // ---- Joe's first login, the open path: any authenticator app scans the second QR code.
    b.start_over().await;
    b.sign_in(JOE, "enter-pin").await;
    let pin = b.pins().await.remove(0);
    b.on("enter-pin").await;
    b.answer("pin", &pin).await;
    b.expect("choose-enrollment").await;
    b.click("mobile").await;
    b.expect("mobile-activation").await;
    b.shot("12-open-path").await;
    // Below the first QR code: scrolled into view, as a person would, before the camera sees it.
    b.client
        .execute(
            "document.getElementById('open_qr').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    let open_qr = b.client.find(Locator::Id("open_qr")).await.unwrap();
    let scanned = decode_qr(&open_qr.screenshot().await.unwrap());
    let app = OtpAuthUri::parse(&scanned).unwrap().uri;
    assert_eq!(app.account(), JOE);
    assert_eq!(*app.secret().expose_base32(), b.text("open_key").await);
    let joe = Totp::new(app.secret(), app.totp_params().unwrap());
    let first = joe
        .generate(UnixTime::from_secs(b.now))
        .unwrap()
        .to_string();
    b.answer("open_code", &first).await;
    b.expect("enrolled").await;
    b.click("continue").await;
    let page = b.expect("authenticated").await;
    assert!(page.contains(JOE), "{page}");
    b.start_over().await;
    b.advance(30).await;
    b.sign_in(JOE, "enter-token-code").await;
    let code = joe.generate(UnixTime::from_secs(b.now)).unwrap();
    b.answer("token", &code.to_string()).await;
    b.expect("authenticated").await;

    // ---- Lockout: five wrong passwords, then even the right one is refused.
    b.start_over().await;
    b.answer("user_id", JOHN).await;
    for guess in 0..5 {
        b.expect("enter-password").await;
        b.answer("password", &format!("wrong guess {guess}")).await;
    }
    b.expect("enter-password").await;
    b.answer("password", PASSWORD).await;
    b.expect("enter-password").await;
    assert!(b.notice().await.is_some(), "the locked account says so");
    b.shot("10-locked").await;

    // ---- The French catalogue.
    b.start_over().await;
    let french = b
        .client
        .find(Locator::Css("#lang option[value='fr']"))
        .await
        .unwrap();
    french.click().await.unwrap();
    b.click("set_lang").await;
    let page = b.expect("enter-user-id").await;
    assert!(page.contains("Saisissez votre identifiant"), "{page}");
    b.shot("11-french").await;

    // ---- A form whose CSRF token is not the session's is refused.
    b.client
        .execute(
            "document.querySelectorAll('input[name=csrf]').forEach(function (i) { i.value = 'forged'; })",
            vec![],
        )
        .await
        .unwrap();
    b.fill("user_id", JOHN).await;
    b.click("user_id_next").await;
    let refused = b.expect("refused").await;
    assert!(refused.contains("does not match this session"), "{refused}");

    b.client.close().await.unwrap();
    // The server's own output: its address and the demo users, and no PIN, code or
    // activation data.
    let log = b.server_log.lock().unwrap().clone();
    assert!(log.contains("listening on"), "{log}");
    for secret in [
        right.as_str(),
        pin.as_str(),
        &registration.to_string(),
        &uri,
        &scanned,
        &first,
    ] {
        assert!(
            !log.contains(secret),
            "a secret in the server's output: {log}"
        );
    }
}

/// Without `--dev-outbox` (the default) there is no outbox to read PINs from, nor a link to
/// one: they go to the server's console, as they would to an SMS gateway. (No browser needed.)
#[test]
fn the_development_outbox_is_off_by_default() {
    let (_server, base, _log) = web::start_server(&["--seed", "7"]);
    let outbox = raw_response(&base, "/outbox");
    assert!(outbox.starts_with("HTTP/1.1 404"), "{outbox}");
    let home = raw_response(&base, "/");
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(
        !home.contains("/outbox") && !home.contains("dev_banner"),
        "{home}"
    );
}
