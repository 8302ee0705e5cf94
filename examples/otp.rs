//! A TOTP token and the service that verifies it, on one machine.
//!
//! `cargo run --example otp`
//!
//! The service makes a secret and shows it as a key URI would carry it; the token (here, the
//! same library) shows the code of the moment; the service verifies the code, refuses it when
//! it is replayed and refuses a wrong one, and accepts a code typed a little late. This is the
//! "every later login" step of the first-login flow; the whole flow arrives with the facade's
//! `first_login` example.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use rand_core::UnwrapErr;
use tollgate_otp::{
    Algorithm, Code, Digits, Secret, Step, Totp, TotpParams, UnixTime, VerifyError, Window,
};

fn now() -> UnixTime {
    #[expect(
        clippy::disallowed_methods,
        reason = "an example is the application: it owns the clock, the library does not"
    )]
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    UnixTime::from_secs(since_epoch.as_secs())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    // The OS random number generator, as the service would use it.
    let mut rng = UnwrapErr(getrandom::SysRng);
    let secret = Secret::generate(Algorithm::Sha1, &mut rng);
    let params = TotpParams::default();
    println!("== Service: a new token");
    println!(
        "   secret    {} ({} bits)",
        secret.expose_base32().as_str(),
        secret.bits()
    );
    println!(
        "   algorithm {}, {} digits, period {}",
        params.algorithm(),
        params.digits(),
        params.period()
    );

    // Token side: what the app shows now.
    let token = Totp::new(&secret, params);
    let now = now();
    let shown = token.generate(now).map_err(|e| e.to_string())?;
    let remaining = params
        .seconds_until_next_step(now)
        .map_err(|e| e.to_string())?;
    println!("\n== Token: code {shown} (valid for {remaining} more seconds)");

    // Service side: the code as the user types it, with a space in the middle.
    let service = Totp::new(&secret, params);
    let typed = format!("{} {}", &shown.to_string()[..3], &shown.to_string()[3..]);
    let code = Code::parse(&typed, Digits::SIX).map_err(|e| e.to_string())?;
    let mut last_accepted: Option<Step> = None;
    let verified = service
        .verify(&code, now, Window::default(), last_accepted)
        .map_err(|e| format!("the token's own code was refused: {e}"))?;
    last_accepted = Some(verified.step());
    println!(
        "\n== Service: \"{typed}\" accepted (step {}, drift {})",
        verified.step().get(),
        verified.drift()
    );

    match service.verify(&code, now, Window::default(), last_accepted) {
        Err(VerifyError::Replayed { step }) => println!(
            "== Service: the same code again is refused as a replay of step {}",
            step.get()
        ),
        other => return Err(format!("a replay was not refused: {other:?}")),
    }

    let wrong = Code::parse(
        &format!("{:06}", (code_value(&shown) + 1) % 1_000_000),
        Digits::SIX,
    )
    .map_err(|e| e.to_string())?;
    match service.verify(&wrong, now, Window::default(), last_accepted) {
        Err(VerifyError::Mismatch) => println!("== Service: a wrong code is refused"),
        other => return Err(format!("a wrong code was not refused: {other:?}")),
    }

    // A code shown just before the step changed, typed after it: one step behind, accepted.
    let late = UnixTime::from_secs(now.as_secs() + u64::from(params.period().as_secs()));
    let verified = service
        .verify(&code, late, Window::default(), None)
        .map_err(|e| format!("a late code was refused: {e}"))?;
    println!(
        "== Service: the same code typed 30 s later, on a fresh account, is accepted with drift {}",
        verified.drift()
    );
    Ok(())
}

fn code_value(code: &Code) -> u32 {
    code.to_string().parse().unwrap_or_default()
}
