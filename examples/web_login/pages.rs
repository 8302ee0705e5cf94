//! The portal's screens as server-rendered HTML, in the words of the login crate's catalogues.
//! Every form posts to `/submit` with the session's CSRF token; nothing secret goes in a URL.

use std::fmt::Write as _;

use tollgate::login::{Message, MessageId, Screen};
use tollgate::{Delivered, View};

use crate::session::Lang;

/// Text for HTML: `&`, `<`, `>`, `"` and `'` escaped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The example's own words (the catalogues hold the portal's).
pub(crate) fn ui(lang: Lang, key: &str) -> &'static str {
    match (lang, key) {
        (Lang::English, "title") => "Remote Signing Service",
        (Lang::French, "title") => "Service de signature à distance",
        (Lang::English, "language") => "Language",
        (Lang::French, "language") => "Langue",
        (Lang::English, "copy") => "Copy",
        (Lang::French, "copy") => "Copier",
        (Lang::English, "outbox") => "Outbox (development)",
        (Lang::French, "outbox") => "Boîte d'envoi (développement)",
        (Lang::English, "dev_outbox") => {
            "Development outbox on: this browser's PINs are shown at /outbox. Never in production."
        }
        (Lang::French, "dev_outbox") => {
            "Boîte d'envoi de développement active : les codes PIN de ce navigateur sont affichés \
             sur /outbox. Jamais en production."
        }
        (Lang::English, "logout") => "Start over",
        (Lang::French, "logout") => "Recommencer",
        (Lang::English, "qr") => "QR code for the mobile app",
        (Lang::French, "qr") => "Code QR pour l'application mobile",
        (Lang::English, "open_qr") => "QR code for any authenticator app",
        (Lang::French, "open_qr") => "Code QR pour toute application d'authentification",
        _ => "",
    }
}

/// The attributes of a field for a one-time code: digits, and the browser's own help with
/// codes that arrive by SMS.
pub(crate) const ONE_TIME_CODE: &str = r#"inputmode="numeric" autocomplete="one-time-code""#;

/// [`ONE_TIME_CODE`], for the one field of its page (the cursor starts there).
const FOCUSED_CODE: &str = r#"autofocus inputmode="numeric" autocomplete="one-time-code""#;

/// What a page needs besides the view.
pub(crate) struct Page<'a> {
    pub(crate) lang: Lang,
    pub(crate) csrf: &'a str,
    /// A notice carried over a redirect, shown if the view has none.
    pub(crate) flash: Option<&'a Message>,
    /// This rendering's number, in `data-render`: a browser test tells a new page from the
    /// one it replaced, even when both show the same screen.
    pub(crate) render: u64,
    /// Whether the development outbox is on: a banner says so on every page.
    pub(crate) dev_outbox: bool,
}

