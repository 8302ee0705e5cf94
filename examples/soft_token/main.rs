//! A command-line stand-in for the desktop soft-token app: the token side of the activation.
//!
//! ```text
//! soft_token activate --serial S [--address URL] [--offline] [--registration-code R] [--policy JSON] --store FILE
//! soft_token scan --uri URI [--offline] --store FILE
//! soft_token code --store FILE [--account NAME] [--at UNIX_SECONDS] [--counter N]
//! soft_token import --uri 'otpauth-migration://…' --store FILE
//! soft_token import --file EXPORT --store FILE
//! soft_token export --store FILE [--qr]
//! soft_token unlock --store FILE
//! ```
//!
//! The token is saved sealed under the app PIN: a key from the PIN with Argon2id, the token
//! sealed with ChaCha20-Poly1305, once per try left. Ten wrong PINs in a row lock the app
//! (`unlock.rs`: an administrator's unlock code opens it), or wipe a file the issuer cannot
//! unlock.
//! The file is written whole (a temporary file renamed over it) and for its owner alone. The
//! PIN, the activation code and the activation password are read from the terminal, never from
//! the command line; with `--secrets-from-env` (for scripts) from `SOFT_TOKEN_PIN`,
//! `SOFT_TOKEN_ACTIVATION_CODE` and `SOFT_TOKEN_ACTIVATION_PASSWORD`.

use std::path::PathBuf;
use std::process::ExitCode;

use tollgate::codes::{
    ActivationCode, ActivationPassword, Policy, RegistrationCode, SerialNumber, TokenActivation,
};
use tollgate::otp::{Counter, Digits, Hotp, Period, Secret, Totp, TotpParams, UnixTime};
use tollgate::provision::{OtpAuthUri, SecureActivation};
use tollgate::{Clock, SystemClock};

const USAGE: &str = "usage:
  soft_token activate --serial S [--address URL] [--offline] [--registration-code R]
                      [--policy JSON] --store FILE
      Activates a token from the Serial Number and Activation Code the enrollment page shows
      (the code is asked for) and saves the token. With the page's Address, reports the
      registration code there (then click OK in the browser); with --offline, or when the
      Address cannot be reached, prints the code to type into the page's Response field.
      With --registration-code, restores a token activated earlier with that code instead.
  soft_token scan --uri URI [--offline] --store FILE
      Reads a QR code's text: a secure activation URI (igmobileotp://; asks for the activation
      password, and reports the registration code to the QR code's registration address as
      activate does) or an otpauth:// key URI (totp or hotp), and saves the token.
  soft_token code --store FILE [--account NAME] [--at UNIX_SECONDS] [--counter N]
      Prints the token's current code (or its code at a given time). An HOTP token shows the
      code of its counter and moves the counter on; --counter N shows code N and leaves it.
      --account chooses among the file's accounts (by name or place from 0; the first by
      default).
  soft_token import --uri 'otpauth-migration://offline?data=…' --store FILE
      Adds every account of a Google Authenticator export link to the file (a new file asks
      for a new PIN), and says which it skipped and why.
  soft_token import --file EXPORT --store FILE
      The same from another app's plain export: Aegis's unencrypted JSON vault, or a list of
      otpauth:// URIs one a line (andOTP, 2FAS).
  soft_token export --store FILE [--qr]
      Prints the file's accounts as export links, ten accounts a link as Google Authenticator
      batches them; --qr draws each as a QR code. The links carry the secrets.
  soft_token unlock --store FILE
      Opens an app that ten wrong PINs locked: give your administrator the PIN reset code it
      showed, type the unlock code they read back (three wrong ones wipe the token), then
      choose a new PIN.

The saved token is protected by an app PIN of 6 to 12 digits. Ten wrong PINs in a row lock
the app (a token the issuer does not know, one imported, is wiped instead). Secrets (the PIN, the activation code, the activation password) are read from the
terminal, never from the command line, which other users see in ps.

  --secrets-from-env   read them from SOFT_TOKEN_PIN, SOFT_TOKEN_ACTIVATION_CODE,
                       SOFT_TOKEN_ACTIVATION_PASSWORD and SOFT_TOKEN_UNLOCK_CODE instead (for
                       scripts)
  --help               show this text";

mod accounts;
mod legacy;
mod online;
mod prompt;
mod sealed;
mod unlock;

