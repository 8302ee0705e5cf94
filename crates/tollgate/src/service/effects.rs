//! Carrying out a transition's effects: deliveries (tried again under the policy, or handed
//! back to an async caller), audit events, the device cookie; and the compensating step when a
//! PIN did not go out.

use tollgate_login::{AuditEvent, Dispatch, Driven, Effect, Input, LoginKey};

use super::{Client, Service, View};
use crate::delivery::background::{self, Job};
use crate::delivery::{Message, NotDelivered, Outgoing};
use crate::error::Error;

impl Service {
    /// Carries out a stored transition's effects, in order, and makes the view; the messages
    /// go out through the service's [`Delivery`](crate::Delivery).
    pub(super) fn carry_out(&self, driven: Driven) -> View {
        let (view, messages, dispatch) = self.carry_out_except_messages(driven);
        if dispatch == Dispatch::Detached && !self.delivery.answers_at_once() {
            let mut messages = messages.into_iter();
            for message in messages.by_ref() {
                if let Err(Job::Send(message)) = self.to_worker(Job::Send(message)) {
                    // No worker: this one, and the rest, on this thread.
                    let sleep = &*self.sleep;
                    let _ = background::send(&*self.delivery, self.retry, sleep, &message);
                }
            }
            return view;
        }
        let mut pin_failed = false;
        for message in messages {
            let sent = background::send(&*self.delivery, self.retry, &*self.sleep, &message);
            pin_failed |= sent.is_err() && matches!(message, Message::Pin { .. });
        }
        if pin_failed {
            self.not_delivered(view)
        } else {
            view
        }
    }

    /// Hands `job` to the worker (started at the first); the job back when there is none.
    fn to_worker(&self, job: Job) -> Result<(), Job> {
        let worker = self.background.get_or_init(|| {
            background::start(self.delivery.clone(), self.retry, self.sleep.clone())
        });
        match worker {
            Some(jobs) => jobs.send(job).map_err(|e| e.0),
            None => Err(job),
        }
    }

