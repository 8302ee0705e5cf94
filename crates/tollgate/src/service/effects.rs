//! Carrying out a transition's effects: deliveries (tried again under the policy), audit
//! events, the device cookie; and the compensating step when a PIN did not go out.

use tollgate_login::{Driven, Effect, Input};

use super::{Service, View};
use crate::error::Error;

impl Service {
    /// Carries out a stored transition's effects, in order, and makes the view.
    pub(super) fn carry_out(&self, driven: Driven) -> View {
        let mut device = None;
        let mut pin_failed = false;
        let retry = |send: &mut dyn FnMut() -> Result<(), crate::DeliveryError>| {
            self.retry.run(&*self.sleep, send)
        };
        for effect in driven.effects {
            crate::observe::effect(&effect);
            match effect {
                Effect::SendPin { to, pin } => {
                    let sent = retry(&mut || self.delivery.send_pin(&to, &pin));
                    crate::observe::sent(&to, sent.as_ref().err());
                    pin_failed |= sent.is_err();
                }
                Effect::Audit(event) => self.audit.record(event),
                Effect::Notify { user, notification } => {
                    let sent = retry(&mut || self.delivery.notify(&user, notification));
                    crate::observe::noticed("notice", sent.as_ref().err());
                }
                Effect::PasswordHelp { user } => {
                    let sent = retry(&mut || self.delivery.password_help(&user));
                    crate::observe::noticed("password_help", sent.as_ref().err());
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
        if pin_failed {
            self.not_delivered(view)
        } else {
            view
        }
    }

    /// The PIN of `view` did not go out: the login voids it and does not count the send
    /// ([`Input::PinNotDelivered`]), and the page says so. Should that step itself fail (another
    /// request moved the login on), `view` stands.
    fn not_delivered(&self, view: View) -> View {
        let Ok(mut rng) = self.request_rng() else {
            return view;
        };
        let now = self.now();
        let driven = self.driver.submit(
            &*self.store,
            &view.login,
            Input::PinNotDelivered,
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
