//! `SmtpDelivery` against a real SMTP server on loopback (`.ci/run` starts Debian's
//! `python3-aiosmtpd` with a Maildir handler and exports `TOLLGATE_SMTP=host:port` and
//! `TOLLGATE_SMTP_MAILDIR`): the PIN arrives by mail and logs the user in; a server that is not
//! there is tried again under the policy, and the PIN is voided and not counted. Without the
//! server the test prints a loud SKIPPED and passes, unless `TOLLGATE_REQUIRE_SMTP` is set.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::{Delivering, delivered, delivering, to_the_pin};
use tollgate::SmtpDelivery;
use tollgate::lettre::SmtpTransport;
use tollgate::login::{Input, MessageId, Screen};

use crate::common;

fn server() -> Option<(String, u16, PathBuf)> {
    let found = std::env::var("TOLLGATE_SMTP").ok().and_then(|address| {
        let (host, port) = address.rsplit_once(':')?;
        let maildir = std::env::var_os("TOLLGATE_SMTP_MAILDIR")?;
        Some((host.to_owned(), port.parse().ok()?, PathBuf::from(maildir)))
    });
    if found.is_none() {
        assert!(
            std::env::var_os("TOLLGATE_REQUIRE_SMTP").is_none(),
            "TOLLGATE_REQUIRE_SMTP is set but TOLLGATE_SMTP and TOLLGATE_SMTP_MAILDIR are not"
        );
        eprintln!(
            "*** SKIPPED the SMTP test: no server. .ci/run starts one (python3 -m aiosmtpd) and \
             sets TOLLGATE_SMTP and TOLLGATE_SMTP_MAILDIR. ***"
        );
    }
    found
}

/// A service that mails through the server at `host:port`; John has no mobile number, so his
/// PIN goes by e-mail.
fn service(host: &str, port: u16) -> Delivering {
    let transport = SmtpTransport::builder_dangerous(host)
        .port(port)
        .timeout(Some(Duration::from_secs(5)))
        .build();
    let delivery = SmtpDelivery::new(transport, "Sign-in <no-reply@example.com>").unwrap();
    delivering(Arc::new(delivery), None)
}

/// The PIN in the newest message of the Maildir, once more than `before` messages are there.
fn pin_in(maildir: &Path, before: usize) -> Option<String> {
    let mut files: Vec<_> = std::fs::read_dir(maildir.join("new"))
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    if files.len() <= before {
        return None;
    }
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files.iter().rev().find_map(|path| {
        let mail = std::fs::read_to_string(path).ok()?;
        let at = mail.find("one-time password is ")? + 21;
        Some(mail.get(at..at + 6)?.to_owned())
    })
}

fn mails(maildir: &Path) -> usize {
    std::fs::read_dir(maildir.join("new")).map_or(0, |d| d.count())
}

#[test]
fn the_pin_arrives_by_mail_and_a_missing_server_voids_it() {
    let Some((host, port, maildir)) = server() else {
        return;
    };
    let Delivering { service, .. } = service(&host, port);
    let before = mails(&maildir);
    let view = to_the_pin(&service);
    assert_eq!(delivered(&view), Some(true), "{:?}", view.notice);
    // The server files the message before it answers the DATA command.
    let pin = pin_in(&maildir, before).expect("the PIN's mail arrived");
    let view = service
        .submit(&view.login, Input::Pin(pin), tollgate::Client::default())
        .unwrap();
    assert!(
        matches!(view.screen, Screen::ChooseEnrollment { .. }),
        "{:?}",
        view.screen
    );

    // A port nothing listens on: refused, tried again, voided.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let Delivering { service, waits, .. } = self::service("127.0.0.1", port);
    let view = to_the_pin(&service);
    assert_eq!(delivered(&view), Some(false));
    assert_eq!(view.notice.map(|n| n.id), Some(MessageId::SendFailed));
    assert_eq!(waits.lock().unwrap().len(), 2, "three tries");
}
