//! A command-line stand-in for the desktop soft-token app: the token side of the activation.
//!
//! ```text
//! soft_token activate --serial S --activation-code A [--registration-code R] [--policy JSON] --store FILE
//! soft_token scan --uri URI [--password P] --store FILE
//! soft_token code --store FILE [--at UNIX_SECONDS]
//! ```
//!
//! The token is saved sealed under the app PIN: a key from the PIN with Argon2id, the token
//! sealed with ChaCha20-Poly1305. Ten wrong PINs in a row wipe the file. The PIN is read from
//! the terminal, or from `SOFT_TOKEN_PIN` when it is set (for scripts).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use argon2::{Algorithm as Argon2Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use rand_core::Rng;
use serde::{Deserialize, Serialize};
use tollgate::codes::{
    ActivationCode, ActivationPassword, Policy, RegistrationCode, SerialNumber, TokenActivation,
};
use tollgate::otp::{Digits, Period, Secret, Totp, TotpParams, UnixTime};
use tollgate::provision::{OtpAuthUri, SecureActivation};
use tollgate::{Clock, SystemClock};
use zeroize::Zeroizing;

const USAGE: &str = "usage:
  soft_token activate --serial S --activation-code A [--registration-code R] [--policy JSON] --store FILE
      Activates a token from the Serial Number and Activation Code the enrollment page shows,
      prints the registration code to type into the page's Response field, and saves the token.
      With --registration-code, restores a token activated earlier with that code instead.
  soft_token scan --uri URI [--password P] --store FILE
      Reads a QR code's text: a secure activation URI (igmobileotp://; asks for the activation
      password unless --password is given) or an otpauth:// key URI, and saves the token.
  soft_token code --store FILE [--at UNIX_SECONDS]
      Prints the token's current code (or its code at a given time).

The saved token is protected by an app PIN of 6 to 12 digits, read from the terminal or from
the environment variable SOFT_TOKEN_PIN. Ten wrong PINs in a row wipe the token.

  --help   show this text";

const FORMAT: &str = "tollgate-soft-token";
const MAX_TRIES: u32 = 10;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
            let args = Args::parse(
                args,
                &[
                    "serial",
                    "activation-code",
                    "registration-code",
                    "policy",
                    "store",
                ],
            )?;
            activate(&args)
        }
        Some("scan") => scan(&Args::parse(args, &["uri", "password", "store"])?),
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
    let activation_code: ActivationCode = args
        .need("activation-code")?
        .parse()
        .map_err(|e| format!("--activation-code: {e}"))?;
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
        let password: ActivationPassword = match args.get("password") {
            Some(p) => p.parse(),
            None => read_secret("Activation password: ")?.parse(),
        }
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

/// The token, as sealed inside the file.
#[derive(Serialize, Deserialize)]
struct Saved {
    serial: Option<String>,
    registration_code: Option<String>,
    secret: String,
    algorithm: String,
    digits: u8,
    period: u32,
}

impl Saved {
    fn new(
        serial: Option<SerialNumber>,
        code: Option<&RegistrationCode>,
        secret: &Secret,
        params: TotpParams,
    ) -> Self {
        Self {
            serial: serial.map(|s| s.to_string()),
            registration_code: code.map(ToString::to_string),
            secret: secret.expose_base32().to_string(),
            algorithm: params.algorithm().to_string(),
            digits: params.digits().get(),
            period: params.period().as_secs(),
        }
    }
}

impl Drop for Saved {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

/// The file: a header in the clear (bound to the ciphertext as associated data) and the
/// sealed token.
#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    version: u32,
    argon2: [u32; 3],
    salt: String,
    nonce: String,
    failures: u32,
    sealed: String,
}

impl File {
    fn associated_data(&self) -> String {
        format!(
            "{}|{}|{:?}|{}|{}",
            self.format, self.version, self.argon2, self.salt, self.nonce
        )
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return Err("the token file is corrupted (bad hex)".into());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&text[i..i + 2], 16)
                .map_err(|_| "the token file is corrupted (bad hex)".to_owned())
        })
        .collect()
}

/// The sealing key: Argon2id of the PIN (OWASP parameters).
fn key(pin: &str, salt: &[u8], argon2: [u32; 3]) -> Result<Zeroizing<[u8; 32]>, String> {
    let params = Params::new(argon2[0], argon2[1], argon2[2], Some(32))
        .map_err(|e| format!("the token file is corrupted ({e})"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Argon2Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pin.as_bytes(), salt, &mut *key)
        .map_err(|e| e.to_string())?;
    Ok(key)
}

fn read_secret(prompt: &str) -> Result<Zeroizing<String>, String> {
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| format!("cannot read from the terminal ({e}); set SOFT_TOKEN_PIN"))
}

