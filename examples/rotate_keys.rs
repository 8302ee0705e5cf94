//! Rotates the keys of a store `first_login` keeps (`--store sqlite:PATH` or
//! `--store postgres://…`): new sealing, PIN and state keys become current, the old ones stay
//! beside them, and every account is re-sealed under the new sealing key in batches. The
//! cursor is kept in `PATH.rotation` after each batch: stopped (`--batches N`) or killed, a
//! second run goes on from there. Once every account is under the new key, the old sealing key
//! is dropped; the old PIN and state keys stay for the logins in progress until `--retire`.
//!
//! `cargo run --example rotate_keys -- --store sqlite:tollgate.db [--batch 100] [--batches N]`
//! `cargo run --example rotate_keys -- --store sqlite:tollgate.db --retire`
//!
//! One process here; a service of several nodes does the same in four steps (the guide
//! "Deploying on PostgreSQL" in `crates/tollgate-store-postgres/README.md`).

#[allow(dead_code, reason = "shared with first_login, which uses the rest")]
#[path = "first_login/keys.rs"]
mod keys;
#[allow(dead_code, reason = "shared with first_login, which uses the rest")]
#[path = "first_login/store.rs"]
mod store;

use std::path::Path;
use std::process::ExitCode;

use tollgate::login::{RingKey as _, UserId};
use tollgate::store::rotation::reseal_batch;

use crate::keys::load_or_create;
use crate::store::{Choice, base, database, with_suffix};

const USAGE: &str = "usage: rotate_keys --store sqlite:PATH|postgres://… [--batch N] [--batches N]
       rotate_keys --store … --retire

Replaces the store's keys and re-seals every account under the new sealing key, in batches of
--batch accounts (default 100). --batches N stops after N batches; run it again to go on.
--retire drops the old PIN and state keys (once no login stored under them is still alive:
an hour after the rotation is more than enough for first_login's logins).";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rotate_keys: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Args {
    choice: Choice,
    batch: usize,
    batches: Option<usize>,
    retire: bool,
}

fn args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut choice, mut batch, mut batches, mut retire) = (None, 100, None, false);
    while let Some(arg) = args.next() {
        let mut number = |what: &str| -> Result<usize, String> {
            args.next()
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{what} needs a number above 0\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--store" => {
                let value = args.next().ok_or_else(|| USAGE.to_owned())?;
                choice = Some(Choice::parse(&value)?);
            }
            "--batch" => batch = number("--batch")?,
            "--batches" => batches = Some(number("--batches")?),
            "--retire" => retire = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    let choice = choice.ok_or_else(|| format!("--store is required\n\n{USAGE}"))?;
    Ok(Args {
        choice,
        batch,
        batches,
        retire,
    })
}

/// The rotation in progress: the sealing key it re-seals under, and the last User ID done.
struct Cursor {
    to: String,
    after: Option<UserId>,
}

impl Cursor {
    fn load(path: &Path) -> Result<Option<Self>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let bad = || format!("{} is not a rotation cursor", path.display());
        let mut lines = text.lines();
        let to = lines
            .next()
            .and_then(|l| l.strip_prefix("to "))
            .ok_or_else(bad)?
            .to_owned();
        let after = match lines.next().and_then(|l| l.strip_prefix("after ")) {
            None => None,
            Some(id) => Some(id.parse().map_err(|_| bad())?),
        };
        Ok(Some(Self { to, after }))
    }

    fn save(&self, path: &Path) -> Result<(), String> {
        let mut text = format!("to {}\n", self.to);
        if let Some(after) = &self.after {
            text.push_str(&format!("after {after}\n"));
        }
        tollgate::write_whole(path, text.as_bytes()).map_err(|e| e.to_string())
    }
}

