//! What the screens say, as identifiers with parameters, and two catalogues to render them.
//!
//! The machine never produces text: it names a message and its parameters, and the service
//! renders it in the user's language with [`Catalog::english`], [`Catalog::french`] or a
//! catalogue of its own ([`Catalog::custom`]).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A message a screen shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum MessageId {
    /// Title of the first screen.
    Login,
    /// "Enter User ID".
    EnterUserId,
    /// The User ID is not an e-mail address.
    UserIdFormat,
    /// "Enter your password."
    EnterPassword,
    /// "Password locked or forgotten?"
    PasswordLockedOrForgotten,
    /// The User ID or password is wrong (also for unknown users and locked accounts).
    WrongPassword,
    /// "Enter the one-time password that was just sent to you."
    EnterPin,
    /// Where the PIN went: `{destination}`.
    PinSentTo,
    /// "Resend OTP using SMS".
    ResendBySms,
    /// "Resend OTP using e-mail".
    ResendByEmail,
    /// "Alternative authentication" (the PIN by e-mail).
    AlternativeAuthentication,
    /// A wrong PIN.
    WrongPin,
    /// The PIN expired; ask for a new one.
    PinExpired,
    /// A resend asked for too soon: `{seconds}`.
    ResendTooSoon,
    /// No more sends in this login.
    TooManySends,
    /// The account's hourly budget of sends by this channel is spent.
    SendBudget,
    /// The account is cooling down after wrong codes: `{seconds}`.
    TryLater,
    /// "Your organization requires you to set up authentication methods."
    SetUpAuthentication,
    /// "Are you activating the token on your desktop or mobile app?"
    MobileOrDesktop,
    /// "Mobile".
    Mobile,
    /// "Desktop".
    Desktop,
    /// "Activate your token by scanning the QR code with the Entrust Soft Token App."
    ScanQrCode,
    /// "Activation Password".
    ActivationPassword,
    /// The open path: any authenticator app can scan this QR code.
    ScanOpenQrCode,
    /// The open path's key as text, for an app that cannot scan: "Key".
    OpenPathKey,
    /// The open path: type the code the authenticator app shows.
    EnterOpenPathCode,
    /// "Copy the activation parameters into the Entrust Soft Token application."
    CopyActivationParameters,
    /// "Address".
    Address,
    /// "Serial Number".
    SerialNumber,
    /// "Activation Code".
    ActivationCode,
    /// "Enter the registration code to finish activating the token."
    EnterRegistrationCode,
    /// "Response".
    Response,
    /// The registration code was mistyped.
    RegistrationMistyped,
    /// The registration code belongs to another activation.
    RegistrationNotForThisActivation,
    /// The activation data expired; choose again for new ones.
    ActivationExpired,
    /// Another login of the same user asked for new activation data: choose again.
    ActivationReplaced,
    /// The account already has a token (enrolled meanwhile, in another login): its code is
    /// needed now.
    AlreadyEnrolled,
    /// "Congratulations, you have successfully enrolled for Entrust Identity."
    Enrolled,
    /// "Continue".
    Continue,
    /// Enter the code the soft token shows.
    EnterTokenCode,
    /// A wrong token code (also for a replayed one and a locked account).
    WrongCode,
    /// Too many wrong codes in a row: the second factor is locked until the account is
    /// recovered or an administrator unlocks it.
    SecondFactorLocked,
    /// The stored login could not be trusted (or another request moved it on): log in again.
    LoginRefused,
    /// Logged in.
    LoggedIn,
    /// The login took too long; start again.
    LoginExpired,
    /// What to do about a locked or forgotten password: the service has been told.
    PasswordHelp,
    /// "Cancel".
    Cancel,
    /// "Next".
    Next,
    /// "Login": the heading of the first screen, and the button that sends a one-time
    /// password or a token code.
    LogIn,
    /// "Progress {step} of {steps}" above the enrollment's numbered steps.
    Progress,
    /// "Download the Entrust Soft Token App."
    DownloadApp,
    /// "Copy the code and enter it in the mobile application when prompted."
    CopyActivationPassword,
    /// "OK".
    Ok,
    /// What to do once the app is activated: click OK.
    ClickOkWhenActivated,
    /// The app has registered: click OK to finish.
    RegistrationArrived,
    /// OK was clicked before the app registered.
    RegistrationNotArrived,
    /// For an app that cannot reach the server: it shows a registration code instead.
    AppShowsRegistrationCode,
    /// The User ID is not a user name.
    UserNameFormat,
}

