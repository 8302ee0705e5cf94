//! Passkeys in a real browser, with an authenticator nobody here wrote: Chromium's virtual
//! authenticator (WebDriver's WebAuthn extension; CTAP2, internal transport, resident keys and
//! user verification). John enrolls his soft token as the guide says, adds a passkey from the
//! logged-in page, logs out, and logs in with it instead of a code, then with no User ID typed
//! at all; a second authenticator that holds no registered passkey gets nothing.

use crate::web;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::codes::TokenActivation;

const START: u64 = 1_700_000_000;
const JOHN: &str = "john.smith@example.com";

#[tokio::test(flavor = "current_thread")]
async fn a_passkey_added_in_the_browser_logs_in_instead_of_a_code() {
    let Some(mut b) = web::Browser::launch_with_passkeys(START).await else {
        return;
    };
    let authenticator = b.add_virtual_authenticator().await;

    // The first login, through the desktop path.
    b.open("/").await;
    b.on("enter-user-id").await;
    b.sign_in(JOHN, "enter-pin").await;
    let pins = b.pins().await;
    b.answer("pin", &pins[0]).await;
    b.expect("choose-enrollment").await;
    b.click("desktop").await;
    b.expect("desktop-activation").await;
    let serial = b.text("serial").await.parse().unwrap();
    let code = b.text("activation_code").await.parse().unwrap();
    let (registration, _token) =
        TokenActivation::new(serial, code, None).register(&mut ChaCha20Rng::seed_from_u64(1));
    b.fill("registration", &registration.to_string()).await;
    b.click("ok").await;
    b.expect("enrolled").await;
    b.click("continue").await;
    b.expect("authenticated").await;

    // "Add a passkey", right after the whole login (the second factor is fresh).
    b.click("add_passkey").await;
    b.expect("create-passkey").await;
    b.shot("passkey-01-create").await;
    b.click("passkey_continue").await;
    let page = b.expect("authenticated").await;
    assert!(page.contains("Your passkey was added"), "{page}");
    b.shot("passkey-02-added").await;
    let held = b.virtual_credentials(&authenticator).await;
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["isResidentCredential"], serde_json::json!(true));

    // Log out, and in again with the passkey instead of a code.
    b.start_over().await;
    b.advance(30).await;
    let page = b.sign_in(JOHN, "enter-token-code").await;
    assert!(page.contains("Use a passkey"), "{page}");
    b.click("begin_passkey").await;
    b.expect("use-passkey").await;
    b.shot("passkey-03-use").await;
    b.click("passkey_continue").await;
    let page = b.expect("authenticated").await;
    assert!(page.contains(JOHN), "{page}");
    let held = b.virtual_credentials(&authenticator).await;
    assert!(
        held[0]["signCount"].as_u64().unwrap_or_default() >= 1,
        "{held:?}"
    );

    // "Log in with a passkey" on the first page: no User ID typed, the browser's discoverable
    // credential names the account.
    b.start_over().await;
    b.click("passkey_first").await;
    b.expect("use-passkey").await;
    b.click("passkey_continue").await;
    let page = b.expect("authenticated").await;
    assert!(page.contains(JOHN), "{page}");

    // Another authenticator, which holds no passkey of John's: the browser finds none, the
    // page says so, and the login stays where it was.
    b.remove_virtual_authenticator(&authenticator).await;
    let _other = b.add_virtual_authenticator().await;
    b.start_over().await;
    b.advance(30).await;
    b.sign_in(JOHN, "enter-token-code").await;
    b.click("begin_passkey").await;
    b.expect("use-passkey").await;
    b.click("passkey_continue").await;
    let failed = b
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("#passkey_failed:not([hidden])"))
        .await;
    assert!(failed.is_ok(), "the page did not say the passkey failed");
    b.on("use-passkey").await;
    b.shot("passkey-04-unregistered").await;
}
