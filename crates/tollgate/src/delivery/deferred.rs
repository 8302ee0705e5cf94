//! Deliveries an async service carries out itself: the service hands back what a transition
//! wants sent ([`Outgoing`]) instead of sending it on its blocking thread, the caller awaits an
//! [`AsyncDelivery`] for it, and a PIN that did not go out comes back as [`NotDelivered`].

use std::future::Future;
use std::pin::Pin as Pinned;
use std::time::Duration;

use tollgate_login::{Destination, LoginKey, Notification, UserId};
use tollgate_otp::Pin;

use super::{DeliveryError, RetryPolicy};

/// What an [`AsyncDelivery`] call returns: a boxed future, so that the trait is usable as
/// `dyn AsyncDelivery` and its futures can move between a runtime's threads.
pub type DeliveryFuture<'a> =
    Pinned<Box<dyn Future<Output = Result<(), DeliveryError>> + Send + 'a>>;

/// [`Delivery`](super::Delivery) for async code: the same three messages, each a future that
/// never blocks its thread (an async SMTP or HTTP client). Used through
/// [`Service::submit_deferred`](crate::Service::submit_deferred) and [`Outgoing::deliver`].
pub trait AsyncDelivery: Send + Sync {
    /// Sends a one-time PIN.
    fn send_pin<'a>(&'a self, to: &'a Destination, pin: &'a Pin) -> DeliveryFuture<'a>;
    /// Tells `user` something happened to their account, at `to` (one call for each address
    /// on file).
    fn notify<'a>(
        &'a self,
        to: &'a Destination,
        user: &'a UserId,
        notification: Notification,
    ) -> DeliveryFuture<'a>;
    /// Asks the help desk to help `user` with a locked or forgotten password.
    fn password_help<'a>(&'a self, user: &'a UserId) -> DeliveryFuture<'a>;
}

/// One message a transition wants sent.
#[derive(Clone)]
pub(crate) enum Message {
    Pin {
        to: Destination,
        pin: Pin,
    },
    Notice {
        to: Destination,
        user: UserId,
        notification: Notification,
    },
    PasswordHelp {
        user: UserId,
    },
}

impl Message {
    fn kind(&self) -> &'static str {
        match self {
            Self::Pin { .. } => "pin",
            Self::Notice { .. } => "notice",
            Self::PasswordHelp { .. } => "password_help",
        }
    }
}

/// The messages one call of the service left for its caller to send, in order. Send them with
/// [`Outgoing::deliver`]; dropping them unsent is logged as a warning, since the user will wait
/// for a PIN that never comes. Its `Debug` names the kinds of message only.
#[must_use = "the messages are not sent until `deliver` is awaited"]
pub struct Outgoing {
    pub(crate) login: LoginKey,
    /// A password reset's: send it without holding up the answer ([`Outgoing::is_detached`]).
    pub(crate) detached: bool,
    pub(crate) messages: Vec<Message>,
}

impl core::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kinds: Vec<&str> = self.messages.iter().map(Message::kind).collect();
        f.debug_struct("Outgoing")
            .field("messages", &kinds)
            .finish_non_exhaustive()
    }
}

impl Drop for Outgoing {
    fn drop(&mut self) {
        if !self.messages.is_empty() {
            tracing::warn!(
                messages = self.messages.len(),
                "tollgate: outgoing messages dropped without being delivered"
            );
        }
    }
}

/// A PIN of [`Outgoing`] did not go out: pass this to
/// [`Service::pin_not_delivered`](crate::Service::pin_not_delivered) (blocking work, like every
/// service call), which voids the PIN, uncounts the send and gives the page that says so.
#[must_use = "the login still shows the PIN as sent until `Service::pin_not_delivered`"]
#[derive(Debug)]
pub struct NotDelivered {
    pub(crate) login: LoginKey,
    /// Why the last try failed, for the operator's log.
    pub error: DeliveryError,
}

impl Outgoing {
    /// Nothing to send.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// How many messages there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether these are a password reset's messages, which the answer must not wait for:
    /// anyone who knows a User ID takes a reset's steps, and only a real account's send
    /// anything, so the time they take would tell a stranger which User IDs are accounts.
    /// Spawn [`Outgoing::deliver`] as a task of its own and answer at once; a PIN that does
    /// not go out is then only logged ("Resend" sends another).
    #[must_use]
    pub fn is_detached(&self) -> bool {
        self.detached
    }

    /// Sends every message through `delivery`, trying transient failures again under `policy`
    /// with `sleep` between tries (`tokio::time::sleep` on Tokio). A notice that fails is logged
    /// and counted; a PIN that fails is returned.
    ///
    /// # Errors
    /// [`NotDelivered`] when a PIN did not go out.
    pub async fn deliver<S, F>(
        mut self,
        delivery: &dyn AsyncDelivery,
        policy: RetryPolicy,
        sleep: S,
    ) -> Result<(), NotDelivered>
    where
        S: Fn(Duration) -> F,
        F: Future<Output = ()>,
    {
        let messages = std::mem::take(&mut self.messages);
        let mut failed = None;
        for message in &messages {
            let sent = policy
                .run_async(&sleep, || match message {
                    Message::Pin { to, pin } => delivery.send_pin(to, pin),
                    Message::Notice {
                        to,
                        user,
                        notification,
                    } => delivery.notify(to, user, *notification),
                    Message::PasswordHelp { user } => delivery.password_help(user),
                })
                .await;
            match message {
                Message::Pin { to, .. } => {
                    crate::observe::sent(to, sent.as_ref().err());
                    if let Err(error) = sent {
                        failed = Some(error);
                    }
                }
                other => crate::observe::noticed(other.kind(), sent.as_ref().err()),
            }
        }
        match failed {
            None => Ok(()),
            Some(error) => Err(NotDelivered {
                login: self.login.clone(),
                error,
            }),
        }
    }
}

impl RetryPolicy {
    /// [`RetryPolicy::run`] for futures: awaits `send` until it succeeds, fails for good, or the
    /// policy is spent, awaiting `sleep` between tries.
    ///
    /// # Errors
    /// The last failure, when no try succeeded.
    pub async fn run_async<S, F, T, G>(&self, sleep: S, mut send: T) -> Result<(), DeliveryError>
    where
        S: Fn(Duration) -> F,
        F: Future<Output = ()>,
        T: FnMut() -> G,
        G: Future<Output = Result<(), DeliveryError>>,
    {
        let mut backoff = super::Backoff::new(*self);
        loop {
            let error = match send().await {
                Ok(()) => return Ok(()),
                Err(error) => error,
            };
            sleep(backoff.after(error)?).await;
        }
    }
}
