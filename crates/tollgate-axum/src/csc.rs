//! The Cloud Signature Consortium API (feature `signing`): `/csc/v1/` in the shapes of
//! version 1.0.4.0 (which pyHanko and SetaPDF speak: `hash`, `hashAlgo`, `OTP`) and `/csc/v2/`
//! in those of 2.0.0.2 (`hashes`, `hashAlgorithmOID`, `authData`), over one set of rules:
//! `auth/login` (HTTP Basic, throttled like the login page) gives a short-lived bearer token,
//! kept in the shared session store so that every node knows it and `auth/revoke` ends it
//! everywhere; `credentials/authorize` proves the token's code and returns a SAD bound to the
//! hashes (SCAL2); `signatures/signHash` signs exactly those.
//!
//! Errors are the spec's JSON (`error`, `error_description`) with its status codes. No answer
//! tells whether a User ID exists, or whose a credential ID is.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tollgate::login::UserId;
use tollgate::otp::UnixTime;
use tollgate::sign::{CredentialId, HashAlgorithm, Refused, RequestError, Sad, SignAlgorithm};
use tollgate::signing::{CredentialInfo, SigningError};
use tollgate::store::{SessionId, SessionSave, SessionStore, StoredSession};
use tollgate::{Client, Error};
use zeroize::Zeroizing;

use crate::Login;
use crate::session::BEARER_BODY;

mod shapes;

use shapes::{Version, authorize_request, sign_hash_request};

/// How long a bearer token lasts: 15 minutes.
pub(crate) const TOKEN_LIFETIME: u64 = 900;

/// The most a CSC request's body may hold: 64 KiB (a hundred SHA-512 hashes are 9 KiB).
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// An error as the CSC API answers it.
#[derive(Debug)]
pub(crate) struct CscError {
    status: StatusCode,
    error: &'static str,
    description: String,
    retry_after: Option<u64>,
}

impl CscError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            retry_after: None,
        }
    }

    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The access token is not valid",
        )
    }

    fn service() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The service failed; try again in a moment",
        )
    }
}

impl IntoResponse for CscError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.error, "error_description": self.description});
        let mut response = answer(self.status, &body);
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert("www-authenticate", HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
        response
    }
}

fn answer(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn ok(body: &Value) -> Response {
    answer(StatusCode::OK, body)
}

/// A facade error as the CSC API's.
fn from_service(error: Error) -> CscError {
    match error {
        Error::Signing(e) => from_signing(e),
        Error::Throttled { retry_after } => CscError {
            retry_after: Some(retry_after),
            ..CscError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "access_denied",
                "Too many failed attempts; try again later",
            )
        },
        Error::Busy => CscError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is busy; try again in a moment",
        ),
        Error::PasswordTooLong { .. } => CscError::new(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            "Invalid user ID or password",
        ),
        e => {
            tracing::error!(error = %e, "the CSC API failed");
            CscError::service()
        }
    }
}

fn from_signing(error: SigningError) -> CscError {
    match error {
        SigningError::UnknownCredential => {
            CscError::invalid_request("Invalid parameter credentialID")
        }
        SigningError::Request(e) => from_request(e),
        SigningError::Algorithm => CscError::invalid_request("Invalid parameter signAlgo"),
        SigningError::Refused(refused) => match refused {
            Refused::Expired => CscError::invalid_request("SAD expired"),
            Refused::HashNotAuthorized | Refused::AlgorithmMismatch => {
                CscError::invalid_request("The hash is not authorized by the SAD")
            }
            Refused::Locked => CscError::new(
                StatusCode::BAD_REQUEST,
                "access_denied",
                "The credential is locked",
            ),
            Refused::Revoked => CscError::new(
                StatusCode::BAD_REQUEST,
                "access_denied",
                "The credential is revoked",
            ),
            _ => CscError::invalid_request("Invalid parameter SAD"),
        },
        SigningError::WrongCode { locked: false } => {
            CscError::new(StatusCode::BAD_REQUEST, "invalid_otp", "The OTP is invalid")
        }
        SigningError::WrongCode { locked: true } => CscError::new(
            StatusCode::BAD_REQUEST,
            "invalid_otp",
            "The OTP is invalid; the credential is now locked",
        ),
        SigningError::SecondFactorUnavailable => CscError::new(
            StatusCode::BAD_REQUEST,
            "access_denied",
            "The OTP cannot be checked now; try again later",
        ),
        e => {
            tracing::error!(error = %e, "signing failed");
            CscError::service()
        }
    }
}

fn from_request(error: RequestError) -> CscError {
    let text = error.to_string();
    let parameter = match error {
        RequestError::UnknownHashAlgorithm => "hashAlgo",
        RequestError::UnknownSignAlgorithm => "signAlgo",
        RequestError::NumSignatures { .. } => "numSignatures",
        RequestError::DescriptionTooLong { .. } => "description",
        _ => "hash",
    };
    CscError::invalid_request(format!("Invalid parameter {parameter}: {text}"))
}