impl Page<'_> {
    pub(crate) fn form(&self, out: &mut String, action: &str, body: &str) {
        let _ = write!(
            out,
            r#"<form method="post" action="/submit"><input type="hidden" name="csrf" value="{}"><input type="hidden" name="action" value="{action}">{body}</form>"#,
            escape(self.csrf)
        );
    }

    pub(crate) fn button(&self, id: MessageId, class: &str, html_id: &str) -> String {
        let catalog = self.lang.catalog();
        format!(
            r#"<button type="submit" class="{class}" id="{html_id}">{}</button>"#,
            escape(&catalog.text(id))
        )
    }

    /// A form with one text field and a "Next" button.
    fn field(&self, out: &mut String, action: &str, label: MessageId, kind: &str, extra: &str) {
        self.field_with(
            out,
            action,
            label,
            kind,
            &format!("autofocus {extra}"),
            MessageId::Next,
        );
    }

    /// A form with one text field and a button that says `button` ("Login" sends a code).
    pub(crate) fn field_with(
        &self,
        out: &mut String,
        action: &str,
        label: MessageId,
        kind: &str,
        extra: &str,
        button: MessageId,
    ) {
        let catalog = self.lang.catalog();
        let off = if extra.contains("autocomplete") {
            ""
        } else {
            r#"autocomplete="off""#
        };
        let body = format!(
            r#"<label for="{action}">{}</label><input id="{action}" name="value" type="{kind}" {off} required {extra}>{}"#,
            escape(&catalog.text(label)),
            self.button(button, "primary", &format!("{action}_next"))
        );
        self.form(out, action, &body);
    }

    pub(crate) fn link_button(&self, out: &mut String, action: &str, id: MessageId) {
        let button = self.button(id, "link", action);
        self.form(out, action, &button);
    }

    pub(crate) fn copyable(&self, out: &mut String, id: &str, label: MessageId, value: &str) {
        let catalog = self.lang.catalog();
        let _ = write!(
            out,
            r#"<div class="row"><span class="label">{}</span><code id="{id}">{}</code><button type="button" class="copy" data-copy="{id}">{}</button></div>"#,
            escape(&catalog.text(label)),
            escape(value),
            ui(self.lang, "copy")
        );
    }

    /// The whole page for `view`.
    pub(crate) fn render(&self, view: &View) -> String {
        let catalog = self.lang.catalog();
        let t = |id| escape(&catalog.text(id));
        let mut main = String::new();
        let notice = view.notice.as_ref().or(self.flash);
        if let Some(notice) = notice {
            let _ = write!(
                main,
                r#"<p id="notice" class="notice" role="alert">{}</p>"#,
                escape(&catalog.render(notice))
            );
        }
        let screen = match &view.screen {
            Screen::EnterUserId => {
                let _ = write!(
                    main,
                    "<h1>{}</h1><p>{}</p>",
                    t(MessageId::LogIn),
                    t(MessageId::Login)
                );
                self.field(&mut main, "user_id", MessageId::EnterUserId, "text", "");
                "enter-user-id"
            }
            Screen::EnterPassword { user } => {
                let _ = write!(main, r#"<p class="user">{}</p>"#, escape(user.as_str()));
                self.field(
                    &mut main,
                    "password",
                    MessageId::EnterPassword,
                    "password",
                    "",
                );
                self.link_button(&mut main, "forgot", MessageId::PasswordLockedOrForgotten);
                self.link_button(&mut main, "cancel", MessageId::Cancel);
                "enter-password"
            }
            Screen::EnterPin {
                user,
                sent_to,
                alternative,
                ..
            } => {
                let _ = write!(main, r#"<p class="user">{}</p>"#, escape(user.as_str()));
                let sent = Message::new(MessageId::PinSentTo).with("destination", sent_to.clone());
                let _ = write!(
                    main,
                    r#"<p id="sent_to">{}</p>"#,
                    escape(&catalog.render(&sent))
                );
                self.field_with(
                    &mut main,
                    "pin",
                    MessageId::EnterPin,
                    "text",
                    FOCUSED_CODE,
                    MessageId::LogIn,
                );
                self.link_button(&mut main, "resend", MessageId::ResendBySms);
                if *alternative {
                    self.link_button(
                        &mut main,
                        "alternative",
                        MessageId::AlternativeAuthentication,
                    );
                }
                self.link_button(&mut main, "cancel", MessageId::Cancel);
                "enter-pin"
            }
            Screen::ChooseEnrollment { .. } => {
                self.choose(&mut main, None);
                "choose-enrollment"
            }
            Screen::MobileActivation(page) => {
                self.mobile(&mut main, page);
                "mobile-activation"
            }
            Screen::DesktopActivation(page) => {
                self.desktop(&mut main, page);
                "desktop-activation"
            }
            Screen::Enrolled { .. } => {
                let _ = write!(main, "<h1>{}</h1>", t(MessageId::Enrolled));
                let button = self.button(MessageId::Continue, "primary", "continue");
                self.form(&mut main, "continue", &button);
                "enrolled"
            }
            Screen::EnterTokenCode { user } => {
                let _ = write!(main, r#"<p class="user">{}</p>"#, escape(user.as_str()));
                self.field_with(
                    &mut main,
                    "token",
                    MessageId::EnterTokenCode,
                    "text",
                    FOCUSED_CODE,
                    MessageId::LogIn,
                );
                self.link_button(&mut main, "cancel", MessageId::Cancel);
                "enter-token-code"
            }
            Screen::SecondFactorLocked { user } => {
                let _ = write!(
                    main,
                    r#"<p class="user">{}</p><p id="locked">{}</p>"#,
                    escape(user.as_str()),
                    t(MessageId::SecondFactorLocked)
                );
                self.link_button(&mut main, "cancel", MessageId::Cancel);
                "second-factor-locked"
            }
            Screen::Authenticated { user } => {
                let _ = write!(
                    main,
                    r#"<h1 id="welcome">{}</h1><p class="user">{}</p>"#,
                    t(MessageId::LoggedIn),
                    escape(user.as_str())
                );
                "authenticated"
            }
            _ => "unknown",
        };
        self.layout(screen, &main)
    }

    fn layout(&self, screen: &str, main: &str) -> String {
        let lang = self.lang;
        let option = |l: Lang, name: &str| {
            let selected = if l == lang { " selected" } else { "" };
            format!(r#"<option value="{}"{selected}>{name}</option>"#, l.code())
        };
        format!(
            r#"<!doctype html>
<html lang="{code}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title><link rel="stylesheet" href="/style.css"><script src="/app.js" defer></script></head>
<body>{banner}<header><span class="brand">{title}</span>
<form method="post" action="/lang" class="lang"><input type="hidden" name="csrf" value="{csrf}">
<label for="lang">{language}</label><select id="lang" name="lang">{en}{fr}</select>
<button type="submit" id="set_lang">OK</button></form></header>
<main data-screen="{screen}" data-render="{render}">{main}</main>
<footer><form method="post" action="/submit"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="action" value="logout"><button type="submit" class="link" id="logout">{logout}</button></form>
{outbox}</footer></body></html>
"#,
            code = lang.code(),
            banner = if self.dev_outbox {
                format!(
                    r#"<p class="dev-banner" id="dev_banner">{}</p>"#,
                    ui(lang, "dev_outbox")
                )
            } else {
                String::new()
            },
            render = self.render,
            title = ui(lang, "title"),
            csrf = escape(self.csrf),
            language = ui(lang, "language"),
            en = option(Lang::English, "English"),
            fr = option(Lang::French, "Français"),
            logout = ui(lang, "logout"),
            outbox = if self.dev_outbox {
                format!(
                    r#"<a href="/outbox" target="_blank">{}</a>"#,
                    ui(lang, "outbox")
                )
            } else {
                String::new()
            },
        )
    }
}

/// The development outbox: every PIN and notice "sent", newest first.
pub(crate) fn outbox(messages: &[Delivered]) -> String {
    let mut rows = String::new();
    for message in messages.iter().rev() {
        let (to, what) = match message {
            Delivered::Pin { to, digits } => (
                format!("{to:?}"),
                format!(r#"PIN <code class="pin">{}</code>"#, escape(digits)),
            ),
            Delivered::Notice { user, notification } => {
                (user.to_string(), escape(&format!("{notification:?}")))
            }
            Delivered::PasswordHelp { user } => {
                (user.to_string(), "password help requested".to_owned())
            }
        };
        let _ = write!(rows, "<tr><td>{}</td><td>{what}</td></tr>", escape(&to));
    }
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Outbox</title><link rel="stylesheet" href="/style.css"></head>
<body><main data-screen="outbox"><p class="notice">Development stand-in for SMS and e-mail: in production these messages go to
the user's phone or mailbox, and nobody else sees them.</p>
<h1>Outbox</h1><table id="outbox"><tr><th>To</th><th>Message</th></tr>{rows}</table></main></body></html>
"#
    )
}

pub(crate) const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header,footer{display:flex;justify-content:space-between;align-items:center;padding:.8rem 1.5rem;background:#0b3d6b;color:#fff}
footer{background:none;color:#1d2330}footer a{color:#0b3d6b}
.brand{font-weight:600}.lang{display:flex;gap:.4rem;align-items:center}
main{max-width:34rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:6px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem}label{display:block;margin:.8rem 0 .3rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{padding:.45rem 1rem;font-size:1rem;margin-top:.6rem;cursor:pointer}
button.primary{background:#0b3d6b;color:#fff;border:0;border-radius:4px}
button.link{background:none;border:0;color:#0b3d6b;text-decoration:underline;padding:0}
.row{display:flex;gap:.6rem;align-items:center;margin:.4rem 0}.label{min-width:9rem}
code{font-size:1.05rem;background:#eef;padding:.15rem .4rem;overflow-wrap:anywhere}
.notice{background:#fff3cd;border:1px solid #e0c36c;padding:.6rem}.dev-banner{background:#b00020;color:#fff;margin:0;padding:.4rem;text-align:center}.user{color:#555}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem}
.progress{color:#555;font-size:.9rem}ol.steps{padding-left:1.3rem}ol.steps li{margin:.9rem 0}
.choice{display:flex;gap:.6rem}button.choice{background:#fff;border:1px solid #0b3d6b;color:#0b3d6b;border-radius:4px}
button.chosen{background:#0b3d6b;color:#fff}.arrived{color:#0a6b2d;font-weight:600}details{margin:.6rem 0}
";

pub(crate) const SCRIPT: &str = "document.querySelectorAll('button.copy').forEach(function (b) {
  b.addEventListener('click', function () {
    var text = document.getElementById(b.dataset.copy).textContent;
    if (navigator.clipboard) { navigator.clipboard.writeText(text); }
  });
});
";
