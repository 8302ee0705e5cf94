//! The registration address: a token's online registration, answered in JSON.

use tollgate_codes::{RegistrationRequest, RequestError};
use tollgate_login::OnlineOutcome;

use super::{Client, Service};
use crate::error::Error;

/// What the registration address answers a token, before a web layer puts it into HTTP
/// (`tollgate-axum` answers each with its status and a JSON body).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnlineAnswer {
    /// The request was read and decided: filed (or the same registration again), or refused
    /// for a reason the token is told.
    Decided(OnlineOutcome),
    /// The body is not a registration request; the error says what to fix.
    Malformed(RequestError),
    /// Too many refused requests from this network: not read. Try again after this many
    /// seconds.
    Throttled {
        /// Seconds until the network's window has passed.
        retry_after: u64,
    },
}

impl OnlineAnswer {
    /// Whether the token's registration is filed (now or before).
    #[must_use]
    pub fn is_registered(&self) -> bool {
        matches!(self, Self::Decided(outcome) if outcome.is_registered())
    }

    /// A short, stable name for logs, metrics and the answer's body: `registered`, an
    /// [`OnlineOutcome`]'s name, `too_long`, `malformed` or `throttled`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            _ if self.is_registered() => "registered",
            Self::Decided(outcome) => outcome.as_str(),
            Self::Malformed(RequestError::TooLong) => "too_long",
            Self::Malformed(_) => "malformed",
            Self::Throttled { .. } => "throttled",
        }
    }
}

impl Service {
    /// The registration address: files a token's online registration (the JSON body of its
    /// POST) with the pending activation of its serial number; the login that issued it
    /// finishes when the user clicks OK ([`Input::RegistrationArrived`](crate::login::Input::RegistrationArrived)).
    ///
    /// Every refusal (a body that does not read, a wrong proof, an unknown serial number)
    /// counts against the client's network as a wrong password does ([`ClientLimit`](crate::ClientLimit)),
    /// and past the limit the network's registrations are refused unchecked. Each is audited.
    /// Cheap: one HMAC and a PBKDF2 of 8 rounds, no Argon2.
    ///
    /// # Errors
    /// [`Error::Store`]; [`Error::Contended`]. Every answer to the token, refusals included,
    /// is an [`OnlineAnswer`].
    pub fn register_online(&self, body: &[u8], client: Client) -> Result<OnlineAnswer, Error> {
        let now = self.now();
        let limit = self.client_limit;
        let network = client.address.map(tollgate_store::ClientKey::of);
        if let Some(network) = &network
            && self.store.client_failures(network, now, limit.window)? >= limit.failures
        {
            return Ok(OnlineAnswer::Throttled {
                retry_after: limit.window,
            });
        }
        let mut pair = None;
        let reply = match RegistrationRequest::from_json(body) {
            Ok(request) => {
                // Failures count per (serial number, network) too: past their limit this
                // network's registrations for this serial are refused unchecked, and another
                // network's (the genuine app's) are still checked.
                pair = network
                    .as_ref()
                    .map(|n| n.within(&format!("serial {}", request.serial())));
                if let Some(pair) = &pair
                    && self.store.client_failures(pair, now, limit.window)?
                        >= u64::from(tollgate_login::MAX_ONLINE_FAILURES_PER_NETWORK)
                {
                    OnlineAnswer::Decided(OnlineOutcome::Refused)
                } else {
                    self.decide_online(&request, now)?
                }
            }
            Err(e) => OnlineAnswer::Malformed(e),
        };
        metrics::counter!("tollgate_online_registrations_total", "result" => reply.name())
            .increment(1);
        tracing::info!(target: "tollgate::online", result = reply.name());
        // Every refusal counts against the network, but for activation data that expired
        // (the token's own lateness, which a retry cannot turn into a guess).
        let expired = reply == OnlineAnswer::Decided(OnlineOutcome::Expired);
        let failed = !reply.is_registered() && !expired;
        if failed && let Some(network) = &network {
            self.store
                .count_client_failure(network, now, limit.window)?;
            if let Some(pair) = &pair {
                self.store.count_client_failure(pair, now, limit.window)?;
            }
        }
        Ok(reply)
    }

    /// The driver's decision on a registration that parsed, its audit recorded.
    fn decide_online(
        &self,
        request: &RegistrationRequest,
        now: tollgate_otp::UnixTime,
    ) -> Result<OnlineAnswer, Error> {
        let receipt = self.audited(self.driver.register_online(&*self.store, request, now))?;
        for event in receipt.audit {
            crate::observe::audit(&event);
            self.record(event);
        }
        Ok(OnlineAnswer::Decided(receipt.outcome))
    }
}
