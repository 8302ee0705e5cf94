//! The app's accounts: a token from a key URI (TOTP or HOTP), choosing one by name, and
//! Google Authenticator migration links in and out (`import`, `export`).

use std::path::Path;

use tollgate::otp::{Algorithm, Counter, Digits, Period, Secret, TotpParams};
use tollgate::provision::migration::{self, DEFAULT_BATCH};
use tollgate::provision::{OtpAuthUri, OtpKind, QrOptions, render_terminal};

use crate::sealed::{Saved, open, save};

/// A key URI's token as the app keeps it: an HOTP token keeps its counter.
pub(crate) fn from_uri(uri: &OtpAuthUri) -> Saved {
    let (period, counter) = match uri.kind() {
        OtpKind::Totp { period } => (period.as_secs(), None),
        OtpKind::Hotp { counter } => (Period::default().as_secs(), Some(counter.get())),
    };
    Saved {
        serial: None,
        registration_code: None,
        secret: uri.secret().expose_base32().to_string(),
        algorithm: uri.algorithm().to_string(),
        digits: uri.digits().get(),
        period,
        name: Some(uri.account().to_owned()),
        issuer: uri.issuer().map(str::to_owned),
        counter,
    }
}

/// The name an account is shown and chosen by: its name, its serial number, or its place.
pub(crate) fn label(account: &Saved, index: usize) -> String {
    match (&account.issuer, &account.name, &account.serial) {
        (Some(issuer), Some(name), _) => format!("{issuer}:{name}"),
        (None, Some(name), _) => name.clone(),
        (_, None, Some(serial)) => format!("token {serial}"),
        _ => format!("account {index}"),
    }
}

/// The account `choice` names (its place from 0, or its label or name), or the first.
pub(crate) fn pick(accounts: &[Saved], choice: Option<&str>) -> Result<usize, String> {
    if accounts.is_empty() {
        return Err("the file holds no account".into());
    }
    let Some(choice) = choice else {
        return Ok(0);
    };
    let found = accounts.iter().enumerate().position(|(i, a)| {
        choice.parse::<usize>().ok() == Some(i)
            || label(a, i) == choice
            || a.name.as_deref() == Some(choice)
    });
    found.ok_or_else(|| {
        let names: Vec<String> = accounts
            .iter()
            .enumerate()
            .map(|(i, a)| format!("{i}: {}", label(a, i)))
            .collect();
        format!("no account {choice:?}; the file holds {}", names.join(", "))
    })
}

/// The account as a key URI, for `export`.
pub(crate) fn to_uri(account: &Saved, index: usize) -> Result<OtpAuthUri, String> {
    let secret = Secret::from_base32(&account.secret).map_err(|e| format!("saved token: {e}"))?;
    let algorithm: Algorithm = account
        .algorithm
        .parse()
        .map_err(|_| "saved token: bad algorithm")?;
    let digits = Digits::try_from(account.digits).map_err(|e| format!("saved token: {e}"))?;
    let name = account
        .name
        .clone()
        .unwrap_or_else(|| label(account, index));
    let issuer = account.issuer.as_deref();
    match account.counter {
        Some(counter) => OtpAuthUri::hotp(
            issuer,
            &name,
            secret,
            algorithm,
            digits,
            Counter::new(counter),
        ),
        None => {
            let period = Period::from_secs(account.period).map_err(|e| e.to_string())?;
            OtpAuthUri::totp(
                issuer,
                &name,
                secret,
                TotpParams::new(algorithm, digits, period),
            )
        }
    }
    .map_err(|e| format!("{}: {e}", label(account, index)))
}

/// `import`: every account of a migration link the app can keep, added to the file (made,
/// under a new PIN, when there is none); the others named with the reason.
pub(crate) fn import(link: &str, store: &Path) -> Result<(), String> {
    let batch = migration::import(link).map_err(|e| format!("--uri: {e}"))?;
    for skipped in &batch.skipped {
        println!(
            "skipped account {} of the link: {:?}",
            skipped.index, skipped.reason
        );
    }
    let names = keep(&batch.accounts, store)?;
    println!(
        "From batch {} of {} (batch id {}): {}",
        batch.batch_index + 1,
        batch.batch_size,
        batch.batch_id,
        names.join(", ")
    );
    Ok(())
}