/// A JSON object body, or the spec's error.
pub(crate) fn body_json(body: &Bytes) -> Result<serde_json::Map<String, Value>, CscError> {
    if body.is_empty() {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(CscError::invalid_request(
            "The request body is not a JSON object",
        )),
    }
}

/// Runs blocking service work.
async fn work<T: Send + 'static>(
    login: &Login,
    f: impl FnOnce(&tollgate::Service) -> T + Send + 'static,
) -> Result<T, CscError> {
    login.blocking(None, f).await.map_err(|_| {
        CscError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is busy; try again in a moment",
        )
    })
}

/// An answer's JSON, or the error's.
fn respond(result: Result<Value, CscError>) -> Response {
    match result {
        Ok(body) => ok(&body),
        Err(e) => e.into_response(),
    }
}

/// Runs `f` on the service's signing, as blocking work.
async fn signing<T: Send + 'static>(
    login: &Login,
    f: impl FnOnce(tollgate::signing::Signing<'_>) -> Result<T, Error> + Send + 'static,
) -> Result<T, CscError> {
    work(login, move |service| {
        service.signing().and_then(f).map_err(from_service)
    })
    .await?
}

fn store(login: &Login) -> Arc<dyn SessionStore> {
    login.0.sessions.store().clone()
}

/// The user of the request's bearer token, still in good standing.
async fn bearer(login: &Login, headers: &HeaderMap) -> Result<UserId, CscError> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(CscError::invalid_token)?
        .to_owned();
    let store = store(login);
    work(login, move |service| {
        let id = SessionId::of(&token);
        let Some(session) = store.load_session(&id, service.now()).ok().flatten() else {
            return Err(CscError::invalid_token());
        };
        let Some(user) = session.user.filter(|_| *session.body == *BEARER_BODY) else {
            return Err(CscError::invalid_token());
        };
        // A token dies with the account's standing: locked, cooling down, or gone.
        match service.api_user_in_good_standing(&user) {
            Ok(true) => Ok(user),
            Ok(false) => Err(CscError::invalid_token()),
            Err(e) => Err(from_service(e)),
        }
    })
    .await?
}

fn string_field<'a>(
    map: &'a serde_json::Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, CscError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(CscError::invalid_request(format!(
            "Invalid parameter {name}"
        ))),
    }
}

fn credential_id(map: &serde_json::Map<String, Value>) -> Result<CredentialId, CscError> {
    string_field(map, "credentialID")?
        .ok_or_else(|| {
            CscError::invalid_request("Missing (or invalid type) string parameter credentialID")
        })?
        .parse()
        .map_err(|_| CscError::invalid_request("Invalid parameter credentialID"))
}

/// `info`.
pub(crate) async fn info<const V: u8>(Extension(login): Extension<Login>) -> Response {
    ok(&shapes::info(Version::of(V), &login.config().url("")))
}

/// `auth/login`: HTTP Basic with the User ID and password.
pub(crate) async fn auth_login<const V: u8>(
    Extension(login): Extension<Login>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(auth_login_inner(&login, peer, &headers, &body).await)
}

