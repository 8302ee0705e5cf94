//! The development outbox, behind `--dev-outbox`: a stand-in for SMS and e-mail that shows each
//! browser session the messages its own requests caused, and nobody else's.
//!
//! It is a development switch: whoever holds a password can read the PIN it sends here (that is
//! what a real phone stops), so it is off by default, and every page says when it is on.
//! Without it, messages go to the server's console, as an SMS gateway would take them.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use tollgate::login::{Destination, Notification, UserId};
use tollgate::otp::Pin;
use tollgate::{Delivered, Delivery, Outbox};

thread_local! {
    /// The mailbox of the session whose request this thread is serving.
    static MAILBOX: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f` (a request's service call, on its blocking thread) on behalf of the session whose
/// mailbox is `mailbox`: what it sends is filed there.
pub(crate) fn on_behalf_of<T>(mailbox: &str, f: impl FnOnce() -> T) -> T {
    MAILBOX.with(|m| *m.borrow_mut() = Some(mailbox.to_owned()));
    let result = f();
    MAILBOX.with(|m| *m.borrow_mut() = None);
    result
}

/// Where messages go: the console, or the per-session development outbox.
#[derive(Clone)]
pub(crate) enum Sink {
    Console(Outbox),
    Dev(DevOutbox),
}

impl Sink {
    pub(crate) fn delivery(&self) -> Arc<dyn Delivery> {
        match self {
            Self::Console(outbox) => Arc::new(outbox.clone()),
            Self::Dev(outbox) => Arc::new(outbox.clone()),
        }
    }

    /// The development outbox, when it is on.
    pub(crate) fn dev(&self) -> Option<&DevOutbox> {
        match self {
            Self::Console(_) => None,
            Self::Dev(outbox) => Some(outbox),
        }
    }
}

/// Messages filed by mailbox.
#[derive(Clone, Default)]
pub(crate) struct DevOutbox(Arc<Mutex<Vec<(String, Delivered)>>>);

impl DevOutbox {
    /// The messages of `mailbox`, oldest first.
    pub(crate) fn messages(&self, mailbox: &str) -> Vec<Delivered> {
        self.0
            .lock()
            .map(|all| {
                all.iter()
                    .filter(|(m, _)| m == mailbox)
                    .map(|(_, d)| d.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn file(&self, message: Delivered) {
        let Some(mailbox) = MAILBOX.with(|m| m.borrow().clone()) else {
            // Sent outside any request (none is): nobody's to see.
            eprintln!("web_login: a message outside any session was dropped");
            return;
        };
        if let Ok(mut all) = self.0.lock() {
            // A bounded development tool: the oldest go first.
            if all.len() >= 10_000 {
                all.remove(0);
            }
            all.push((mailbox, message));
        }
    }
}

impl Delivery for DevOutbox {
    fn send_pin(&self, to: &Destination, pin: &Pin) {
        self.file(Delivered::Pin {
            to: to.clone(),
            digits: pin.expose_secret().to_owned(),
        });
    }

    fn notify(&self, user: &UserId, notification: Notification) {
        self.file(Delivered::Notice {
            user: user.clone(),
            notification,
        });
    }

    fn password_help(&self, user: &UserId) {
        self.file(Delivered::PasswordHelp { user: user.clone() });
    }
}
