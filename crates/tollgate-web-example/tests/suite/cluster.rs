//! Balancer (THREATS.md), with what others wrote: Debian's nginx, round robin and no stickiness,
//! in front of two `web_login` processes on one PostgreSQL (`--store postgres://…`, one key
//! file). PINs go by SMS to a gateway the test plays (`--sms-gateway`), so that a PIN either
//! node sends reaches the test. nginx names the node that answered each request
//! (`X-Upstream`), and the test checks that they alternate.
//!
//! - An HTTP client: 20 first logins (desktop path) and 20 later logins, every request on the
//!   other node than the one before; every one completes.
//! - One node killed in the middle of a login (after the PIN): the user finishes on the other.
//! - Chromium through nginx: the seed's first login by both enrollment paths (desktop, and
//!   mobile with the app registering online), and a later login.
//!
//! Needs `TOLLGATE_POSTGRES_URL` (`.ci/postgres.sh`), nginx and, for the browser part,
//! Chromium; without them the test says SKIPPED loudly and passes, unless
//! `TOLLGATE_REQUIRE_POSTGRES`, `TOLLGATE_REQUIRE_PROXIES` or `TOLLGATE_REQUIRE_CHROMIUM` is set.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::codes::TokenActivation;
use tollgate::otp::{Totp, UnixTime};

use crate::agent::{self, Agent, between};
use crate::web::{self, Killed, Output, PASSWORD, start_example};
use tollgate_test_kit::system::{free_port, program as found};

/// First logins and later logins the HTTP client makes.
const LOGINS: usize = 20;

/// nginx, killed when the test ends.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The SMS gateway the nodes post their PINs to: every message's text, in order.
#[derive(Clone, Default)]
struct Gateway(Arc<Mutex<Vec<String>>>);

impl Gateway {
    /// Listens on a free port of loopback; its URL.
    fn start(&self) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/sms", listener.local_addr().unwrap());
        let texts = self.0.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let mut reader = BufReader::new(stream);
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                let message: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                let text = message["text"].as_str().unwrap_or_default().to_owned();
                texts.lock().unwrap().push(text);
                let _ = reader.get_mut().write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        url
    }

    /// The PIN of the newest message (its run of digits).
    fn last_pin(&self) -> String {
        let texts = self.0.lock().unwrap();
        let text = texts.last().expect("no SMS was sent");
        text.split(|c: char| !c.is_ascii_digit())
            .find(|run| run.len() >= 6)
            .unwrap_or_else(|| panic!("no PIN in {text:?}"))
            .to_owned()
    }

    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// Says SKIPPED (or fails, when `required` is set) for a missing `what`.
fn skip(required: &str, what: &str) {
    tollgate_test_kit::system::skip("the two-node test", required, what);
}

/// A fresh database on the test server; its URL.
fn database(name: &str) -> Option<String> {
    tollgate_test_kit::postgres::database("the two-node test", name)
}

/// nginx on `port`, round robin over `nodes`, saying which answered.
fn nginx(bin: &Path, dir: &Path, port: u16, nodes: &[String]) -> Nginx {
    let servers: String = nodes
        .iter()
        .map(|node| format!("        server {};\n", node.trim_start_matches("http://")))
        .collect();
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir};
    proxy_temp_path {dir};
    upstream tollgate {{
{servers}    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://tollgate;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_bind 127.0.0.3;
            proxy_connect_timeout 2s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
",
            dir = dir.display()
        ),
    )
    .unwrap();
    let nginx = Nginx(
        Command::new(bin)
            .args(["-e", &dir.join("error.log").display().to_string()])
            .args(["-p", &dir.display().to_string(), "-c"])
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // nginx says nothing when it listens: the test connects until it does.
    for _ in 0..500 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return nginx;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("nginx did not listen on {port}");
}

/// Two nodes behind nginx.
struct Cluster {
    base: String,
    nodes: Vec<Option<(Killed, String, Output)>>,
    sms: Gateway,
    _nginx: Nginx,
    _dir: tempfile::TempDir,
}

fn cluster(name: &str) -> Option<Cluster> {
    let Some(nginx_bin) = found("nginx") else {
        skip("TOLLGATE_REQUIRE_PROXIES", "nginx");
        return None;
    };
    let url = database(name)?;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("service.keys");
    let keys = keys.display().to_string();
    let (_, _, said) = run_once(&["--new-keys", &keys]);
    assert!(said.contains("wrote the service's keys"), "{said}");
    let sms = Gateway::default();
    let gateway = sms.start();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let registration = format!("{base}/api/mobile");
    let users = (LOGINS + 2).to_string();
    let start = START.to_string();
    let args = [
        "--virtual-clock",
        start.as_str(),
        "--store",
        url.as_str(),
        "--keys",
        keys.as_str(),
        "--sms-gateway",
        gateway.as_str(),
        "--registration-address",
        registration.as_str(),
        "--demo-users",
        users.as_str(),
        "--proxy",
        "127.0.0.3",
    ];
    let nodes: Vec<_> = (0..2).map(|_| start_example("web_login", &args)).collect();
    let addresses: Vec<String> = nodes.iter().map(|(_, url, _)| url.clone()).collect();
    let nginx = nginx(&nginx_bin, dir.path(), port, &addresses);
    Some(Cluster {
        base,
        nodes: nodes.into_iter().map(Some).collect(),
        sms,
        _nginx: nginx,
        _dir: dir,
    })
}

