//! Balancer (THREATS.md): two nodes of one service, each request of one browser sent to the
//! other node than the last. Two services over two handles of one SQLite file, sharing the
//! keys, the delivery and the virtual clock: what a deployment of two `web_login`s on one
//! database is, in one process.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Browser, clock, csrf, get, open, post, register_desktop, send, serve};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use tollgate::store::{ServiceKeys, SessionStore};
use tollgate::{ManualClock, Outbox, Service, danger};
use tollgate_axum::{Login, WebConfig};
use tower::ServiceExt as _;

use crate::common;

const PASSWORD: &str = "right password";

/// A router that sends each request to the next of `nodes` in turn (nginx's round robin), and
/// writes down which node each request went to.
fn balancer(nodes: Vec<Router>, served: Arc<Mutex<Vec<usize>>>) -> Router {
    let next = Arc::new(AtomicUsize::new(0));
    Router::new().fallback_service(tower::service_fn(move |request: Request<Body>| {
        let index = next.fetch_add(1, Ordering::Relaxed) % nodes.len();
        served.lock().unwrap().push(index);
        let node = nodes[index].clone();
        async move { node.oneshot(request).await }
    }))
}

/// What two nodes share, and their routers: `shared` puts the sessions in the database too.
struct Cluster {
    app: Router,
    /// Which node each request went to, in order.
    served: Arc<Mutex<Vec<usize>>>,
    outbox: Outbox,
    clock: ManualClock,
    stores: Vec<Arc<tollgate_store_sqlite::SqliteStore>>,
    _dir: tempfile::TempDir,
}

fn cluster(shared: bool, users: &[String]) -> Cluster {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nodes.db");
    let keys = ServiceKeys::generate(&mut ChaCha20Rng::seed_from_u64(9));
    let (outbox, clock) = (Outbox::new(), clock());
    let mut stores = Vec::new();
    let mut routers = Vec::new();
    for node in 0..2u8 {
        let store =
            Arc::new(tollgate_store_sqlite::SqliteStore::open(&path, keys.sealing_keys()).unwrap());
        let mut rng = ChaCha20Rng::seed_from_u64(u64::from(node) + 1);
        let service = Service::builder()
            .keys(&keys)
            .store(store.clone())
            .delivery(Arc::new(outbox.clone()))
            .clock(Arc::new(clock.clone()))
            .passwords(danger::weak_passwords_for_tests(&mut rng).unwrap())
            .rng(Box::new(rng))
            .build()
            .unwrap();
        if node == 0 {
            for user in users {
                service
                    .register_user(user, PASSWORD, None, Some(user.as_str()))
                    .unwrap();
            }
        }
        let mut web = WebConfig::default();
        if shared {
            web = web.with_sessions(store.clone() as Arc<dyn SessionStore>);
        }
        routers.push(serve(&Login::new(Arc::new(service), web), [192, 0, 2, 7]));
        stores.push(store);
    }
    let served = Arc::new(Mutex::new(Vec::new()));
    Cluster {
        app: balancer(routers, served.clone()),
        served,
        outbox,
        clock,
        stores,
        _dir: dir,
    }
}

/// With each node's sessions in its own memory, the first form lands on the node that never
/// saw the session: what an adopter met behind nginx (0 of 20 first logins).
#[tokio::test]
async fn sessions_in_each_nodes_memory_lose_the_login_at_the_first_form() {
    let c = cluster(false, &["john.smith@example.com".into()]);
    let (cookie, _, page) = open(&c.app, &[]).await;
    let form = format!(
        "csrf={}&action=user_id&value=john.smith%40example.com",
        csrf(&page)
    );
    let (status, _, body) = send(&c.app, post("/submit", &cookie, &form, &[])).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("no session"), "{body}");
}

/// 20 first logins (password, PIN, the desktop enrollment, "Continue") and then 20 later
/// logins with the token, every request on the other node than the one before: all 40 end
/// authenticated, and the session ID in the browser's cookie at the end of each opens nothing
/// it held before the password.
#[tokio::test]
async fn every_login_completes_when_each_request_lands_on_the_other_node() {
    let users: Vec<String> = (0..20).map(|n| format!("user{n}@example.com")).collect();
    let c = cluster(true, &users);
    let mut tokens = Vec::new();
    let mut first = 0;
    for (n, user) in users.iter().enumerate() {
        let mut b = Browser::open(&c.app).await;
        let before = b.cookie.clone();
        b.submit("user_id", user).await;
        b.submit("password", PASSWORD).await;
        b.submit("pin", &c.outbox.last_pin().unwrap()).await;
        let token = register_desktop(&mut b, 100 + n as u64).await;
        b.submit("continue", "").await;
        assert_eq!(b.screen(), "authenticated", "{user}: {}", b.page);
        assert_ne!(b.cookie, before, "the session ID rotated");
        let (_, _, stale) = send(&c.app, get("/", Some(&before), &[])).await;
        assert!(!stale.contains("data-screen=\"authenticated\""));
        first += 1;
        tokens.push(token);
    }
    c.clock.advance(60);
    let mut later = 0;
    for (user, token) in users.iter().zip(&tokens) {
        let mut b = Browser::open(&c.app).await;
        b.submit("user_id", user).await;
        b.submit("password", PASSWORD).await;
        assert_eq!(b.screen(), "enter-token-code", "{user}: {}", b.page);
        let code = token.generate(tollgate::Clock::now(&c.clock)).unwrap();
        b.submit("token", &code.to_string()).await;
        assert_eq!(b.screen(), "authenticated", "{user}: {}", b.page);
        later += 1;
    }
    println!("two nodes, alternating: {first} of 20 first logins, {later} of 20 later logins");
    assert_eq!((first, later), (20, 20));
}

