//! The pages, with [maud](https://maud.lambda.xyz): HTML written as Rust, checked when the crate
//! compiles, every interpolated value escaped. [`DefaultPages`] renders every screen in the
//! portal guide's layout; a service overrides the screens it wants by implementing [`Pages`]
//! and keeping the defaults for the rest.
//!
//! Every form posts to `<base>/submit` with the session's CSRF token and an `action`; a field's
//! value goes in `value`. The element ids (`user_id`, `password`, `pin`, `token`,
//! `registration`, their buttons `*_next`, `ok`, `mobile`, `desktop`, `continue`, `cancel`) are
//! part of the contract: the browser test drives the pages by them.

use maud::{DOCTYPE, Markup, html};
use tollgate::View;
use tollgate::login::recovery::RecoveryCode;
use tollgate::login::{
    Authenticator, Catalog, Channel, DesktopActivation, Message, MessageId, MobileActivation,
    Passkey, PasswordRules, Screen, UserId,
};

use crate::config::WebConfig;

mod authenticators;
mod enroll;
mod passkeys;
mod reset;
mod screens;
mod signing;

pub use signing::{CertificateState, SigningCertificate};

/// What a page needs besides the view. Its `Debug` leaves out the session's CSRF token.
pub struct PageContext<'a> {
    /// The catalogue of the page's language.
    pub catalog: Catalog,
    /// Which of the configured catalogues it is.
    pub language: usize,
    pub(crate) csrf: &'a str,
    pub(crate) config: &'a WebConfig,
    /// A notice carried over a redirect, shown when the view has none.
    pub flash: Option<&'a Message>,
    /// This rendering's number, in `data-render`: a test tells a new page from the one it
    /// replaced, even when both show the same screen (each process counts from a random start,
    /// so that two nodes do not repeat each other's numbers).
    pub render: u64,
    /// Whether the development outbox is on (every page then says so).
    pub dev_outbox: bool,
    /// Whether the service takes passkeys ("Log in with a passkey" on the first page).
    pub passkeys: bool,
    /// The logged-in user's signing certificates, when the service signs (feature `signing`):
    /// the session page then offers "Create your Signing Certificate".
    pub signing: Option<Vec<SigningCertificate>>,
}

impl core::fmt::Debug for PageContext<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PageContext")
            .field("catalog", &self.catalog)
            .field("language", &self.language)
            .field("render", &self.render)
            .field("dev_outbox", &self.dev_outbox)
            .finish_non_exhaustive()
    }
}

impl PageContext<'_> {
    /// A message's text in the page's language.
    #[must_use]
    pub fn text(&self, id: MessageId) -> String {
        self.catalog.text(id)
    }

    /// The path of one of the router's routes (`submit`, `qr.png`, `style.css`).
    #[must_use]
    pub fn url(&self, route: &str) -> String {
        self.config.url(route)
    }

    /// The service's name, for titles.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.config.title
    }

    /// A form that posts `action` with the CSRF token, around `body`.
    #[must_use]
    pub fn form(&self, action: &str, body: Markup) -> Markup {
        html! {
            form method="post" action=(self.url("submit")) {
                input type="hidden" name="csrf" value=(self.csrf);
                input type="hidden" name="action" value=(action);
                (body)
            }
        }
    }

    /// A button with a message's text.
    #[must_use]
    pub fn button(&self, id: MessageId, class: &str, html_id: &str) -> Markup {
        html! { button type="submit" class=(class) id=(html_id) { (self.text(id)) } }
    }

    /// A form with one required field and its button (`{action}_next`).
    #[must_use]
    pub fn field(&self, action: &str, label: MessageId, field: Field, button: MessageId) -> Markup {
        let next = format!("{action}_next");
        self.form(
            action,
            html! {
                label for=(action) { (self.text(label)) }
                @match field {
                    Field::Text => input id=(action) name="value" type="text" autocomplete="off" required autofocus;,
                    Field::Email => input id=(action) name="value" type="text" autocomplete="username" required autofocus;,
                    Field::Password => input id=(action) name="value" type="password" autocomplete="current-password" required autofocus;,
                    Field::NewPassword => input id=(action) name="value" type="password" autocomplete="new-password" required autofocus;,
                    Field::Code { focus: true } => input id=(action) name="value" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus;,
                    Field::Code { focus: false } => input id=(action) name="value" type="text" inputmode="numeric" autocomplete="one-time-code" required;,
                }
                (self.button(button, "primary", &next))
            },
        )
    }

    /// A form that is one link-styled button.
    #[must_use]
    pub fn link_button(&self, action: &str, id: MessageId) -> Markup {
        self.form(action, self.button(id, "link", action))
    }

    /// A labelled value with a copy button.
    #[must_use]
    pub fn copyable(&self, id: &str, label: MessageId, value: &str) -> Markup {
        html! {
            div class="row" {
                span class="label" { (self.text(label)) }
                code id=(id) { (value) }
                button type="button" class="copy" data-copy=(id) { (self.text(MessageId::Copy)) }
            }
        }
    }
}

