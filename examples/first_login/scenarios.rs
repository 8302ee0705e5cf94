//! What happens around the first login (`--scenario`): each way off the happy path, run to a
//! later login.

use tollgate::Service;

use crate::{Person, USER, login};

/// The list `--help` shows.
pub(crate) const HELP: &str =
    "  --scenario S   what happens around the first login (with the memory store):
                   first-login      a later login with the token's code (the default)
                   forgot-password  \"Password locked or forgotten?\": the token's code, a
                                    PIN, a new password; then a later login with it
                   reset-without-token  the password forgotten before the first login
                                    finished: a PIN by SMS and one by e-mail, a new password
                   lost-token       \"I no longer have my authenticator\": the password, a
                                    recovery code, a PIN, a new token; then a later login
                   new-recovery-codes  a session replaces the recovery codes; the token is
                                    lost and one of the new codes replaces it
                   add-authenticator  a later login adds a second token beside the first;
                                    then a later login with the new one
                   locked-app       ten wrong app PINs lock the soft token; the help desk
                                    turns its PIN reset code into the unlock code
                   grant            the token lost and no recovery code: the help desk's
                                    one-time re-enrollment code instead, a PIN, a new token
                   temporary-password  the help desk sets a temporary password: the next
                                    login, both factors, must set a new one
                   change-password  a session changes the password: the token's code and a
                                    PIN again, then the new password";

/// What happens around the first login.
#[derive(Clone, Copy)]
pub(crate) enum Scenario {
    /// A later login with the token's code.
    FirstLogin,
    /// The password forgotten: a reset with the token's code and a PIN, then a later login
    /// with the new password (flow 1).
    ForgotPassword,
    /// The password forgotten before the first login enrolled a token: two PINs (flow 2).
    ResetWithoutToken,
    /// The token lost: the password, a recovery code and a PIN, a new token enrolled, then a
    /// later login with it (flow 3).
    LostToken,
    /// New recovery codes from a session; then one of them replaces a lost token (flow 4).
    NewRecoveryCodes,
    /// A later login adds a second token; then a later login with the new one (flow 5).
    AddAuthenticator,
    /// The soft-token app locked by wrong PINs, unlocked by the help desk (flow 6).
    LockedApp,
    /// The token lost without recovery codes: an administrator's re-enrollment grant.
    Grant,
    /// An administrator's temporary password, replaced at the next login (flow 7).
    TemporaryPassword,
    /// A session changes the password (flow 9).
    ChangePassword,
}

impl Scenario {
    /// The scenario of a `--scenario` name.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "first-login" => Self::FirstLogin,
            "forgot-password" => Self::ForgotPassword,
            "reset-without-token" => Self::ResetWithoutToken,
            "lost-token" => Self::LostToken,
            "new-recovery-codes" => Self::NewRecoveryCodes,
            "add-authenticator" => Self::AddAuthenticator,
            "locked-app" => Self::LockedApp,
            "grant" => Self::Grant,
            "temporary-password" => Self::TemporaryPassword,
            "change-password" => Self::ChangePassword,
            _ => return None,
        })
    }

    /// Sets up what the person does during the first login.
    pub(crate) fn before_first_login(self, person: &mut Person<'_>) {
        if matches!(self, Self::ResetWithoutToken) {
            println!("  [you] have forgotten the password already");
            person.forget = true;
        }
    }

    /// Runs what follows the first login, up to the later login.
    pub(crate) fn after_first_login(
        self,
        service: &Service,
        person: &mut Person<'_>,
    ) -> Result<(), String> {
        match self {
            Self::FirstLogin | Self::ResetWithoutToken => Ok(()),
            Self::ForgotPassword => {
                println!("\n######## \"Password locked or forgotten?\" ########");
                person.forget = true;
                login::login(service, person).map(drop)
            }
            Self::LostToken => {
                println!("\n######## \"I no longer have my authenticator\" ########");
                person.lose = true;
                login::login(service, person).map(drop)
            }
            Self::NewRecoveryCodes => {
                println!("\n######## New recovery codes ########");
                person.regenerate = true;
                let old = std::mem::take(&mut person.recovery);
                login::login(service, person)?;
                if person.recovery.is_empty() || person.recovery == old {
                    return Err("the session showed no new recovery codes".into());
                }
                println!("\n######## The token lost: one of the new codes ########");
                person.lose = true;
                login::login(service, person).map(drop)
            }
            Self::AddAuthenticator => {
                println!("\n######## \"Add an authenticator\" ########");
                person.add = true;
                login::login(service, person).map(drop)
            }
            Self::LockedApp => locked_app(service, person),
            Self::Grant => {
                println!("\n######## The help desk's re-enrollment code ########");
                let admin = service.admin("helpdesk");
                let code = admin
                    .grant_reenrollment(USER, 3600)
                    .map_err(|e| e.to_string())?;
                println!(
                    "[help desk] gives {USER} a one-time code by telephone: {}",
                    code.as_str()
                );
                person.grant = Some(code.to_string());
                person.recovery.clear();
                person.lose = true;
                login::login(service, person).map(drop)
            }
            Self::TemporaryPassword => {
                println!("\n######## The help desk's temporary password ########");
                let temporary = "blue whale at noon";
                service
                    .admin("helpdesk")
                    .set_temporary_password(USER, temporary)
                    .map_err(|e| e.to_string())?;
                println!("[help desk] sets the temporary password {temporary:?}");
                person.password = temporary.to_owned();
                login::login(service, person).map(drop)
            }
            Self::ChangePassword => {
                println!("\n######## Change password ########");
                person.change = true;
                login::login(service, person).map(drop)
            }
        }
    }
}

/// Flow 6 from both sides: the app locks and shows a PIN reset code; the help desk's unlock
/// code for it is the one the app computes from its own secret (as `soft_token unlock` checks
/// it: `cargo run --example soft_token -- --help`).
fn locked_app(service: &Service, person: &mut Person<'_>) -> Result<(), String> {
    println!("\n######## The locked app ########");
    let secret = person.secret.clone().ok_or("no token was enrolled")?;
    let reset_code = tollgate::codes::new_reset_code(&mut tollgate::os_rng());
    println!("  [soft token] wrong PIN 10 times: the app is locked; PIN reset code {reset_code}");
    let unlock = service
        .admin("helpdesk")
        .app_unlock_code(USER, &reset_code)
        .map_err(|e| e.to_string())?;
    println!("[help desk] reads back the unlock code {}", unlock.as_str());
    let expected = tollgate::codes::unlock_code(&secret, &reset_code).map_err(|e| e.to_string())?;
    if unlock.as_str() != expected.as_str() {
        return Err("the app refused the help desk's unlock code".into());
    }
    println!("  [soft token] unlock code accepted; a new app PIN set");
    Ok(())
}
