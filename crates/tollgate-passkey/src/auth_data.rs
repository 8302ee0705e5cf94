//! Authenticator data (WebAuthn L3 §6.1): the relying party's ID hash, the flags, the
//! signature counter and, at registration, the new credential's ID and public key.

use crate::cbor::Value;
use crate::cose::PublicKey;
use crate::error::Refused;

/// The longest credential ID WebAuthn allows (L3 §5.8.3 `credentialIdLength`, §7.1 step 20).
pub const MAX_CREDENTIAL_ID: usize = 1023;

/// The flags byte (L3 §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags(u8);

impl Flags {
    const UP: u8 = 0x01;
    const UV: u8 = 0x04;
    const BE: u8 = 0x08;
    const BS: u8 = 0x10;
    const AT: u8 = 0x40;
    const ED: u8 = 0x80;

    /// User present.
    #[must_use]
    pub fn user_present(self) -> bool {
        self.0 & Self::UP != 0
    }

    /// User verified (a PIN, a fingerprint, a face).
    #[must_use]
    pub fn user_verified(self) -> bool {
        self.0 & Self::UV != 0
    }

    /// Backup eligible: the credential may be synced (a passkey in a platform's keychain).
    #[must_use]
    pub fn backup_eligible(self) -> bool {
        self.0 & Self::BE != 0
    }

    /// Backed up: the credential is synced now.
    #[must_use]
    pub fn backed_up(self) -> bool {
        self.0 & Self::BS != 0
    }

    /// The byte.
    #[must_use]
    pub fn bits(self) -> u8 {
        self.0
    }
}

/// Authenticator data, read.
#[derive(Clone, Debug)]
pub(crate) struct AuthData<'a> {
    pub(crate) rp_id_hash: &'a [u8; 32],
    pub(crate) flags: Flags,
    pub(crate) counter: u32,
    /// At registration: the AAGUID, the credential ID and its public key.
    pub(crate) credential: Option<Attested<'a>>,
}

/// Attested credential data (L3 §6.5.2).
#[derive(Clone, Debug)]
pub(crate) struct Attested<'a> {
    pub(crate) aaguid: [u8; 16],
    pub(crate) id: &'a [u8],
    pub(crate) public_key: PublicKey,
}

impl<'a> AuthData<'a> {
    /// Reads `bytes`, which must hold exactly what its flags announce.
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Self, Refused> {
        const MALFORMED: Refused = Refused::Malformed("authenticator data");
        let (rp_id_hash, rest) = bytes.split_first_chunk::<32>().ok_or(MALFORMED)?;
        let (&[flags], rest) = rest.split_first_chunk::<1>().ok_or(MALFORMED)?;
        let (counter, mut rest) = rest.split_first_chunk::<4>().ok_or(MALFORMED)?;
        let flags = Flags(flags);
        let credential = if flags.0 & Flags::AT != 0 {
            let (aaguid, after) = rest.split_first_chunk::<16>().ok_or(MALFORMED)?;
            let (length, after) = after.split_first_chunk::<2>().ok_or(MALFORMED)?;
            let length = usize::from(u16::from_be_bytes(*length));
            if length == 0 || length > MAX_CREDENTIAL_ID || after.len() < length {
                return Err(MALFORMED);
            }
            let (id, after) = after.split_at(length);
            let (key, used) = Value::decode_prefix(after).map_err(|_| MALFORMED)?;
            let public_key = PublicKey::from_value(&key, &after[..used])?;
            rest = &after[used..];
            Some(Attested {
                aaguid: *aaguid,
                id,
                public_key,
            })
        } else {
            None
        };
        if flags.0 & Flags::ED != 0 {
            let (extensions, used) = Value::decode_prefix(rest).map_err(|_| MALFORMED)?;
            extensions.entries().ok_or(MALFORMED)?;
            rest = &rest[used..];
        }
        if !rest.is_empty() {
            return Err(MALFORMED);
        }
        Ok(Self {
            rp_id_hash,
            flags,
            counter: u32::from_be_bytes(*counter),
            credential,
        })
    }
}
