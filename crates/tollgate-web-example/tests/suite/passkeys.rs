//! Passkeys in a real browser, with an authenticator nobody here wrote: Chromium's virtual
//! authenticator (WebDriver's WebAuthn extension; CTAP2, internal transport, resident keys and
//! user verification). John enrolls his soft token as the guide says, adds a passkey from the
//! logged-in page, logs out, and logs in with it instead of a code, then with no User ID typed
//! at all; a second authenticator that holds no registered passkey gets nothing.

use crate::agent::{Agent, between};
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

/// 1Password's passkey-rs (its WebAuthn client and CTAP2 authenticator, nobody's here) posting
/// to `web_login` over HTTP as a page's script would: it adds a passkey to John's account after
/// his first login, logs in with it instead of a code, then with no User ID typed.
#[tokio::test(flavor = "current_thread")]
async fn another_projects_software_passkey_registers_and_logs_in_over_http() {
    let port = tollgate_test_kit::system::free_port().to_string();
    let origin = format!("http://localhost:{port}");
    let start = START.to_string();
    let args = [
        "--dev-outbox",
        "--seed",
        "7",
        "--virtual-clock",
        &start,
        "--port",
        &port,
        "--passkeys",
        &origin,
    ];
    let (_server, base, _) = web::start_server(&args);
    let mut passkey = other::Passkey::new(&origin);

    // The first login, through the desktop path.
    let mut agent = Agent::new(&base);
    agent.submit("user_id", JOHN);
    agent.submit("password", web::PASSWORD);
    let pin = agent.last_pin();
    agent.submit("pin", &pin);
    agent.enroll_desktop(1);
    assert_eq!(agent.screen(), "authenticated");

    agent.submit("add_passkey", "");
    assert_eq!(agent.screen(), "create-passkey", "{}", agent.page);
    let created = passkey.register(&options(&agent.page)).await;
    let page = agent.submit("passkey", &created).to_owned();
    assert!(page.contains("Your passkey was added"), "{page}");

    // A later login: the password, then the passkey instead of the code.
    let mut later = Agent::new(&base);
    later.submit("user_id", JOHN);
    later.submit("password", web::PASSWORD);
    assert_eq!(later.screen(), "enter-token-code");
    later.submit("begin_passkey", "");
    assert_eq!(later.screen(), "use-passkey");
    let asserted = passkey.authenticate(&options(&later.page)).await;
    later.submit("passkey", &asserted);
    assert_eq!(later.screen(), "authenticated", "{}", later.page);

    // And with no User ID typed: passkey-rs finds its discoverable credential for the RP.
    let mut first = Agent::new(&base);
    first.submit("begin_passkey", "");
    assert_eq!(first.screen(), "use-passkey");
    let asserted = passkey.authenticate(&options(&first.page)).await;
    first.submit("passkey", &asserted);
    assert_eq!(first.screen(), "authenticated", "{}", first.page);
    assert!(first.page.contains(JOHN));
}

/// The options a passkey page hands to the browser (its form's `data-options`).
fn options(page: &str) -> String {
    between(page, "data-options=\"", "\"")
        .unwrap()
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// 1Password's passkey-rs as a browser and its platform authenticator.
mod other {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use passkey_authenticator::{Authenticator, UiHint, UserCheck, UserValidationMethod};
    use passkey_client::{Client, DefaultClientData};
    use passkey_crypto::AvailableBackend;
    use passkey_types::ctap2::{Aaguid, Ctap2Error};
    use passkey_types::webauthn;

    /// A user who is present and verified whenever asked.
    struct Present;

    #[async_trait::async_trait]
    impl UserValidationMethod for Present {
        type PasskeyItem = passkey_types::Passkey;

        async fn check_user<'a>(
            &self,
            _: UiHint<'a, passkey_types::Passkey>,
            presence: bool,
            verification: bool,
        ) -> Result<UserCheck, Ctap2Error> {
            Ok(UserCheck {
                presence,
                verification,
            })
        }

        fn is_presence_enabled(&self) -> bool {
            true
        }

        fn is_verification_enabled(&self) -> Option<bool> {
            Some(true)
        }
    }

    pub(super) struct Passkey {
        /// Its one passkey (passkey-rs's store that answers a discoverable request).
        client: Client<
            Option<passkey_types::Passkey>,
            Present,
            AvailableBackend,
            public_suffix::PublicSuffixList,
            (),
        >,
        origin: url::Url,
    }

    impl Passkey {
        pub(super) fn new(origin: &str) -> Self {
            let authenticator =
                Authenticator::new(Aaguid::new_empty(), None, Present, AvailableBackend);
            Self {
                client: Client::new(authenticator).allows_insecure_localhost(true),
                origin: url::Url::parse(origin).unwrap(),
            }
        }

        pub(super) async fn register(&mut self, options: &str) -> String {
            let public_key = serde_json::from_str(options).unwrap();
            let request = webauthn::CredentialCreationOptions { public_key };
            let created = self
                .client
                .register(&self.origin, request, DefaultClientData)
                .await
                .unwrap();
            to_json(serde_json::to_value(&created).unwrap())
        }

        pub(super) async fn authenticate(&mut self, options: &str) -> String {
            let public_key = serde_json::from_str(options).unwrap();
            let request = webauthn::CredentialRequestOptions { public_key };
            let asserted = self
                .client
                .authenticate(&self.origin, request, DefaultClientData)
                .await
                .unwrap();
            to_json(serde_json::to_value(&asserted).unwrap())
        }
    }

    /// passkey-rs writes byte fields as arrays of numbers; `PublicKeyCredential.toJSON()`
    /// writes them in base64url, which is what a page posts.
    fn to_json(mut value: serde_json::Value) -> String {
        fn bytes(value: &mut serde_json::Value) {
            match value {
                serde_json::Value::Array(items)
                    if !items.is_empty() && items.iter().all(serde_json::Value::is_u64) =>
                {
                    let raw: Vec<u8> = items
                        .iter()
                        .filter_map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
                        .collect();
                    *value = serde_json::Value::String(URL_SAFE_NO_PAD.encode(raw));
                }
                serde_json::Value::Object(fields) => fields.values_mut().for_each(bytes),
                _ => {}
            }
        }
        bytes(&mut value);
        value.to_string()
    }
}
