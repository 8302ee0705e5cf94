//! The registration address: a token's online registration, answered in JSON.

use tollgate_codes::{RegistrationRequest, RequestError};
use tollgate_login::OnlineOutcome;

use super::{Client, Service};
use crate::error::Error;

/// The registration address's answer to a token: an HTTP status and a JSON body.
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnlineReply {
    /// The HTTP status to answer with.
    pub status: u16,
    /// `"registered"` or the error's name, as in the body.
    pub name: &'static str,
    /// For a person reading the token's log.
    pub message: &'static str,
    /// Seconds to wait before trying again, for 429.
    pub retry_after: Option<u64>,
}

impl OnlineReply {
    fn new(status: u16, name: &'static str, message: &'static str) -> Self {
        Self {
            status,
            name,
            message,
            retry_after: None,
        }
    }

    fn of(outcome: OnlineOutcome) -> Self {
        let (status, message) = match outcome {
            OnlineOutcome::Registered | OnlineOutcome::AlreadyRegistered => (
                200,
                "registered: click OK in the browser to finish the enrollment",
            ),
            OnlineOutcome::Conflict => (
                409,
                "another registration code was registered for this activation first",
            ),
            OnlineOutcome::Expired => (
                410,
                "the activation data have expired: ask for new ones in the browser",
            ),
            OnlineOutcome::NotForThisActivation => (
                422,
                "the registration code is not valid for this activation under this service's \
                 registration scheme",
            ),
            OnlineOutcome::TooManyFailures => (
                429,
                "no more registrations are checked for this activation now: type the \
                 registration code into Response in the browser",
            ),
            _ => (
                403,
                "no activation awaits this serial number with this proof",
            ),
        };
        let name = if outcome.is_registered() {
            "registered"
        } else {
            outcome.as_str()
        };
        Self::new(status, name, message)
    }

    /// Whether the token's registration is filed.
    #[must_use]
    pub fn is_registered(&self) -> bool {
        self.status == 200
    }

    /// The JSON body.
    #[must_use]
    pub fn to_json(&self) -> String {
        let key = if self.is_registered() {
            "result"
        } else {
            "error"
        };
        // Names and messages are this module's own ASCII text, without quotes or backslashes.
        let mut body = format!(r#"{{"{key}":"{}","message":"{}""#, self.name, self.message);
        if let Some(retry) = self.retry_after {
            body.push_str(&format!(r#","retry_after":{retry}"#));
        }
        body.push('}');
        body
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
    /// is an [`OnlineReply`].
    pub fn register_online(&self, body: &[u8], client: Client) -> Result<OnlineReply, Error> {
        let now = self.now();
        let limit = self.client_limit;
        let network = client.address.map(tollgate_store::ClientKey::of);
        if let Some(network) = &network
            && self.store.client_failures(network, now, limit.window)? >= limit.failures
        {
            let mut reply = OnlineReply::new(
                429,
                "throttled",
                "too many refused requests from this network: try again later",
            );
            reply.retry_after = Some(limit.window);
            return Ok(reply);
        }
        let reply = match RegistrationRequest::from_json(body) {
            Ok(request) => {
                let receipt =
                    self.audited(self.driver.register_online(&*self.store, &request, now))?;
                for event in receipt.audit {
                    crate::observe::audit(&event);
                    self.record(event);
                }
                OnlineReply::of(receipt.outcome)
            }
            Err(RequestError::TooLong) => {
                OnlineReply::new(413, "too_long", "a request is at most 1024 bytes")
            }
            Err(e) => OnlineReply::new(400, "malformed", malformed(&e)),
        };
        metrics::counter!("tollgate_online_registrations_total", "result" => reply.name)
            .increment(1);
        tracing::info!(target: "tollgate::online", result = reply.name, status = reply.status);
        let failed = !reply.is_registered() && reply.status != 410;
        if failed && let Some(network) = &network {
            self.store
                .count_client_failure(network, now, limit.window)?;
        }
        Ok(reply)
    }
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