fn run() -> Result<(), String> {
    let args = args()?;
    let base = base(&args.choice)
        .ok_or("the memory store is forgotten at exit: there is nothing to rotate")?;
    let key_path = with_suffix(&base, "keys");
    let cursor_path = with_suffix(&base, "rotation");
    if !key_path.exists() {
        return Err(format!(
            "there is no key file {}: run first_login on this store first",
            key_path.display()
        ));
    }
    let mut file = load_or_create(&key_path)?;
    let mut cursor = Cursor::load(&cursor_path)?;
    if args.retire {
        if cursor.is_some() {
            return Err(format!(
                "a rotation is in progress ({}): finish it first",
                cursor_path.display()
            ));
        }
        file.keys_mut().retire_old_login_keys();
        file.keys_mut().retire_old_sealing();
        file.save().map_err(|e| e.to_string())?;
        println!(
            "Dropped the old keys from {}: sealing {}, PIN {}, state {} remain.",
            key_path.display(),
            file.keys().sealing_keys().current().id(),
            file.keys().pin_keys().current().id(),
            file.keys().state_keys().current().id()
        );
        return Ok(());
    }
    let current = file.keys().sealing_keys().current().id().to_string();
    match &cursor {
        Some(c) if c.to == current => {
            println!("Resuming the rotation to sealing key {current}.");
        }
        Some(c) => {
            // The cursor is written before the new keys: the keys of that run were never
            // saved, so nothing was sealed under them.
            println!(
                "The last rotation (to {}) stopped before its keys were saved: starting again.",
                c.to
            );
            cursor = None;
        }
        None => {}
    }
    if cursor.is_none() {
        file.keys_mut().rotate(&mut tollgate::os_rng());
        let to = file.keys().sealing_keys().current().id().to_string();
        Cursor {
            to: to.clone(),
            after: None,
        }
        .save(&cursor_path)?;
        file.save().map_err(|e| e.to_string())?;
        println!(
            "New keys in {}: sealing {to}, PIN {}, state {} (the old ones kept beside them).",
            key_path.display(),
            file.keys().pin_keys().current().id(),
            file.keys().state_keys().current().id()
        );
        cursor = Some(Cursor { to, after: None });
    }
    let mut cursor = cursor.ok_or("no cursor")?;
    let store = database(&args.choice, file.keys().sealing_keys())?;
    let (mut resealed, mut current_already, mut runs) = (0, 0, 0);
    loop {
        if args.batches.is_some_and(|most| runs >= most) {
            println!(
                "Stopped after {runs} batches ({resealed} re-sealed); run it again to go on \
                 from {}.",
                cursor
                    .after
                    .as_ref()
                    .map_or("the start".into(), ToString::to_string)
            );
            return Ok(());
        }
        let batch =
            reseal_batch(&*store, cursor.after.as_ref(), args.batch).map_err(|e| e.to_string())?;
        runs += 1;
        resealed += batch.resealed;
        current_already += batch.current;
        if batch.is_done() {
            break;
        }
        cursor.after = batch.last;
        cursor.save(&cursor_path)?;
        println!(
            "batch {runs}: {} re-sealed, {} already current, {} gone, {} to try again",
            batch.resealed,
            batch.current,
            batch.gone,
            batch.contended.len()
        );
    }
    // Passes over every account until one finds nothing left (the accounts other writers
    // kept busy, and what an old node may have written meanwhile).
    for _ in 0..10 {
        let mut after: Option<UserId> = None;
        let mut left = 0;
        loop {
            let pass =
                reseal_batch(&*store, after.as_ref(), args.batch).map_err(|e| e.to_string())?;
            if pass.is_done() {
                break;
            }
            left += pass.resealed + pass.contended.len();
            resealed += pass.resealed;
            after = pass.last;
        }
        if left == 0 {
            file.keys_mut().retire_old_sealing();
            file.save().map_err(|e| e.to_string())?;
            std::fs::remove_file(&cursor_path)
                .map_err(|e| format!("cannot remove {}: {e}", cursor_path.display()))?;
            println!(
                "Every account is sealed under key {} ({resealed} re-sealed, {current_already} \
                 already were); the old sealing key is dropped. The old PIN and state keys \
                 stay for the logins in progress: drop them later with --retire.",
                cursor.to
            );
            return Ok(());
        }
    }
    Err("accounts kept changing under the rotation: run it again".into())
}
