//! The messages of a password reset, sent off the request's thread.
//!
//! A reset asks for no password: anyone who knows a User ID takes its steps, and an unknown
//! User ID must get the same answer in the same time (OWASP's Forgot Password cheat sheet).
//! Only a real account's steps send anything (a PIN, the "resets closed" notice, the help
//! desk's message), and an SMS gateway takes tens of milliseconds: waiting for it would tell
//! the stranger which User IDs are accounts. So the service hands a reset's messages to one
//! worker thread and answers at once; the worker sends them in order, tried again under the
//! service's policy. A PIN that still does not go out is logged and counted (the page said it
//! went to the number on file, if there is one; "Resend" sends another).

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use super::{Delivery, DeliveryError, Message, RetryPolicy};

/// What the worker is asked.
pub(crate) enum Job {
    /// Send this.
    Send(Message),
    /// Answer once everything before has been sent (or given up).
    Flush(mpsc::Sender<()>),
}

/// Sends one message through `delivery`, tried again under `retry`, and observed.
pub(crate) fn send(
    delivery: &dyn Delivery,
    retry: RetryPolicy,
    sleep: &dyn Fn(Duration),
    message: &Message,
) -> Result<(), DeliveryError> {
    match message {
        Message::Pin { to, pin } => {
            let sent = retry.run(sleep, &mut || delivery.send_pin(to, pin));
            crate::observe::sent(to, sent.as_ref().err());
            sent
        }
        Message::Notice {
            to,
            user,
            notification,
        } => {
            let sent = retry.run(sleep, &mut || delivery.notify(to, user, *notification));
            crate::observe::noticed("notice", sent.as_ref().err());
            sent
        }
        Message::PasswordHelp { user } => {
            let sent = retry.run(sleep, &mut || delivery.password_help(user));
            crate::observe::noticed("password_help", sent.as_ref().err());
            sent
        }
    }
}

/// Starts the worker: `None` when the system will not give it a thread (the caller then sends
/// on its own).
pub(crate) fn start(
    delivery: Arc<dyn Delivery>,
    retry: RetryPolicy,
    sleep: Arc<dyn Fn(Duration) + Send + Sync>,
) -> Option<mpsc::Sender<Job>> {
    let (jobs, queue) = mpsc::channel::<Job>();
    let worker = move || {
        // Ends when the service (the only sender) is dropped and the queue is empty.
        for job in queue {
            match job {
                Job::Send(message) => {
                    if let (Err(error), Message::Pin { .. }) =
                        (send(&*delivery, retry, &*sleep, &message), &message)
                    {
                        tracing::warn!(%error, "a password reset's PIN did not go out");
                    }
                }
                Job::Flush(done) => {
                    let _ = done.send(());
                }
            }
        }
    };
    std::thread::Builder::new()
        .name("tollgate-deliveries".into())
        .spawn(worker)
        .ok()
        .map(|_| jobs)
}