fn pin(prompt: &str) -> Result<Zeroizing<String>, String> {
    match std::env::var("SOFT_TOKEN_PIN") {
        Ok(pin) => Ok(Zeroizing::new(pin)),
        Err(_) => read_secret(prompt),
    }
}

fn new_pin() -> Result<Zeroizing<String>, String> {
    let first = pin("Choose an app PIN (6 to 12 digits): ")?;
    if !(6..=12).contains(&first.len()) || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the app PIN must be 6 to 12 digits".into());
    }
    if std::env::var_os("SOFT_TOKEN_PIN").is_none() {
        let again = read_secret("Enter the PIN again: ")?;
        if *again != *first {
            return Err("the two PINs differ; nothing was saved".into());
        }
    }
    Ok(first)
}

fn refuse_existing(store: &Path) -> Result<(), String> {
    if store.exists() {
        return Err(format!(
            "{} already holds a token; choose another file",
            store.display()
        ));
    }
    Ok(())
}

fn save(store: &Path, token: &Saved) -> Result<(), String> {
    let pin = new_pin()?;
    let mut rng = tollgate::os_rng();
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    rng.fill_bytes(&mut salt);
    rng.fill_bytes(&mut nonce);
    let mut file = File {
        format: FORMAT.into(),
        version: 1,
        argon2: [
            Params::DEFAULT_M_COST,
            Params::DEFAULT_T_COST,
            Params::DEFAULT_P_COST,
        ],
        salt: hex(&salt),
        nonce: hex(&nonce),
        failures: 0,
        sealed: String::new(),
    };
    let key = key(&pin, &salt, file.argon2)?;
    let plaintext = Zeroizing::new(serde_json::to_vec(token).map_err(|e| e.to_string())?);
    let aad = file.associated_data();
    let sealed = ChaCha20Poly1305::new(&(*key).into())
        .encrypt(
            &nonce.into(),
            Payload {
                msg: &plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| "sealing failed")?;
    file.sealed = hex(&sealed);
    write(store, &file)
}

fn write(store: &Path, file: &File) -> Result<(), String> {
    let text = serde_json::to_string_pretty(file).map_err(|e| e.to_string())?;
    std::fs::write(store, text).map_err(|e| format!("cannot write {}: {e}", store.display()))
}

fn open(store: &Path) -> Result<Saved, String> {
    let text = std::fs::read_to_string(store).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "{} does not exist: activate or scan a token first",
            store.display()
        ),
        _ => format!("cannot read {}: {e}", store.display()),
    })?;
    let mut file: File = serde_json::from_str(&text).map_err(|_| {
        format!(
            "{} is not a soft-token file, or it is corrupted",
            store.display()
        )
    })?;
    if file.format != FORMAT || file.version != 1 {
        return Err(format!(
            "{} is not a version-1 soft-token file",
            store.display()
        ));
    }
    let salt = unhex(&file.salt)?;
    let nonce: [u8; 12] = unhex(&file.nonce)?
        .try_into()
        .map_err(|_| "the token file is corrupted (nonce)")?;
    let sealed = unhex(&file.sealed)?;
    let pin = pin("App PIN: ")?;
    let key = key(&pin, &salt, file.argon2)?;
    let aad = file.associated_data();
    match ChaCha20Poly1305::new(&(*key).into()).decrypt(
        &nonce.into(),
        Payload {
            msg: &sealed,
            aad: aad.as_bytes(),
        },
    ) {
        Ok(plaintext) => {
            let plaintext = Zeroizing::new(plaintext);
            if file.failures > 0 {
                file.failures = 0;
                write(store, &file)?;
            }
            serde_json::from_slice(&plaintext).map_err(|_| "the token file is corrupted".into())
        }
        Err(_) => {
            // A wrong PIN and a corrupted file look the same to the AEAD; both count.
            file.failures += 1;
            if file.failures >= MAX_TRIES {
                let wiped = File {
                    sealed: "0".repeat(file.sealed.len()),
                    ..file
                };
                let _ = write(store, &wiped);
                let _ = std::fs::remove_file(store);
                return Err(format!(
                    "wrong PIN {MAX_TRIES} times: the token has been wiped; activate it again"
                ));
            }
            write(store, &file)?;
            Err(format!(
                "wrong PIN (or a damaged file); {} tries left before the token is wiped",
                MAX_TRIES - file.failures
            ))
        }
    }
}
