//! The service's blocking work on Tokio's blocking threads, at most
//! [`WebConfig::with_blocking`](crate::WebConfig::with_blocking) at once, and the messages an
//! [`AsyncDelivery`](tollgate::AsyncDelivery) sends after it.

use axum::http::StatusCode;
use axum::response::Response;
use tollgate::login::Input;
use tollgate::{Client, Error, LoginKey, View};
use zeroize::Zeroizing;

use crate::Login;
use crate::responses::{busy, failure};

/// What a request asks of the login.
pub(crate) enum Step {
    /// Show it as it stands.
    View(LoginKey),
    /// Apply a form.
    Submit(LoginKey, Input<Zeroizing<String>>, Client),
}

impl Login {
    /// Runs blocking service work on Tokio's blocking threads once one of the bounded turns is
    /// free (the busy page when none frees up in time), on behalf of the session whose
    /// development-outbox mailbox is `mailbox`.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        mailbox: Option<String>,
        f: impl FnOnce(&tollgate::Service) -> T + Send + 'static,
    ) -> Result<T, Response> {
        let wait = self.0.config.blocking_wait;
        let permit = match tokio::time::timeout(wait, self.0.blocking.acquire()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(busy(self)),
        };
        let inner = self.0.clone();
        // The request's span goes with the work, so the service's spans nest under it.
        let span = tracing::Span::current();
        let done = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            #[cfg(feature = "dev-outbox")]
            return crate::outbox::on_behalf_of(mailbox.as_deref(), || f(&inner.service));
            #[cfg(not(feature = "dev-outbox"))]
            {
                let _ = mailbox;
                f(&inner.service)
            }
        })
        .await;
        drop(permit);
        done.map_err(|_| {
            failure(
                self,
                StatusCode::INTERNAL_SERVER_ERROR,
                "the request failed",
            )
        })
    }

    /// Sends what a deferred call left to send, through the app's [`tollgate::AsyncDelivery`],
    /// outside the blocking pool; a PIN that did not go out is voided (blocking work again),
    /// and the view becomes the one that says so.
    /// One step of the login on the blocking pool; its messages sent through the app's
    /// [`tollgate::AsyncDelivery`] when there is one, or on the blocking thread by the
    /// service's own delivery.
    pub(crate) async fn step(
        &self,
        mailbox: String,
        step: Step,
    ) -> Result<Result<View, Error>, Response> {
        let Some(delivery) = self.0.config.delivery.clone() else {
            return self
                .blocking(Some(mailbox), move |s| match step {
                    Step::View(key) => s.view(&key),
                    Step::Submit(key, input, client) => s.submit(&key, input, client),
                })
                .await;
        };
        let deferred = self
            .blocking(Some(mailbox.clone()), move |s| match step {
                Step::View(key) => s.view_deferred(&key),
                Step::Submit(key, input, client) => s.submit_deferred(&key, input, client),
            })
            .await;
        self.delivered(deferred, delivery, &mailbox).await
    }

    async fn delivered(
        &self,
        deferred: Result<Result<(View, tollgate::Outgoing), Error>, Response>,
        delivery: std::sync::Arc<dyn tollgate::AsyncDelivery>,
        mailbox: &str,
    ) -> Result<Result<View, Error>, Response> {
        let (view, outgoing) = match deferred? {
            Ok(done) => done,
            Err(e) => return Ok(Err(e)),
        };
        if outgoing.is_empty() {
            return Ok(Ok(view));
        }
        let policy = self.0.service.retry_policy();
        // A password reset's messages: the answer does not wait for them (its time would tell
        // a stranger whether the User ID is an account).
        if outgoing.is_detached() {
            tokio::spawn(async move {
                let sent = outgoing
                    .deliver(&*delivery, policy, tokio::time::sleep)
                    .await;
                if let Err(failed) = sent {
                    tracing::warn!(error = %failed.error, "a password reset's PIN did not go out");
                }
            });
            return Ok(Ok(view));
        }
        let Err(failed) = outgoing
            .deliver(&*delivery, policy, tokio::time::sleep)
            .await
        else {
            return Ok(Ok(view));
        };
        let device = view.device;
        let voided = self
            .blocking(Some(mailbox.to_owned()), move |s| {
                s.pin_not_delivered(failed)
            })
            .await?;
        Ok(voided.map(|mut next| {
            next.device = next.device.or(device);
            next
        }))
    }
}
