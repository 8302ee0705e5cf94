//! `GET /health`: 200 while the node can read its store, 503 when it cannot: what a load
//! balancer's or an orchestrator's health check asks before it sends the node requests.

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use tollgate::Service;

pub(crate) fn routes(service: Arc<Service>) -> Router {
    Router::new().route(
        "/health",
        get(move || {
            let service = service.clone();
            async move {
                // One read through the store (and, on a SQL store, the ledger's sealed root):
                // a database that is down, or keys that no longer open it, answer 503.
                let read = tokio::task::spawn_blocking(move || {
                    let probe = "health-check@tollgate.invalid".parse().ok()?;
                    service.store().user(&probe).ok()
                })
                .await;
                match read {
                    Ok(Some(_)) => (StatusCode::OK, "ok\n"),
                    _ => (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the store cannot be read\n",
                    ),
                }
            }
        }),
    )
}
