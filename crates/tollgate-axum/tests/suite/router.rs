//! The router in process (tower's `oneshot`, no socket): cookies, CSRF, the language, the
//! client's address behind a proxy.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use axum::http::StatusCode;
use common::{app, csrf, get, open, post, send};
use tollgate_axum::{ClientAddress, WebConfig};

use crate::common;

const PROXY: [u8; 4] = [10, 0, 0, 1];

#[tokio::test]
async fn over_tls_the_session_cookie_is_host_prefixed_and_secure() {
    let (_, cookies, _) = open(
        &app(WebConfig::default().with_tls(true), [192, 0, 2, 1]),
        &[],
    )
    .await;
    let cookie = &cookies[0];
    assert!(cookie.starts_with("__Host-tollgate_session="), "{cookie}");
    for flag in ["Path=/", "HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    let (_, cookies, _) = open(&app(WebConfig::default(), [192, 0, 2, 1]), &[]).await;
    assert!(cookies[0].starts_with("tollgate_session=") && !cookies[0].contains("Secure"));
}

#[tokio::test]
async fn a_form_without_the_sessions_token_is_refused() {
    let app = app(WebConfig::default(), [192, 0, 2, 1]);
    let (cookie, _, page) = open(&app, &[]).await;
    let forged = post(
        "/submit",
        &cookie,
        "csrf=forged&action=user_id&value=x%40example.com",
        &[],
    );
    let (status, _, body) = send(&app, forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("does not match"), "{body}");
    let good = format!(
        "csrf={}&action=user_id&value=john.smith%40example.com",
        csrf(&page)
    );
    let (status, _, _) = send(&app, post("/submit", &cookie, &good, &[])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&app, get("/", Some(&cookie), &[])).await;
    assert!(page.contains(r#"data-screen="enter-password""#), "{page}");
    // Another session's cookie with this session's token: refused too.
    let (other, _, _) = open(&app, &[]).await;
    let (status, _, _) = send(&app, post("/submit", &other, &good, &[])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_new_session_speaks_the_browsers_language() {
    let app = app(WebConfig::default(), [192, 0, 2, 1]);
    let (_, _, page) = open(&app, &[("accept-language", "fr-CA,fr;q=0.9,en;q=0.5")]).await;
    assert!(page.contains(r#"<html lang="fr">"#), "{page}");
    assert!(page.contains("Saisissez votre identifiant"), "{page}");
    let (_, _, page) = open(&app, &[("accept-language", "it, en;q=0.3")]).await;
    assert!(page.contains(r#"<html lang="en">"#) && page.contains("Enter User ID"));
    let (_, _, page) = open(&app, &[("accept-language", "de-CH, en;q=0.3")]).await;
    assert!(page.contains(r#"<html lang="de">"#) && page.contains("Benutzerkennung eingeben"));
}

/// Password holder and stranger behind one reverse proxy (THREATS.md; SP 800-63B-4 §3.2.2
/// throttling by network): an attacker who makes 60 wrong passwords, each with a forged
/// `X-Forwarded-For` naming the owner's address, is throttled by their own address; the owner,
/// behind the same proxy, still logs in. Counted: what the attacker got past the limit (0), and
/// whether the owner was held (no). With the connection's address instead (the proxy's, for
/// everyone), the attacker's failures hold the owner too: the test shows that first.
#[tokio::test]
async fn behind_a_proxy_the_client_is_the_address_the_proxy_appended() {
    let owner = "198.51.100.7";
    let attacker = "203.0.113.66";
    for believe_header in [false, true] {
        let client_address = if believe_header {
            ClientAddress::Header {
                name: "x-forwarded-for".into(),
                proxies: vec![PROXY.into()],
            }
        } else {
            ClientAddress::Connection
        };
        let app = app(
            WebConfig::default().with_client_address(client_address),
            PROXY,
        );
        let forged = format!("{owner}, {attacker}");
        let mut checked = 0;
        for guess in 0..60 {
            let (cookie, _, page) = open(&app, &[]).await;
            let token = csrf(&page);
            let user = format!("csrf={token}&action=user_id&value=ghost{guess}%40example.com");
            send(&app, post("/submit", &cookie, &user, &[])).await;
            let (_, _, page) = send(&app, get("/", Some(&cookie), &[])).await;
            let wrong = format!("csrf={}&action=password&value=guess{guess}", csrf(&page));
            let headers = [("x-forwarded-for", forged.as_str())];
            let (status, _, _) = send(&app, post("/submit", &cookie, &wrong, &headers)).await;
            checked += usize::from(status == StatusCode::SEE_OTHER);
        }
        // The owner, behind the same proxy.
        let (cookie, _, page) = open(&app, &[]).await;
        let user = format!(
            "csrf={}&action=user_id&value=john.smith%40example.com",
            csrf(&page)
        );
        send(&app, post("/submit", &cookie, &user, &[])).await;
        let (_, _, page) = send(&app, get("/", Some(&cookie), &[])).await;
        let right = format!("csrf={}&action=password&value=right+password", csrf(&page));
        let headers = [("x-forwarded-for", owner)];
        let (status, _, _) = send(&app, post("/submit", &cookie, &right, &headers)).await;
        println!(
            "believing the header: {believe_header}; attacker's passwords checked: {checked}; owner's answer: {status}"
        );
        assert_eq!(
            checked, 50,
            "the network limit (50 an hour) bounds the attacker"
        );
        if believe_header {
            assert_eq!(
                status,
                StatusCode::SEE_OTHER,
                "the owner was held by the attacker"
            );
        } else {
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        }
    }
}

/// A deployment adds a language with a file, without Rust: the selector offers it and a browser
/// that prefers it gets it; what the file lacks shows in English.
#[tokio::test]
async fn a_language_from_a_directory() {
    let dir = std::env::temp_dir().join(format!("tollgate-axum-ftl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("it.ftl"),
        "language-name = Italiano\nenter-user-id = Inserisci l'ID utente\n",
    )
    .unwrap();
    let config = WebConfig::default().with_catalogue_dir(&dir).unwrap();
    let app = app(config, [192, 0, 2, 1]);
    let (_, _, page) = open(&app, &[("accept-language", "it-IT, en;q=0.5")]).await;
    assert!(page.contains(r#"<html lang="it">"#), "{page}");
    assert!(page.contains("Inserisci l'ID utente"), "{page}");
    assert!(
        page.contains(">Italiano</option>") && page.contains(">Deutsch</option>"),
        "{page}"
    );
    assert!(
        page.contains("Next"),
        "the missing button text falls back to English: {page}"
    );
    std::fs::write(dir.join("xx.ftl"), "enter-user-id = {").unwrap();
    let refused = WebConfig::default().with_catalogue_dir(&dir).unwrap_err();
    assert!(refused.contains("xx.ftl"), "{refused}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every answer carries the pages' security headers: the stylesheet, the script and a path the
/// router does not know included (before: those three had none, so a browser could sniff a
/// type or frame them).
#[tokio::test]
async fn the_assets_and_the_404_carry_the_security_headers() {
    let app = app(WebConfig::default(), [192, 0, 2, 1]);
    for path in ["/style.css", "/app.js", "/no-such-page"] {
        let response = tower::ServiceExt::oneshot(app.clone(), get(path, None, &[]))
            .await
            .unwrap();
        let headers = response.headers();
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "no-referrer"),
        ] {
            assert_eq!(
                headers.get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{path}: {name}"
            );
        }
        assert!(
            headers
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("frame-ancestors 'none'")),
            "{path}"
        );
    }
}
