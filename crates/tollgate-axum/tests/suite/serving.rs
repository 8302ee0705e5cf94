//! `tollgate_axum::serve` on a real socket, on Tokio's paused clock (no real waiting): what a
//! flooder's half-sent requests get.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tollgate_axum::{Login, ServeLimits, WebConfig, serve};

use crate::common::service;

/// Flooder (THREATS.md: "unbounded memory or threads"): connections that send half a request
/// and go silent. Before, with `axum::serve`, 1000 of them stayed open after 37 s. Now each is
/// closed at the header-read timeout (10 s of virtual time here), and past the connection cap
/// (4 here) a full request waits for one of them to close instead of taking a fifth slot.
#[tokio::test(start_paused = true)]
async fn half_sent_requests_are_closed_and_connections_are_capped() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = Login::new(service(), WebConfig::default()).router();
    let limits = ServeLimits {
        max_connections: 4,
        header_read_timeout: Duration::from_secs(10),
    };
    let server = tokio::spawn(serve(listener, router, limits));

    let start = tokio::time::Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: portal.example\r\n")
            .await
            .unwrap();
        stalled.push(stream);
    }
    // The fifth: a whole request, answered once a slot is free.
    let mut full = TcpStream::connect(address).await.unwrap();
    full.write_all(b"GET /style.css HTTP/1.1\r\nHost: portal.example\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    full.read_to_end(&mut answer).await.unwrap();
    let waited = start.elapsed();
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(
        waited >= Duration::from_secs(10),
        "answered after {waited:?}"
    );
    // Each half-sent request was closed (hyper answers 408 or just closes).
    for mut stream in stalled {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut rest));
        assert!(read.await.is_ok(), "a half-sent request is still open");
    }
    println!("a whole request behind 4 half-sent ones was answered after {waited:?} (virtual)");
    server.abort();
}
