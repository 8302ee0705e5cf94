//! One passkey assertion verified (WebAuthn L3 §7.2: the response JSON read, the client data
//! and authenticator data checked, the signature verified), beside the limit: the one
//! signature verification of the same curve that no verifier can skip, in the same run.
//!
//! Groups `assertion_es256` and `assertion_ed25519`, each with:
//! - `tollgate`: `AssertionResponse::from_json` then `verify_assertion`;
//! - `limit`: `p256` ECDSA / `ed25519-dalek` strict verification of the same signed message.
//!
//! Run: `cargo bench -p tollgate-bench --bench passkey_verify`. A table of medians and the
//! ratio to the limit is printed at the end.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use sha2::{Digest as _, Sha256};
use tollgate_passkey::{
    AssertionResponse, Challenge, RegistrationResponse, RelyingParty, options, verify_assertion,
    verify_registration,
};
use tollgate_test_kit::authenticator::{Kind, SoftPasskey};

const ORIGIN: &str = "https://login.example.com";

fn bench(c: &mut Criterion) {
    let rp = RelyingParty::new("example.com", [ORIGIN]).expect("a relying party");
    for (kind, group) in [
        (Kind::Es256, "assertion_es256"),
        (Kind::Ed25519, "assertion_ed25519"),
    ] {
        let mut passkey = SoftPasskey::new(kind, 1, ORIGIN);
        let challenge = Challenge::from_bytes([1; 32]);
        let user = options::User {
            handle: &[2; 16],
            name: "anna@example.com",
            display_name: "Anna",
        };
        let opts = options::creation(&rp, user, &challenge, []);
        let registration = RegistrationResponse::from_json(&passkey.register(&opts)).expect("json");
        let credential = verify_registration(&rp, &challenge, &registration)
            .expect("registered")
            .into_credential();
        let challenge = Challenge::from_bytes([3; 32]);
        let json = passkey.assert(&options::request(&rp, &challenge, [&credential.id]));
        let response = AssertionResponse::from_json(&json).expect("json");
        let _ = verify_assertion(&rp, &challenge, &credential, &response).expect("verifies");

        // The limit's input: the same message and signature, parsed in advance.
        let value: serde_json::Value = serde_json::from_str(&json).expect("json");
        let part = |name: &str| {
            tollgate_passkey::base64url::decode(value["response"][name].as_str().expect(name))
                .expect("base64url")
        };
        let mut message = part("authenticatorData");
        message.extend_from_slice(&Sha256::digest(part("clientDataJSON")));
        let signature = part("signature");
        let cose = passkey.cose_key();

        let mut group = c.benchmark_group(group);
        group.bench_function("tollgate", |b| {
            b.iter(|| {
                let response = AssertionResponse::from_json(black_box(&json)).expect("json");
                verify_assertion(&rp, &challenge, &credential, &response)
            })
        });
        match kind {
            Kind::Es256 => {
                use p256::ecdsa::signature::Verifier as _;
                let mut point = vec![4u8];
                point.extend_from_slice(&cose[10..42]);
                point.extend_from_slice(&cose[45..77]);
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).expect("a point");
                let sig = p256::ecdsa::Signature::from_der(&signature).expect("DER");
                assert!(key.verify(&message, &sig).is_ok());
                group.bench_function("limit", |b| {
                    b.iter(|| key.verify(black_box(&message), black_box(&sig)))
                });
            }
            Kind::Ed25519 => {
                let x: [u8; 32] = cose[10..42].try_into().expect("32 bytes");
                let key = ed25519_dalek::VerifyingKey::from_bytes(&x).expect("a point");
                let sig = ed25519_dalek::Signature::from_slice(&signature).expect("64 bytes");
                assert!(key.verify_strict(&message, &sig).is_ok());
                group.bench_function("limit", |b| {
                    b.iter(|| key.verify_strict(black_box(&message), black_box(&sig)))
                });
            }
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    tollgate_bench::report::print(
        &["assertion_es256", "assertion_ed25519"],
        &["tollgate", "limit"],
        "tollgate",
        "limit",
    );
}
