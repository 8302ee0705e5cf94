//! The session page's signing certificates (feature `signing`): what it lists, and its two
//! forms, "Create your Signing Certificate" and "Revoke". Both need the session's logged-in
//! user; each ends in a notice and the page again.

use axum::http::StatusCode;
use axum::response::Response;
use tollgate::login::{Message, MessageId, UserId};
use tollgate::sign::{CredentialId, Status};
use tollgate::signing::SigningError;
use tollgate::{Error, Service};

use crate::Login;
use crate::pages::{CertificateState, SigningCertificate};
use crate::responses::{failure, redirect_home, service_failure};
use crate::session::{Change, Held};

/// The user's certificates, when the service signs (`None` when it does not, or the store
/// fails: the page then shows no signing part, and the log says why).
pub(crate) async fn of(login: &Login, user: UserId) -> Option<Vec<SigningCertificate>> {
    let listed = login
        .blocking(None, move |service: &Service| {
            service.signing().and_then(|s| s.credentials(&user))
        })
        .await
        .ok()?;
    match listed {
        Ok(all) => Some(
            all.into_iter()
                .map(|info| SigningCertificate {
                    id: info.credential.id().to_string(),
                    created: info.credential.created_at(),
                    state: match info.credential.status() {
                        Status::Active => CertificateState::Active,
                        Status::Locked { .. } => CertificateState::Locked,
                        Status::Revoked { .. } => CertificateState::Revoked,
                    },
                })
                .collect(),
        ),
        Err(Error::Signing(SigningError::NotConfigured)) => None,
        Err(e) => {
            tracing::error!(error = %e, "the signing certificates could not be listed");
            None
        }
    }
}

/// Whether `action` is one of this page part's.
pub(crate) fn is_action(action: &str) -> bool {
    matches!(
        action,
        "create_signing_certificate" | "revoke_signing_certificate"
    )
}

/// Runs `action` for the session's user, then shows the page with its notice.
pub(crate) async fn act(login: &Login, held: Held, action: &str, id: &str) -> Response {
    let Some(user) = held.session.user.clone() else {
        return failure(login, StatusCode::FORBIDDEN, "log in first");
    };
    let revoke = action == "revoke_signing_certificate";
    let id = match (revoke, id.trim().parse::<CredentialId>()) {
        (true, Ok(id)) => Some(id),
        (true, Err(_)) => {
            return failure(login, StatusCode::BAD_REQUEST, "not a credential ID");
        }
        (false, _) => None,
    };
    let done = login
        .blocking(None, move |service: &Service| {
            let signing = service.signing()?;
            match &id {
                Some(id) => signing.revoke(&user, id),
                None => signing.create_credential(&user, "Signing key").map(|_| ()),
            }
        })
        .await;
    let notice = match done {
        Ok(Ok(())) if revoke => MessageId::SigningCertificateRevoked,
        Ok(Ok(())) => MessageId::SigningCertificateCreated,
        Ok(Err(Error::Signing(SigningError::TooManyCredentials))) => {
            MessageId::TooManySigningCertificates
        }
        Ok(Err(Error::Signing(SigningError::UnknownCredential))) => {
            return failure(login, StatusCode::BAD_REQUEST, "no such certificate");
        }
        Ok(Err(e)) => return service_failure(login, &e),
        Err(response) => return response,
    };
    let now = login.0.service.now().as_secs();
    let notice = Message::new(notice);
    let _ = login
        .0
        .sessions
        .update(held, now, move |s| {
            s.flash = Some(notice.clone());
            (Change::Save, ())
        })
        .await;
    redirect_home(login)
}
