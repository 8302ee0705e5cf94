//! The ways back, in a real browser (headless Chromium through ChromeDriver, as `web_login.rs`):
//! the recovery codes the enrollment shows once, "Password locked or forgotten?" (the token's
//! code, a PIN whose page says no number, a refused password, the new one logging in), "I
//! no longer have my authenticator" (a recovery code and a PIN to a new enrollment), a second
//! authenticator added from the session, and the help desk's page (`--dev-admin`): the unlock
//! code for a locked app, a temporary password replaced at the next login, a re-enrollment
//! grant standing in for a recovery code.
//! Screenshots go to `target/web_login/lifecycle-*.png`. SKIPPED without Chromium, as there.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::web;

use fantoccini::Locator;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::codes::TokenActivation;
use tollgate::otp::{Totp, UnixTime};

const START: u64 = 1_700_000_000;
const JOHN: &str = "john.smith@example.com";
const NEW: &str = "tangerine lighthouse on a hill";

/// The desktop path from the enrollment choice to the enrolled page: the app's serial number
/// and token.
async fn enroll_desktop(
    b: &web::Browser,
    seed: u64,
) -> (
    tollgate::codes::SerialNumber,
    tollgate::codes::ActivatedToken,
) {
    b.click("desktop").await;
    b.expect("desktop-activation").await;
    let serial = b.text("serial").await.parse().unwrap();
    let activation = b.text("activation_code").await.parse().unwrap();
    let app = TokenActivation::new(serial, activation, None);
    let (registration, token) = app.register(&mut ChaCha20Rng::seed_from_u64(seed));
    b.fill("registration", &registration.to_string()).await;
    b.click("ok").await;
    b.expect("enrolled").await;
    (serial, token)
}

/// One action on the help desk's page: its result line; back to the login afterwards.
async fn help_desk(b: &web::Browser, action: &str, value: &str) -> String {
    b.open("/dev/admin").await;
    b.expect("admin").await;
    b.fill("user", JOHN).await;
    let select = b.client.find(Locator::Id("action")).await.unwrap();
    select.select_by_value(action).await.unwrap();
    b.fill("value", value).await;
    b.click("act").await;
    b.expect("admin").await;
    let result = b.text("result").await;
    b.open("/").await;
    result
}

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
    let token = enroll_desktop(&b, 3).await.1.totp();
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
    let (_, phone) = enroll_desktop(&b, 4).await;
    b.click("continue").await;
    b.expect("authenticated").await;

    // ---- Flow 5: a second authenticator, added from the session.
    b.click("add_authenticator").await;
    b.expect("choose-enrollment").await;
    let (serial, laptop) = enroll_desktop(&b, 5).await;
    b.click("continue").await;
    let page = b.expect("authenticated").await;
    let listed = b
        .client
        .find_all(Locator::Css("#authenticators li"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 2, "{page}");
    b.fill("name_1", "Work laptop").await;
    b.click("rename_1").await;
    let page = b.expect("authenticated").await;
    assert!(page.contains("Work laptop"), "{page}");
    b.shot("lifecycle-08-authenticators").await;

    // ---- Flow 6: the laptop's app locked after wrong PINs shows a reset code; the help desk
    // gives the unlock code the app checks, and the app's code logs in.
    let reset = tollgate::codes::new_reset_code(&mut ChaCha20Rng::seed_from_u64(6));
    let result = help_desk(&b, "unlock-app", &reset).await;
    assert!(result.contains("several tokens"), "{result}");
    let result = help_desk(&b, "unlock-app", &format!("{reset} {serial}")).await;
    let expected = tollgate::codes::unlock_code(laptop.secret(), &reset).unwrap();
    assert_eq!(result, format!("unlock code: {}", expected.as_str()));
    b.start_over().await;
    b.answer("user_id", JOHN).await;
    b.expect("enter-password").await;
    b.answer("password", NEW).await;
    b.expect("enter-token-code").await;
    b.advance(30).await;
    b.on("enter-token-code").await;
    b.answer("token", &code(&laptop.totp(), &b)).await;
    b.expect("authenticated").await;

    // ---- Flow 7: the help desk's temporary password, replaced at the next whole login.
    let result = help_desk(&b, "temporary-password", "blue whale at noon").await;
    assert_eq!(result, "temporary password set");
    b.start_over().await;
    b.answer("user_id", JOHN).await;
    b.expect("enter-password").await;
    b.answer("password", "blue whale at noon").await;
    b.expect("enter-token-code").await;
    b.advance(30).await;
    b.on("enter-token-code").await;
    b.answer("token", &code(&phone.totp(), &b)).await;
    b.expect("new-password").await;
    let notice = b.notice().await.unwrap_or_default();
    assert!(notice.contains("set by an administrator"), "{notice}");
    b.shot("lifecycle-09-temporary-password").await;
    b.answer("new_password", "quiet harbour under snow").await;
    b.expect("password-changed").await;
    // And a grant where a recovery code goes: with the password and a PIN, a new enrollment.
    let result = help_desk(&b, "grant", "2").await;
    let grant = result
        .strip_prefix("re-enrollment code: ")
        .unwrap()
        .to_owned();
    b.start_over().await;
    b.answer("user_id", JOHN).await;
    b.expect("enter-password").await;
    b.answer("password", "quiet harbour under snow").await;
    b.expect("enter-token-code").await;
    b.click("lost_token").await;
    let page = b.expect("enter-recovery-code").await;
    assert!(page.contains("re-enrollment code"), "{page}");
    b.answer("recovery_code", &grant).await;
    b.expect("enter-pin").await;
    let pin = b.pins().await.remove(0);
    b.on("enter-pin").await;
    b.answer("pin", &pin).await;
    b.expect("choose-enrollment").await;
}
