//! "Password locked or forgotten?" through the router, for an account without an authenticator
//! (two PINs): every page names the step, none says where a PIN went, a refused password says
//! which rule, and the new password logs in.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::Arc;

use axum::http::StatusCode;
use common::{Browser, clock, serve, service_with};
use tollgate::Outbox;
use tollgate_axum::{Login, WebConfig};

use crate::common;

const ANN: &str = "ann@example.com";
const NEW: &str = "tangerine lighthouse on a hill";

#[tokio::test]
async fn two_pins_and_a_new_password_under_the_rules() {
    let outbox = Outbox::new();
    let service = service_with(Arc::new(outbox.clone()), clock());
    service
        .register_user(
            ANN,
            "the old one, forgotten",
            Some("+1 613 555 0100"),
            Some(ANN),
        )
        .unwrap();
    let login = Login::new(service, WebConfig::default());
    let mut b = Browser::open(&serve(&login, [192, 0, 2, 9])).await;
    b.submit("user_id", ANN).await;
    assert_eq!(b.submit("forgot", "").await, StatusCode::SEE_OTHER);
    assert_eq!(b.screen(), "reset-start", "{}", b.page);
    assert!(
        b.page.contains(r#"autocomplete="one-time-code""#),
        "{}",
        b.page
    );
    b.submit("no_authenticator", "").await;
    assert_eq!(b.screen(), "reset-pin", "{}", b.page);
    assert!(b.page.contains("Step 1 of 2") && b.page.contains("mobile number on file"));
    assert!(
        !b.page.contains("0100") && !b.page.contains('•'),
        "{}",
        b.page
    );
    b.submit("pin", &outbox.last_pin().unwrap()).await;
    assert!(b.page.contains("Step 2 of 2") && b.page.contains("e-mail address on file"));
    assert!(!b.page.contains(r#"id="alternative""#), "{}", b.page);
    b.submit("pin", &outbox.last_pin().unwrap()).await;
    assert_eq!(b.screen(), "new-password", "{}", b.page);
    assert!(b.page.contains("Use 8 to 64 characters"), "{}", b.page);
    assert!(
        b.page.contains(r#"autocomplete="new-password""#),
        "{}",
        b.page
    );
    b.submit("new_password", "password123").await;
    assert!(b.page.contains("too common"), "{}", b.page);
    b.submit("new_password", NEW).await;
    assert_eq!(b.screen(), "password-changed", "{}", b.page);
    b.submit("continue", "").await;
    assert_eq!(b.screen(), "enter-password", "{}", b.page);
    b.submit("password", NEW).await;
    assert_eq!(b.screen(), "enter-pin", "{}", b.page);
}
