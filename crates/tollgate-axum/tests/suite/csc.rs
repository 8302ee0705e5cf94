//! The CSC API through the router, in both versions: the seed's user creates a signing
//! certificate on the page after "Continue", then a client logs in with HTTP Basic, lists the
//! credential, reads its certificates, authorizes one hash with the token's code and signs it.
//! Then the signer's thief (THREATS.md) with a SAD or a bearer token, and hostile bodies.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};
use tollgate::otp::Totp;
use tollgate::sign::{
    CertificateAuthority, HashAlgorithm, SadKey, SadKeys, SignAlgorithm, SoftwareKeys,
    verify_signature,
};
use tollgate::signing::Signer;
use tollgate::{Clock as _, ManualClock, MemoryStore, Outbox, Service, danger};
use tollgate_axum::{Login, WebConfig};

use crate::common::{Browser, clock, register_desktop, send, serve};

const JOHN: &str = "john.smith@example.com";

struct Portal {
    app: Router,
    clock: ManualClock,
    token: Totp,
}

fn signing_service(outbox: &Outbox, clock: &ManualClock) -> Arc<Service> {
    let mut rng = ChaCha20Rng::seed_from_u64(30);
    let store = Arc::new(MemoryStore::new());
    let ca = CertificateAuthority::generate("Tollgate Test CA", clock.now(), 3650, &mut rng);
    let signer = Signer::new(
        store.clone(),
        ca,
        Arc::new(SoftwareKeys::new([1; 32])),
        SadKeys::new(SadKey::new([2; 32])),
    );
    let service = Service::builder()
        .store(store)
        .signer(signer)
        .delivery(Arc::new(outbox.clone()))
        .clock(Arc::new(clock.clone()))
        .passwords(danger::weak_passwords_for_tests(&mut rng).unwrap())
        .rng(Box::new(rng))
        .build()
        .unwrap();
    service
        .register_user(JOHN, "right password", None, Some(JOHN))
        .unwrap();
    Arc::new(service)
}

