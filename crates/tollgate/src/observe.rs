//! What the service tells operators: [`tracing`] spans and events, and [`metrics`] counters,
//! gauges and histograms. Neither ever carries a password, a PIN, a code, activation data or a
//! key: spans name the input's kind and the screen reached, events the audit events (users,
//! serial numbers, channels), metrics only counts.
//!
//! Metrics (install any `metrics` recorder, e.g. `metrics-exporter-prometheus`):
//!
//! | name | kind | labels |
//! | --- | --- | --- |
//! | `tollgate_logins_started_total` | counter | |
//! | `tollgate_logins_finished_total` | counter | `outcome`: `authenticated` |
//! | `tollgate_enrollments_total` | counter | |
//! | `tollgate_failures_total` | counter | `factor`: `password`, `second_factor` |
//! | `tollgate_lockouts_total` | counter | `kind`: `cool_down`, `hard_limit`, `resets_closed` |
//! | `tollgate_resets_total` | counter | `step`: `started`, `password_set`, `needs_token` |
//! | `tollgate_recovery_total` | counter | `step`: `code_used`, `token_replaced` |
//! | `tollgate_sends_total` | counter | `channel`: `sms`, `email`; `result`: `sent`, `failed` |
//! | `tollgate_notices_failed_total` | counter | `kind`: `notice`, `password_help` |
//! | `tollgate_online_registrations_total` | counter | `result`: the answer's name |
//! | `tollgate_password_queue_depth` | gauge | |
//! | `tollgate_password_wait_seconds` | histogram | |
//! | `tollgate_password_busy_total` | counter | |

use metrics::counter;
use tollgate_login::{AuditEvent, Destination, Effect, Input, Screen};

/// A short name for a screen, for spans and logs.
pub(crate) fn screen_name(screen: &Screen) -> &'static str {
    match screen {
        Screen::EnterUserId => "enter_user_id",
        Screen::EnterPassword { .. } => "enter_password",
        Screen::EnterPin { .. } => "enter_pin",
        Screen::ChooseEnrollment { .. } => "choose_enrollment",
        Screen::MobileActivation(_) => "mobile_activation",
        Screen::DesktopActivation(_) => "desktop_activation",
        Screen::Enrolled { .. } => "enrolled",
        Screen::EnterTokenCode { .. } => "enter_token_code",
        Screen::UsePasskey { .. } => "use_passkey",
        Screen::CreatePasskey { .. } => "create_passkey",
        Screen::SecondFactorLocked { .. } => "second_factor_locked",
        Screen::Authenticated { .. } => "authenticated",
        Screen::ResetStart { .. } => "reset_start",
        Screen::EnterRecoveryCode { .. } => "enter_recovery_code",
        Screen::RecoveryCodes { .. } => "recovery_codes",
        Screen::ResetPin { .. } => "reset_pin",
        Screen::NewPassword { .. } => "new_password",
        Screen::PasswordChanged { .. } => "password_changed",
    }
}

/// The kind of an input, without what was typed.
pub(crate) fn input_kind<P>(input: &Input<P>) -> &'static str {
    match input {
        Input::UserId(_) => "user_id",
        Input::Password(_) => "password",
        Input::ForgotPassword => "forgot_password",
        Input::Pin(_) => "pin",
        Input::ResendPin => "resend_pin",
        Input::AlternativeAuthentication => "alternative",
        Input::ChooseEnrollment(_) => "choose_enrollment",
        Input::RegistrationCode(_) => "registration_code",
        Input::RegistrationArrived => "registration_arrived",
        Input::Continue => "continue",
        Input::OpenPathCode(_) => "open_path_code",
        Input::TokenCode(_) => "token_code",
        Input::NoAuthenticator => "no_authenticator",
        Input::LostToken => "lost_token",
        Input::RecoveryCode(_) => "recovery_code",
        Input::NewRecoveryCodes => "new_recovery_codes",
        Input::ChangePassword => "change_password",
        Input::NewPassword(_) => "new_password",
        Input::BeginPasskey => "begin_passkey",
        Input::Passkey(_) => "passkey",
        Input::RemovePasskey(_) => "remove_passkey",
        Input::RenamePasskey { .. } => "rename_passkey",
        Input::PhishingResistantOnly(_) => "phishing_resistant_only",
        Input::Cancel => "cancel",
        Input::Tick => "tick",
        _ => "other",
    }
}

/// Counts and logs one effect as it is carried out.
pub(crate) fn effect(effect: &Effect) {
    match effect {
        Effect::Audit(event) => audit(event),
        Effect::Notify { notification, .. } => {
            tracing::info!(target: "tollgate::delivery", ?notification, "notice to send");
        }
        _ => {}
    }
}

/// Counts and logs a PIN's delivery, once its tries are over.
pub(crate) fn sent(to: &Destination, failed: Option<&crate::DeliveryError>) {
    let channel = match to {
        Destination::Sms(_) => "sms",
        Destination::Email(_) => "email",
    };
    let result = if failed.is_some() { "failed" } else { "sent" };
    counter!("tollgate_sends_total", "channel" => channel, "result" => result).increment(1);
    match failed {
        None => tracing::info!(target: "tollgate::delivery", channel, "PIN sent"),
        Some(e) => {
            tracing::warn!(target: "tollgate::delivery", channel, error = %e, "PIN not sent")
        }
    }
}

/// Logs a notice's delivery failure (a notice is not retried past the policy, and nothing
/// waits for it).
pub(crate) fn noticed(what: &'static str, failed: Option<&crate::DeliveryError>) {
    if let Some(e) = failed {
        counter!("tollgate_notices_failed_total", "kind" => what).increment(1);
        tracing::warn!(target: "tollgate::delivery", what, error = %e, "not delivered");
    }
}

/// Counts and logs one audit event.
pub(crate) fn audit(event: &AuditEvent) {
    match event {
        AuditEvent::PasswordRefused { .. } => {
            counter!("tollgate_failures_total", "factor" => "password").increment(1);
        }
        AuditEvent::CodeRefused { .. } | AuditEvent::CodeReplayed { .. } => {
            counter!("tollgate_failures_total", "factor" => "second_factor").increment(1);
        }
        AuditEvent::Locked { .. } => {
            counter!("tollgate_lockouts_total", "kind" => "cool_down").increment(1);
        }
        AuditEvent::SecondFactorLocked { .. } => {
            counter!("tollgate_lockouts_total", "kind" => "hard_limit").increment(1);
        }
        AuditEvent::TokenEnrolled { .. } => counter!("tollgate_enrollments_total").increment(1),
        AuditEvent::Authenticated { .. } => {
            counter!("tollgate_logins_finished_total", "outcome" => "authenticated").increment(1);
        }
        AuditEvent::ResetStarted { .. } => {
            counter!("tollgate_resets_total", "step" => "started").increment(1);
        }
        AuditEvent::PasswordReset { .. } => {
            counter!("tollgate_resets_total", "step" => "password_set").increment(1);
        }
        AuditEvent::ResetNeedsToken { .. } => {
            counter!("tollgate_resets_total", "step" => "needs_token").increment(1);
        }
        AuditEvent::RecoveryCodeUsed { .. } => {
            counter!("tollgate_recovery_total", "step" => "code_used").increment(1);
        }
        AuditEvent::TokenReplaced { .. } => {
            counter!("tollgate_recovery_total", "step" => "token_replaced").increment(1);
        }
        AuditEvent::ResetsClosed { .. } => {
            counter!("tollgate_lockouts_total", "kind" => "resets_closed").increment(1);
        }
        _ => {}
    }
    tracing::info!(target: "tollgate::audit", event = ?event);
}
