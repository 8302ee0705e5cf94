//! The registration address: where the soft-token app reports its registration code itself
//! (the QR code's `regurl`, the desktop screen's Address). JSON in, JSON out; no cookie and no
//! CSRF token, since no browser session is involved: the request's proof is its authority.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tollgate::{Client, OnlineReply};

use crate::Login;

fn json(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `POST <base>/api/mobile` with the app's registration request.
pub(crate) async fn register(
    Extension(login): Extension<Login>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim() == "application/json")
        });
    if !is_json {
        return json(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            r#"{"error":"unsupported_media_type","message":"send Content-Type: application/json"}"#
                .into(),
        );
    }
    let client = Client {
        address: Some(login.config().client_address.of(peer, &headers)),
        device: None,
    };
    let answered = login
        .blocking(None, move |s| s.register_online(&body, client))
        .await;
    let reply: OnlineReply = match answered {
        Ok(Ok(reply)) => reply,
        Ok(Err(e)) => {
            eprintln!("tollgate-axum: the registration address failed: {e}");
            return json(
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"error":"service","message":"the service failed; try again in a moment"}"#
                    .into(),
            );
        }
        Err(response) => return response,
    };
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json(status, reply.to_json());
    if let Some(seconds) = reply.retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}