/// A message with its parameters, e.g. [`MessageId::PinSentTo`] with `destination`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Which message.
    pub id: MessageId,
    /// Its parameters, by name.
    pub args: Vec<(Cow<'static, str>, String)>,
}

impl Message {
    /// A message without parameters.
    #[must_use]
    pub fn new(id: MessageId) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    /// The message with one more parameter.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((Cow::Borrowed(name), value.into()));
        self
    }
}

impl From<MessageId> for Message {
    fn from(id: MessageId) -> Self {
        Self::new(id)
    }
}

/// A catalogue: a text for every message, with `{name}` where a parameter goes.
#[derive(Clone, Debug)]
pub struct Catalog {
    language: &'static str,
    lookup: fn(MessageId) -> Option<&'static str>,
}

impl Catalog {
    /// English, in the portal guide's own wording.
    #[must_use]
    pub fn english() -> Self {
        Self {
            language: "en",
            lookup: |id| Some(english(id)),
        }
    }

    /// French.
    #[must_use]
    pub fn french() -> Self {
        Self {
            language: "fr",
            lookup: |id| Some(french(id)),
        }
    }

    /// A catalogue of the service's own: `lookup` gives the text of each message it knows;
    /// the English text stands in for the others.
    #[must_use]
    pub fn custom(language: &'static str, lookup: fn(MessageId) -> Option<&'static str>) -> Self {
        Self { language, lookup }
    }

    /// The catalogue's language tag.
    #[must_use]
    pub fn language(&self) -> &'static str {
        self.language
    }

    /// The message's text, with its parameters filled in.
    #[must_use]
    pub fn render(&self, message: &Message) -> String {
        let mut text = (self.lookup)(message.id)
            .unwrap_or_else(|| english(message.id))
            .to_owned();
        for (name, value) in &message.args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// The text of a message without parameters.
    #[must_use]
    pub fn text(&self, id: MessageId) -> String {
        self.render(&Message::new(id))
    }
}