/// John's first login on the pages, then "Create your Signing Certificate".
async fn portal() -> Portal {
    let outbox = Outbox::new();
    let clock = clock();
    let login = Login::new(signing_service(&outbox, &clock), WebConfig::default());
    let app = serve(&login, [192, 0, 2, 7]);
    let mut b = Browser::open(&app).await;
    b.submit("user_id", JOHN).await;
    b.submit("password", "right password").await;
    b.submit("pin", &outbox.last_pin().unwrap()).await;
    let token = register_desktop(&mut b, 3).await;
    b.submit("continue", "").await;
    assert_eq!(b.screen(), "authenticated", "{}", b.page);
    assert!(
        b.page.contains("Create your Signing Certificate"),
        "{}",
        b.page
    );
    b.submit("create_signing_certificate", "").await;
    assert!(
        b.page.contains("Your signing certificate was created."),
        "{}",
        b.page
    );
    assert!(b.page.contains("Your signing certificates"), "{}", b.page);
    assert!(!b.page.contains(r#"id="create_signing_certificate""#));
    clock.advance(30);
    Portal { app, clock, token }
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

async fn call(app: &Router, path: &str, auth: Option<&str>, body: &str) -> (StatusCode, Value) {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(auth) = auth {
        request = request.header(header::AUTHORIZATION, auth);
    }
    let (status, _, text) = send(app, request.body(Body::from(body.to_owned())).unwrap()).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn bearer(p: &Portal, version: &str) -> String {
    let (status, body) = call(
        &p.app,
        &format!("/csc/{version}/auth/login"),
        Some(&basic(JOHN, "right password")),
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["expires_in"], 900);
    format!("Bearer {}", body["access_token"].as_str().unwrap())
}

fn digest_b64(name: &str) -> String {
    STANDARD.encode(HashAlgorithm::Sha256.digest(name.as_bytes()))
}

fn code(p: &Portal) -> String {
    p.token.generate(p.clock.now()).unwrap().to_string()
}

async fn credential(p: &Portal, auth: &str, version: &str) -> (String, Vec<Vec<u8>>) {
    let (status, list) = call(
        &p.app,
        &format!("/csc/{version}/credentials/list"),
        Some(auth),
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let id = list["credentialIDs"][0].as_str().unwrap().to_owned();
    let (status, info) = call(
        &p.app,
        &format!("/csc/{version}/credentials/info"),
        Some(auth),
        &json!({"credentialID": id, "certificates": "chain"}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["SCAL"], "2");
    assert_eq!(info["key"]["status"], "enabled");
    assert!(
        info["key"]["algo"]
            .as_array()
            .unwrap()
            .contains(&json!("1.2.840.10045.4.3.2"))
    );
    let chain = info["cert"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| STANDARD.decode(c.as_str().unwrap()).unwrap())
        .collect();
    (id, chain)
}

#[tokio::test]
async fn version_1_authorizes_one_hash_with_the_token_and_signs_it() {
    let p = portal().await;
    let auth = bearer(&p, "v1").await;
    let (id, chain) = credential(&p, &auth, "v1").await;
    assert_eq!(chain.len(), 2, "the signer's certificate, then the CA's");
    let (_, info) = call(
        &p.app,
        "/csc/v1/credentials/info",
        Some(&auth),
        &json!({"credentialID": id}).to_string(),
    )
    .await;
    assert_eq!(info["authMode"], "explicit");
    assert_eq!(info["OTP"]["generator"], "totp");
    let hash = digest_b64("contract.pdf");
    let (status, authorized) = call(
        &p.app,
        "/csc/v1/credentials/authorize",
        Some(&auth),
        &json!({"credentialID": id, "numSignatures": 1, "hash": [hash], "OTP": code(&p)})
            .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{authorized}");
    assert_eq!(authorized["expiresIn"], 300);
    let sad = authorized["SAD"].as_str().unwrap().to_owned();
    let sign = |hash: &str| {
        json!({"credentialID": id, "SAD": sad, "hash": [hash], "hashAlgo": "2.16.840.1.101.3.4.2.1",
               "signAlgo": "1.2.840.10045.4.3.2"})
        .to_string()
    };
    let (status, signed) = call(
        &p.app,
        "/csc/v1/signatures/signHash",
        Some(&auth),
        &sign(&hash),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    let signature = STANDARD
        .decode(signed["signatures"][0].as_str().unwrap())
        .unwrap();
    verify_signature(
        &chain[0],
        SignAlgorithm::EcdsaSha256,
        &HashAlgorithm::Sha256.digest(b"contract.pdf"),
        &signature,
    )
    .unwrap();
    // The thief: the same SAD again, and for another document.
    for hash in [hash.clone(), digest_b64("forged.pdf")] {
        let (status, refused) = call(
            &p.app,
            "/csc/v1/signatures/signHash",
            Some(&auth),
            &sign(&hash),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(refused["error"], "invalid_request");
    }
}

#[tokio::test]
async fn version_2_names_hashes_and_the_code_its_own_way() {
    let p = portal().await;
    let auth = bearer(&p, "v2").await;
    let (id, chain) = credential(&p, &auth, "v2").await;
    let (_, info) = call(
        &p.app,
        "/csc/v2/credentials/info",
        Some(&auth),
        &json!({"credentialID": id}).to_string(),
    )
    .await;
    assert_eq!(info["auth"]["mode"], "explicit");
    assert_eq!(info["auth"]["objects"][0]["generator"], "totp");
    let hashes = [digest_b64("a.pdf"), digest_b64("b.pdf")];
    let (status, authorized) = call(
        &p.app,
        "/csc/v2/credentials/authorize",
        Some(&auth),
        &json!({"credentialID": id, "numSignatures": 2, "hashes": hashes,
                "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
                "authData": [{"id": "OTP", "value": code(&p)}]})
        .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{authorized}");
    let (status, signed) = call(
        &p.app,
        "/csc/v2/signatures/signHash",
        Some(&auth),
        &json!({"credentialID": id, "SAD": authorized["SAD"], "hashes": hashes,
                "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1", "signAlgo": "1.2.840.10045.2.1"})
        .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    for (i, name) in ["a.pdf", "b.pdf"].iter().enumerate() {
        let signature = STANDARD
            .decode(signed["signatures"][i].as_str().unwrap())
            .unwrap();
        verify_signature(
            &chain[0],
            SignAlgorithm::EcdsaSha256,
            &HashAlgorithm::Sha256.digest(name.as_bytes()),
            &signature,
        )
        .unwrap();
    }
}

#[tokio::test]
async fn a_stranger_learns_nothing_at_login_and_a_revoked_or_locked_token_is_dead() {
    let p = portal().await;
    let (status, wrong) = call(
        &p.app,
        "/csc/v1/auth/login",
        Some(&basic(JOHN, "wrong")),
        "{}",
    )
    .await;
    let (status2, nobody) = call(
        &p.app,
        "/csc/v1/auth/login",
        Some(&basic("nobody@example.com", "wrong")),
        "{}",
    )
    .await;
    assert_eq!(
        (status, status2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        wrong, nobody,
        "the same answer for a User ID that is no account"
    );
    let (status, _) = call(&p.app, "/csc/v1/auth/login", None, "{}").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The bearer token as a page's session cookie: a fresh first page, not a failure.
    let token = bearer(&p, "v1").await;
    let cookie = format!("tollgate_session={}", token.trim_start_matches("Bearer "));
    let (status, _, page) = send(&p.app, crate::common::get("/", Some(&cookie), &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-screen=\"enter-user-id\""), "{page}");

    // Revoked: the token lists nothing more.
    let auth = bearer(&p, "v1").await;
    let (status, _) = call(&p.app, "/csc/v1/auth/revoke", Some(&auth), "{}").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = call(&p.app, "/csc/v1/credentials/list", Some(&auth), "{}").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_token");

    // Guessing codes at authorize with a live token: the credential locks after 5, and the
    // token goes on working for nothing but the truth.
    let auth = bearer(&p, "v1").await;
    let (id, _) = credential(&p, &auth, "v1").await;
    let mut refused = 0;
    for guess in 0..20 {
        let (status, body) = call(
            &p.app,
            "/csc/v1/credentials/authorize",
            Some(&auth),
            &json!({"credentialID": id, "numSignatures": 1, "hash": [digest_b64("x")],
                    "OTP": format!("{:06}", guess * 37)})
            .to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        if body["error"] == "invalid_otp" {
            refused += 1;
        }
    }
    assert_eq!(refused, 5, "codes checked before the credential locked");
    let (_, info) = call(
        &p.app,
        "/csc/v1/credentials/info",
        Some(&auth),
        &json!({"credentialID": id}).to_string(),
    )
    .await;
    assert_eq!(info["key"]["status"], "disabled");
}

#[tokio::test]
async fn hostile_bodies_are_refused_with_the_spec_s_errors() {
    let p = portal().await;
    let auth = bearer(&p, "v1").await;
    let (id, _) = credential(&p, &auth, "v1").await;
    let authorize = |body: Value| {
        let app = p.app.clone();
        let auth = auth.clone();
        async move {
            call(
                &app,
                "/csc/v1/credentials/authorize",
                Some(&auth),
                &body.to_string(),
            )
            .await
        }
    };
    // 10 000 hashes.
    let many: Vec<String> = (0..10_000)
        .map(|i: u32| digest_b64(&i.to_string()))
        .collect();
    let body = json!({"credentialID": id, "numSignatures": 10_000, "hash": many, "OTP": "123456"});
    let (status, answer) = authorize(body).await;
    // 10 000 base64 SHA-256 hashes are 480 KB: past the body limit before any parsing.
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    let many: Vec<String> = many.into_iter().take(1000).collect();
    let (status, answer) = authorize(
        json!({"credentialID": id, "numSignatures": 1000, "hash": many, "OTP": "123456"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error_description"]
            .as_str()
            .unwrap()
            .contains("hash"),
        "{answer}"
    );
    for (body, parameter) in [
        (
            json!({"credentialID": id, "numSignatures": 1, "hash": ["not base64!"], "OTP": "1"}),
            "hash",
        ),
        (
            json!({"credentialID": id, "numSignatures": 1, "hash": [STANDARD.encode([1; 20])], "OTP": "1"}),
            "hash",
        ),
        (
            json!({"credentialID": id, "numSignatures": 0, "hash": [digest_b64("x")], "OTP": "1"}),
            "numSignatures",
        ),
        (
            json!({"credentialID": id, "numSignatures": "1", "hash": [digest_b64("x")], "OTP": "1"}),
            "numSignatures",
        ),
        (
            json!({"credentialID": id, "numSignatures": 1, "hash": [digest_b64("x")]}),
            "OTP",
        ),
        (
            json!({"credentialID": "../../etc", "numSignatures": 1, "hash": [digest_b64("x")], "OTP": "1"}),
            "credentialID",
        ),
        (
            json!({"credentialID": 7, "numSignatures": 1, "hash": [digest_b64("x")], "OTP": "1"}),
            "credentialID",
        ),
    ] {
        let (status, answer) = authorize(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["error"], "invalid_request");
        assert!(
            answer["error_description"]
                .as_str()
                .unwrap()
                .contains(parameter),
            "{answer}"
        );
    }
    // Bad OIDs at signHash, and a body that is no JSON object.
    for (body, parameter) in [
        (
            json!({"credentialID": id, "SAD": "x", "hash": [digest_b64("x")], "hashAlgo": "1.2.3", "signAlgo": "1.2.840.10045.4.3.2"}),
            "hashAlgo",
        ),
        (
            json!({"credentialID": id, "SAD": "x", "hash": [digest_b64("x")], "signAlgo": "1.2.840.113549.1.1.11"}),
            "hashAlgo",
        ),
        (
            json!({"credentialID": id, "SAD": "x", "hash": [digest_b64("x")], "hashAlgo": "2.16.840.1.101.3.4.2.1", "signAlgo": "x"}),
            "signAlgo",
        ),
        (
            json!({"credentialID": id, "SAD": "x", "hash": [digest_b64("x")], "hashAlgo": "2.16.840.1.101.3.4.2.1", "signAlgo": "1.2.840.10045.4.3.2"}),
            "SAD",
        ),
    ] {
        let (status, answer) = call(
            &p.app,
            "/csc/v1/signatures/signHash",
            Some(&auth),
            &body.to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert!(
            answer["error_description"]
                .as_str()
                .unwrap()
                .contains(parameter),
            "{parameter}: {answer}"
        );
    }
    for body in ["[1,2]", "{", "\"x\"", "{\"credentialID\": "] {
        let (status, answer) = call(&p.app, "/csc/v1/credentials/list", Some(&auth), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
    }
}
