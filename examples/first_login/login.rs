//! One login, screen by screen, as the person (or the script) answers each.

use std::io::{BufRead, Write};

use tollgate::codes::{RegistrationCode, RegistrationRequest, TokenActivation};
use tollgate::login::{EnrollmentKind, Input, MessageId, Screen};
use tollgate::otp::Totp;
use tollgate::provision::{OtpAuthUri, SecureActivation};
use tollgate::{Service, View};

use crate::{Person, USER, screens, store};

/// The new password of `--scenario forgot-password`.
const NEW_PASSWORD: &str = "tangerine lighthouse on a hill";

/// An answer: typed by the person in interactive mode, else given by the script.
fn answer(
    interactive: bool,
    label: &str,
    scripted: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    if interactive {
        print!("  {label}: ");
        std::io::stdout().flush().map_err(|e| e.to_string())?;
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim().to_owned())
    } else {
        let value = scripted()?;
        println!("  {label}: {value}");
        Ok(value)
    }
}

/// One login, screen by screen, until it is authenticated.
pub(crate) fn login(service: &Service, person: &mut Person<'_>) -> Result<View, String> {
    let catalog = &person.options.catalog;
    let interactive = person.options.interactive;
    let mut view = service.start().map_err(|e| e.to_string())?;
    for _ in 0..32 {
        screens::show(&view, catalog);
        let submission = match &view.screen {
            Screen::EnterUserId => {
                Input::UserId(answer(interactive, "User ID", || Ok(USER.into()))?)
            }
            Screen::EnterPassword { .. } if person.forget => {
                person.forget = false;
                answer(interactive, "Password locked or forgotten? (Enter)", || {
                    Ok(String::new())
                })?;
                Input::ForgotPassword
            }
            Screen::EnterPassword { .. } => {
                if let (Some(notice), false) = (&view.notice, interactive) {
                    // The script's password is right: a refusal is the account's lock.
                    return Err(format!(
                        "the password was refused: {}",
                        catalog.render(notice)
                    ));
                }
                let known = person.password.clone();
                Input::Password(answer(interactive, "Password", || Ok(known))?.into())
            }
            Screen::ResetStart { .. } if person.token.is_none() => {
                answer(
                    interactive,
                    "I no longer have my authenticator (Enter)",
                    || Ok(String::new()),
                )?;
                Input::NoAuthenticator
            }
            Screen::ResetStart { .. } => Input::TokenCode(answer(interactive, "Code", || {
                token_code(service, person, view.notice.is_some())
            })?),
            Screen::ResetPin { .. } => Input::Pin(answer(interactive, "OTP", || {
                person
                    .outbox
                    .last_pin()
                    .ok_or_else(|| "no PIN was sent".to_owned())
            })?),
            Screen::NewPassword { .. } => {
                let new = answer(interactive, &catalog.text(MessageId::NewPassword), || {
                    Ok(NEW_PASSWORD.into())
                })?;
                person.password.clone_from(&new);
                Input::NewPassword(new.into())
            }
            Screen::PasswordChanged { .. } => {
                answer(interactive, &catalog.text(MessageId::Continue), || {
                    Ok(String::new())
                })?;
                Input::Continue
            }
            Screen::EnterTokenCode { .. } if person.lose => {
                person.lose = false;
                person.token = None;
                println!("  [you] the phone is gone: \"I no longer have my authenticator\"");
                Input::LostToken
            }
            Screen::EnterRecoveryCode { .. } => {
                Input::RecoveryCode(answer(interactive, "Recovery code", || {
                    person
                        .grant
                        .take()
                        .or_else(|| person.recovery.first().cloned())
                        .ok_or_else(|| "no recovery code was kept".to_owned())
                })?)
            }
            Screen::EnterPin { .. } => Input::Pin(answer(interactive, "OTP", || {
                person
                    .outbox
                    .last_pin()
                    .ok_or_else(|| "no PIN was sent".to_owned())
            })?),
            Screen::ChooseEnrollment { .. } => {
                let choice = answer(interactive, "Mobile or Desktop (m/d)", || {
                    Ok(if person.options.mobile { "m" } else { "d" }.into())
                })?;
                Input::ChooseEnrollment(if choice.starts_with(['m', 'M']) {
                    EnrollmentKind::Mobile
                } else {
                    EnrollmentKind::Desktop
                })
            }
            Screen::DesktopActivation(page) => {
                let token = TokenActivation::new(page.serial, page.activation_code.clone(), None);
                let response = answer(interactive, &catalog.text(MessageId::Response), || {
                    println!(
                        "  [soft token] Address, Serial Number and Activation Code typed in; Save."
                    );
                    Ok(register(&token, person)?.to_string())
                })?;
                Input::RegistrationCode(response)
            }
            Screen::MobileActivation(page) if person.options.open_path => {
                let open = page
                    .open
                    .as_ref()
                    .ok_or("the service offers no open path")?;
                let code = answer(interactive, "Code", || {
                    println!("  [authenticator app] scans the otpauth:// QR code, shows a code.");
                    let app = OtpAuthUri::parse(&open.uri).map_err(|e| e.to_string())?.uri;
                    let params = app.totp_params().ok_or("not a TOTP key URI")?;
                    let totp = Totp::new(app.secret(), params);
                    let code = totp.generate(service.now()).map_err(|e| e.to_string())?;
                    if let Some(file) = &person.app {
                        store::save_key_uri(file, &app)?;
                        println!(
                            "  [authenticator app] keeps its token in {}",
                            file.display()
                        );
                    }
                    person.token = Some(totp);
                    Ok(code.to_string())
                })?;
                Input::OpenPathCode(code)
            }
            Screen::MobileActivation(page) => {
                let prompt = format!("{} (Enter alone for OK)", catalog.text(MessageId::Response));
                let response = answer(interactive, &prompt, || {
                    println!(
                        "  [soft token] scans the QR code, asks for the activation password, \
                         activates, and reports its registration code to the registration address."
                    );
                    let scanned = SecureActivation::decode(&page.qr_uri, &page.password)
                        .map_err(|e| e.to_string())?;
                    let token = TokenActivation::new(
                        scanned.serial(),
                        scanned.activation_code().clone(),
                        scanned.policy().cloned(),
                    );
                    let code = register(&token, person)?;
                    let body = RegistrationRequest::new(&token, &code).to_json();
                    let reply = service
                        .register_online(body.as_bytes(), tollgate::Client::default())
                        .map_err(|e| e.to_string())?;
                    println!("  [registration address] {}", reply.name());
                    println!("  [you] click OK");
                    Ok(String::new())
                })?;
                if response.trim().is_empty() {
                    Input::RegistrationArrived
                } else {
                    Input::RegistrationCode(response)
                }
            }
            Screen::Enrolled { recovery_codes, .. } => {
                keep_recovery_codes(person, recovery_codes);
                answer(interactive, &catalog.text(MessageId::Continue), || {
                    Ok(String::new())
                })?;
                Input::Continue
            }
            Screen::EnterTokenCode { .. } => Input::TokenCode(answer(interactive, "Code", || {
                token_code(service, person, view.notice.is_some())
            })?),
            Screen::Authenticated { .. } if person.add => {
                person.add = false;
                answer(
                    interactive,
                    &catalog.text(MessageId::AddAuthenticator),
                    || Ok(String::new()),
                )?;
                Input::AddAuthenticator
            }
            Screen::Authenticated { .. } if person.regenerate => {
                person.regenerate = false;
                answer(
                    interactive,
                    &catalog.text(MessageId::NewRecoveryCodes),
                    || Ok(String::new()),
                )?;
                Input::NewRecoveryCodes
            }
            Screen::Authenticated { .. } if person.change => {
                person.change = false;
                answer(
                    interactive,
                    &catalog.text(MessageId::ChangePassword),
                    || Ok(String::new()),
                )?;
                Input::ChangePassword
            }
            Screen::RecoveryCodes { codes, .. } => {
                keep_recovery_codes(person, codes);
                answer(interactive, &catalog.text(MessageId::Continue), || {
                    Ok(String::new())
                })?;
                Input::Continue
            }
            Screen::Authenticated { .. } => return Ok(view),
            other => return Err(format!("unexpected screen {other:?}")),
        };
        view = service
            .submit(&view.login, submission, tollgate::Client::default())
            .map_err(|e| e.to_string())?;
    }
    Err("the login did not finish".into())
}

