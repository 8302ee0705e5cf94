//! Passkeys' pages: "Use a passkey" at a login, "Add a passkey" once logged in, and the
//! session page's list with "Remove" and the "phishing-resistant only" switch.
//!
//! A ceremony's page is a form (`id="passkey"`, action `passkey`) whose `data-passkey` says
//! which ceremony and whose `data-options` holds the machine's options; the crate's script
//! (`script.js`, under the page's CSP: no inline script) runs the browser's ceremony when the
//! form is sent, and posts its answer in the form's `value`. If the browser has no passkeys or
//! the user cancels, the page says so and nothing is posted.

use maud::{Markup, html};
use tollgate::login::{MessageId, Passkey, UserId};

use super::PageContext;
use super::authenticators::dated;
use super::screens::user;

/// The form whose sending runs `ceremony` (`get` or `create`) with `options`.
fn ceremony(cx: &PageContext<'_>, ceremony: &str, options: &str, help: MessageId) -> Markup {
    html! {
        p id="passkey_help" { (cx.text(help)) }
        p id="passkey_failed" class="notice" hidden { (cx.text(MessageId::PasskeyNotAdded)) }
        p id="passkey_unsupported" class="notice" hidden { (cx.text(MessageId::PasskeyUnsupported)) }
        form id="passkey" method="post" action=(cx.url("submit")) data-passkey=(ceremony) data-options=(options) {
            input type="hidden" name="csrf" value=(cx.csrf);
            input type="hidden" name="action" value="passkey";
            input type="hidden" name="value" value="";
            (cx.button(MessageId::PasskeyContinue, "primary", "passkey_continue"))
        }
    }
}

pub(super) fn use_passkey(cx: &PageContext<'_>, who: Option<&UserId>, options: &str) -> Markup {
    html! {
        @if let Some(who) = who {
            (user(who))
        }
        (ceremony(cx, "get", options, MessageId::UsePasskeyHelp))
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

pub(super) fn create_passkey(cx: &PageContext<'_>, who: &UserId, options: &str) -> Markup {
    html! {
        (user(who))
        (ceremony(cx, "create", options, MessageId::CreatePasskeyHelp))
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

/// The session page's passkeys, "Add a passkey" and the switch.
pub(super) fn list(
    cx: &PageContext<'_>,
    passkeys: &[Passkey],
    can_add: bool,
    phishing_resistant: bool,
) -> Markup {
    html! {
        @if !passkeys.is_empty() || can_add {
            h2 { (cx.text(MessageId::YourPasskeys)) }
        }
        @if !passkeys.is_empty() {
            ul class="authenticators" id="passkeys" {
                @for (index, p) in passkeys.iter().enumerate() {
                    li data-credential=(p.id) {
                        strong class="name" {
                            @match &p.name {
                                Some(name) => (name.as_str()),
                                None => (cx.text(MessageId::PasskeyUnnamed)),
                            }
                        }
                        @if p.synced {
                            " " span class="synced" { (cx.text(MessageId::PasskeySynced)) }
                        }
                        span class="date" { (dated(cx, MessageId::AuthenticatorAddedOn, p.enrolled_at)) }
                        span class="date" {
                            @match p.last_used {
                                Some(at) => (dated(cx, MessageId::AuthenticatorLastUsed, at)),
                                None => (cx.text(MessageId::AuthenticatorNotUsed)),
                            }
                        }
                        (cx.form("rename_passkey", html! {
                            input type="hidden" name="serial" value=(p.id);
                            label for=(format!("passkey_name_{index}")) { (cx.text(MessageId::AuthenticatorName)) }
                            input type="text" id=(format!("passkey_name_{index}")) name="value" maxlength="40"
                                value=(p.name.as_ref().map(|n| n.as_str()).unwrap_or_default());
                            button type="submit" class="link" id=(format!("rename_passkey_{index}")) {
                                (cx.text(MessageId::RenameAuthenticator))
                            }
                        }))
                        (cx.form("remove_passkey", html! {
                            input type="hidden" name="serial" value=(p.id);
                            button type="submit" class="link" id=(format!("remove_passkey_{index}")) {
                                (cx.text(MessageId::RemoveAuthenticator))
                            }
                        }))
                    }
                }
            }
        }
        @if can_add {
            (cx.link_button("add_passkey", MessageId::AddPasskey))
        }
        @if phishing_resistant {
            (cx.link_button("phishing_resistant_off", MessageId::AllowCodes))
        } @else if !passkeys.is_empty() {
            (cx.link_button("phishing_resistant_on", MessageId::PhishingResistantOnly))
        }
    }
}
