//! A load run of `signatures/signHash` over HTTP (the CSC API of `tollgate-axum` on loopback):
//! `cargo run --release -p tollgate-web-example --example csc_load -- [--signatures N]
//! [--concurrency C]`.
//!
//! One user enrolled through the service, one credential (software keys), one bearer token.
//! Then rounds: the virtual clock moves one time step (a code is good once), the token's code
//! authorizes a batch of 100 fresh hashes (`credentials/authorize`, SCAL2: the SAD names them),
//! and C clients send one `signHash` each for those hashes until the batch is spent. Printed:
//! signatures per second and each signHash's p50 and p99, beside the limit measured in the same
//! run: bare ECDSA P-256 signatures per second on every core, with nothing around them.
//!
//! Peers: none of the compared login servers signs; the limit is the signature itself.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "figures for a person: a percentile's index from its fraction, counts as rates"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "a load driver measures wall-clock time: that is its figure"
)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::hazmat::PrehashSigner as _;
use serde_json::{Value, json};
use tollgate::sign::{CertificateAuthority, HashAlgorithm, SadKey, SadKeys, SoftwareKeys};
use tollgate::signing::Signer;
use tollgate::{Clock as _, ManualClock, MemoryStore, Outbox, Service};
use tollgate_axum::{Login, WebConfig};

#[path = "load_kit.rs"]
#[allow(
    dead_code,
    reason = "the kit serves axum_load too; this run uses part of it"
)]
mod kit;

use kit::{PASSWORD, enroll, http, percentile};

/// Hashes one authorization names (the most it may).
const BATCH: usize = tollgate::sign::MAX_HASHES;

async fn call(to: SocketAddr, method: &str, authorization: &str, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let (status, _, answer) = http(
        to,
        format!(
            "POST /csc/v2/{method} HTTP/1.1\r\nHost: x\r\nAuthorization: {authorization}\r\n\
             Content-Type: application/json\r\n"
        ),
        &body,
    )
    .await;
    (status, serde_json::from_str(&answer).unwrap_or(Value::Null))
}