fn english(id: MessageId) -> &'static str {
    use MessageId as M;
    match id {
        M::Login => "Login to access Remote Signing Service.",
        M::EnterUserId => "Enter User ID",
        M::UserIdFormat => "Your User ID is your e-mail address.",
        M::EnterPassword => "Enter your password.",
        M::PasswordLockedOrForgotten => "Password locked or forgotten?",
        M::WrongPassword => "The User ID or password is incorrect.",
        M::EnterPin => "Enter the one-time password that was just sent to you.",
        M::PinSentTo => "We sent it to {destination}.",
        M::ResendBySms => "Resend OTP using SMS",
        M::ResendByEmail => "Resend OTP using email",
        M::AlternativeAuthentication => "Alternative Authentication",
        M::WrongPin => "The one-time password is incorrect.",
        M::PinExpired => "The one-time password has expired. Ask for a new one.",
        M::ResendTooSoon => {
            "Please wait {seconds} seconds before asking for another one-time password."
        }
        M::TooManySends => {
            "No more one-time passwords can be sent for this login. Start again later."
        }
        M::SendBudget => {
            "Too many one-time passwords were sent to you this hour. Try again later, or use \
             the alternative."
        }
        M::TryLater => "Too many attempts. Try again in {seconds} seconds.",
        M::SetUpAuthentication => {
            "Your organization requires you to set up authentication methods."
        }
        M::MobileOrDesktop => "Are you activating the token on your desktop or mobile app?",
        M::Mobile => "Mobile",
        M::Desktop => "Desktop",
        M::ScanQrCode => {
            "Activate your token by scanning the QR code with the Entrust Soft Token App."
        }
        M::ActivationPassword => "Activation Password",
        M::ScanOpenQrCode => "Or scan this QR code with any authenticator app.",
        M::OpenPathKey => "Key",
        M::EnterOpenPathCode => "Then enter the code your authenticator app shows.",
        M::CopyActivationParameters => {
            "Copy the activation parameters into the Entrust Soft Token application."
        }
        M::Address => "Address",
        M::SerialNumber => "Serial Number",
        M::ActivationCode => "Activation Code",
        M::EnterRegistrationCode => "Enter the registration code to finish activating the token.",
        M::Response => "Response",
        M::RegistrationMistyped => "The registration code is mistyped: check each digit.",
        M::RegistrationNotForThisActivation => {
            "The registration code does not belong to this activation."
        }
        M::ActivationExpired => {
            "The activation has expired. Choose mobile or desktop again for new activation data."
        }
        M::ActivationReplaced => {
            "New activation data were requested in another window. Choose mobile or desktop again."
        }
        M::AlreadyEnrolled => {
            "A token is already enrolled for this account. Enter the code your Entrust Identity app shows."
        }
        M::Enrolled => "Congratulations, you have successfully enrolled for Entrust Identity.",
        M::Continue => "Continue",
        M::EnterTokenCode => "Enter the code your Entrust Identity app shows.",
        M::WrongCode => "The code is incorrect.",
        M::SecondFactorLocked => {
            "Too many incorrect codes: your second factor is locked. Ask your administrator to unlock it or recover your account."
        }
        M::LoginRefused => "For your security, please log in again.",
        M::LoggedIn => "You are logged in.",
        M::LoginExpired => "The login took too long. Please start again.",
        M::PasswordHelp => "If the account exists, your administrator has been asked to help you.",
        M::Cancel => "Cancel",
        M::Next => "Next",
        M::LogIn => "Login",
        M::Progress => "Progress {step} of {steps}",
        M::DownloadApp => "Download the Entrust Soft Token App.",
        M::CopyActivationPassword => {
            "Copy the code and enter it in the mobile application when prompted."
        }
        M::Ok => "OK",
        M::ClickOkWhenActivated => "Once the app is activated and its PIN is set, click OK.",
        M::RegistrationArrived => "Your app has registered. Click OK to finish.",
        M::RegistrationNotArrived => {
            "Your app has not registered yet. Select Activate in the app, set its PIN, then \
             click OK again. If the app shows a registration code instead, enter it in Response."
        }
        M::AppShowsRegistrationCode => "The app shows a registration code instead?",
        M::UserNameFormat => {
            "Your User ID is your user name: letters, digits and punctuation, without spaces."
        }
    }
}

