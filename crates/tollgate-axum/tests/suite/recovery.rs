//! Recovery codes through the router: the enrollment's page shows them after its redirect,
//! once; a later login's "I no longer have my authenticator" takes one and a PIN to a new
//! enrollment; the logged-in page replaces them.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::Arc;

use common::{Browser, clock, serve, service_with};
use tollgate::Outbox;
use tollgate_axum::{Login, WebConfig};

use crate::common;

const JOHN: &str = "john.smith@example.com";

/// The codes on the page.
fn codes(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .map(|rest| rest[..rest.find('<').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn codes_show_once_and_one_with_a_pin_replaces_a_lost_token() {
    let outbox = Outbox::new();
    let login = Login::new(
        service_with(Arc::new(outbox.clone()), clock()),
        WebConfig::default(),
    );
    let app = serve(&login, [192, 0, 2, 5]);
    let mut b = Browser::open(&app).await;
    b.submit("user_id", JOHN).await;
    b.submit("password", "right password").await;
    b.submit("pin", &outbox.last_pin().unwrap()).await;
    common::register_desktop(&mut b, 2).await;
    let shown = codes(&b.page);
    assert_eq!(shown.len(), 10, "{}", b.page);
    assert!(b.page.contains("not shown again"), "{}", b.page);
    // Shown once: the page again has none.
    let again = common::send(&app, common::get("/", Some(&b.cookie), &[]))
        .await
        .2;
    assert!(codes(&again).is_empty(), "{again}");
    b.page = again;
    b.submit("continue", "").await;
    assert_eq!(b.screen(), "authenticated", "{}", b.page);
    // New codes, once logged in: shown once, the old ones replaced.
    b.submit("new_recovery_codes", "").await;
    assert_eq!(b.screen(), "recovery-codes", "{}", b.page);
    let replaced = codes(&b.page);
    assert_eq!(replaced.len(), 10);
    assert!(replaced.iter().all(|c| !shown.contains(c)));

    // A later login without the token.
    let mut b = Browser::open(&app).await;
    b.submit("user_id", JOHN).await;
    b.submit("password", "right password").await;
    assert_eq!(b.screen(), "enter-token-code", "{}", b.page);
    b.submit("lost_token", "").await;
    assert_eq!(b.screen(), "enter-recovery-code", "{}", b.page);
    assert!(b.page.contains("10 recovery codes left"), "{}", b.page);
    b.submit("recovery_code", &shown[0]).await;
    assert!(b.page.contains("wrong, or it was used"), "{}", b.page);
    b.submit("recovery_code", &replaced[0]).await;
    assert_eq!(b.screen(), "enter-pin", "{}", b.page);
    b.submit("pin", &outbox.last_pin().unwrap()).await;
    assert_eq!(b.screen(), "choose-enrollment", "{}", b.page);
}
