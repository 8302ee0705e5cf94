//! The router on a real socket behind Debian's nginx and HAProxy, each configured as its
//! documentation says (`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`,
//! `option forwardfor`), started by the test. Without them the test prints a loud `SKIPPED` and
//! passes; `.ci/run` installs both and sets `TOLLGATE_REQUIRE_PROXIES`.
//!
//! Loopback has many addresses: the client speaks from 127.0.0.2 (and a second one from
//! 127.0.0.5), the proxies reach the service from 127.0.0.3 (nginx, `proxy_bind`) and
//! 127.0.0.4 (HAProxy, `source`), which are the only addresses the service believes the header
//! from.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tollgate_axum::{ClientAddress, Login, WebConfig};

use crate::common::service;

/// A proxy process, killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

use tollgate_test_kit::system::{free_port, program as found};

/// nginx in front of `upstream`, on `port`, as its documentation's reverse-proxy example
/// sets the header.
fn nginx(bin: &Path, dir: &Path, port: u16, upstream: SocketAddr) -> Running {
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir};
    proxy_temp_path {dir};
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://{upstream};
            proxy_bind 127.0.0.3;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
",
            dir = dir.display()
        ),
    )
    .unwrap();
    let child = Command::new(bin)
        .args(["-e", &dir.join("error.log").display().to_string()])
        .args(["-p", &dir.display().to_string(), "-c"])
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Running(child)
}

/// HAProxy in front of `upstream`, on `port`, with `option forwardfor`.
fn haproxy(bin: &Path, dir: &Path, port: u16, upstream: SocketAddr) -> Running {
    let conf = dir.join("haproxy.cfg");
    std::fs::write(
        &conf,
        format!(
            "defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend web
    bind 127.0.0.1:{port}
    option forwardfor
    default_backend app
backend app
    server tollgate {upstream} source 127.0.0.4
"
        ),
    )
    .unwrap();
    let child = Command::new(bin)
        .arg("-db")
        .arg("-f")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Running(child)
}

/// One request from `from` to the proxy on `port`: its status.
async fn post(from: IpAddr, port: u16, forwarded_for: &str) -> u16 {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    let mut stream = socket
        .connect(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .unwrap();
    let body = "{}";
    let request = format!(
        "POST /api/mobile HTTP/1.1\r\nHost: portal.example\r\nContent-Type: application/json\r\n\
         X-Forwarded-For: {forwarded_for}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

async fn wait_for(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the proxy did not listen on {port}");
}

/// Proxy's client (THREATS.md: the flooder and the password holder behind a proxy): 60
/// refused registrations through each proxy, each with forged `X-Forwarded-For` entries of its
/// own in every layout (plain, `IP:port`, `[v6]:port`, `unknown`). They count against the one
/// network the proxy saw: exactly the limit (50) are answered, the rest are throttled (429);
/// another client behind the same proxy is not held by them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_nginx_and_haproxy_forged_entries_buy_no_fresh_network() {
    let required = std::env::var_os("TOLLGATE_REQUIRE_PROXIES").is_some();
    for name in ["nginx", "haproxy"] {
        let Some(bin) = found(name) else {
            assert!(
                !required,
                "TOLLGATE_REQUIRE_PROXIES is set but {name} is not installed"
            );
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED the {name} part of the proxy test: no {name}. \
                 `apt-get install nginx-light haproxy` (as .ci/run does). ***"
            );
            continue;
        };
        let config = WebConfig::default().with_client_address(ClientAddress::Header {
            name: "x-forwarded-for".into(),
            proxies: vec![IpAddr::from([127, 0, 0, 3]), IpAddr::from([127, 0, 0, 4])],
        });
        let router = Login::new(service(), config).router();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let _proxy = match name {
            "nginx" => nginx(&bin, dir.path(), port, upstream),
            _ => haproxy(&bin, dir.path(), port, upstream),
        };
        wait_for(port).await;

        let attacker = IpAddr::from([127, 0, 0, 2]);
        let mut answered = 0;
        for i in 0..60 {
            let forged =
                format!("198.51.100.{i}, 203.0.113.{i}:4711, [2001:db8::{i:x}]:80, unknown");
            let status = post(attacker, port, &forged).await;
            assert!(status == 429 || status == 400, "{name}: {status}");
            if status != 429 {
                answered += 1;
            }
        }
        let other = post(IpAddr::from([127, 0, 0, 5]), port, "").await;
        println!("{name}: {answered} of 60 forged requests answered; another client got {other}");
        assert_eq!(answered, 50, "{name}");
        assert_eq!(other, 400, "{name}: the other client was held");
        server.abort();
    }
}
