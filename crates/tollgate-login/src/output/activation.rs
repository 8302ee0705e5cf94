//! What the activation screens show. Their `Debug`s hide the secrets.

use tollgate_codes::{ActivationCode, ActivationPassword, SerialNumber};
use tollgate_otp::UnixTime;
use zeroize::Zeroizing;

use crate::user::UserId;

/// What the mobile activation screen shows. Its `Debug` hides the secrets.
pub struct MobileActivation {
    /// Who is enrolling.
    pub user: UserId,
    /// The `igmobileotp://` URI to draw as a QR code.
    pub qr_uri: String,
    /// The activation password to show beside it.
    pub password: ActivationPassword,
    /// The open path, when the deployment offers it: an `otpauth://` QR code for any
    /// authenticator app, and its key as text. Its first right code, typed back
    /// ([`crate::Input::OpenPathCode`]), enrolls it.
    pub open: Option<OpenPath>,
    /// When the activation data expire.
    pub expires_at: UnixTime,
    /// Whether the token has registered online ([`Driver::register_online`](crate::Driver::register_online)):
    /// the page says so, and its OK finishes the enrollment.
    pub registration_arrived: bool,
}

/// The open path on the mobile screen. Both fields carry the token's secret: never log them.
pub struct OpenPath {
    /// The `otpauth://` URI to draw as a QR code.
    pub uri: Zeroizing<String>,
    /// The secret in base32, for typing into an app that cannot scan.
    pub key: Zeroizing<String>,
}

tollgate_otp::redacted_debug!(OpenPath);

/// What the desktop activation screen shows. Its `Debug` hides the activation code.
pub struct DesktopActivation {
    /// Who is enrolling.
    pub user: UserId,
    /// "Address": where the desktop app registers.
    pub address: String,
    /// "Serial Number".
    pub serial: SerialNumber,
    /// "Activation Code".
    pub activation_code: ActivationCode,
    /// When the activation data expire.
    pub expires_at: UnixTime,
    /// Whether the token has registered online ([`Driver::register_online`](crate::Driver::register_online)):
    /// the page says so, and its OK finishes the enrollment.
    pub registration_arrived: bool,
}

impl core::fmt::Debug for MobileActivation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MobileActivation")
            .field("user", &self.user)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl core::fmt::Debug for DesktopActivation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DesktopActivation")
            .field("user", &self.user)
            .field("address", &self.address)
            .field("serial", &self.serial)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}
