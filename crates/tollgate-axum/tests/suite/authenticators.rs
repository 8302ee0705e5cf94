//! Several authenticators through the router: the logged-in page lists them, "Add an
//! authenticator" enrolls one more and comes back, "Rename" keeps a name (escaped on the
//! page), "Remove" is offered only while another one stays.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::Arc;

use common::{Browser, between, clock, register_desktop, serve, service_with};
use tollgate::Outbox;
use tollgate_axum::{Login, WebConfig};

use crate::common;

const JOHN: &str = "john.smith@example.com";

/// The serial numbers the page lists.
fn listed(page: &str) -> Vec<String> {
    page.split(r#"<li data-serial=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn the_session_lists_adds_renames_and_removes_authenticators() {
    let outbox = Outbox::new();
    let login = Login::new(
        service_with(Arc::new(outbox.clone()), clock()),
        WebConfig::default(),
    );
    let app = serve(&login, [192, 0, 2, 7]);
    let mut b = Browser::open(&app).await;
    b.submit("user_id", JOHN).await;
    b.submit("password", "right password").await;
    b.submit("pin", &outbox.last_pin().unwrap()).await;
    register_desktop(&mut b, 3).await;
    b.submit("continue", "").await;
    assert_eq!(b.screen(), "authenticated", "{}", b.page);
    let first = listed(&b.page);
    assert_eq!(first.len(), 1, "{}", b.page);
    assert!(b.page.contains("Added on 2023-11-14"), "{}", b.page);
    assert!(
        !b.page.contains(r#"id="remove_0""#),
        "the last one is not offered"
    );

    b.submit("add_authenticator", "").await;
    assert_eq!(b.screen(), "choose-enrollment", "{}", b.page);
    register_desktop(&mut b, 4).await;
    assert!(
        !b.page.contains("<li><code>"),
        "no new recovery codes: {}",
        b.page
    );
    b.submit("continue", "").await;
    assert_eq!(b.screen(), "authenticated", "{}", b.page);
    let both = listed(&b.page);
    assert_eq!((both.len(), &both[0]), (2, &first[0]), "{}", b.page);

    b.submit_with(
        "rename_authenticator",
        &[("serial", &first[0]), ("value", "<b>Work</b> laptop")],
    )
    .await;
    assert!(b.page.contains("renamed"), "{}", b.page);
    assert!(
        b.page.contains("&lt;b&gt;Work&lt;/b&gt; laptop"),
        "{}",
        b.page
    );
    assert!(!b.page.contains("<b>Work</b>"));
    b.submit_with(
        "rename_authenticator",
        &[("serial", &first[0]), ("value", "a\u{202E}b")],
    )
    .await;
    assert!(b.page.contains("without line breaks"), "{}", b.page);

    b.submit_with("remove_authenticator", &[("serial", &both[1])])
        .await;
    assert!(b.page.contains("was removed"), "{}", b.page);
    assert_eq!(listed(&b.page), first);
    // A form for a serial number that is not one: refused, and the page as it was.
    let status = b
        .submit_with("remove_authenticator", &[("serial", "not a serial")])
        .await;
    assert_eq!(status, axum::http::StatusCode::BAD_REQUEST);
    assert!(b.page.contains("not a serial number"), "{}", b.page);
    let (_, _, page) = common::send(&app, common::get("/", Some(&b.cookie), &[])).await;
    assert_eq!(listed(&page), first);
    assert_eq!(between(&page, "data-screen=\"", "\""), "authenticated");
}
