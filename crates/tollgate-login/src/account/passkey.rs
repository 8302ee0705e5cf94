//! An enrolled passkey (a WebAuthn credential): what the relying party keeps of it. Nothing
//! here is secret (its private key never leaves the authenticator); it is kept sealed with the
//! rest of the account all the same, so that a database writer cannot swap the key or turn the
//! counter back.

use tollgate_otp::UnixTime;

use super::AuthenticatorName;

/// An enrolled passkey.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyRecord {
    /// The credential ID the authenticator chose (1 to 1023 bytes).
    pub(crate) id: Vec<u8>,
    /// Its public key, as the COSE_Key the authenticator wrote.
    pub(crate) public_key: Vec<u8>,
    /// The signature counter last seen (0 for authenticators that keep none).
    pub(crate) counter: u32,
    /// Whether it may be synced between devices (fixed at registration).
    pub(crate) backup_eligible: bool,
    /// Whether it was synced at its last use.
    pub(crate) backed_up: bool,
    /// The name the user gave it, if any.
    pub(crate) name: Option<AuthenticatorName>,
    /// When it was registered.
    pub(crate) enrolled_at: UnixTime,
    /// When it last logged in.
    pub(crate) last_used: Option<UnixTime>,
}

impl PasskeyRecord {
    /// The credential ID.
    #[must_use]
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The public key, as a COSE_Key.
    #[must_use]
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The signature counter last seen.
    #[must_use]
    pub fn counter(&self) -> u32 {
        self.counter
    }

    /// Whether it may be synced between devices.
    #[must_use]
    pub fn backup_eligible(&self) -> bool {
        self.backup_eligible
    }

    /// Whether it was synced at its last use.
    #[must_use]
    pub fn backed_up(&self) -> bool {
        self.backed_up
    }

    /// The name the user gave it.
    #[must_use]
    pub fn name(&self) -> Option<&AuthenticatorName> {
        self.name.as_ref()
    }

    /// When it was registered.
    #[must_use]
    pub fn enrolled_at(&self) -> UnixTime {
        self.enrolled_at
    }

    /// When it last logged in.
    #[must_use]
    pub fn last_used(&self) -> Option<UnixTime> {
        self.last_used
    }

    /// The credential ID in hex, as pages and the audit trail name it.
    #[must_use]
    pub fn id_text(&self) -> String {
        crate::hex::encode(&self.id)
    }
}
