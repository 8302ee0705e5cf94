//! The enrollment page as the portal's guide shows it: "Progress 1 of 1" and numbered steps
//! (1. mobile or desktop, 2. download or copy, 3. scan or enter the registration code, 4. the
//! activation password), with the app's online registration and the user's OK.

use std::fmt::Write as _;

use tollgate::login::{DesktopActivation, EnrollmentKind, Message, MessageId, MobileActivation};

use crate::pages::{ONE_TIME_CODE, Page, escape, ui};

impl Page<'_> {
    fn t(&self, id: MessageId) -> String {
        escape(&self.lang.catalog().text(id))
    }

    /// The heading, the progress line, and step 1: mobile or desktop (`chosen` marked). Leaves
    /// the list open for the steps after it.
    pub(crate) fn choose(&self, out: &mut String, chosen: Option<EnrollmentKind>) {
        let progress = Message::new(MessageId::Progress)
            .with("step", "1")
            .with("steps", "1");
        let _ = write!(
            out,
            r#"<h1>{}</h1><p class="progress" id="progress">{}</p><ol class="steps"><li><p>{}</p><div class="choice">"#,
            self.t(MessageId::SetUpAuthentication),
            escape(&self.lang.catalog().render(&progress)),
            self.t(MessageId::MobileOrDesktop)
        );
        for (kind, id, action) in [
            (EnrollmentKind::Mobile, MessageId::Mobile, "mobile"),
            (EnrollmentKind::Desktop, MessageId::Desktop, "desktop"),
        ] {
            let class = if chosen == Some(kind) {
                "choice chosen"
            } else {
                "choice"
            };
            let button = self.button(id, class, action);
            self.form(out, action, &button);
        }
        out.push_str("</div></li>");
        if chosen.is_none() {
            out.push_str("</ol>");
            self.link_button(out, "cancel", MessageId::Cancel);
        }
    }

    /// Where the app's registration stands, above OK.
    fn arrival(&self, out: &mut String, arrived: bool) {
        let (class, id) = if arrived {
            ("arrived", MessageId::RegistrationArrived)
        } else {
            ("waiting", MessageId::ClickOkWhenActivated)
        };
        let _ = write!(
            out,
            r#"<p id="registration_status" class="{class}">{}</p>"#,
            self.t(id)
        );
    }

    /// The Response field (`hidden` behind a disclosure on the mobile path, where the app
    /// registers itself) and OK, in one form: OK with Response empty finishes with the
    /// registration the app reported; with a code typed, with that code.
    fn ok_form(&self, out: &mut String, behind_disclosure: bool) {
        let field = format!(
            r#"<label for="registration">{} *</label><input id="registration" name="value" type="text" autocomplete="off" {ONE_TIME_CODE}>"#,
            self.t(MessageId::Response)
        );
        let field = if behind_disclosure {
            format!(
                r#"<details id="offline"><summary>{}</summary><p>{}</p>{field}</details>"#,
                self.t(MessageId::AppShowsRegistrationCode),
                self.t(MessageId::EnterRegistrationCode)
            )
        } else {
            field
        };
        let body = format!("{field}{}", self.button(MessageId::Ok, "primary", "ok"));
        self.form(out, "registration", &body);
        self.link_button(out, "cancel", MessageId::Cancel);
    }

    pub(crate) fn mobile(&self, out: &mut String, page: &MobileActivation) {
        self.choose(out, Some(EnrollmentKind::Mobile));
        let _ = write!(
            out,
            r#"<li><p>{}</p></li><li><p>{}</p><img id="qr" src="/qr.png" alt="{}" width="296" height="296"></li><li><p>{}</p>"#,
            self.t(MessageId::DownloadApp),
            self.t(MessageId::ScanQrCode),
            ui(self.lang, "qr"),
            self.t(MessageId::CopyActivationPassword)
        );
        self.copyable(
            out,
            "activation_password",
            MessageId::ActivationPassword,
            &page.password.expose_secret(),
        );
        out.push_str("</li></ol>");
        self.arrival(out, page.registration_arrived);
        self.ok_form(out, true);
        if let Some(open) = &page.open {
            let _ = write!(
                out,
                r#"<section id="open_path"><p>{}</p><img id="open_qr" src="/open-qr.png" alt="{}" width="296" height="296">"#,
                self.t(MessageId::ScanOpenQrCode),
                ui(self.lang, "open_qr")
            );
            self.copyable(out, "open_key", MessageId::OpenPathKey, &open.key);
            self.field_with(
                out,
                "open_code",
                MessageId::EnterOpenPathCode,
                "text",
                ONE_TIME_CODE,
                MessageId::Next,
            );
            out.push_str("</section>");
        }
    }

    pub(crate) fn desktop(&self, out: &mut String, page: &DesktopActivation) {
        self.choose(out, Some(EnrollmentKind::Desktop));
        let _ = write!(
            out,
            "<li><p>{}</p>",
            self.t(MessageId::CopyActivationParameters)
        );
        self.copyable(out, "address", MessageId::Address, &page.address);
        self.copyable(
            out,
            "serial",
            MessageId::SerialNumber,
            &page.serial.to_string(),
        );
        self.copyable(
            out,
            "activation_code",
            MessageId::ActivationCode,
            &page.activation_code.expose_grouped(),
        );
        let _ = write!(
            out,
            "</li><li><p>{}</p></li></ol>",
            self.t(MessageId::EnterRegistrationCode)
        );
        if page.registration_arrived {
            self.arrival(out, true);
        }
        self.ok_form(out, false);
    }
}
