//! The default screens of "Password locked or forgotten?".

use maud::{Markup, html};
use tollgate::login::{Channel, Message, MessageId, PasswordRules, UserId};

use super::{Field, PageContext};

fn heading(cx: &PageContext<'_>, who: &UserId) -> Markup {
    html! {
        h1 { (cx.text(MessageId::ResetPassword)) }
        p class="user" { (who.as_str()) }
    }
}

/// The authenticator's code, or "I no longer have my authenticator".
pub(super) fn start(cx: &PageContext<'_>, who: &UserId) -> Markup {
    html! {
        (heading(cx, who))
        (cx.field("token", MessageId::ResetEnterTokenCode, Field::Code { focus: true }, MessageId::Next))
        (cx.field("recovery_code", MessageId::EnterRecoveryCode, Field::Text, MessageId::Next))
        (cx.link_button("no_authenticator", MessageId::NoAuthenticator))
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

/// A reset's PIN: by which channel it went, never where.
pub(super) fn pin(
    cx: &PageContext<'_>,
    who: &UserId,
    channel: Channel,
    step: u8,
    alternative: bool,
) -> Markup {
    let label = match channel {
        Channel::Sms => MessageId::ResetPinSms,
        _ => MessageId::ResetPinEmail,
    };
    let resend = match channel {
        Channel::Sms => MessageId::ResendBySms,
        _ => MessageId::ResendByEmail,
    };
    let progress = Message::new(MessageId::ResetStep).with("step", step.to_string());
    html! {
        (heading(cx, who))
        p id="reset_step" { (cx.catalog.render(&progress)) }
        (cx.field("pin", label, Field::Code { focus: true }, MessageId::Next))
        (cx.link_button("resend", resend))
        @if alternative {
            (cx.link_button("alternative", MessageId::AlternativeAuthentication))
        }
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

/// The new password, with its rules stated.
pub(super) fn new_password(cx: &PageContext<'_>, who: &UserId, rules: PasswordRules) -> Markup {
    let stated = Message::new(MessageId::PasswordRules)
        .with("min", rules.min.to_string())
        .with("max", rules.max.to_string());
    html! {
        (heading(cx, who))
        p id="password_rules" { (cx.catalog.render(&stated)) }
        (cx.field("new_password", MessageId::NewPassword, Field::NewPassword, MessageId::SetPassword))
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

/// The password was changed: on to log in with it.
pub(super) fn changed(cx: &PageContext<'_>) -> Markup {
    html! {
        h1 id="changed" { (cx.text(MessageId::PasswordChanged)) }
        (cx.form("continue", cx.button(MessageId::Continue, "primary", "continue")))
    }
}