use prompt::{allow_secrets_from_env, secret};
use sealed::{Saved, open, refuse_existing, save};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--secrets-from-env") {
        args.remove(at);
        allow_secrets_from_env();
    }
    if args.is_empty() || args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return if args.is_empty() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("soft_token: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The command line: a command and `--flag value` pairs.
struct Args {
    command: String,
    flags: Vec<(String, String)>,
}

impl Args {
    /// `allowed` flags take a value; `switches` take none (and read as `"yes"`).
    fn parse(args: &[String], allowed: &[&str], switches: &[&str]) -> Result<Self, String> {
        let (command, rest) = args
            .split_first()
            .ok_or("give a command: activate, scan, code, import or export")?;
        let mut flags = Vec::new();
        let mut rest = rest.iter();
        while let Some(flag) = rest.next() {
            let name = flag
                .strip_prefix("--")
                .filter(|n| allowed.contains(n) || switches.contains(n))
                .ok_or_else(|| format!("{command}: unknown argument {flag:?} (see --help)"))?;
            if switches.contains(&name) {
                flags.push((name.to_owned(), "yes".to_owned()));
                continue;
            }
            let value = rest
                .next()
                .ok_or_else(|| format!("--{name} needs a value"))?;
            flags.push((name.to_owned(), value.clone()));
        }
        Ok(Self {
            command: command.clone(),
            flags,
        })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn need(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .ok_or_else(|| format!("{}: --{name} is required (see --help)", self.command))
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("activate") => {
            let args = Args::parse(
                args,
                &["serial", "address", "registration-code", "policy", "store"],
                &["offline"],
            )?;
            activate(&args)
        }
        Some("scan") => scan(&Args::parse(args, &["uri", "store"], &["offline"])?),
        Some("code") => code(&Args::parse(
            args,
            &["store", "at", "counter", "account"],
            &[],
        )?),
        Some("import") => {
            let args = Args::parse(args, &["uri", "file", "store"], &[])?;
            let store = PathBuf::from(args.need("store")?);
            match args.get("file") {
                Some(file) => accounts::import_file(&PathBuf::from(file), &store),
                None => accounts::import(args.need("uri")?, &store),
            }
        }
        Some("export") => {
            let args = Args::parse(args, &["store"], &["qr"])?;
            accounts::export(
                &PathBuf::from(args.need("store")?),
                args.get("qr").is_some(),
            )
        }
        Some("unlock") => {
            let args = Args::parse(args, &["store"], &[])?;
            unlock::unlock(&PathBuf::from(args.need("store")?))
        }
        Some(other) => Err(format!(
            "unknown command {other:?}: activate, scan, code, import, export or unlock (see \
             --help)"
        )),
        None => Err("give a command (see --help)".into()),
    }
}

fn activate(args: &Args) -> Result<(), String> {
    let serial: SerialNumber = args
        .need("serial")?
        .parse()
        .map_err(|e| format!("--serial: {e}"))?;
    let activation_code: ActivationCode =
        secret("SOFT_TOKEN_ACTIVATION_CODE", "Activation Code: ")?
            .parse()
            .map_err(|e| format!("activation code: {e}"))?;
    let policy: Option<Policy> = args
        .get("policy")
        .map(str::parse)
        .transpose()
        .map_err(|e| format!("--policy: {e}"))?;
    let store = PathBuf::from(args.need("store")?);
    refuse_existing(&store)?;
    let activation = TokenActivation::new(serial, activation_code, policy);
    let restored = args.get("registration-code").is_some();
    let (code, token) = match args.get("registration-code") {
        Some(text) => {
            let code: RegistrationCode = text
                .parse()
                .map_err(|e| format!("--registration-code: {e}"))?;
            let token = activation.restore(&code);
            (code, token)
        }
        None => activation.register(&mut tollgate::os_rng()),
    };
    let (secret, params) = token.into_parts();
    save(
        &store,
        vec![Saved::new(Some(serial), Some(&code), &secret, params)],
    )?;
    println!("Token saved to {}.", store.display());
    if restored {
        return Ok(());
    }
    let address = args
        .get("address")
        .filter(|_| args.get("offline").is_none());
    report(address, &activation, &code);
    Ok(())
}

/// Reports the registration code online when there is an address and it answers; else shows
/// the code to type into Response, and why.
fn report(address: Option<&str>, activation: &TokenActivation, code: &RegistrationCode) {
    let failed = match address {
        Some(address) => match online::register(address, activation, code) {
            Ok(message) => {
                println!("Registered at {address}: {message}.");
                println!("Click OK in the browser.");
                return;
            }
            Err(why) => Some(why),
        },
        None => None,
    };
    if let Some(why) = failed {
        eprintln!("soft_token: could not register online: {why}");
    }
    println!("Registration code: {code}");
    println!("Type it into the enrollment page's Response field, then click OK.");
}

fn scan(args: &Args) -> Result<(), String> {
    let uri = args.need("uri")?;
    let store = PathBuf::from(args.need("store")?);
    refuse_existing(&store)?;
    if uri.trim_start().starts_with("igmobileotp:") {
        let password: ActivationPassword =
            secret("SOFT_TOKEN_ACTIVATION_PASSWORD", "Activation password: ")?
                .parse()
                .map_err(|e| format!("activation password: {e}"))?;
        let scanned = SecureActivation::decode(uri, &password).map_err(|e| e.to_string())?;
        let activation = TokenActivation::new(
            scanned.serial(),
            scanned.activation_code().clone(),
            scanned.policy().cloned(),
        );
        let (code, token) = activation.register(&mut tollgate::os_rng());
        let (secret, params) = token.into_parts();
        save(
            &store,
            vec![Saved::new(
                Some(scanned.serial()),
                Some(&code),
                &secret,
                params,
            )],
        )?;
        println!("Serial Number:     {}", scanned.serial());
        println!("Saved to {}.", store.display());
        let address = scanned
            .registration_url()
            .filter(|_| args.get("offline").is_none());
        report(address, &activation, &code);
        return Ok(());
    } else {
        let parsed = OtpAuthUri::parse(uri).map_err(|e| format!("--uri: {e}"))?;
        for forgiven in &parsed.forgiven {
            println!("note: {forgiven:?}");
        }
        let key = parsed.uri;
        let saved = accounts::from_uri(&key);
        // Nothing this app's own export could not write again.
        accounts::to_uri(&saved, 0).map_err(|e| format!("--uri: {e}"))?;
        save(&store, vec![saved])?;
        println!(
            "Token for {} ({}) saved.",
            key.account(),
            key.issuer().unwrap_or("no issuer")
        );
    }
    println!("Saved to {}.", store.display());
    Ok(())
}

fn code(args: &Args) -> Result<(), String> {
    let store = PathBuf::from(args.need("store")?);
    let at = match args.get("at") {
        Some(t) => UnixTime::from_secs(
            t.parse()
                .map_err(|_| format!("--at: {t:?} is not a number of seconds"))?,
        ),
        None => SystemClock.now(),
    };
    let given: Option<u64> = args
        .get("counter")
        .map(|n| {
            n.parse()
                .map_err(|_| format!("--counter: {n:?} is not a number"))
        })
        .transpose()?;
    let mut opened = open(&store)?;
    let index = accounts::pick(&opened.accounts, args.get("account"))?;
    let saved = &mut opened.accounts[index];
    let secret = Secret::from_base32(&saved.secret).map_err(|e| format!("saved token: {e}"))?;
    let algorithm = saved
        .algorithm
        .parse()
        .map_err(|_| "saved token: bad algorithm")?;
    let digits = Digits::try_from(saved.digits).map_err(|e| format!("saved token: {e}"))?;
    let Some(next) = saved.counter else {
        if given.is_some() {
            return Err("--counter is for HOTP tokens; this one is time-based".into());
        }
        let period = Period::from_secs(saved.period).map_err(|e| format!("saved token: {e}"))?;
        let params = TotpParams::new(algorithm, digits, period);
        let code = Totp::new(&secret, params)
            .generate(at)
            .map_err(|e| e.to_string())?;
        let left = params
            .seconds_until_next_step(at)
            .map_err(|e| e.to_string())?;
        println!("{code}");
        eprintln!("(valid for {left} more seconds)");
        return Ok(());
    };
    let hotp = Hotp::new(&secret, algorithm, digits);
    if let Some(counter) = given {
        println!("{}", hotp.generate(Counter::new(counter)));
        eprintln!("(code {counter}; the saved counter stays at {next})");
        return Ok(());
    }
    let code = hotp.generate(Counter::new(next));
    // Moved on before the code is shown: a code is shown once, even if the write fails after.
    saved.counter = Some(
        next.checked_add(1)
            .ok_or("the counter has reached its end")?,
    );
    opened.save(&store)?;
    println!("{code}");
    eprintln!("(code {next}; the next one is {})", next.saturating_add(1));
    Ok(())
}
