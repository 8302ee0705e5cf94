//! The development outbox (the `dev-outbox` feature): a stand-in for SMS and e-mail that shows
//! each browser session the messages its own requests caused, and nobody else's.
//!
//! It is a development switch: whoever holds a password can read the PIN it sends here (that is
//! what a real phone stops), so it is off by default, and every page says when it is on.
//! Without it, messages go to the server's console, as an SMS gateway would take them.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use tollgate::login::{Destination, Notification, UserId};
use tollgate::otp::Pin;
use tollgate::{Delivered, Delivery, DeliveryError};

thread_local! {
    /// The mailbox of the session whose request this thread is serving.
    static MAILBOX: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f` (a request's service call, on its blocking thread) on behalf of the session whose
/// mailbox is `mailbox`: what it sends is filed there.
pub(crate) fn on_behalf_of<T>(mailbox: Option<&str>, f: impl FnOnce() -> T) -> T {
    MAILBOX.with(|m| *m.borrow_mut() = mailbox.map(str::to_owned));
    let result = f();
    MAILBOX.with(|m| *m.borrow_mut() = None);
    result
}

/// Messages filed by the browser session whose request sent them. Give it to the service as its
/// delivery, and to [`Login::with_dev_outbox`](crate::Login::with_dev_outbox).
#[derive(Clone, Debug, Default)]
pub struct DevOutbox(Arc<Mutex<Vec<(String, Delivered)>>>);

impl DevOutbox {
    /// The outbox as the service's delivery.
    #[must_use]
    pub fn delivery(&self) -> Arc<dyn Delivery> {
        Arc::new(self.clone())
    }

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

    fn file(&self, message: Delivered) -> Result<(), DeliveryError> {
        let Some(mailbox) = MAILBOX.with(|m| m.borrow().clone()) else {
            // Sent outside any request (none is): nobody's to see.
            return Err(DeliveryError::Permanent(
                "a message outside any browser session".into(),
            ));
        };
        if let Ok(mut all) = self.0.lock() {
            // A bounded development tool: the oldest go first.
            if all.len() >= 10_000 {
                all.remove(0);
            }
            all.push((mailbox, message));
        }
        Ok(())
    }
}

impl Delivery for DevOutbox {
    fn send_pin(&self, to: &Destination, pin: &Pin) -> Result<(), DeliveryError> {
        self.file(Delivered::Pin {
            to: to.clone(),
            digits: pin.expose_secret().to_owned(),
        })
    }

    fn notify(
        &self,
        to: &Destination,
        user: &UserId,
        notification: Notification,
    ) -> Result<(), DeliveryError> {
        self.file(Delivered::Notice {
            to: to.clone(),
            user: user.clone(),
            notification,
        })
    }

    fn password_help(&self, user: &UserId) -> Result<(), DeliveryError> {
        self.file(Delivered::PasswordHelp { user: user.clone() })
    }

    fn answers_at_once(&self) -> bool {
        true
    }
}

/// `GET <base>/outbox`: this session's messages.
pub(crate) async fn page(
    axum::Extension(login): axum::Extension<crate::Login>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let mailbox = login
        .session_of(&headers)
        .await
        .map(|held| held.session.mailbox);
    let messages = match (&login.0.outbox, mailbox) {
        (Some(outbox), Some(mailbox)) => outbox.messages(&mailbox),
        _ => Vec::new(),
    };
    crate::responses::secure(axum::response::Html(render(&messages)).into_response())
}

/// The development outbox: every PIN and notice "sent", newest first.
fn render(messages: &[Delivered]) -> String {
    use maud::{DOCTYPE, html};
    html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { "Outbox" } }
            body { main data-screen="outbox" {
                p class="notice" {
                    "Development stand-in for SMS and e-mail: in production these messages go to \
                     the user's phone or mailbox, and nobody else sees them."
                }
                h1 { "Outbox" }
                table id="outbox" {
                    tr { th { "To" } th { "Message" } }
                    @for message in messages.iter().rev() {
                        @match message {
                            Delivered::Pin { to, digits } => tr {
                                td { (format!("{to:?}")) } td { "PIN " code class="pin" { (digits) } }
                            },
                            Delivered::Notice { to, user, notification } => tr {
                                td { (format!("{to:?}")) }
                                td { (user.as_str()) ": " (tollgate::login::Catalog::english().text(notification.message())) }
                            },
                            Delivered::PasswordHelp { user } => tr {
                                td { (user.as_str()) } td { "password help requested" }
                            },
                        }
                    }
                }
            } }
        }
    }
    .into_string()
}
