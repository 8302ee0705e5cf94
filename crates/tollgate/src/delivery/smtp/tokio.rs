//! [`AsyncSmtpDelivery`]: the same mail as [`SmtpDelivery`](super::SmtpDelivery), sent with
//! lettre's Tokio transport (the `smtp-tokio` feature).

use std::sync::Arc;

use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use tollgate_login::{Destination, Notification, UserId};
use tollgate_otp::Pin;

use super::{Mails, failed, mailbox, no_sms};
use crate::delivery::{AsyncDelivery, DeliveryError, DeliveryFuture};

/// Sends mail through an SMTP relay without blocking a thread: an [`AsyncDelivery`], for
/// [`Service::submit_deferred`](crate::Service::submit_deferred) and `tollgate-axum`'s
/// `Login::with_delivery`.
pub struct AsyncSmtpDelivery {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    mails: Mails,
    sms: Option<Arc<dyn AsyncDelivery>>,
}

impl core::fmt::Debug for AsyncSmtpDelivery {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AsyncSmtpDelivery")
            .field("from", &self.mails.from.to_string())
            .finish_non_exhaustive()
    }
}

impl AsyncSmtpDelivery {
    /// Mail from `from` through `transport`
    /// (`AsyncSmtpTransport::<Tokio1Executor>::relay(host)?…build()`, or `builder_dangerous`
    /// for a local server without TLS).
    ///
    /// # Errors
    /// [`DeliveryError::Permanent`] when `from` is not a mailbox.
    pub fn new(
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: &str,
    ) -> Result<Self, DeliveryError> {
        Ok(Self {
            transport,
            mails: Mails::new(from)?,
            sms: None,
        })
    }

    /// Where "Password locked or forgotten?" requests go.
    ///
    /// # Errors
    /// [`DeliveryError::Permanent`] when `to` is not a mailbox.
    pub fn with_help_desk(mut self, to: &str) -> Result<Self, DeliveryError> {
        self.mails.help_desk = Some(mailbox(to)?);
        Ok(self)
    }

    /// Mail in `catalog`'s words (English by default): the same catalogues as the screens.
    #[must_use]
    pub fn with_catalog(mut self, catalog: tollgate_login::Catalog) -> Self {
        self.mails.catalog = catalog;
        self
    }

    /// Where PINs by SMS go (without it they fail, and the page offers the e-mail instead).
    #[must_use]
    pub fn with_sms(mut self, sms: Arc<dyn AsyncDelivery>) -> Self {
        self.sms = Some(sms);
        self
    }

    fn send(&self, message: Result<Message, DeliveryError>) -> DeliveryFuture<'_> {
        Box::pin(async move {
            self.transport
                .send(message?)
                .await
                .map(drop)
                .map_err(|e| failed(&e))
        })
    }
}

impl AsyncDelivery for AsyncSmtpDelivery {
    fn send_pin<'a>(&'a self, to: &'a Destination, pin: &'a Pin) -> DeliveryFuture<'a> {
        match to {
            Destination::Email(address) => self.send(self.mails.pin(address.as_str(), pin)),
            Destination::Sms(_) => match &self.sms {
                Some(sms) => sms.send_pin(to, pin),
                None => Box::pin(async { Err(no_sms()) }),
            },
        }
    }

    fn notify<'a>(
        &'a self,
        to: &'a Destination,
        user: &'a UserId,
        notification: Notification,
    ) -> DeliveryFuture<'a> {
        match to {
            Destination::Email(address) => {
                self.send(self.mails.notice(address.as_str(), user, notification))
            }
            Destination::Sms(_) => match &self.sms {
                Some(sms) => sms.notify(to, user, notification),
                None => Box::pin(async { Err(no_sms()) }),
            },
        }
    }

    fn password_help<'a>(&'a self, user: &'a UserId) -> DeliveryFuture<'a> {
        self.send(self.mails.password_help(user))
    }
}