/// Bare P-256 signatures per second on `threads` threads for about a second.
fn limit(threads: usize) -> f64 {
    let key = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).expect("a scalar");
    let digest = HashAlgorithm::Sha256.digest(b"limit");
    let start = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0u64;
                    while start.elapsed() < Duration::from_secs(1) {
                        let _: p256::ecdsa::Signature = key.sign_prehash(&digest).expect("signed");
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).collect()
    });
    counts.iter().sum::<u64>() as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (mut signatures, mut concurrency) = (2000usize, 8usize);
    while let Some(arg) = args.next() {
        let value = args.next().and_then(|v| v.parse().ok());
        match (arg.as_str(), value) {
            ("--signatures", Some(n)) => signatures = n,
            ("--concurrency", Some(n)) => concurrency = n,
            _ => {
                eprintln!("usage: csc_load [--signatures N] [--concurrency C]");
                std::process::exit(2);
            }
        }
    }
    let clock = ManualClock::new(tollgate::SystemClock.now());
    let outbox = Outbox::new();
    let store = Arc::new(MemoryStore::new());
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let ca = CertificateAuthority::generate("Load CA", clock.now(), 3650, &mut rng);
    let mut keys = [[0u8; 32]; 2];
    for key in &mut keys {
        getrandom::fill(key).expect("the OS RNG");
    }
    let signer = Signer::new(
        store.clone(),
        ca,
        Arc::new(SoftwareKeys::new(keys[0])),
        SadKeys::new(SadKey::new(keys[1])),
    );
    let service = Arc::new(
        Service::builder()
            .store(store)
            .signer(signer)
            .delivery(Arc::new(outbox.clone()))
            .clock(Arc::new(clock.clone()))
            .build()
            .expect("a service"),
    );
    let (user, token) = enroll(&service, &outbox, "signer", 1).remove(0);
    let id = service
        .signing()
        .expect("signing")
        .create_credential(&user.parse().expect("a User ID"), "load")
        .expect("a credential")
        .id()
        .to_string();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let to = listener.local_addr().expect("an address");
    let app = Login::new(service.clone(), WebConfig::default()).router();
    tokio::spawn(async move {
        let _ = tollgate_axum::serve(listener, app, tollgate_axum::ServeLimits::default()).await;
    });

    let basic = format!("Basic {}", STANDARD.encode(format!("{user}:{PASSWORD}")));
    let (status, login) = call(to, "auth/login", &basic, &json!({})).await;
    assert_eq!(status, 200, "{login}");
    let bearer = format!(
        "Bearer {}",
        login["access_token"].as_str().expect("a token")
    );

    let latencies = Arc::new(Mutex::new(Vec::with_capacity(signatures)));
    let mut authorize_times = Vec::new();
    let mut signed = 0usize;
    let start = Instant::now();
    while signed < signatures {
        clock.advance(30);
        let batch = BATCH.min(signatures - signed);
        let hashes: Vec<String> = (0..batch)
            .map(|_| {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).expect("the OS RNG");
                STANDARD.encode(bytes)
            })
            .collect();
        let code = token.generate(clock.now()).expect("a code").to_string();
        let asked = Instant::now();
        let (status, authorized) = call(
            to,
            "credentials/authorize",
            &bearer,
            &json!({"credentialID": id, "numSignatures": batch, "hashes": hashes,
                    "hashAlgorithmOID": HashAlgorithm::Sha256.oid(),
                    "authData": [{"id": "OTP", "value": code}]}),
        )
        .await;
        authorize_times.push(asked.elapsed());
        assert_eq!(status, 200, "{authorized}");
        let sad = authorized["SAD"].as_str().expect("a SAD").to_owned();
        let queue = Arc::new(Mutex::new(hashes));
        let clients: Vec<_> = (0..concurrency)
            .map(|_| {
                let (queue, latencies) = (queue.clone(), latencies.clone());
                let (sad, id, bearer) = (sad.clone(), id.clone(), bearer.clone());
                tokio::spawn(async move {
                    loop {
                        let Some(hash) = queue.lock().expect("the queue").pop() else {
                            return;
                        };
                        let sent = Instant::now();
                        let (status, answer) = call(
                            to,
                            "signatures/signHash",
                            &bearer,
                            &json!({"credentialID": id, "SAD": sad, "hashes": [hash],
                                    "hashAlgorithmOID": HashAlgorithm::Sha256.oid(),
                                    "signAlgo": "1.2.840.10045.4.3.2"}),
                        )
                        .await;
                        assert_eq!(status, 200, "{answer}");
                        latencies.lock().expect("the samples").push(sent.elapsed());
                    }
                })
            })
            .collect();
        for client in clients {
            client.await.expect("a client");
        }
        signed += batch;
    }
    let elapsed = start.elapsed();
    let mut latencies = latencies.lock().expect("the samples").clone();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let bare = tokio::task::spawn_blocking(move || limit(cores))
        .await
        .expect("the limit");
    let rate = signed as f64 / elapsed.as_secs_f64();
    println!(
        "signHash over HTTP: {signed} signatures in {:.2} s with {concurrency} clients \
         ({} authorizations of up to {BATCH} hashes)",
        elapsed.as_secs_f64(),
        authorize_times.len()
    );
    println!(
        "  {rate:.0} signatures/s; signHash p50 {:.2} ms, p99 {:.2} ms; authorize p50 {:.2} ms",
        percentile(&mut latencies, 0.50),
        percentile(&mut latencies, 0.99),
        percentile(&mut authorize_times, 0.50),
    );
    println!(
        "  limit: {bare:.0} bare ECDSA P-256 signatures/s on {cores} cores ({:.0}% of it)",
        rate / bare * 100.0
    );
}