fn french(id: MessageId) -> &'static str {
    use MessageId as M;
    match id {
        M::Login => "Connectez-vous pour accéder au service de signature à distance.",
        M::EnterUserId => "Saisissez votre identifiant",
        M::UserIdFormat => "Votre identifiant est votre adresse e-mail.",
        M::EnterPassword => "Saisissez votre mot de passe.",
        M::PasswordLockedOrForgotten => "Mot de passe bloqué ou oublié ?",
        M::WrongPassword => "L’identifiant ou le mot de passe est incorrect.",
        M::EnterPin => "Saisissez le mot de passe à usage unique qui vient de vous être envoyé.",
        M::PinSentTo => "Nous l’avons envoyé à {destination}.",
        M::ResendBySms => "Renvoyer le code par SMS",
        M::ResendByEmail => "Renvoyer le code par e-mail",
        M::AlternativeAuthentication => "Authentification alternative",
        M::WrongPin => "Le mot de passe à usage unique est incorrect.",
        M::PinExpired => "Le mot de passe à usage unique a expiré. Demandez-en un nouveau.",
        M::ResendTooSoon => {
            "Veuillez patienter {seconds} secondes avant de demander un nouveau code."
        }
        M::TooManySends => {
            "Plus aucun code ne peut être envoyé pour cette connexion. Recommencez plus tard."
        }
        M::SendBudget => {
            "Trop de codes vous ont été envoyés cette heure-ci. Réessayez plus tard, ou \
             utilisez l’autre moyen."
        }
        M::TryLater => "Trop de tentatives. Réessayez dans {seconds} secondes.",
        M::SetUpAuthentication => {
            "Votre organisation vous demande de configurer vos méthodes d’authentification."
        }
        M::MobileOrDesktop => "Activez-vous le jeton sur votre ordinateur ou sur votre mobile ?",
        M::Mobile => "Mobile",
        M::Desktop => "Ordinateur",
        M::ScanQrCode => {
            "Activez votre jeton en scannant le code QR avec l’application Entrust Soft Token."
        }
        M::ActivationPassword => "Mot de passe d’activation",
        M::ScanOpenQrCode => {
            "Ou scannez ce code QR avec n’importe quelle application d’authentification."
        }
        M::OpenPathKey => "Clé",
        M::EnterOpenPathCode => {
            "Saisissez ensuite le code affiché par votre application d’authentification."
        }
        M::CopyActivationParameters => {
            "Copiez les paramètres d’activation dans l’application Entrust Soft Token."
        }
        M::Address => "Adresse",
        M::SerialNumber => "Numéro de série",
        M::ActivationCode => "Code d’activation",
        M::EnterRegistrationCode => {
            "Saisissez le code d’enregistrement pour terminer l’activation du jeton."
        }
        M::Response => "Réponse",
        M::RegistrationMistyped => {
            "Le code d’enregistrement comporte une faute de frappe : vérifiez chaque chiffre."
        }
        M::RegistrationNotForThisActivation => {
            "Le code d’enregistrement ne correspond pas à cette activation."
        }
        M::ActivationExpired => {
            "L’activation a expiré. Choisissez à nouveau mobile ou ordinateur pour de nouvelles données d’activation."
        }
        M::ActivationReplaced => {
            "De nouvelles données d’activation ont été demandées dans une autre fenêtre. Choisissez à nouveau mobile ou ordinateur."
        }
        M::AlreadyEnrolled => {
            "Un jeton est déjà enregistré pour ce compte. Saisissez le code affiché par votre application Entrust Identity."
        }
        M::Enrolled => "Félicitations, votre inscription à Entrust Identity est terminée.",
        M::Continue => "Continuer",
        M::EnterTokenCode => "Saisissez le code affiché par votre application Entrust Identity.",
        M::WrongCode => "Le code est incorrect.",
        M::SecondFactorLocked => {
            "Trop de codes incorrects : votre second facteur est verrouillé. Demandez à votre administrateur de le déverrouiller ou récupérez votre compte."
        }
        M::LoginRefused => "Par sécurité, veuillez vous reconnecter.",
        M::LoggedIn => "Vous êtes connecté.",
        M::LoginExpired => "La connexion a pris trop de temps. Veuillez recommencer.",
        M::PasswordHelp => "Si le compte existe, votre administrateur a été prié de vous aider.",
        M::Cancel => "Annuler",
        M::Next => "Suivant",
        M::LogIn => "Connexion",
        M::Progress => "Étape {step} sur {steps}",
        M::DownloadApp => "Téléchargez l’application Entrust Soft Token.",
        M::CopyActivationPassword => {
            "Copiez le code et saisissez-le dans l’application mobile lorsqu’elle le demande."
        }
        M::Ok => "OK",
        M::ClickOkWhenActivated => {
            "Une fois l’application activée et son code PIN défini, cliquez sur OK."
        }
        M::RegistrationArrived => {
            "Votre application s’est enregistrée. Cliquez sur OK pour terminer."
        }
        M::RegistrationNotArrived => {
            "Votre application ne s’est pas encore enregistrée. Sélectionnez Activer dans \
             l’application, définissez son code PIN, puis cliquez à nouveau sur OK. Si \
             l’application affiche plutôt un code d’enregistrement, saisissez-le dans Réponse."
        }
        M::AppShowsRegistrationCode => "L’application affiche plutôt un code d’enregistrement ?",
        M::UserNameFormat => {
            "Votre identifiant est votre nom d’utilisateur : lettres, chiffres et ponctuation, \
             sans espaces."
        }
    }
}