/// "Log out" ends the session on both nodes: the old cookie opens a new, anonymous login on
/// either, and the user's session count in the database drops.
#[tokio::test]
async fn logging_out_ends_the_session_on_every_node() {
    let c = cluster(true, &["john.smith@example.com".into()]);
    let mut b = Browser::open(&c.app).await;
    b.submit("user_id", "john.smith@example.com").await;
    b.submit("password", PASSWORD).await;
    b.submit("pin", &c.outbox.last_pin().unwrap()).await;
    register_desktop(&mut b, 7).await;
    b.submit("continue", "").await;
    assert_eq!(b.screen(), "authenticated", "{}", b.page);
    assert!(b.page.contains(">Log out<"), "{}", b.page);
    let logged_in = b.cookie.clone();
    b.submit("logout", "").await;
    assert_eq!(b.screen(), "enter-user-id", "{}", b.page);
    for _ in 0..2 {
        let (_, cookies, page) = send(&c.app, get("/", Some(&logged_in), &[])).await;
        assert!(!page.contains("data-screen=\"authenticated\""), "{page}");
        assert!(!cookies.is_empty(), "a new session for the old cookie");
    }
}

/// A browser remembered at the end of a whole login is known to both nodes: when a guesser on
/// the same network has spent its limit, the owner's browser is not held by it on either node,
/// and a browser without the device cookie is.
#[tokio::test]
async fn a_browser_one_node_remembered_is_known_to_the_other() {
    let c = cluster(true, &["john.smith@example.com".into()]);
    let mut owner = Browser::open(&c.app).await;
    owner.submit("user_id", "john.smith@example.com").await;
    owner.submit("password", PASSWORD).await;
    owner.submit("pin", &c.outbox.last_pin().unwrap()).await;
    register_desktop(&mut owner, 11).await;
    owner.submit("continue", "").await;
    assert!(owner.device.is_some(), "the browser was remembered");
    for guess in 0..50 {
        let mut guesser = Browser::open(&c.app).await;
        guesser
            .submit("user_id", &format!("ghost{guess}@example.com"))
            .await;
        guesser.submit("password", "wrong").await;
    }
    c.clock.advance(30);
    // Later logins from the owner's browser until each node has answered its password.
    let mut answered = std::collections::BTreeSet::new();
    for _ in 0..4 {
        let mut again = Browser::open(&c.app).await;
        again.device.clone_from(&owner.device);
        again.submit("user_id", "john.smith@example.com").await;
        let status = again.submit("password", PASSWORD).await;
        // The password's post, then the page the browser followed it to.
        let served = c.served.lock().unwrap().clone();
        answered.insert(served[served.len() - 2]);
        assert_eq!(status, StatusCode::SEE_OTHER, "{}", again.page);
        assert_eq!(again.screen(), "enter-token-code", "{}", again.page);
        if answered.len() == 2 {
            break;
        }
    }
    assert_eq!(
        answered.len(),
        2,
        "both nodes answered the owner's password"
    );
    let mut stranger = Browser::open(&c.app).await;
    stranger.submit("user_id", "john.smith@example.com").await;
    let status = stranger.submit("password", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

/// Guesser (THREATS.md) behind the balancer: wrong passwords from one network spread over both
/// nodes meet one limit (50 an hour, SP 800-63B-4 §3.2.2), not one per node.
#[tokio::test]
async fn the_network_limit_is_one_limit_across_nodes() {
    let c = cluster(true, &["john.smith@example.com".into()]);
    let mut checked = 0;
    for guess in 0..120 {
        let (cookie, _, page) = open(&c.app, &[]).await;
        let user = format!(
            "csrf={}&action=user_id&value=ghost{guess}%40example.com",
            csrf(&page)
        );
        send(&c.app, post("/submit", &cookie, &user, &[])).await;
        let (_, _, page) = send(&c.app, get("/", Some(&cookie), &[])).await;
        let wrong = format!("csrf={}&action=password&value=guess{guess}", csrf(&page));
        let (status, _, _) = send(&c.app, post("/submit", &cookie, &wrong, &[])).await;
        checked += usize::from(status == StatusCode::SEE_OTHER);
    }
    println!("wrong passwords checked over two nodes: {checked}");
    assert_eq!(checked, 50);
    drop(c.stores);
}