/// What kind of input a field takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// Plain text.
    Text,
    /// The User ID (the browser may fill in the saved one).
    Email,
    /// The password.
    Password,
    /// A new password (the browser may offer to generate one).
    NewPassword,
    /// A one-time code: digits, `autocomplete="one-time-code"`; `focus` when it is the page's
    /// field.
    Code {
        /// Whether the cursor starts in it.
        focus: bool,
    },
}

/// The configured catalogues, for a language selector: each one's tag and its name in itself.
impl PageContext<'_> {
    /// The languages the service offers: (tag, name), in the selector's order.
    #[must_use]
    pub fn languages(&self) -> Vec<(String, String)> {
        self.config
            .catalogues
            .iter()
            .map(|c| (c.language().to_owned(), c.text(MessageId::LanguageName)))
            .collect()
    }
}

/// The pages of every screen. Each method has a default ([`DefaultPages`] keeps them all);
/// override the ones to change. [`Pages::page`] puts a screen into [`Pages::layout`].
pub trait Pages: Send + Sync + 'static {
    /// The whole page around a screen's `main`.
    fn layout(&self, cx: &PageContext<'_>, screen: &str, main: Markup) -> Markup {
        screens::layout(cx, screen, main)
    }

    /// "Enter User ID".
    fn enter_user_id(&self, cx: &PageContext<'_>) -> Markup {
        screens::enter_user_id(cx)
    }

    /// "Enter your password."
    fn enter_password(&self, cx: &PageContext<'_>, user: &UserId) -> Markup {
        screens::enter_password(cx, user)
    }

    /// The one-time PIN, with where it went (`None` when it could not be sent) and whether the
    /// alternative is offered.
    fn enter_pin(
        &self,
        cx: &PageContext<'_>,
        user: &UserId,
        sent_to: Option<&str>,
        alternative: bool,
    ) -> Markup {
        screens::enter_pin(cx, user, sent_to, alternative)
    }

    /// Mobile or desktop.
    fn choose_enrollment(&self, cx: &PageContext<'_>) -> Markup {
        enroll::choose(cx)
    }

    /// The mobile path's page: the secure QR code (at `<base>/qr.png`), the activation password,
    /// OK.
    fn mobile_activation(&self, cx: &PageContext<'_>, page: &MobileActivation) -> Markup {
        enroll::mobile(cx, page)
    }

    /// The desktop path's page: Address, Serial Number, Activation Code, Response, OK.
    fn desktop_activation(&self, cx: &PageContext<'_>, page: &DesktopActivation) -> Markup {
        enroll::desktop(cx, page)
    }

    /// "Congratulations", the recovery codes issued with the token (this once), and Continue.
    fn enrolled(&self, cx: &PageContext<'_>, codes: &[RecoveryCode]) -> Markup {
        screens::enrolled(cx, codes)
    }

    /// "I no longer have my authenticator": a recovery code.
    fn enter_recovery_code(&self, cx: &PageContext<'_>, user: &UserId, left: usize) -> Markup {
        screens::enter_recovery_code(cx, user, left)
    }

    /// New recovery codes, logged in (this once).
    fn recovery_codes(
        &self,
        cx: &PageContext<'_>,
        user: &UserId,
        codes: &[RecoveryCode],
    ) -> Markup {
        screens::recovery_codes(cx, user, codes)
    }

    /// The token's code, at a later login, with "Use a passkey" when `passkey` and the code
    /// field when `codes` (not for a phishing-resistant account).
    fn enter_token_code(
        &self,
        cx: &PageContext<'_>,
        user: &UserId,
        passkey: bool,
        codes: bool,
    ) -> Markup {
        screens::enter_token_code(cx, user, passkey, codes)
    }

    /// "Use a passkey": the button that runs the browser's ceremony with `options` (the
    /// crate's script); `user` is `None` before any User ID ("Log in with a passkey").
    fn use_passkey(&self, cx: &PageContext<'_>, user: Option<&UserId>, options: &str) -> Markup {
        passkeys::use_passkey(cx, user, options)
    }

    /// "Add a passkey": the button that runs the browser's ceremony with `options`.
    fn create_passkey(&self, cx: &PageContext<'_>, user: &UserId, options: &str) -> Markup {
        passkeys::create_passkey(cx, user, options)
    }

    /// The second factor is locked.
    fn second_factor_locked(&self, cx: &PageContext<'_>, user: &UserId) -> Markup {
        screens::second_factor_locked(cx, user)
    }

    /// Logged in (shown when no [`WebConfig::with_after_login`] page is set): the user's
    /// authenticators, and the forms to add, rename and remove them.
    fn authenticated(
        &self,
        cx: &PageContext<'_>,
        user: &UserId,
        authenticators: &[Authenticator],
        can_add: bool,
    ) -> Markup {
        screens::authenticated(cx, user, authenticators, can_add)
    }

    /// Below [`Pages::authenticated`]: the user's passkeys with "Remove", "Add a passkey" when
    /// `can_add`, and the "phishing-resistant only" switch (`on` now or not).
    fn passkeys(
        &self,
        cx: &PageContext<'_>,
        passkeys: &[Passkey],
        can_add: bool,
        on: bool,
    ) -> Markup {
        passkeys::list(cx, passkeys, can_add, on)
    }

    /// Below [`Pages::passkeys`], when the service signs: "Create your Signing Certificate"
    /// while the user has none that signs, and their certificates with "Revoke".
    fn signing(&self, cx: &PageContext<'_>, certificates: &[SigningCertificate]) -> Markup {
        signing::section(cx, certificates)
    }

    /// "Password locked or forgotten?": the authenticator's code, or "I no longer have it".
    fn reset_start(&self, cx: &PageContext<'_>, user: &UserId) -> Markup {
        reset::start(cx, user)
    }

    /// A reset's PIN, by `channel` (the page does not say where it went), PIN `step` of the
    /// reset.
    fn reset_pin(
        &self,
        cx: &PageContext<'_>,
        user: &UserId,
        channel: Channel,
        step: u8,
        alternative: bool,
    ) -> Markup {
        reset::pin(cx, user, channel, step, alternative)
    }

    /// The reset's new password, with its rules.
    fn new_password(&self, cx: &PageContext<'_>, user: &UserId, rules: PasswordRules) -> Markup {
        reset::new_password(cx, user, rules)
    }

    /// The password was changed.
    fn password_changed(&self, cx: &PageContext<'_>) -> Markup {
        reset::changed(cx)
    }

    /// The whole page for `view`: its notice (or the flash), its screen, the layout.
    fn page(&self, cx: &PageContext<'_>, view: &View) -> Markup {
        let notice = view.notice.as_ref().or(cx.flash);
        let (screen, main) = match &view.screen {
            Screen::EnterUserId => ("enter-user-id", self.enter_user_id(cx)),
            Screen::EnterPassword { user } => ("enter-password", self.enter_password(cx, user)),
            Screen::EnterPin {
                user,
                sent_to,
                alternative,
                delivered,
                ..
            } => {
                let sent_to = delivered.then_some(sent_to.as_str());
                ("enter-pin", self.enter_pin(cx, user, sent_to, *alternative))
            }
            Screen::ChooseEnrollment { .. } => ("choose-enrollment", self.choose_enrollment(cx)),
            Screen::MobileActivation(page) => {
                ("mobile-activation", self.mobile_activation(cx, page))
            }
            Screen::DesktopActivation(page) => {
                ("desktop-activation", self.desktop_activation(cx, page))
            }
            Screen::Enrolled { recovery_codes, .. } => {
                ("enrolled", self.enrolled(cx, recovery_codes))
            }
            Screen::EnterRecoveryCode { user, left } => (
                "enter-recovery-code",
                self.enter_recovery_code(cx, user, *left),
            ),
            Screen::RecoveryCodes { user, codes } => {
                ("recovery-codes", self.recovery_codes(cx, user, codes))
            }
            Screen::EnterTokenCode {
                user,
                passkey,
                codes,
            } => (
                "enter-token-code",
                self.enter_token_code(cx, user, *passkey, *codes),
            ),
            Screen::UsePasskey { user, options } => {
                ("use-passkey", self.use_passkey(cx, user.as_ref(), options))
            }
            Screen::CreatePasskey { user, options } => {
                ("create-passkey", self.create_passkey(cx, user, options))
            }
            Screen::SecondFactorLocked { user } => {
                ("second-factor-locked", self.second_factor_locked(cx, user))
            }
            Screen::Authenticated {
                user,
                authenticators,
                passkeys,
                can_add,
                can_add_passkey,
                phishing_resistant,
            } => (
                "authenticated",
                html! {
                    (self.authenticated(cx, user, authenticators, *can_add))
                    (self.passkeys(cx, passkeys, *can_add_passkey, *phishing_resistant))
                    @if let Some(certificates) = &cx.signing {
                        (self.signing(cx, certificates))
                    }
                },
            ),
            Screen::ResetStart { user } => ("reset-start", self.reset_start(cx, user)),
            Screen::ResetPin {
                user,
                channel,
                step,
                alternative,
                ..
            } => (
                "reset-pin",
                self.reset_pin(cx, user, *channel, *step, *alternative),
            ),
            Screen::NewPassword { user, rules } => {
                ("new-password", self.new_password(cx, user, *rules))
            }
            Screen::PasswordChanged { .. } => ("password-changed", self.password_changed(cx)),
        };
        let main = html! {
            @if let Some(notice) = notice {
                p id="notice" class="notice" role="alert" { (cx.catalog.render(notice)) }
            }
            (main)
        };
        self.layout(cx, screen, main)
    }
}

/// Every screen as [`Pages`]' defaults render it.
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultPages;

impl Pages for DefaultPages {}

/// A refusal (a form whose token does not match, a failed service), in the page's frame.
pub(crate) fn refused(message: &str, back: &str) -> Markup {
    html! {
        (DOCTYPE)
        html {
            head { meta charset="utf-8"; title { "Refused" } }
            body { main data-screen="refused" {
                p id="refused" { (message) }
                p { a href=(back) { "Back" } }
            } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_contexts_debug_hides_the_csrf_token() {
        let config = WebConfig::default();
        let cx = PageContext {
            catalog: Catalog::english(),
            language: 0,
            csrf: "c5rf-t0ken-that-must-not-show",
            config: &config,
            flash: None,
            render: 7,
            dev_outbox: false,
            passkeys: false,
            signing: None,
        };
        let shown = format!("{cx:?}");
        assert!(!shown.contains("c5rf-t0ken"), "{shown}");
        assert!(shown.contains("render: 7"), "{shown}");
    }
}
