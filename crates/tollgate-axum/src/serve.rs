//! Serving the router on a socket with the two limits a public login page needs and
//! `axum::serve` does not set: how long a client may take to send a request's head (a
//! half-sent request otherwise holds its connection open for good, the slowloris attack), and
//! how many connections are served at once (past it, the next one waits in the kernel's queue
//! until one closes, rather than each taking a descriptor and a task).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The limits [`serve`] keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServeLimits {
    /// Connections served at once (1024 by default).
    pub max_connections: usize,
    /// How long a client has to send a request's head, from its first byte or from the
    /// connection's opening (10 s by default); past it the connection is closed.
    pub header_read_timeout: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves `router` on `listener` over HTTP/1.1 within `limits`, each request with the
/// connection's peer as `ConnectInfo<SocketAddr>` (what the login throttles by), until the task
/// is dropped. What `axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())`
/// does, with the limits.
///
/// # Errors
/// Never, today: an accept that fails (a descriptor limit reached) is tried again after a
/// moment, as `axum::serve` does.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        // Held for the connection's life: at the cap, the next accept waits for one to close.
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return Ok(());
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let router = router.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut request| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                tower::ServiceExt::oneshot(router.clone(), request)
            });
            let mut http = http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            // A connection that fails or times out ends here; the others go on.
            let _ = http
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
            drop(permit);
        });
    }
}