/// `export`: every account as migration links, batched as Google Authenticator batches them,
/// one batch id for all; with `qr`, each link drawn in the terminal.
pub(crate) fn export(store: &Path, qr: bool) -> Result<(), String> {
    let opened = open(store)?;
    // An account that cannot be written is named and left out; the others still go.
    let mut uris = Vec::new();
    let mut from = Vec::new();
    for (i, account) in opened.accounts.iter().enumerate() {
        match to_uri(account, i) {
            Ok(uri) => {
                uris.push(uri);
                from.push(i);
            }
            Err(e) => eprintln!("left out {e}"),
        }
    }
    let mut id = [0u8; 4];
    getrandom::fill(&mut id).map_err(|e| e.to_string())?;
    let (links, left_out) = migration::export(&uris, DEFAULT_BATCH, i32::from_be_bytes(id));
    for index in left_out {
        let index = from[index];
        eprintln!(
            "left out {}: the migration format knows only 30 s periods and 6 or 8 digits",
            label(&opened.accounts[index], index)
        );
    }
    eprintln!("(the links carry the secrets: show them to their owner only)");
    for (n, link) in links.iter().enumerate() {
        println!("{}", link.as_str());
        if qr {
            let drawn = render_terminal(link.as_bytes(), &QrOptions::default(), false)
                .map_err(|e| e.to_string())?;
            println!("{}", drawn.as_str());
            eprintln!("(batch {} of {})", n + 1, links.len());
        }
    }
    Ok(())
}

/// `import --file`: another app's plain export (Aegis's unencrypted JSON vault, or a list of
/// `otpauth://` URIs one a line, as andOTP and 2FAS write them), kept as `import` keeps a
/// link's accounts.
pub(crate) fn import_file(path: &Path, store: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let is_json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let export = if is_json {
        tollgate::provision::app_exports::read_aegis(&bytes)
    } else {
        tollgate::provision::app_exports::read_uri_list(&bytes)
    }
    .map_err(|e| format!("{}: {e}", path.display()))?;
    let what = if is_json { "entry" } else { "line" };
    for (at, why) in &export.skipped {
        println!("skipped {what} {at} of {}: {why}", path.display());
    }
    let names = keep(&export.accounts, store)?;
    println!("From {}: {}", path.display(), names.join(", "));
    Ok(())
}

/// Adds the accounts this app's own export could write again to the file (made, under a new
/// PIN, when there is none), leaving out those already in it; their labels.
fn keep(accounts: &[OtpAuthUri], store: &Path) -> Result<Vec<String>, String> {
    if accounts.is_empty() {
        return Err("there is no account this app can keep".into());
    }
    // Only what this app's own export can write again (an account it could not give back
    // would be stuck in the file).
    let new: Vec<Saved> = accounts
        .iter()
        .map(from_uri)
        .enumerate()
        .filter_map(|(i, saved)| match to_uri(&saved, i) {
            // The export writes migration links: what they cannot carry is not kept either.
            Ok(uri)
                if migration::export(std::slice::from_ref(&uri), DEFAULT_BATCH, 0)
                    .1
                    .is_empty() =>
            {
                Some(saved)
            }
            Ok(_) => {
                println!(
                    "skipped {}: the migration format this app exports knows only 30 s periods \
                     and 6 or 8 digits",
                    label(&saved, i)
                );
                None
            }
            Err(e) => {
                println!("skipped {e}: this app could not export it again");
                None
            }
        })
        .collect();
    if new.is_empty() {
        return Err("there is no account this app can keep".into());
    }
    let names: Vec<String> = new.iter().enumerate().map(|(i, a)| label(a, i)).collect();
    if store.exists() {
        let mut opened = open(store)?;
        let before = opened.accounts.len();
        for account in new {
            let duplicate = opened
                .accounts
                .iter()
                .any(|a| a.secret == account.secret && a.name == account.name);
            if duplicate {
                println!("skipped {}: already in the file", label(&account, 0));
            } else {
                opened.accounts.push(account);
            }
        }
        let added = opened.accounts.len() - before;
        opened.save(store)?;
        println!("Added {added} accounts to {}.", store.display());
    } else {
        save(store, new)?;
        println!("Saved {} accounts to {}.", names.len(), store.display());
    }
    Ok(names)
}