/// The soft token's code; after a refusal (most likely this step's code was spent already,
/// by a run a moment ago or the login just before), the app's next one.
fn token_code(service: &Service, person: &Person<'_>, refused: bool) -> Result<String, String> {
    let token = person.token.as_ref().ok_or("no token was enrolled")?;
    if refused {
        let wait = token
            .params()
            .seconds_until_next_step(service.now())
            .map_err(|e| e.to_string())?;
        println!("  [soft token] next code in {wait} s");
        match &person.options.at {
            Some(clock) => clock.advance(wait),
            None => std::thread::sleep(std::time::Duration::from_secs(wait)),
        }
    }
    let code = token.generate(service.now()).map_err(|e| e.to_string())?;
    println!("  [soft token] shows {code}");
    Ok(code.to_string())
}

/// The recovery codes a page shows, kept by the person.
fn keep_recovery_codes(person: &mut Person<'_>, codes: &[tollgate::login::recovery::RecoveryCode]) {
    if !codes.is_empty() {
        person.recovery = codes
            .iter()
            .map(|c| c.expose_grouped().to_string())
            .collect();
        println!(
            "  [you] keep the recovery codes: {}",
            person.recovery.join(" ")
        );
    }
}

/// The app's side of the activation: a registration code, and the token it keeps.
fn register(token: &TokenActivation, person: &mut Person<'_>) -> Result<RegistrationCode, String> {
    let mut rng = tollgate::os_rng();
    let (code, activated) = token.register(&mut rng);
    println!("  [soft token] registration code: {code}");
    if let Some(app) = &person.app {
        store::save_app(app, USER, &activated)?;
        println!("  [soft token] keeps its token in {}", app.display());
    }
    person.token = Some(activated.totp());
    person.secret = Some(activated.secret().clone());
    Ok(code)
}
