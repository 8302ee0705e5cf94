//! PINs by SMS through a gateway's HTTP API (the `sms-http` feature): one JSON POST per message,
//! the shape most SMS gateways take, with ureq (rustls for `https://`).
//!
//! ```text
//! POST <url>
//! Authorization: Bearer <token>            (when a token is configured)
//! Content-Type: application/json
//! {"to":"+16132701234","from":"<sender>","text":"Your one-time password is 123456."}
//! ```
//!
//! A 2xx answer is a send. 408, 429 and 5xx answers, timeouts and refused connections are
//! [`DeliveryError::Transient`] (the service tries again under its policy); other 4xx answers
//! are [`DeliveryError::Permanent`].

use std::time::Duration;

use tollgate_login::{Catalog, Destination, Notification, UserId};
use tollgate_otp::Pin;
use zeroize::Zeroizing;

use super::{Delivery, DeliveryError, words};

/// An SMS gateway's HTTP API.
pub struct HttpSmsDelivery {
    agent: ureq::Agent,
    url: String,
    from: String,
    token: Option<Zeroizing<String>>,
    catalog: Catalog,
}

impl core::fmt::Debug for HttpSmsDelivery {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpSmsDelivery")
            .field("url", &self.url)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl HttpSmsDelivery {
    /// Messages POSTed to `url` as from `from` (a sender name or number), each call within
    /// `timeout`.
    #[must_use]
    pub fn new(url: &str, from: &str, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            agent,
            url: url.to_owned(),
            from: from.to_owned(),
            token: None,
            catalog: Catalog::english(),
        }
    }

    /// Messages in `catalog`'s words (English by default): the same catalogues as the screens.
    #[must_use]
    pub fn with_catalog(mut self, catalog: Catalog) -> Self {
        self.catalog = catalog;
        self
    }

    /// The gateway's API token, sent as `Authorization: Bearer`.
    #[must_use]
    pub fn with_token(mut self, token: &str) -> Self {
        self.token = Some(Zeroizing::new(token.to_owned()));
        self
    }
}

impl HttpSmsDelivery {
    /// One message POSTed to the gateway: 2xx is sent; 408, 429, 5xx and network errors are
    /// transient; other answers permanent.
    fn post(&self, to: &str, text: &str) -> Result<(), DeliveryError> {
        let body = Zeroizing::new(
            serde_json::json!({
                "to": to,
                "from": self.from,
                "text": text,
            })
            .to_string(),
        );
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json");
        let authorization = self
            .token
            .as_ref()
            .map(|t| Zeroizing::new(format!("Bearer {}", t.as_str())));
        if let Some(authorization) = &authorization {
            request = request.header("Authorization", authorization.as_str());
        }
        match request.send(body.as_bytes()) {
            Ok(response) => {
                let status = response.status().as_u16();
                match status {
                    200..=299 => Ok(()),
                    408 | 429 | 500..=599 => Err(DeliveryError::Transient(format!(
                        "the SMS gateway answered {status}"
                    ))),
                    _ => Err(DeliveryError::Permanent(format!(
                        "the SMS gateway answered {status}"
                    ))),
                }
            }
            // ureq's errors name the host and the failure, never the body.
            Err(e) => Err(DeliveryError::Transient(e.to_string())),
        }
    }
}

impl Delivery for HttpSmsDelivery {
    fn send_pin(&self, to: &Destination, pin: &Pin) -> Result<(), DeliveryError> {
        let Destination::Sms(phone) = to else {
            return Err(DeliveryError::Permanent("not a phone number".into()));
        };
        let text = words::pin_text(&self.catalog, pin);
        self.post(phone.as_str(), &text)
    }

    fn notify(
        &self,
        to: &Destination,
        _user: &UserId,
        notification: Notification,
    ) -> Result<(), DeliveryError> {
        let Destination::Sms(phone) = to else {
            return Err(DeliveryError::Permanent(
                "e-mail notices go by e-mail, not through the SMS gateway".into(),
            ));
        };
        let text = words::notice_sms(&self.catalog, notification);
        self.post(phone.as_str(), &text)
    }

    fn password_help(&self, _user: &UserId) -> Result<(), DeliveryError> {
        Err(DeliveryError::Permanent(
            "password help goes by e-mail, not through the SMS gateway".into(),
        ))
    }
}
