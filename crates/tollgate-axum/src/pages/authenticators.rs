//! The session's page: the user's authenticators, with "Add an authenticator", "Rename" and
//! "Remove" (the machine refuses removing the last one; the page does not offer it).

use maud::{Markup, html};
use tollgate::login::{Authenticator, EnrollmentKind, Message, MessageId};
use tollgate::otp::UnixTime;

use super::PageContext;

/// The list, oldest first, and the forms beside each.
pub(super) fn list(
    cx: &PageContext<'_>,
    authenticators: &[Authenticator],
    can_add: bool,
) -> Markup {
    let removable = authenticators.len() > 1;
    html! {
        h2 { (cx.text(MessageId::YourAuthenticators)) }
        ul class="authenticators" id="authenticators" {
            @for (index, a) in authenticators.iter().enumerate() {
                li data-serial=(a.serial.to_string()) {
                    strong class="name" { (name(cx, a)) }
                    " "
                    code { (a.serial.to_string()) }
                    @if let Some(at) = a.enrolled_at {
                        span class="date" { (dated(cx, MessageId::AuthenticatorAddedOn, at)) }
                    }
                    span class="date" {
                        @match a.last_used {
                            Some(at) => (dated(cx, MessageId::AuthenticatorLastUsed, at)),
                            None => (cx.text(MessageId::AuthenticatorNotUsed)),
                        }
                    }
                    (cx.form("rename_authenticator", html! {
                        input type="hidden" name="serial" value=(a.serial.to_string());
                        label for=(format!("name_{index}")) { (cx.text(MessageId::AuthenticatorName)) }
                        input type="text" id=(format!("name_{index}")) name="value" maxlength="40"
                            value=(a.name.as_ref().map(|n| n.as_str()).unwrap_or_default());
                        button type="submit" class="link" id=(format!("rename_{index}")) {
                            (cx.text(MessageId::RenameAuthenticator))
                        }
                    }))
                    @if removable {
                        (cx.form("remove_authenticator", html! {
                            input type="hidden" name="serial" value=(a.serial.to_string());
                            button type="submit" class="link" id=(format!("remove_{index}")) {
                                (cx.text(MessageId::RemoveAuthenticator))
                            }
                        }))
                    }
                }
            }
        }
        @if can_add {
            (cx.link_button("add_authenticator", MessageId::AddAuthenticator))
        }
    }
}

/// The name the user gave, or the app's kind.
fn name(cx: &PageContext<'_>, a: &Authenticator) -> String {
    match (&a.name, a.kind) {
        (Some(name), _) => name.as_str().to_owned(),
        (None, Some(EnrollmentKind::Mobile)) => cx.text(MessageId::Mobile),
        (None, Some(EnrollmentKind::Desktop)) => cx.text(MessageId::Desktop),
        (None, None) => cx.text(MessageId::AuthenticatorUnnamed),
    }
}

pub(super) fn dated(cx: &PageContext<'_>, id: MessageId, at: UnixTime) -> String {
    cx.catalog
        .render(&Message::new(id).with("date", iso_date(at)))
}

/// `at` as a date in UTC, `YYYY-MM-DD` (Howard Hinnant's `civil_from_days`).
pub(crate) fn iso_date(at: UnixTime) -> String {
    let days = at.as_secs() / 86_400;
    // Days since 0000-03-01, in eras of 400 years (146 097 days).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known dates: the epoch, a leap day, the day after it, a year's last day, 2023-11-14
    /// (1 700 000 000 s, as `date -u -d @1700000000` gives it).
    #[test]
    fn dates_are_the_calendar_s() {
        for (secs, date) in [
            (0, "1970-01-01"),
            (951_782_400, "2000-02-29"),
            (951_868_800, "2000-03-01"),
            (1_704_067_199, "2023-12-31"),
            (1_700_000_000, "2023-11-14"),
            (4_107_542_400, "2100-03-01"),
        ] {
            assert_eq!(iso_date(UnixTime::from_secs(secs)), date, "{secs}");
        }
    }
}