/// `web_login` with `args` that make it exit: whether it succeeded, what it said on stderr (a
/// refusal) and on stdout.
fn run_once(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(web::example("web_login"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// The time both nodes' clocks stand at (`--virtual-clock`: two processes agree on it).
const START: u64 = 1_700_000_000;

fn now() -> UnixTime {
    UnixTime::from_secs(START)
}

/// User ID, password and the PIN the gateway got, then the desktop path to "Continue".
fn first_login(c: &Cluster, agent: &mut Agent, user: &str, seed: u64) -> Totp {
    agent.submit("user_id", user);
    agent.submit("password", PASSWORD);
    assert_eq!(agent.screen(), "enter-pin", "{user}: {}", agent.page);
    agent.submit("pin", &c.sms.last_pin());
    agent.enroll_desktop(seed)
}

/// Whether every answer came from the other node than the one before.
fn alternated(upstreams: &[String]) -> bool {
    upstreams.windows(2).all(|pair| pair[0] != pair[1])
}

#[test]
fn two_nodes_behind_nginx_on_one_postgres() {
    let Some(mut c) = cluster("tollgate_two_nodes") else {
        return;
    };
    let users: Vec<String> = (1..=LOGINS)
        .map(|n| format!("user{n}@example.com"))
        .collect();

    // ---- 20 first logins, then 20 later logins, alternating nodes on every request.
    let mut tokens = Vec::new();
    let mut requests = 0;
    for (n, user) in users.iter().enumerate() {
        let mut agent = Agent::new(&c.base);
        tokens.push(first_login(&c, &mut agent, user, n as u64));
        assert!(alternated(&agent.upstreams), "{:?}", agent.upstreams);
        requests += agent.upstreams.len();
    }
    let first = tokens.len();
    let mut later = 0;
    for (user, token) in users.iter().zip(&tokens) {
        let mut agent = Agent::new(&c.base);
        agent.submit("user_id", user);
        agent.submit("password", PASSWORD);
        assert_eq!(agent.screen(), "enter-token-code", "{user}: {}", agent.page);
        agent.submit("token", &token.generate(now()).unwrap().to_string());
        assert_eq!(agent.screen(), "authenticated", "{user}: {}", agent.page);
        assert!(alternated(&agent.upstreams), "{:?}", agent.upstreams);
        requests += agent.upstreams.len();
        later += 1;
    }
    println!(
        "through nginx round robin, every request on the other node ({requests} requests): \
         {first} of {LOGINS} first logins, {later} of {LOGINS} later logins"
    );
    assert_eq!((first, later), (LOGINS, LOGINS));

    // ---- A node killed in the middle of a login: the user finishes on the other.
    let user = format!("user{}@example.com", LOGINS + 1);
    let mut agent = Agent::new(&c.base);
    agent.submit("user_id", &user);
    agent.submit("password", PASSWORD);
    agent.submit("pin", &c.sms.last_pin());
    let killed = c.nodes[0].take().unwrap();
    drop(killed);
    let survivor = c.nodes[1]
        .as_ref()
        .unwrap()
        .1
        .trim_start_matches("http://")
        .to_owned();
    agent.upstreams.clear();
    agent.enroll_desktop(99);
    assert!(
        agent.upstreams.iter().all(|u| u.ends_with(&survivor)),
        "after the kill, only the survivor answers: {:?}",
        agent.upstreams
    );
    println!("one node killed after the PIN: the login finished on the other");
    assert!(c.sms.count() > LOGINS);
    let health = agent::request(&c.base, "GET", "/health", &[], b"");
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
}

/// Guesser (THREATS.md) behind nginx and two nodes: wrong passwords from one client, each with
/// a forged `X-Forwarded-For` of its own, count against the address nginx saw, once across both
/// nodes: 50 an hour (SP 800-63B-4 §3.2.2) are checked, the rest answered 429.
#[test]
fn the_network_limit_holds_across_nodes_behind_nginx() {
    let Some(c) = cluster("tollgate_two_nodes_throttle") else {
        return;
    };
    let (mut checked, mut throttled) = (0, 0);
    for guess in 0..60 {
        let mut agent = Agent::new(&c.base);
        agent.submit("user_id", &format!("ghost{guess}@example.com"));
        let csrf = between(&agent.page, "name=\"csrf\" value=\"", "\"")
            .unwrap()
            .to_owned();
        let form = format!("csrf={csrf}&action=password&value=guess{guess}");
        let forged = format!("198.51.100.{guess}");
        let answer = agent.post_raw(
            "/submit",
            &[("X-Forwarded-For", forged.as_str())],
            form.as_bytes(),
        );
        match answer.status {
            303 => checked += 1,
            429 => throttled += 1,
            other => panic!("{other}: {}", answer.body),
        }
    }
    println!(
        "wrong passwords through nginx over two nodes: {checked} checked, {throttled} throttled"
    );
    assert_eq!((checked, throttled), (50, 10));
}

/// Chromium through nginx in front of two nodes: John's first login by the desktop path, Jane's
/// by the mobile path (the QR image either node serves, the app registering online at the
/// address behind nginx, OK), and John's later login.
#[test]
fn chromium_logs_in_through_two_nodes() {
    // The database is made before the runtime starts: `postgres::Client` blocks.
    let Some(c) = cluster("tollgate_two_nodes_browser") else {
        return;
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(browse(&c));
}

async fn browse(c: &Cluster) {
    let Some(b) = web::Browser::attach(&c.base, now().as_secs()).await else {
        return;
    };
    // John: the desktop path.
    b.open("/").await;
    b.expect("enter-user-id").await;
    b.sign_in("john.smith@example.com", "enter-pin").await;
    b.answer("pin", &c.sms.last_pin()).await;
    b.expect("choose-enrollment").await;
    b.click("desktop").await;
    b.expect("desktop-activation").await;
    let serial = b.text("serial").await.parse().unwrap();
    let activation = b.text("activation_code").await.parse().unwrap();
    let app = TokenActivation::new(serial, activation, None);
    let (registration, john) = app.register(&mut ChaCha20Rng::seed_from_u64(1));
    b.fill("registration", &registration.to_string()).await;
    b.click("ok").await;
    b.expect("enrolled").await;
    b.click("continue").await;
    b.expect("authenticated").await;
    b.shot("cluster-01-john-authenticated").await;
    b.click("logout").await;
    b.expect("enter-user-id").await;

    // Jane: the mobile path.
    b.sign_in("jane.doe@example.com", "enter-pin").await;
    b.answer("pin", &c.sms.last_pin()).await;
    b.expect("choose-enrollment").await;
    b.click("mobile").await;
    b.expect("mobile-activation").await;
    let (_, scanned, app) = web::scan(&b).await;
    assert_eq!(
        scanned.registration_url(),
        Some(format!("{}/api/mobile", c.base).as_str())
    );
    let (registration, _jane) = app.register(&mut ChaCha20Rng::seed_from_u64(2));
    let reply = agent::register_online(&c.base, &app, &registration);
    assert_eq!(reply.status, 200, "{}", reply.body);
    b.open("/").await;
    let page = b.expect("mobile-activation").await;
    assert!(page.contains("Your app has registered"), "{page}");
    b.click("ok").await;
    b.expect("enrolled").await;
    b.click("continue").await;
    b.expect("authenticated").await;
    b.shot("cluster-02-jane-authenticated").await;
    b.click("logout").await;
    b.expect("enter-user-id").await;

    // John again: the token's code.
    b.sign_in("john.smith@example.com", "enter-token-code")
        .await;
    let code = john.totp().generate(now()).unwrap();
    b.answer("token", &code.to_string()).await;
    let page = b.expect("authenticated").await;
    assert!(page.contains("john.smith@example.com"), "{page}");
    assert_eq!(b.text("logout").await, "Log out");
    println!("Chromium through nginx and two nodes: desktop, mobile and a later login");
}

/// A second node with other keys than the database's is refused before it serves, and says
/// how to fix it; a wrong URL and an unreachable server are refused with a sentence.
#[test]
fn a_node_with_other_keys_or_a_wrong_database_is_refused() {
    let Some(url) = database("tollgate_wrong_keys") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (ours, theirs) = (dir.path().join("ours.keys"), dir.path().join("theirs.keys"));
    for file in [&ours, &theirs] {
        let (ok, _, _) = run_once(&["--new-keys", &file.display().to_string()]);
        assert!(ok);
    }
    let (first, _, _) = start_example(
        "web_login",
        &["--store", &url, "--keys", &ours.display().to_string()],
    );
    drop(first);
    let (ok, said, _) = run_once(&[
        "--port",
        "0",
        "--store",
        &url,
        "--keys",
        &theirs.display().to_string(),
    ]);
    assert!(!ok);
    assert!(
        said.contains("not the ones this database was sealed with"),
        "{said}"
    );
    let (ok, said, _) = run_once(&["--store", "mysql://somewhere/db"]);
    assert!(!ok && said.contains("--store takes memory"), "{said}");
    let (ok, said, _) = run_once(&[
        "--store",
        "postgres://tollgate@127.0.0.1:1/none?sslmode=disable",
        "--keys",
        &ours.display().to_string(),
    ]);
    assert!(!ok && said.contains("cannot connect"), "{said}");
    let (ok, said, _) = run_once(&["--store", &url]);
    assert!(!ok && said.contains("--keys FILE"), "{said}");
}
