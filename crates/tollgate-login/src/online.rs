//! Online registration: the token reports its registration code to the registration address,
//! and the login that issued the activation data completes the enrollment with it when the
//! user clicks OK.
//!
//! The registration only files the code with the pending activation: no token is enrolled
//! outside the login that proved the password and the PIN. The login then takes it
//! ([`Input::RegistrationArrived`](crate::Input::RegistrationArrived)) as if it had been
//! typed into "Response".

use subtle::ConstantTimeEq as _;
use tollgate_codes::{OnlineError, RegistrationRequest, SerialNumber};
use tollgate_otp::UnixTime;

use crate::account::{Account, MAX_ONLINE_FAILURES, OnlineRegistration};
use crate::config::Config;
use crate::driver::{Change, Driver, LoginStore, change_account};
use crate::error::DriveError;
use crate::output::AuditEvent;
use crate::user::UserId;

/// What the registration address answers a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnlineOutcome {
    /// Filed: the user clicks OK in the browser to finish.
    Registered,
    /// The same registration again (a token retrying after a lost answer): nothing changed.
    AlreadyRegistered,
    /// Another registration code was filed for these activation data first: single use.
    Conflict,
    /// No activation awaits that serial number with that proof (none was issued, it was used,
    /// or the proof does not verify: not told apart, so that a stranger probing serial numbers
    /// learns nothing).
    Refused,
    /// The proof verifies but the activation data have expired.
    Expired,
    /// The proof verifies but the registration code is not valid under the service's
    /// registration scheme.
    NotForThisActivation,
    /// Too many refused registrations for these activation data, or the account refuses codes
    /// now: not checked. The registration code can still be typed into "Response".
    TooManyFailures,
}

impl OnlineOutcome {
    /// Whether the token's registration is filed (now or before).
    #[must_use]
    pub fn is_registered(self) -> bool {
        matches!(self, Self::Registered | Self::AlreadyRegistered)
    }

    /// A short, stable name for logs, audit and the JSON answer.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::AlreadyRegistered => "already_registered",
            Self::Conflict => "conflict",
            Self::Refused => "refused",
            Self::Expired => "expired",
            Self::NotForThisActivation => "not_for_this_activation",
            Self::TooManyFailures => "too_many_failures",
        }
    }
}

/// What one online registration came to: the answer, and the audit events to record.
#[derive(Debug)]
#[must_use]
pub struct OnlineReceipt {
    /// The answer.
    pub outcome: OnlineOutcome,
    /// The audit events, in order.
    pub audit: Vec<AuditEvent>,
}

impl Driver {
    /// Files a token's online registration with the pending activation of its serial number,
    /// after checking the proof, the expiry and the registration scheme
    /// ([`Activation::complete_online`](tollgate_codes::Activation::complete_online)). A
    /// refused proof or code is counted against the activation (at [`MAX_ONLINE_FAILURES`]
    /// no more are checked), not against the account: whoever sends them need not know the
    /// password.
    ///
    /// # Errors
    /// [`DriveError::Store`]; [`DriveError::Contended`] when the account keeps changing.
    pub fn register_online<S: LoginStore + ?Sized>(
        &self,
        store: &S,
        request: &RegistrationRequest,
        now: UnixTime,
    ) -> Result<OnlineReceipt, DriveError<S::Error>> {
        let serial = request.serial();
        let Some(user) = store.user_of_serial(&serial).map_err(DriveError::Store)? else {
            return Ok(refused(OnlineOutcome::Refused, serial, "unknown serial"));
        };
        let config = self.machine().config();
        let decided = change_account(store, &user, |account| {
            decide(config, account, &user, request, now)
        })?;
        Ok(decided.unwrap_or_else(|| refused(OnlineOutcome::Refused, serial, "unknown serial")))
    }
}

/// A registration refused, with its audit event.
fn refused(outcome: OnlineOutcome, serial: SerialNumber, reason: &'static str) -> OnlineReceipt {
    OnlineReceipt {
        outcome,
        audit: vec![AuditEvent::RegistrationRefused { serial, reason }],
    }
}

/// What a registration does to `account`, as loaded: files it, counts a refusal against the
/// activation, or changes nothing.
fn decide(
    config: &Config,
    account: &Account,
    user: &UserId,
    request: &RegistrationRequest,
    now: UnixTime,
) -> Change<OnlineReceipt> {
    let serial = request.serial();
    let keep = |outcome, reason| Change::Keep(refused(outcome, serial, reason));
    let mut state = account.state.clone();
    let Some(pending) = state
        .pending
        .as_mut()
        .filter(|p| p.activation.serial() == serial)
    else {
        // The serial number is the enrolled token's: its activation was used.
        return keep(OnlineOutcome::Refused, "no pending activation");
    };
    if pending.online_failures >= MAX_ONLINE_FAILURES
        || config.second_factor_locked(&account.state)
        || account.is_locked(now)
    {
        return keep(OnlineOutcome::TooManyFailures, "not checked");
    }
    let checked = pending
        .activation
        .complete_online(request, config.registration_scheme, now);
    let (outcome, event) = match checked {
        Ok(_) => match &pending.registered {
            Some(filed) if bool::from(filed.code.ct_eq(request.registration_code())) => {
                return Change::Keep(OnlineReceipt {
                    outcome: OnlineOutcome::AlreadyRegistered,
                    audit: Vec::new(),
                });
            }
            Some(_) => return keep(OnlineOutcome::Conflict, "already used"),
            None => {
                pending.registered = Some(OnlineRegistration {
                    code: request.registration_code().clone(),
                    at: now,
                });
                let event = AuditEvent::RegistrationReceived {
                    user: user.clone(),
                    serial,
                };
                (OnlineOutcome::Registered, event)
            }
        },
        Err(OnlineError::Expired) => return keep(OnlineOutcome::Expired, "expired"),
        Err(OnlineError::NotForThisActivation) => {
            pending.online_failures = pending.online_failures.saturating_add(1);
            (
                OnlineOutcome::NotForThisActivation,
                AuditEvent::RegistrationRefused {
                    serial,
                    reason: "not for this activation",
                },
            )
        }
        Err(_) => {
            pending.online_failures = pending.online_failures.saturating_add(1);
            (
                OnlineOutcome::Refused,
                AuditEvent::RegistrationRefused {
                    serial,
                    reason: "wrong proof",
                },
            )
        }
    };
    Change::Store(
        state,
        OnlineReceipt {
            outcome,
            audit: vec![event],
        },
    )
}
