//! The registration address: where the soft-token app reports its registration code itself
//! (the QR code's `regurl`, the desktop screen's Address). JSON in, JSON out; no cookie and no
//! CSRF token, since no browser session is involved: the request's proof is its authority.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tollgate::codes::RequestError;
use tollgate::login::OnlineOutcome;
use tollgate::{Client, OnlineAnswer};

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
    let answer: OnlineAnswer = match answered {
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
    let (status, body) = http(&answer);
    let mut response = json(status, body);
    if let OnlineAnswer::Throttled { retry_after } = answer
        && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
    {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// The registration address's answer in HTTP: a status and a JSON body.
///
/// ```text
/// 200 {"result":"registered","message":"…"}          filed (or the same registration again)
/// 400 {"error":"malformed","message":"serial: …"}    the body is not a request: fix it
/// 403 {"error":"refused","message":"…"}               no activation awaits this serial and proof
/// 409 {"error":"conflict","message":"…"}              another code was registered first
/// 410 {"error":"expired","message":"…"}               the activation data expired
/// 413 {"error":"too_long","message":"…"}              over 1024 bytes
/// 422 {"error":"not_for_this_activation",…}           the scheme refuses the code
/// 429 {"error":"too_many_failures"|"throttled","message":"…","retry_after":3600}
/// ```
fn http(answer: &OnlineAnswer) -> (StatusCode, String) {
    // An activation whose checks are spent answers as an unknown serial number does: a
    // different answer would tell a prober which serials await a registration.
    let answer = match answer {
        OnlineAnswer::Decided(OnlineOutcome::TooManyFailures) => {
            &OnlineAnswer::Decided(OnlineOutcome::Refused)
        }
        answer => answer,
    };
    let (status, message) = match answer {
        _ if answer.is_registered() => (
            StatusCode::OK,
            "registered: click OK in the browser to finish the enrollment",
        ),
        OnlineAnswer::Decided(OnlineOutcome::Conflict) => (
            StatusCode::CONFLICT,
            "another registration code was registered for this activation first",
        ),
        OnlineAnswer::Decided(OnlineOutcome::Expired) => (
            StatusCode::GONE,
            "the activation data have expired: ask for new ones in the browser",
        ),
        OnlineAnswer::Decided(OnlineOutcome::NotForThisActivation) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "the registration code is not valid for this activation under this service's \
             registration scheme",
        ),
        OnlineAnswer::Malformed(RequestError::TooLong) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "a request is at most 1024 bytes",
        ),
        OnlineAnswer::Malformed(e) => (StatusCode::BAD_REQUEST, malformed(e)),
        OnlineAnswer::Throttled { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "too many refused requests from this network: try again later",
        ),
        // Refused, and whatever a later version decides that this one does not know.
        _ => (
            StatusCode::FORBIDDEN,
            "no activation awaits this serial number with this proof",
        ),
    };
    let key = if answer.is_registered() {
        "result"
    } else {
        "error"
    };
    // Names and messages are this module's and the answer's own ASCII text, without quotes or
    // backslashes.
    let mut body = format!(r#"{{"{key}":"{}","message":"{message}""#, answer.name());
    if let OnlineAnswer::Throttled { retry_after } = answer {
        body.push_str(&format!(r#","retry_after":{retry_after}"#));
    }
    body.push('}');
    (status, body)
}

/// What to fix, for each way a body fails to read.
fn malformed(e: &RequestError) -> &'static str {
    match e {
        RequestError::Version(_) => "this server speaks protocol version 1",
        RequestError::Serial(_) => {
            "serial: not a serial number (10 digits, the last a check digit)"
        }
        RequestError::Code(_) => {
            "registration_code: not a registration code (10 digits, the last a check digit)"
        }
        RequestError::Proof => "proof: expected 64 hexadecimal digits",
        _ => {
            "not a registration request: a JSON object with v, serial, registration_code and \
             proof"
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use tollgate::OnlineAnswer;
    use tollgate::codes::RequestError;
    use tollgate::login::OnlineOutcome;

    use super::http;

    /// Each answer's status and body, as the token's protocol promises them.
    /// Stranger probing serial numbers: an activation whose checks are spent answers as an
    /// unknown serial does (before: 429 against 403, which told the pending serials apart).
    #[test]
    fn a_spent_activation_answers_as_an_unknown_serial() {
        assert_eq!(
            http(&OnlineAnswer::Decided(OnlineOutcome::TooManyFailures)),
            http(&OnlineAnswer::Decided(OnlineOutcome::Refused))
        );
    }

    #[test]
    fn every_answer_has_its_status_and_body() {
        let cases = [
            (
                OnlineAnswer::Decided(OnlineOutcome::Registered),
                200,
                r#"{"result":"registered","#,
            ),
            (
                OnlineAnswer::Decided(OnlineOutcome::AlreadyRegistered),
                200,
                r#"{"result":"registered","#,
            ),
            (
                OnlineAnswer::Decided(OnlineOutcome::Refused),
                403,
                r#"{"error":"refused","#,
            ),
            (
                OnlineAnswer::Decided(OnlineOutcome::Conflict),
                409,
                r#"{"error":"conflict","#,
            ),
            (
                OnlineAnswer::Decided(OnlineOutcome::Expired),
                410,
                r#"{"error":"expired","#,
            ),
            (
                OnlineAnswer::Decided(OnlineOutcome::NotForThisActivation),
                422,
                r#"{"error":"not_for_this_activation","#,
            ),
            (
                OnlineAnswer::Decided(OnlineOutcome::TooManyFailures),
                403,
                r#"{"error":"refused","#,
            ),
            (
                OnlineAnswer::Malformed(RequestError::TooLong),
                413,
                r#"{"error":"too_long","#,
            ),
            (
                OnlineAnswer::Malformed(RequestError::Proof),
                400,
                r#"{"error":"malformed","message":"proof: "#,
            ),
            (
                OnlineAnswer::Throttled { retry_after: 3600 },
                429,
                r#"{"error":"throttled","#,
            ),
        ];
        for (answer, status, start) in cases {
            let (got, body) = http(&answer);
            assert_eq!(
                got,
                StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT)
            );
            assert!(body.starts_with(start), "{answer:?}: {body}");
            assert!(body.contains(r#"","message":""#), "{body}");
            assert!(body.ends_with("\"}") || body.ends_with("600}"), "{body}");
        }
        let (_, body) = http(&OnlineAnswer::Throttled { retry_after: 3600 });
        assert!(body.ends_with(r#","retry_after":3600}"#), "{body}");
    }
}
