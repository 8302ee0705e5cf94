//! How PINs and notices reach users, and where audit events go.

use std::sync::{Arc, Mutex};

use tollgate_login::{AuditEvent, Catalog, Destination, Notification, UserId};
use tollgate_otp::Pin;

pub(crate) mod background;
mod deferred;
mod retry;
#[cfg(feature = "sms-http")]
mod sms_http;
#[cfg(feature = "smtp")]
mod smtp;
mod words;

pub(crate) use deferred::Message;
pub use deferred::{AsyncDelivery, DeliveryFuture, NotDelivered, Outgoing};
pub(crate) use retry::Backoff;
pub use retry::RetryPolicy;
#[cfg(feature = "sms-http")]
pub use sms_http::HttpSmsDelivery;
#[cfg(feature = "smtp-tokio")]
pub use smtp::AsyncSmtpDelivery;
#[cfg(feature = "smtp")]
pub use smtp::SmtpDelivery;

/// Sends PINs by SMS or e-mail, and tells users about their account. Each call may fail: the
/// service retries what is [`DeliveryError::Transient`] under its [`RetryPolicy`], and a PIN
/// that still does not go out is voided and not counted as sent (the page says so).
///
/// The calls run on the service's thread, which in an async service is a blocking-pool thread
/// (the service's blocking contract): a delivery may block on its network call.
pub trait Delivery: Send + Sync {
    /// Sends a one-time PIN.
    ///
    /// # Errors
    /// When it did not go out.
    fn send_pin(&self, to: &Destination, pin: &Pin) -> Result<(), DeliveryError>;
    /// Tells `user` something happened to their account, at `to`: one call for each address on
    /// file, so that a changed address does not hide the change. A delivery that does not take
    /// one kind of address (an SMS gateway, an e-mail) refuses it with
    /// [`DeliveryError::Permanent`].
    ///
    /// # Errors
    /// When it did not go out.
    fn notify(
        &self,
        to: &Destination,
        user: &UserId,
        notification: Notification,
    ) -> Result<(), DeliveryError>;
    /// Tells the help desk about `user`: a password reset proved their phone and mailbox, but
    /// the account has an authenticator they could not use ("I no longer have my
    /// authenticator"). An administrator can check with them and grant a re-enrollment.
    ///
    /// # Errors
    /// When it did not go out.
    fn password_help(&self, user: &UserId) -> Result<(), DeliveryError>;

    /// Whether a send returns at once, with nothing to wait for (an in-memory outbox). The
    /// messages of a password reset then go out on the request's own thread; for any other
    /// delivery (the default) they are handed to a worker and the answer does not wait, so
    /// that its time does not tell a stranger whether the User ID is an account.
    fn answers_at_once(&self) -> bool {
        false
    }
}

/// Why a message did not go out. Its text is for the operator's log: never the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// Worth another try (a timeout, a 5xx, a refused connection).
    #[error("delivery failed, may succeed later: {0}")]
    Transient(String),
    /// Another try would fail the same way (a refused destination, bad credentials).
    #[error("delivery failed: {0}")]
    Permanent(String),
}

/// Records audit events.
pub trait AuditSink: Send + Sync {
    /// Records one event.
    fn record(&self, event: AuditEvent);
}

/// A message the [`Outbox`] holds. Its `Debug` hides the PIN's digits.
#[derive(Clone, PartialEq, Eq)]
pub enum Delivered {
    /// A PIN: where it went and its digits.
    Pin {
        /// The destination.
        to: Destination,
        /// The PIN's digits.
        digits: String,
    },
    /// A notice to a user.
    Notice {
        /// Where it went.
        to: Destination,
        /// Whom.
        user: UserId,
        /// What.
        notification: Notification,
    },
    /// A request for password help, for the help desk.
    PasswordHelp {
        /// Who asked.
        user: UserId,
    },
}

impl core::fmt::Debug for Delivered {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Pin { to, .. } => f
                .debug_struct("Pin")
                .field("to", to)
                .finish_non_exhaustive(),
            Self::Notice {
                to,
                user,
                notification,
            } => f
                .debug_struct("Notice")
                .field("to", to)
                .field("user", user)
                .field("notification", notification)
                .finish(),
            Self::PasswordHelp { user } => {
                f.debug_struct("PasswordHelp").field("user", user).finish()
            }
        }
    }
}

