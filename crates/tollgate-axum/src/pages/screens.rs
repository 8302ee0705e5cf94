//! The default screens, in the portal guide's wording (the catalogues') and layout.

use maud::{DOCTYPE, Markup, html};
use tollgate::login::recovery::RecoveryCode;
use tollgate::login::{Message, MessageId, UserId};

use super::{Field, PageContext};

pub(super) fn layout(cx: &PageContext<'_>, screen: &str, main: Markup) -> Markup {
    let languages = cx.languages();
    // A logged-in session ends with "Log out"; a login on its way starts over.
    let end = match screen {
        "authenticated" | "recovery-codes" | "enrolled" => MessageId::LogOut,
        _ => MessageId::StartOver,
    };
    html! {
        (DOCTYPE)
        html lang=(cx.catalog.language()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width";
                title { (cx.title()) }
                link rel="stylesheet" href=(cx.url("style.css"));
                script src=(cx.url("app.js")) defer {}
            }
            body {
                @if cx.dev_outbox {
                    p class="dev-banner" id="dev_banner" { (cx.text(MessageId::DevOutboxBanner)) }
                }
                header {
                    span class="brand" { (cx.title()) }
                    form method="post" action=(cx.url("lang")) class="lang" {
                        input type="hidden" name="csrf" value=(cx.csrf);
                        label for="lang" { (cx.text(MessageId::LanguageLabel)) }
                        select id="lang" name="lang" {
                            @for (index, (tag, name)) in languages.iter().enumerate() {
                                option value=(tag) selected[index == cx.language] { (name) }
                            }
                        }
                        button type="submit" id="set_lang" { "OK" }
                    }
                }
                main data-screen=(screen) data-render=(cx.render) { (main) }
                footer {
                    (cx.form("logout", html! {
                        button type="submit" class="link" id="logout" { (cx.text(end)) }
                    }))
                    @if cx.dev_outbox {
                        a href=(cx.url("outbox")) target="_blank" { (cx.text(MessageId::OutboxLink)) }
                    }
                }
            }
        }
    }
}

pub(super) fn user(user: &UserId) -> Markup {
    html! { p class="user" { (user.as_str()) } }
}

pub(super) fn enter_user_id(cx: &PageContext<'_>) -> Markup {
    html! {
        h1 { (cx.text(MessageId::LogIn)) }
        p { (cx.text(MessageId::Login)) }
        (cx.field("user_id", MessageId::EnterUserId, Field::Email, MessageId::Next))
        @if cx.passkeys {
            (cx.form("begin_passkey", cx.button(MessageId::LogInWithPasskey, "link", "passkey_first")))
        }
    }
}

pub(super) fn enter_password(cx: &PageContext<'_>, who: &UserId) -> Markup {
    html! {
        (user(who))
        (cx.field("password", MessageId::EnterPassword, Field::Password, MessageId::Next))
        (cx.link_button("forgot", MessageId::PasswordLockedOrForgotten))
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

pub(super) fn enter_pin(
    cx: &PageContext<'_>,
    who: &UserId,
    sent_to: Option<&str>,
    alternative: bool,
) -> Markup {
    let sent = sent_to.map(|to| Message::new(MessageId::PinSentTo).with("destination", to));
    html! {
        (user(who))
        @if let Some(sent) = sent {
            p id="sent_to" { (cx.catalog.render(&sent)) }
        }
        (cx.field("pin", MessageId::EnterPin, Field::Code { focus: true }, MessageId::LogIn))
        (cx.link_button("resend", MessageId::ResendBySms))
        @if alternative {
            (cx.link_button("alternative", MessageId::AlternativeAuthentication))
        }
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

pub(super) fn enrolled(cx: &PageContext<'_>, codes: &[RecoveryCode]) -> Markup {
    html! {
        h1 { (cx.text(MessageId::Enrolled)) }
        (code_list(cx, codes))
        (cx.form("continue", cx.button(MessageId::Continue, "primary", "continue")))
    }
}

/// Recovery codes, with what to do with them; nothing when there are none.
fn code_list(cx: &PageContext<'_>, codes: &[RecoveryCode]) -> Markup {
    html! {
        @if !codes.is_empty() {
            p id="recovery_intro" { (cx.text(MessageId::RecoveryCodesIntro)) }
            ol id="recovery_codes" class="codes" {
                @for code in codes { li { code { (code.expose_grouped().as_str()) } } }
            }
        }
    }
}

pub(super) fn enter_recovery_code(cx: &PageContext<'_>, who: &UserId, left: usize) -> Markup {
    let left = Message::new(MessageId::RecoveryLeft).with("left", left.to_string());
    html! {
        (user(who))
        p id="recovery_left" { (cx.catalog.render(&left)) }
        (cx.field("recovery_code", MessageId::EnterRecoveryCode, Field::Text, MessageId::Next))
        p class="hint" id="grant_hint" { (cx.text(MessageId::GrantHint)) }
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

pub(super) fn recovery_codes(cx: &PageContext<'_>, who: &UserId, codes: &[RecoveryCode]) -> Markup {
    html! {
        (user(who))
        (code_list(cx, codes))
        @if let Some(after) = cx.config.after_login.as_deref() {
            p { a id="continue" href=(after) { (cx.text(MessageId::Continue)) } }
        }
    }
}

pub(super) fn enter_token_code(
    cx: &PageContext<'_>,
    who: &UserId,
    passkey: bool,
    codes: bool,
) -> Markup {
    html! {
        (user(who))
        @if passkey {
            (cx.form("begin_passkey", cx.button(MessageId::UsePasskey, "primary", "begin_passkey")))
        }
        @if codes {
            (cx.field("token", MessageId::EnterTokenCode, Field::Code { focus: !passkey }, MessageId::LogIn))
            (cx.link_button("lost_token", MessageId::NoAuthenticator))
        }
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

pub(super) fn second_factor_locked(cx: &PageContext<'_>, who: &UserId) -> Markup {
    html! {
        (user(who))
        p id="locked" { (cx.text(MessageId::SecondFactorLocked)) }
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

pub(super) fn authenticated(
    cx: &PageContext<'_>,
    who: &UserId,
    authenticators: &[tollgate::login::Authenticator],
    can_add: bool,
) -> Markup {
    html! {
        h1 id="welcome" { (cx.text(MessageId::LoggedIn)) }
        (user(who))
        (super::authenticators::list(cx, authenticators, can_add))
        (cx.link_button("new_recovery_codes", MessageId::NewRecoveryCodes))
        (cx.link_button("change_password", MessageId::ChangePassword))
    }
}
