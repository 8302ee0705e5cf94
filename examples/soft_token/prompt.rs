//! Secrets typed by the user: from the terminal, or from the environment for scripts.

use zeroize::Zeroizing;

/// Whether secrets may come from the environment (`--secrets-from-env`), for scripts.
static FROM_ENV: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Lets [`secret`] read the environment.
pub(crate) fn allow_secrets_from_env() {
    FROM_ENV.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// A secret from the terminal (not echoed; never from the command line, which other users see
/// in `ps` and the shell keeps in its history), or from the environment variable `var` when
/// the command line said `--secrets-from-env`.
pub(crate) fn secret(var: &str, prompt: &str) -> Result<Zeroizing<String>, String> {
    if FROM_ENV.load(std::sync::atomic::Ordering::Relaxed) {
        return std::env::var(var)
            .map(Zeroizing::new)
            .map_err(|_| format!("--secrets-from-env is given but {var} is not set"));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| {
            format!(
                "cannot read from the terminal ({e}); for a script, give --secrets-from-env \
                 and set {var}"
            )
        })
}

pub(crate) fn pin(prompt: &str) -> Result<Zeroizing<String>, String> {
    secret("SOFT_TOKEN_PIN", prompt)
}

pub(crate) fn new_pin() -> Result<Zeroizing<String>, String> {
    let first = pin("Choose an app PIN (6 to 12 digits): ")?;
    if !(6..=12).contains(&first.len()) || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the app PIN must be 6 to 12 digits".into());
    }
    if !FROM_ENV.load(std::sync::atomic::Ordering::Relaxed) {
        let again = pin("Enter the PIN again: ")?;
        if *again != *first {
            return Err("the two PINs differ; nothing was saved".into());
        }
    }
    Ok(first)
}