/// The default delivery: keeps every message in memory (and prints it, when asked), a stand-in
/// for an SMS gateway and a mail server during development.
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    messages: Arc<Mutex<Vec<Delivered>>>,
    console: bool,
    /// The words of what it prints.
    catalog: Catalog,
    /// Sends still to refuse, for tests and demonstrations of a gateway that is down.
    failing: Arc<std::sync::atomic::AtomicUsize>,
}

impl Outbox {
    /// An outbox that only keeps messages.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An outbox that also prints each message, as the examples do.
    #[must_use]
    pub fn printing() -> Self {
        Self {
            console: true,
            ..Self::default()
        }
    }

    /// Prints in `catalog`'s words (English by default).
    #[must_use]
    pub fn with_catalog(mut self, catalog: Catalog) -> Self {
        self.catalog = catalog;
        self
    }

    /// The next `sends` messages fail as a gateway that is down would
    /// ([`DeliveryError::Transient`]), and are not kept.
    pub fn fail_next(&self, sends: usize) {
        self.failing
            .store(sends, std::sync::atomic::Ordering::SeqCst);
    }

    fn refuse(&self) -> Result<(), DeliveryError> {
        let failing = self.failing.fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |n| n.checked_sub(1),
        );
        match failing {
            Ok(_) => Err(DeliveryError::Transient("the outbox is set to fail".into())),
            Err(_) => Ok(()),
        }
    }

    /// Every message so far.
    #[must_use]
    pub fn messages(&self) -> Vec<Delivered> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// The digits of the last PIN sent.
    #[must_use]
    pub fn last_pin(&self) -> Option<String> {
        self.messages().into_iter().rev().find_map(|m| match m {
            Delivered::Pin { digits, .. } => Some(digits),
            Delivered::Notice { .. } | Delivered::PasswordHelp { .. } => None,
        })
    }

    fn push(&self, message: Delivered) {
        if let Ok(mut messages) = self.messages.lock() {
            messages.push(message);
        }
    }
}

impl Delivery for Outbox {
    fn send_pin(&self, to: &Destination, pin: &Pin) -> Result<(), DeliveryError> {
        self.refuse()?;
        if self.console {
            let (how, whom) = match to {
                Destination::Sms(phone) => ("SMS", phone.as_str()),
                Destination::Email(email) => ("e-mail", email.as_str()),
            };
            let text = words::pin_text(&self.catalog, pin);
            println!("  [outbox] {how} to {whom}: {}", text.as_str());
        }
        self.push(Delivered::Pin {
            to: to.clone(),
            digits: pin.expose_secret().to_owned(),
        });
        Ok(())
    }

    fn notify(
        &self,
        to: &Destination,
        user: &UserId,
        notification: Notification,
    ) -> Result<(), DeliveryError> {
        self.refuse()?;
        if self.console {
            let (how, whom) = match to {
                Destination::Sms(phone) => ("SMS", phone.as_str()),
                Destination::Email(email) => ("e-mail", email.as_str()),
            };
            let text = self.catalog.text(notification.message());
            println!("  [outbox] {how} to {whom}: {text}");
        }
        self.push(Delivered::Notice {
            to: to.clone(),
            user: user.clone(),
            notification,
        });
        Ok(())
    }

    fn password_help(&self, user: &UserId) -> Result<(), DeliveryError> {
        self.refuse()?;
        if self.console {
            let (_, body) = words::password_help_mail(&self.catalog, user);
            println!("  [outbox] help desk: {}", body.trim_end());
        }
        self.push(Delivered::PasswordHelp { user: user.clone() });
        Ok(())
    }

    /// Kept in memory (or printed): nothing to wait for.
    fn answers_at_once(&self) -> bool {
        true
    }
}

/// The default audit sink: events in memory.
#[derive(Clone, Debug, Default)]
pub struct AuditLog(Arc<Mutex<Vec<AuditEvent>>>);

impl AuditLog {
    /// Every event so far.
    #[must_use]
    pub fn events(&self) -> Vec<AuditEvent> {
        self.0.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl AuditSink for AuditLog {
    fn record(&self, event: AuditEvent) {
        if let Ok(mut events) = self.0.lock() {
            events.push(event);
        }
    }
}
