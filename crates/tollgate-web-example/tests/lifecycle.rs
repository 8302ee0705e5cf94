//! The ways back, in a real browser (headless Chromium through ChromeDriver, as `web_login.rs`):
//! the recovery codes the enrollment shows once, "Password locked or forgotten?" (the token's
//! code, a PIN whose page says no number, a refused password, the new one logging in), and "I
//! no longer have my authenticator" (a recovery code and a PIN to a new enrollment).
//! Screenshots go to `target/web_login/lifecycle-*.png`. SKIPPED without Chromium, as there.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

mod agent;
mod web;

use fantoccini::Locator;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::codes::TokenActivation;
use tollgate::otp::{Totp, UnixTime};

const START: u64 = 1_700_000_000;
const JOHN: &str = "john.smith@example.com";
const NEW: &str = "tangerine lighthouse on a hill";

/// The token's code at the browser's virtual time.
fn code(token: &Totp, b: &web::Browser) -> String {
    token
        .generate(UnixTime::from_secs(b.now))
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "current_thread")]
async fn the_ways_back_through_the_browser() {
    let Some(mut b) = web::Browser::launch(START).await else {
        return;
    };
    // ---- Flow 4: John enrolls; the page shows his recovery codes, once.
    b.open("/").await;
    b.on("enter-user-id").await;
    b.sign_in(JOHN, "enter-pin").await;
    let pin = b.pins().await.remove(0);
    b.on("enter-pin").await;
    b.answer("pin", &pin).await;
    b.expect("choose-enrollment").await;
    b.click("desktop").await;
    b.expect("desktop-activation").await;
    let serial = b.text("serial").await.parse().unwrap();
    let activation = b.text("activation_code").await.parse().unwrap();
    let app = TokenActivation::new(serial, activation, None);
    let (registration, token) = app.register(&mut ChaCha20Rng::seed_from_u64(3));
    let token = token.totp();
    b.fill("registration", &registration.to_string()).await;
    b.click("ok").await;
    b.expect("enrolled").await;
    let mut codes = Vec::new();
    for cell in b
        .client
        .find_all(Locator::Css("#recovery_codes code"))
        .await
        .unwrap()
    {
        codes.push(cell.text().await.unwrap());
    }
    assert_eq!(codes.len(), 10);
    b.shot("lifecycle-01-recovery-codes").await;
    b.open("/").await;
    let again = b.expect("enrolled").await;
    assert!(!again.contains(&codes[0]), "the codes were shown twice");
    b.click("continue").await;
    b.expect("authenticated").await;

    // ---- Flow 1: the password forgotten.
    b.start_over().await;
    b.answer("user_id", JOHN).await;
    b.expect("enter-password").await;
    b.click("forgot").await;
    b.expect("reset-start").await;
    b.shot("lifecycle-02-reset-start").await;
    b.advance(30).await;
    b.on("reset-start").await;
    b.answer("token", &code(&token, &b)).await;
    let page = b.expect("reset-pin").await;
    assert!(page.contains("mobile number on file"), "{page}");
    assert!(
        !page.contains("1234"),
        "a reset's PIN page names no number: {page}"
    );
    b.shot("lifecycle-03-reset-pin").await;
    let pin = b.pins().await.remove(0);
    b.on("reset-pin").await;
    b.answer("pin", &pin).await;
    let page = b.expect("new-password").await;
    assert!(page.contains("Use 8 to 64 characters"), "{page}");
    b.answer("new_password", "password123").await;
    b.expect("new-password").await;
    let notice = b.notice().await.unwrap_or_default();
    assert!(notice.contains("too common"), "{notice}");
    b.shot("lifecycle-04-new-password").await;
    b.answer("new_password", NEW).await;
    b.expect("password-changed").await;
    b.shot("lifecycle-05-password-changed").await;
    b.click("continue").await;
    b.expect("enter-password").await;
    b.answer("password", NEW).await;
    b.expect("enter-token-code").await;

    // ---- Flow 3: the phone lost; a recovery code and a PIN.
    b.click("lost_token").await;
    let page = b.expect("enter-recovery-code").await;
    assert!(page.contains("10 recovery codes left"), "{page}");
    b.shot("lifecycle-06-recovery-code").await;
    b.answer("recovery_code", &codes[0]).await;
    b.expect("enter-pin").await;
    let pin = b.pins().await.remove(0);
    b.on("enter-pin").await;
    b.answer("pin", &pin).await;
    b.expect("choose-enrollment").await;
    b.shot("lifecycle-07-new-enrollment").await;
}