async fn auth_login_inner(
    login: &Login,
    peer: std::net::SocketAddr,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Value, CscError> {
    body_json(body)?;
    let refused = || {
        CscError::new(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            "Invalid user ID or password",
        )
    };
    let decoded = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .map(Zeroizing::new)
        .ok_or_else(refused)?;
    let text = std::str::from_utf8(&decoded).map_err(|_| refused())?;
    let (user, password) = text.split_once(':').ok_or_else(refused)?;
    let user = user.to_owned();
    let password = Zeroizing::new(password.to_owned());
    let client = Client {
        address: Some(login.config().client_address.of(peer, headers)),
        device: None,
    };
    let store = store(login);
    work(login, move |service| {
        let user = service
            .api_login(&user, &password, client)
            .map_err(from_service)?
            .ok_or_else(refused)?;
        let token = crate::session::random_token();
        let now = service.now();
        let session = StoredSession {
            version: 0,
            user: Some(user),
            expires: UnixTime::from_secs(now.as_secs() + TOKEN_LIFETIME),
            body: BEARER_BODY.to_vec().into(),
        };
        let id = SessionId::of(&token);
        let saved = store
            .save_session(&SessionSave {
                id: &id,
                replaces: None,
                session: &session,
                now,
                keep_per_user: 10,
                durable: true,
            })
            .map_err(|e| from_service(e.into()))?;
        if !saved {
            return Err(CscError::service());
        }
        Ok(json!({"access_token": token, "expires_in": TOKEN_LIFETIME}))
    })
    .await?
}

/// `auth/revoke`: ends the bearer token (the request's own, or the one in `token`).
pub(crate) async fn auth_revoke<const V: u8>(
    Extension(login): Extension<Login>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = async {
        let map = body_json(&body)?;
        let user = bearer(&login, &headers).await?;
        let own = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned())
            .unwrap_or_default();
        let token = string_field(&map, "token")?.map_or(own, str::to_owned);
        let store = store(&login);
        work(&login, move |service| {
            let id = SessionId::of(&token);
            // Only a token of the same user: another's is answered as ended, and left.
            if let Ok(Some(session)) = store.load_session(&id, service.now())
                && session.user.as_ref() == Some(&user)
                && *session.body == *BEARER_BODY
            {
                store
                    .delete_session(&id)
                    .map_err(|e| from_service(e.into()))?;
            }
            Ok::<_, CscError>(())
        })
        .await?
    };
    match run.await {
        Ok(()) => {
            let mut response = StatusCode::NO_CONTENT.into_response();
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => e.into_response(),
    }
}

/// `credentials/list`.
pub(crate) async fn credentials_list<const V: u8>(
    Extension(login): Extension<Login>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = async {
        let map = body_json(&body)?;
        let user = bearer(&login, &headers).await?;
        let credentials = signing(&login, move |s| s.credentials(&user)).await?;
        Ok::<_, CscError>(shapes::list(Version::of(V), &map, &credentials))
    };
    respond(run.await)
}

/// `credentials/info`.
pub(crate) async fn credentials_info<const V: u8>(
    Extension(login): Extension<Login>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = async {
        let map = body_json(&body)?;
        let id = credential_id(&map)?;
        let user = bearer(&login, &headers).await?;
        let info: CredentialInfo = signing(&login, move |s| s.credential(&user, &id)).await?;
        shapes::credential_info(Version::of(V), &map, &info)
    };
    respond(run.await)
}

/// `credentials/authorize`.
pub(crate) async fn credentials_authorize<const V: u8>(
    Extension(login): Extension<Login>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = async {
        let map = body_json(&body)?;
        let id = credential_id(&map)?;
        let (request, otp) = authorize_request(Version::of(V), &map)?;
        let user = bearer(&login, &headers).await?;
        let sad = signing(&login, move |s| s.authorize(&user, &id, &request, &otp)).await?;
        let lifetime = tollgate::sign::DEFAULT_SAD_LIFETIME;
        Ok::<_, CscError>(json!({"SAD": sad.expose(), "expiresIn": lifetime}))
    };
    respond(run.await)
}

/// `signatures/signHash`.
pub(crate) async fn sign_hash<const V: u8>(
    Extension(login): Extension<Login>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = async {
        let map = body_json(&body)?;
        let id = credential_id(&map)?;
        let sad = Sad::from_text(string_field(&map, "SAD")?.ok_or_else(|| {
            CscError::invalid_request("Missing (or invalid type) string parameter SAD")
        })?);
        let request = sign_hash_request(Version::of(V), &map)?;
        let user = bearer(&login, &headers).await?;
        let signatures = signing(&login, move |s| {
            s.sign_hashes(
                &user,
                &id,
                &sad,
                request.hash,
                request.algorithm,
                &request.hashes,
            )
        })
        .await?;
        let signatures: Vec<String> = signatures.iter().map(|s| STANDARD.encode(s)).collect();
        Ok::<_, CscError>(json!({"signatures": signatures}))
    };
    respond(run.await)
}

/// What `signHash` asks for, read from either version's shape.
pub(crate) struct SignHash {
    pub(crate) hash: HashAlgorithm,
    pub(crate) algorithm: SignAlgorithm,
    pub(crate) hashes: Vec<String>,
}

/// What the CSC API reads from `body` as each version's `credentials/authorize` and
/// `signatures/signHash`: for each, the hashes and signatures it would ask for, or the
/// error's description. For the fuzz target and the property tests: any bytes are read or
/// refused, never a panic.
#[doc(hidden)]
#[must_use]
pub fn read_requests(body: &[u8]) -> Vec<Result<(usize, u32), String>> {
    let Ok(map) = body_json(&Bytes::copy_from_slice(body)) else {
        return vec![Err("not a JSON object".into())];
    };
    let mut read = Vec::new();
    for version in [Version::V1, Version::V2] {
        read.push(
            authorize_request(version, &map)
                .map(|(request, _)| (request.hashes().len(), request.num_signatures()))
                .map_err(|e| e.description),
        );
        read.push(
            sign_hash_request(version, &map)
                .map(|request| (request.hashes.len(), 0))
                .map_err(|e| e.description),
        );
    }
    let _ = credential_id(&map);
    read
}
