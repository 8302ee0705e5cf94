//! A signature authorized and made, beside the limit: one bare ECDSA P-256 signature of the
//! same digest (what no signing service can skip), in the same run.
//!
//! Groups, each with `tollgate` and `limit` (the bare `p256` prehash signature):
//! - `authorize`: `credentials/authorize` once the second factor is proven: the request read
//!   (base64 hash, checks), the authorization opened in the credential's record and its SAD
//!   sealed;
//! - `sign_hash`: `signatures/signHash`: the hashes read, the SAD opened and spent against the
//!   record, the wrapped key opened and the digest signed (software backend);
//! - `round_trip`: both, through the facade (`Service::signing`): the token's code checked by
//!   the login's rules and the account and credential written back with compare-and-set in
//!   the memory store, the signature made.
//!
//! Run: `cargo bench -p tollgate-bench --bench signing`. A table of medians and the ratio to
//! the limit is printed at the end.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;
use std::sync::Arc;

use base64::Engine as _;
use criterion::{Criterion, criterion_group};
use p256::ecdsa::signature::hazmat::PrehashSigner as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use tollgate::otp::UnixTime;
use tollgate::sign::{
    CertificateAuthority, Credential, CredentialId, HashAlgorithm, Issue, KeyAlgorithm,
    KeyBackend as _, SadKey, SadKeys, SignAlgorithm, SignatureRequest, SoftwareKeys, Subject,
    read_hashes,
};

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(30);
    let now = UnixTime::from_secs(1_800_000_000);
    let ca = CertificateAuthority::generate("Bench CA", now, 3650, &mut rng);
    let keys = SoftwareKeys::new([7; 32]);
    let made = keys
        .generate(KeyAlgorithm::EcdsaP256, &mut rng)
        .expect("a key");
    let john: tollgate::login::UserId = "john@example.com".parse().expect("a User ID");
    let subject = Subject {
        common_name: john.as_str().to_owned(),
        email: None,
        organization: None,
    };
    let certificate = ca
        .issue(
            &Issue {
                subject: &subject,
                public_key: &made.public_key,
                not_before: now,
                days: 365,
            },
            &mut rng,
        )
        .expect("issued");
    let credential = Credential::new(
        CredentialId::generate(&mut rng),
        &john,
        made.key.clone(),
        KeyAlgorithm::EcdsaP256,
        vec![certificate],
        "bench",
        now,
    );
    let sad_keys = SadKeys::new(SadKey::new([9; 32]));
    let digest = HashAlgorithm::Sha256.digest(b"contract.pdf");
    let hashes = [base64::engine::general_purpose::STANDARD.encode(&digest)];
    // The limit: the same key, bare.
    let bare = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).expect("a scalar");

    let mut group = c.benchmark_group("authorize");
    group.bench_function("tollgate", |b| {
        b.iter(|| {
            let request = SignatureRequest::new(HashAlgorithm::Sha256, black_box(&hashes), 1, None)
                .expect("valid");
            let mut credential = credential.clone();
            credential
                .authorize(&john, &request, &sad_keys, 300, now, &mut rng)
                .expect("authorized")
        })
    });
    group.bench_function("limit", |b| {
        b.iter(|| -> p256::ecdsa::Signature {
            bare.sign_prehash(black_box(&digest)).expect("signed")
        })
    });
    group.finish();

    let request = SignatureRequest::new(HashAlgorithm::Sha256, &hashes, 1, None).expect("valid");
    let mut authorized = credential.clone();
    let sad = authorized
        .authorize(&john, &request, &sad_keys, 300, now, &mut rng)
        .expect("authorized");
    let mut group = c.benchmark_group("sign_hash");
    group.bench_function("tollgate", |b| {
        b.iter(|| {
            let digests = read_hashes(HashAlgorithm::Sha256, black_box(&hashes)).expect("read");
            let mut credential = authorized.clone();
            credential
                .spend(&john, &sad, &sad_keys, HashAlgorithm::Sha256, &digests, now)
                .expect("spent");
            keys.sign(
                credential.key(),
                SignAlgorithm::EcdsaSha256,
                digests[0].as_bytes(),
            )
            .expect("signed")
        })
    });
    group.bench_function("limit", |b| {
        b.iter(|| -> p256::ecdsa::Signature {
            bare.sign_prehash(black_box(&digest)).expect("signed")
        })
    });
    group.finish();

    round_trip(c, &bare, &digest);
}

/// Authorize and sign through the facade, the token's code checked each time (the virtual
/// clock moves one step per signature: a code is good once).
fn round_trip(c: &mut Criterion, bare: &p256::ecdsa::SigningKey, digest: &[u8]) {
    let (service, clock, token, id) = tollgate_bench::signing::enrolled_signer();
    let john: tollgate::login::UserId = tollgate_bench::signing::JOHN.parse().expect("a User ID");
    let hashes = [base64::engine::general_purpose::STANDARD.encode(digest)];
    let request = SignatureRequest::new(HashAlgorithm::Sha256, &hashes, 1, None).expect("valid");
    let mut group = c.benchmark_group("round_trip");
    group.bench_function("tollgate", |b| {
        b.iter(|| {
            clock.advance(30);
            let code = token
                .generate(tollgate::Clock::now(&clock))
                .expect("a code")
                .to_string();
            let signing = service.signing().expect("signing");
            let sad = signing
                .authorize(&john, &id, &request, &code)
                .expect("authorized");
            signing
                .sign_hashes(
                    &john,
                    &id,
                    &sad,
                    HashAlgorithm::Sha256,
                    SignAlgorithm::EcdsaSha256,
                    &hashes,
                )
                .expect("signed")
        })
    });
    group.bench_function("limit", |b| {
        b.iter(|| -> p256::ecdsa::Signature {
            bare.sign_prehash(black_box(digest)).expect("signed")
        })
    });
    group.finish();
    drop(Arc::clone(&service));
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
        &["authorize", "sign_hash", "round_trip"],
        &["tollgate", "limit"],
        "tollgate",
        "limit",
    );
}
