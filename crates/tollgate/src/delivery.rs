//! How PINs and notices reach users, and where audit events go.

use std::sync::{Arc, Mutex};

use tollgate_login::{AuditEvent, Destination, Notification, UserId};
use tollgate_otp::Pin;

/// Sends PINs by SMS or e-mail, and tells users about their account.
pub trait Delivery: Send + Sync {
    /// Sends a one-time PIN.
    fn send_pin(&self, to: &Destination, pin: &Pin);
    /// Tells a user something happened to their account.
    fn notify(&self, user: &UserId, notification: Notification);
    /// The user asked for help with a locked or forgotten password ("Password locked or
    /// forgotten?"): start the service's own reset process. The account unlocks by itself
    /// after its cool-down.
    fn password_help(&self, user: &UserId);
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
            Self::Notice { user, notification } => f
                .debug_struct("Notice")
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
            messages: Arc::default(),
            console: true,
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
    fn send_pin(&self, to: &Destination, pin: &Pin) {
        if self.console {
            let (how, whom) = match to {
                Destination::Sms(phone) => ("SMS", phone.as_str()),
                Destination::Email(email) => ("e-mail", email.as_str()),
            };
            println!(
                "  [outbox] {how} to {whom}: your one-time password is {}",
                pin.expose_secret()
            );
        }
        self.push(Delivered::Pin {
            to: to.clone(),
            digits: pin.expose_secret().to_owned(),
        });
    }

    fn notify(&self, user: &UserId, notification: Notification) {
        if self.console {
            println!(
                "  [outbox] e-mail to {user}: a new authenticator was added to your account ({notification:?})"
            );
        }
        self.push(Delivered::Notice {
            user: user.clone(),
            notification,
        });
    }

    fn password_help(&self, user: &UserId) {
        if self.console {
            println!("  [outbox] help desk: {user} asked for help with their password");
        }
        self.push(Delivered::PasswordHelp { user: user.clone() });
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
