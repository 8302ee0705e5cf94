//! What the messages a delivery sends say, in a [`Catalog`]'s words: the PIN, the notices and
//! the request for password help come from the same catalogues as the screens (English by
//! default; French, German or a deployment's own by `with_catalog` on each delivery). This
//! module only puts the catalogue's texts together.

#[cfg(any(feature = "smtp", feature = "sms-http"))]
use tollgate_login::Notification;
use tollgate_login::{Catalog, Message, MessageId, UserId};
use tollgate_otp::Pin;
use zeroize::{Zeroize as _, Zeroizing};

/// A PIN's text ("Your one-time password is 123456."). Wiped on drop, and so is the copy the
/// message's parameter held.
pub(crate) fn pin_text(catalog: &Catalog, pin: &Pin) -> Zeroizing<String> {
    let mut message = Message::new(MessageId::PinText).with("pin", pin.expose_secret().to_owned());
    let text = Zeroizing::new(catalog.render(&message));
    for (_, value) in &mut message.args {
        value.zeroize();
    }
    text
}

/// A PIN by e-mail: its subject and body.
#[cfg(feature = "smtp")]
pub(crate) fn pin_mail(catalog: &Catalog, pin: &Pin) -> (String, Zeroizing<String>) {
    let text = pin_text(catalog, pin);
    let warning = catalog.text(MessageId::PinMailWarning);
    let body = Zeroizing::new(format!("{}\n\n{warning}\n", text.as_str()));
    (catalog.text(MessageId::PinMailSubject), body)
}

/// A notice by SMS: what happened, and what to do if it was not the user.
#[cfg(feature = "sms-http")]
pub(crate) fn notice_sms(catalog: &Catalog, notification: Notification) -> String {
    let what = catalog.text(notification.message());
    let footer = catalog.text(MessageId::NoticeSmsFooter);
    format!("{what} {footer}")
}

/// A notice by e-mail: its subject, and a body that says what happened, which account, and what
/// to do if it was not the user (SP 800-63B-4 §4.6).
#[cfg(feature = "smtp")]
pub(crate) fn notice_mail(
    catalog: &Catalog,
    user: &UserId,
    notification: Notification,
) -> (String, String) {
    let what = catalog.text(notification.message());
    let footer = catalog
        .render(&Message::new(MessageId::NoticeMailFooter).with("user", user.as_str().to_owned()));
    (
        catalog.text(MessageId::NoticeMailSubject),
        format!("{what}\n\n{footer}\n"),
    )
}

/// A request for password help, to the help desk: its subject and body.
pub(crate) fn password_help_mail(catalog: &Catalog, user: &UserId) -> (String, String) {
    let body = catalog
        .render(&Message::new(MessageId::PasswordHelpBody).with("user", user.as_str().to_owned()));
    (
        catalog.text(MessageId::PasswordHelpSubject),
        format!("{body}\n"),
    )
}

#[cfg(test)]
mod tests {
    use rand_core::SeedableRng as _;
    use tollgate_login::{Catalog, UserId};
    use tollgate_otp::{Pin, PinLength};

    fn pin() -> Pin {
        Pin::generate(
            PinLength::SIX,
            &mut rand_chacha::ChaCha20Rng::seed_from_u64(1),
        )
    }

    fn john() -> UserId {
        "john@example.com"
            .parse()
            .unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn a_pin_and_a_help_request_in_the_catalogues_language() {
        let pin = pin();
        let english = Catalog::english();
        assert_eq!(
            super::pin_text(&english, &pin).as_str(),
            format!("Your one-time password is {}.", pin.expose_secret())
        );
        let (_, help) = super::password_help_mail(&english, &john());
        assert!(help.starts_with("john@example.com proved their phone"));
    }

    #[cfg(feature = "smtp")]
    #[test]
    fn mail_in_the_catalogues_language() {
        use tollgate_login::{AdminAction, Notification};
        let pin = pin();
        let (subject, body) = super::pin_mail(&Catalog::french(), &pin);
        assert_eq!(subject, "Votre mot de passe à usage unique");
        let first = format!(
            "Votre mot de passe à usage unique est {}.\n\n",
            pin.expose_secret()
        );
        assert!(body.starts_with(&first), "{}", body.as_str());
        let (_, body) = super::notice_mail(
            &Catalog::german(),
            &john(),
            Notification::Administrator(AdminAction::Unlocked),
        );
        assert!(
            body.starts_with(
                "Ein Administrator hat Ihr Konto entsperrt.\n\nKonto: john@example.com."
            )
        );
    }

    #[cfg(feature = "sms-http")]
    #[test]
    fn a_notice_by_sms_in_the_catalogues_language() {
        let sms = super::notice_sms(
            &Catalog::english(),
            tollgate_login::Notification::PasswordChanged,
        );
        assert_eq!(
            sms,
            "Your password was changed. If it was not you, contact your administrator."
        );
    }
}
