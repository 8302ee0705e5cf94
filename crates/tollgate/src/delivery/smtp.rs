//! E-mail over SMTP with [lettre] (the `smtp` feature): PINs sent by e-mail, notices to the
//! user's address, requests for password help to the help desk. PINs by SMS go to the
//! [`Delivery`] given for them, if any. With the `smtp-tokio` feature, [`AsyncSmtpDelivery`]
//! sends the same mail from async code on Tokio.

use std::sync::Arc;

use lettre::message::Mailbox;
use lettre::{Message, SmtpTransport, Transport as _};
use tollgate_login::{Catalog, Destination, Notification, UserId};
use tollgate_otp::Pin;

use super::{Delivery, DeliveryError, words};

#[cfg(feature = "smtp-tokio")]
mod tokio;
#[cfg(feature = "smtp-tokio")]
pub use tokio::AsyncSmtpDelivery;

/// The mail both transports send: who it is from, where help requests go, and in which
/// catalogue's words.
#[derive(Clone)]
struct Mails {
    from: Mailbox,
    help_desk: Option<Mailbox>,
    catalog: Catalog,
}

impl Mails {
    fn new(from: &str) -> Result<Self, DeliveryError> {
        Ok(Self {
            from: mailbox(from)?,
            help_desk: None,
            catalog: Catalog::english(),
        })
    }

    fn message(&self, to: Mailbox, subject: &str, body: &str) -> Result<Message, DeliveryError> {
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body.to_owned())
            .map_err(|e| DeliveryError::Permanent(format!("the message: {e}")))
    }

    /// A PIN by e-mail to `address`.
    fn pin(&self, address: &str, pin: &Pin) -> Result<Message, DeliveryError> {
        let (subject, body) = words::pin_mail(&self.catalog, pin);
        self.message(mailbox(address)?, &subject, &body)
    }

    /// A notice by e-mail to `address`, saying which account and what to do if it was not the
    /// user (SP 800-63B-4 §4.6).
    fn notice(
        &self,
        address: &str,
        user: &UserId,
        notification: Notification,
    ) -> Result<Message, DeliveryError> {
        let (subject, body) = words::notice_mail(&self.catalog, user, notification);
        self.message(mailbox(address)?, &subject, &body)
    }

    fn password_help(&self, user: &UserId) -> Result<Message, DeliveryError> {
        let Some(desk) = &self.help_desk else {
            return Err(DeliveryError::Permanent(
                "no help desk is configured".into(),
            ));
        };
        let (subject, body) = words::password_help_mail(&self.catalog, user);
        self.message(desk.clone(), &subject, &body)
    }
}

/// lettre's failure as ours. Its text names the server and its answer, never the message.
fn failed(e: &lettre::transport::smtp::Error) -> DeliveryError {
    if e.is_permanent() {
        DeliveryError::Permanent(e.to_string())
    } else {
        DeliveryError::Transient(e.to_string())
    }
}

fn no_sms() -> DeliveryError {
    DeliveryError::Permanent("no SMS gateway is configured".into())
}

/// Sends mail through an SMTP relay.
pub struct SmtpDelivery {
    transport: SmtpTransport,
    mails: Mails,
    sms: Option<Arc<dyn Delivery>>,
}

impl core::fmt::Debug for SmtpDelivery {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SmtpDelivery")
            .field("from", &self.mails.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpDelivery {
    /// Mail from `from` (`Sign-in <no-reply@example.com>`) through `transport`: a relay
    /// (`SmtpTransport::relay(host)?.credentials(…).build()`, TLS by lettre's features), or
    /// `SmtpTransport::builder_dangerous(host).port(port).build()` for a local server without
    /// TLS.
    ///
    /// # Errors
    /// [`DeliveryError::Permanent`] when `from` is not a mailbox.
    pub fn new(transport: SmtpTransport, from: &str) -> Result<Self, DeliveryError> {
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
    pub fn with_catalog(mut self, catalog: Catalog) -> Self {
        self.mails.catalog = catalog;
        self
    }

    /// Where PINs by SMS go (without it they fail, and the page offers the e-mail instead).
    #[must_use]
    pub fn with_sms(mut self, sms: Arc<dyn Delivery>) -> Self {
        self.sms = Some(sms);
        self
    }

    fn send(&self, message: Result<Message, DeliveryError>) -> Result<(), DeliveryError> {
        self.transport
            .send(&message?)
            .map(drop)
            .map_err(|e| failed(&e))
    }
}

fn mailbox(text: &str) -> Result<Mailbox, DeliveryError> {
    text.parse()
        .map_err(|e| DeliveryError::Permanent(format!("{text:?} is not a mailbox: {e}")))
}

impl Delivery for SmtpDelivery {
    fn send_pin(&self, to: &Destination, pin: &Pin) -> Result<(), DeliveryError> {
        match to {
            Destination::Email(address) => self.send(self.mails.pin(address.as_str(), pin)),
            Destination::Sms(_) => self.sms.as_ref().ok_or_else(no_sms)?.send_pin(to, pin),
        }
    }

    fn notify(
        &self,
        to: &Destination,
        user: &UserId,
        notification: Notification,
    ) -> Result<(), DeliveryError> {
        match to {
            Destination::Email(address) => {
                self.send(self.mails.notice(address.as_str(), user, notification))
            }
            Destination::Sms(_) => {
                (self.sms.as_ref().ok_or_else(no_sms)?).notify(to, user, notification)
            }
        }
    }

    fn password_help(&self, user: &UserId) -> Result<(), DeliveryError> {
        self.send(self.mails.password_help(user))
    }
}
