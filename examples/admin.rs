//! The administrator's side of a store `first_login` keeps (`--store sqlite:PATH` or
//! `--store postgres://…`): look at an account and its authenticators, unlock it, revoke its
//! tokens (or one), grant a one-time re-enrollment, set a temporary password, delete it, give
//! the unlock code for a locked soft-token app. Every action is audited under `--as NAME`
//! (printed here; a service sends its audit events where it keeps them) and told to the user
//! (the console outbox).
//!
//! `cargo run --example admin -- --store sqlite:tollgate.db show john.smith@example.com`
//! `cargo run --example admin -- --store sqlite:tollgate.db --as alice unlock john.smith@example.com`

#[allow(dead_code, reason = "shared with first_login, which uses the rest")]
#[path = "first_login/keys.rs"]
mod keys;
#[allow(dead_code, reason = "shared with first_login, which uses the rest")]
#[path = "first_login/store.rs"]
mod store;

use std::process::ExitCode;
use std::sync::Arc;

use tollgate::{AuditLog, Outbox, Service};

use crate::store::{Choice, open};

const USAGE: &str = "usage: admin --store sqlite:PATH|postgres://… [--as NAME] COMMAND USER [ARG]

Commands:
  show USER                     the account: contacts (masked), authenticators, counts, locks
  events USER [N]               the account's newest N audit events (20 unless told)
  unlock USER                   clear every failure count and lock
  revoke USER [SERIAL]          revoke every token (the next login enrolls a new one), or one
  grant USER [HOURS]            a one-time re-enrollment code (24 hours unless told, at most
                                168): typed where a recovery code goes, with the password and
                                a one-time PIN it replaces the user's tokens
  temporary-password USER PW    a password the next login must replace (it keeps to the rules)
  delete USER                   delete the user, their token and password
  contacts USER MOBILE EMAIL    new contacts (- for none); the old and the new are told
  unlock-app USER RESET_CODE [SERIAL]
                                the unlock code for the 9-digit PIN reset code a locked
                                soft-token app shows (soft_token unlock takes it); SERIAL
                                names the app when the user has several";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("admin: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (mut choice, mut name, mut rest) = (None, "admin".to_owned(), Vec::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--store" => choice = Some(Choice::parse(&args.next().ok_or(USAGE)?)?),
            "--as" => name = args.next().ok_or(USAGE)?,
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ => rest.push(arg),
        }
    }
    let choice = choice.ok_or(USAGE)?;
    if matches!(choice, Choice::Memory) {
        return Err("the memory store is forgotten at exit: there is nothing to administer".into());
    }
    let opened = open(&choice)?;
    let audit = AuditLog::default();
    let mut builder = Service::builder()
        .store(opened.store)
        .delivery(Arc::new(Outbox::printing()))
        .audit(Arc::new(audit.clone()))
        .audit_trail(true);
    if let Some((pin, state)) = opened.keys {
        builder = builder.pin_key(pin).state_key(state);
    }
    let service = builder.build().map_err(|e| e.to_string())?;
    let admin = service.admin(&name);
    let done = match rest.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["show", user] => {
            println!("{:#?}", admin.account(user).map_err(|e| e.to_string())?);
            Ok(())
        }
        ["events", user] => events(&admin, user, "20"),
        ["events", user, count] => events(&admin, user, count),
        ["unlock", user] => admin.unlock(user),
        ["revoke", user] => admin.revoke_token(user),
        ["revoke", user, serial] => admin.revoke_authenticator(user, serial),
        ["grant", user] => grant(&admin, user, "24"),
        ["grant", user, hours] => grant(&admin, user, hours),
        ["temporary-password", user, password] => admin.set_temporary_password(user, password),
        ["delete", user] => admin.delete_user(user),
        ["contacts", user, mobile, email] => admin.change_contacts(
            user,
            (mobile != "-").then_some(mobile),
            (email != "-").then_some(email),
        ),
        ["unlock-app", user, reset_code] => admin.app_unlock_code(user, reset_code).map(|code| {
            println!("Unlock code: {}", code.as_str());
        }),
        ["unlock-app", user, reset_code, serial] => admin
            .app_unlock_code_for(user, serial, reset_code)
            .map(|code| println!("Unlock code: {}", code.as_str())),
        _ => return Err(USAGE.into()),
    };
    done.map_err(|e| e.to_string())?;
    for event in audit.events() {
        println!("audit: {event:?}");
    }
    Ok(())
}

/// `grant USER HOURS`: the code, printed once.
fn grant(admin: &tollgate::Admin<'_>, user: &str, hours: &str) -> Result<(), tollgate::Error> {
    let hours: u32 = hours.parse().unwrap_or(0);
    let code = admin.grant_reenrollment(user, hours.saturating_mul(3600))?;
    println!(
        "Re-enrollment code (once, for {hours} h): {}",
        code.as_str()
    );
    Ok(())
}

/// `events USER N`: the newest first, one a line.
fn events(admin: &tollgate::Admin<'_>, user: &str, count: &str) -> Result<(), tollgate::Error> {
    for record in admin.recent_events(user, count.parse().unwrap_or(20))? {
        println!(
            "{} {:<24} {}",
            record.at.as_secs(),
            record.kind,
            record.detail
        );
    }
    Ok(())
}
