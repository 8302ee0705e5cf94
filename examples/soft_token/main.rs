//! A command-line stand-in for the desktop soft-token app: the token side of the activation.
//!
//! ```text
//! soft_token activate --serial S [--registration-code R] [--policy JSON] --store FILE
//! soft_token scan --uri URI --store FILE
//! soft_token code --store FILE [--at UNIX_SECONDS]
//! ```
//!
//! The token is saved sealed under the app PIN: a key from the PIN with Argon2id, the token
//! sealed with ChaCha20-Poly1305, once per try left. Ten wrong PINs in a row wipe the file.
//! The file is written whole (a temporary file renamed over it) and for its owner alone. The
//! PIN, the activation code and the activation password are read from the terminal, never from
//! the command line; with `--secrets-from-env` (for scripts) from `SOFT_TOKEN_PIN`,
//! `SOFT_TOKEN_ACTIVATION_CODE` and `SOFT_TOKEN_ACTIVATION_PASSWORD`.

use std::path::PathBuf;
use std::process::ExitCode;

use tollgate::codes::{
    ActivationCode, ActivationPassword, Policy, RegistrationCode, SerialNumber, TokenActivation,
};
use tollgate::otp::{Digits, Period, Secret, Totp, TotpParams, UnixTime};
use tollgate::provision::{OtpAuthUri, SecureActivation};
use tollgate::{Clock, SystemClock};

const USAGE: &str = "usage:
  soft_token activate --serial S [--registration-code R] [--policy JSON] --store FILE
      Activates a token from the Serial Number and Activation Code the enrollment page shows
      (the code is asked for), prints the registration code to type into the page's Response
      field, and saves the token. With --registration-code, restores a token activated earlier
      with that code instead.
  soft_token scan --uri URI --store FILE
      Reads a QR code's text: a secure activation URI (igmobileotp://; asks for the activation
      password) or an otpauth:// key URI, and saves the token.
  soft_token code --store FILE [--at UNIX_SECONDS]
      Prints the token's current code (or its code at a given time).

The saved token is protected by an app PIN of 6 to 12 digits. Ten wrong PINs in a row wipe
the token. Secrets (the PIN, the activation code, the activation password) are read from the
terminal, never from the command line, which other users see in ps.

  --secrets-from-env   read them from SOFT_TOKEN_PIN, SOFT_TOKEN_ACTIVATION_CODE and
                       SOFT_TOKEN_ACTIVATION_PASSWORD instead (for scripts)
  --help               show this text";

mod legacy;
mod sealed;

use sealed::{Saved, allow_secrets_from_env, open, refuse_existing, save, secret};

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
    fn parse(args: &[String], allowed: &[&str]) -> Result<Self, String> {
        let (command, rest) = args
            .split_first()
            .ok_or("give a command: activate, scan or code")?;
        let mut flags = Vec::new();
        let mut rest = rest.iter();
        while let Some(flag) = rest.next() {
            let name = flag
                .strip_prefix("--")
                .filter(|n| allowed.contains(n))
                .ok_or_else(|| format!("{command}: unknown argument {flag:?} (see --help)"))?;
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
            let args = Args::parse(args, &["serial", "registration-code", "policy", "store"])?;
            activate(&args)
        }
        Some("scan") => scan(&Args::parse(args, &["uri", "store"])?),
        Some("code") => code(&Args::parse(args, &["store", "at"])?),
        Some(other) => Err(format!(
            "unknown command {other:?}: activate, scan or code (see --help)"
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
        &Saved::new(Some(serial), Some(&code), &secret, params),
    )?;
    println!("Registration code: {code}");
    println!(
        "Type it into the enrollment page's Response field. Token saved to {}.",
        store.display()
    );
    Ok(())
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
            &Saved::new(Some(scanned.serial()), Some(&code), &secret, params),
        )?;
        println!("Serial Number:     {}", scanned.serial());
        println!(
            "Activation Code:   {}",
            scanned.activation_code().expose_grouped().as_str()
        );
        println!("Registration code: {code}");
        if let Some(address) = scanned.registration_url() {
            println!("(an app would report it to {address}; type it into the Response field)");
        }
    } else {
        let parsed = OtpAuthUri::parse(uri).map_err(|e| format!("--uri: {e}"))?;
        for forgiven in &parsed.forgiven {
            println!("note: {forgiven:?}");
        }
        let key = parsed.uri;
        let Some(params) = key.totp_params() else {
            return Err("this app keeps TOTP tokens only; the URI is an hotp one".into());
        };
        save(&store, &Saved::new(None, None, key.secret(), params))?;
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
    let saved = open(&store)?;
    let secret = Secret::from_base32(&saved.secret).map_err(|e| format!("saved token: {e}"))?;
    let params = TotpParams::new(
        saved
            .algorithm
            .parse()
            .map_err(|_| "saved token: bad algorithm")?,
        Digits::try_from(saved.digits).map_err(|e| format!("saved token: {e}"))?,
        Period::from_secs(saved.period).map_err(|e| format!("saved token: {e}"))?,
    );
    let totp = Totp::new(&secret, params);
    let code = totp.generate(at).map_err(|e| e.to_string())?;
    let left = params
        .seconds_until_next_step(at)
        .map_err(|e| e.to_string())?;
    println!("{code}");
    eprintln!("(valid for {left} more seconds)");
    Ok(())
}