    /// Waits until every message of a password reset handed to the worker so far has been
    /// sent (or given up): for tests, and for a clean shutdown. At once when there are none.
    pub fn wait_for_deliveries(&self) {
        let (done, wait) = std::sync::mpsc::channel();
        if self.background.get().is_some() && self.to_worker(Job::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }

    /// Carries out everything but the messages, which it returns in order, with when they go
    /// out: [`Dispatch::Detached`] if the machine said so of any of them.
    fn carry_out_except_messages(&self, driven: Driven) -> (View, Vec<Message>, Dispatch) {
        let mut device = None;
        let mut messages = Vec::new();
        let mut when = Dispatch::Inline;
        let mut dispatched = |dispatch| {
            if dispatch == Dispatch::Detached {
                when = Dispatch::Detached;
            }
        };
        for effect in driven.effects {
            crate::observe::effect(&effect);
            match effect {
                Effect::SendPin { to, pin, dispatch } => {
                    dispatched(dispatch);
                    messages.push(Message::Pin { to, pin });
                }
                Effect::Audit(event) => self.record(event),
                Effect::Notify {
                    user,
                    to,
                    notification,
                    dispatch,
                } => {
                    dispatched(dispatch);
                    messages.push(Message::Notice {
                        to,
                        user,
                        notification,
                    });
                }
                Effect::PasswordHelp { user, dispatch } => {
                    dispatched(dispatch);
                    messages.push(Message::PasswordHelp { user });
                }
                Effect::RememberDevice { device: new, .. } => device = Some(new),
                _ => {}
            }
        }
        let view = View {
            login: driven.key,
            screen: driven.output.screen,
            notice: driven.output.notice,
            wake_at: driven.output.wake_at,
            device,
        };
        (view, messages, when)
    }

    /// Carries out a transition's effects but its messages, which go back to the caller.
    pub(super) fn carry_out_later(&self, driven: Driven) -> (View, Outgoing) {
        let (view, messages, dispatch) = self.carry_out_except_messages(driven);
        let outgoing = Outgoing {
            login: view.login.clone(),
            detached: dispatch == Dispatch::Detached,
            messages,
        };
        (view, outgoing)
    }

    /// [`Service::submit`] for a caller that sends the messages itself, with an
    /// [`AsyncDelivery`](crate::AsyncDelivery): the PINs and notices this step wants sent come
    /// back as [`Outgoing`] instead of going through the service's [`Delivery`](crate::Delivery)
    /// on this (blocking) thread. Await [`Outgoing::deliver`] after this returns, outside the
    /// blocking pool, and give a [`NotDelivered`] to [`Service::pin_not_delivered`].
    ///
    /// # Errors
    /// As [`Service::submit`].
    pub fn submit_deferred(
        &self,
        login: &LoginKey,
        input: Input<zeroize::Zeroizing<String>>,
        client: Client,
    ) -> Result<(View, Outgoing), Error> {
        self.submitting(login, input, client, |driven| self.carry_out_later(driven))
    }

    /// [`Service::view`] for a caller that sends the messages itself (as
    /// [`Service::submit_deferred`]).
    ///
    /// # Errors
    /// As [`Service::view`].
    pub fn view_deferred(&self, login: &LoginKey) -> Result<(View, Outgoing), Error> {
        let driven = self.viewing(login)?;
        Ok(self.carry_out_later(driven))
    }

    /// A PIN of an [`Outgoing`] did not go out: the login voids it and does not count the send
    /// ([`Report::PinNotDelivered`](tollgate_login::Report::PinNotDelivered)), and the view says so ("we could not send…").
    ///
    /// # Errors
    /// As [`Service::submit`] (another request may have moved the login on meanwhile).
    pub fn pin_not_delivered(&self, failed: NotDelivered) -> Result<View, Error> {
        tracing::info!(error = %failed.error, "a PIN did not go out");
        let driven = self.driver.submit(
            &*self.store,
            &failed.login,
            tollgate_login::Report::PinNotDelivered,
            self.now(),
            &mut self.request_rng()?,
        );
        let (view, messages, _) = self.carry_out_except_messages(self.audited(driven)?);
        if !messages.is_empty() {
            tracing::warn!(
                messages = messages.len(),
                "voiding a PIN wanted messages sent"
            );
        }
        Ok(view)
    }

    /// The PIN of `view` did not go out: the login voids it and does not count the send
    /// ([`Report::PinNotDelivered`](tollgate_login::Report::PinNotDelivered)), and the page says so. Should that step itself fail (another
    /// request moved the login on), `view` stands.
    fn not_delivered(&self, view: View) -> View {
        let Ok(mut rng) = self.request_rng() else {
            return view;
        };
        let now = self.now();
        let driven = self.driver.submit(
            &*self.store,
            &view.login,
            tollgate_login::Report::PinNotDelivered,
            now,
            &mut rng,
        );
        match driven {
            Ok(driven) => {
                let mut next = self.carry_out(driven);
                next.device = next.device.or(view.device);
                next
            }
            Err(e) => {
                tracing::warn!(error = %Error::from(e), "a failed PIN could not be voided");
                view
            }
        }
    }
}

impl Service {
    /// Hands `event` to the audit sink, and to the store's trail of its account when the
    /// service keeps one ([`crate::ServiceBuilder::audit_trail`]). A trail the store cannot write is
    /// logged, not fatal: the login it records has happened.
    pub(crate) fn record(&self, event: AuditEvent) {
        if self.audit_trail
            && let Some(record) = tollgate_store::AuditRecord::of(&event, self.now())
            && let Err(e) = self.store.append_audit(&record)
        {
            tracing::warn!(target: "tollgate::audit", kind = record.kind, error = %e, "the audit trail was not written");
        }
        self.audit.record(event);
    }

    /// Whether the store keeps each account's audit trail.
    pub(crate) fn keeps_audit_trail(&self) -> bool {
        self.audit_trail
    }
}
