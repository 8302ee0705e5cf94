//! The enrollment page as the portal's guide shows it: "Progress 1 of 1" and numbered steps
//! (1. mobile or desktop, 2. download or copy, 3. scan or enter the registration code, 4. the
//! activation password), with the app's online registration and the user's OK.

use maud::{Markup, html};
use tollgate::login::{DesktopActivation, EnrollmentKind, Message, MessageId, MobileActivation};

use super::{Field, PageContext};

/// The heading and the progress line.
fn intro(cx: &PageContext<'_>) -> Markup {
    let progress = Message::new(MessageId::Progress)
        .with("step", "1")
        .with("steps", "1");
    html! {
        h1 { (cx.text(MessageId::SetUpAuthentication)) }
        p class="progress" id="progress" { (cx.catalog.render(&progress)) }
    }
}

/// Step 1: mobile or desktop (`chosen` marked).
fn heading(cx: &PageContext<'_>, chosen: Option<EnrollmentKind>) -> Markup {
    let choice = |kind, id, action| {
        let class = if chosen == Some(kind) {
            "choice chosen"
        } else {
            "choice"
        };
        cx.form(action, cx.button(id, class, action))
    };
    html! {
        li {
            p { (cx.text(MessageId::MobileOrDesktop)) }
            div class="choice" {
                (choice(EnrollmentKind::Mobile, MessageId::Mobile, "mobile"))
                (choice(EnrollmentKind::Desktop, MessageId::Desktop, "desktop"))
            }
        }
    }
}

pub(super) fn choose(cx: &PageContext<'_>) -> Markup {
    html! {
        (intro(cx))
        (intro(cx))
        ol class="steps" { (heading(cx, None)) }
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

/// Where the app's registration stands, above OK.
fn arrival(cx: &PageContext<'_>, arrived: bool) -> Markup {
    let (class, id) = if arrived {
        ("arrived", MessageId::RegistrationArrived)
    } else {
        ("waiting", MessageId::ClickOkWhenActivated)
    };
    html! { p id="registration_status" class=(class) { (cx.text(id)) } }
}

/// The Response field (behind a disclosure on the mobile path, where the app registers itself)
/// and OK, in one form: OK with Response empty finishes with the registration the app
/// reported; with a code typed, with that code.
fn ok_form(cx: &PageContext<'_>, behind_disclosure: bool) -> Markup {
    let field = html! {
        label for="registration" { (cx.text(MessageId::Response)) " *" }
        input id="registration" name="value" type="text" autocomplete="off" inputmode="numeric";
    };
    html! {
        (cx.form("registration", html! {
            @if behind_disclosure {
                details id="offline" {
                    summary { (cx.text(MessageId::AppShowsRegistrationCode)) }
                    p { (cx.text(MessageId::EnterRegistrationCode)) }
                    (field)
                }
            } @else {
                (field)
            }
            (cx.button(MessageId::Ok, "primary", "ok"))
        }))
        (cx.link_button("cancel", MessageId::Cancel))
    }
}

pub(super) fn mobile(cx: &PageContext<'_>, page: &MobileActivation) -> Markup {
    html! {
        (intro(cx))
        ol class="steps" {
            (heading(cx, Some(EnrollmentKind::Mobile)))
            li { p { (cx.text(MessageId::DownloadApp)) } }
            li {
                p { (cx.text(MessageId::ScanQrCode)) }
                img id="qr" src=(cx.url("qr.png")) alt=(cx.text(MessageId::QrAlt)) width="296" height="296";
            }
            li {
                p { (cx.text(MessageId::CopyActivationPassword)) }
                (cx.copyable("activation_password", MessageId::ActivationPassword, &page.password.expose_secret()))
            }
        }
        (arrival(cx, page.registration_arrived))
        (ok_form(cx, true))
        @if let Some(open) = &page.open {
            section id="open_path" {
                p { (cx.text(MessageId::ScanOpenQrCode)) }
                img id="open_qr" src=(cx.url("open-qr.png")) alt=(cx.text(MessageId::OpenQrAlt)) width="296" height="296";
                (cx.copyable("open_key", MessageId::OpenPathKey, &open.key))
                (cx.field("open_code", MessageId::EnterOpenPathCode, Field::Code { focus: false }, MessageId::Next))
            }
        }
    }
}

pub(super) fn desktop(cx: &PageContext<'_>, page: &DesktopActivation) -> Markup {
    html! {
        (intro(cx))
        ol class="steps" {
            (heading(cx, Some(EnrollmentKind::Desktop)))
            li {
                p { (cx.text(MessageId::CopyActivationParameters)) }
                (cx.copyable("address", MessageId::Address, &page.address))
                (cx.copyable("serial", MessageId::SerialNumber, &page.serial.to_string()))
                (cx.copyable("activation_code", MessageId::ActivationCode, &page.activation_code.expose_grouped()))
            }
            li { p { (cx.text(MessageId::EnterRegistrationCode)) } }
        }
        @if page.registration_arrived {
            (arrival(cx, true))
        }
        (ok_form(cx, false))
    }
}
