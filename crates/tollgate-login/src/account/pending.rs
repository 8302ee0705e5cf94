//! Activation data issued to one login and not yet used, with what the activation screen
//! shows and what the token reported online.

use tollgate_codes::{Activation, ActivationPassword, RegistrationCode};
use tollgate_otp::{Secret, TotpParams, UnixTime};

use super::EnrollmentKind;
use crate::state::LoginId;

/// Activation data issued to one login and not yet used.
///
/// Everything random that the activation screen shows is drawn when the activation is issued
/// and kept here (the store seals it), so that every rendering of the screen shows the same QR
/// codes and the same activation password until the activation is replaced or expires.
#[derive(Clone, Debug)]
pub struct PendingActivation {
    /// The activation data.
    pub activation: Activation,
    /// Mobile or desktop.
    pub kind: EnrollmentKind,
    /// The login that asked for it: another login of the same user sees the choice again.
    pub login: LoginId,
    /// The mobile path's QR code and the password that opens it.
    pub mobile: Option<MobileQr>,
    /// The open path's secret, when the service offers it on the mobile screen.
    pub open: Option<OpenToken>,
    /// The registration code the token reported online, with a proof that it holds these
    /// activation data ([`Driver::register_online`](crate::Driver::register_online)): the
    /// login completes the enrollment with it when the user clicks OK. Single use: a second,
    /// different code for the same activation is refused.
    pub registered: Option<OnlineRegistration>,
    /// Online registrations refused for these activation data (a wrong proof, or a code the
    /// scheme refuses). At [`MAX_ONLINE_FAILURES`] the registration address refuses them
    /// unchecked; the registration code can still be typed into "Response". They are not the
    /// account's second-factor failures: whoever sends them need not know the password, and a
    /// stranger must not be able to lock the owner out.
    pub online_failures: u32,
}

/// How many refused online registrations one activation takes, from every network together,
/// before the registration address stops checking them (the proof is 256 bits: this bounds the
/// work, not a search). One network gets [`MAX_ONLINE_FAILURES_PER_NETWORK`] of them, so that a
/// stranger on one network cannot spend the genuine app's.
pub const MAX_ONLINE_FAILURES: u32 = 100;

/// How many refused online registrations for one serial number one network gets before its
/// registrations for it are refused unchecked (counted by the service, in the store's client
/// counts: [`MAX_ONLINE_FAILURES`] bounds them all).
pub const MAX_ONLINE_FAILURES_PER_NETWORK: u32 = 10;

/// A registration code reported online, and when it arrived.
#[derive(Clone)]
pub struct OnlineRegistration {
    /// The code.
    pub code: RegistrationCode,
    /// When it arrived.
    pub at: UnixTime,
}

impl core::fmt::Debug for OnlineRegistration {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OnlineRegistration")
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// The secure activation QR of a pending mobile activation, as drawn at issue.
#[derive(Clone)]
pub struct MobileQr {
    /// The `igmobileotp://` URI the QR code carries (the activation data, encrypted under the
    /// password).
    pub uri: String,
    /// The 8-digit activation password shown beside it.
    pub password: ActivationPassword,
}

tollgate_otp::redacted_debug!(MobileQr);

/// The open path's token, drawn at issue: any authenticator app scans its `otpauth://` QR, and
/// the first right code typed back enrolls it.
#[derive(Clone, Debug)]
pub struct OpenToken {
    /// The random secret (160 bits for SHA-1, 256 for SHA-256).
    pub secret: Secret,
    /// Its TOTP parameters (6 digits, 30 s).
    pub params: TotpParams,
}
