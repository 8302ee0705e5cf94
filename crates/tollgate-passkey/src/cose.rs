//! A credential's public key, as a COSE_Key (RFC 9052 §7, RFC 9053) in authenticator data:
//! EC2 on P-256 with ES256, or OKP on Ed25519 with EdDSA (or the fully specified `Ed25519`
//! of RFC 9864). Other keys and algorithms are refused when the credential is registered.

use alloc::vec::Vec;

use crate::cbor::Value;
use crate::error::Refused;

/// The signature algorithms a credential may use, as COSE numbers them (what the registration
/// options list in `pubKeyCredParams`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// ECDSA with SHA-256 on P-256 (COSE -7).
    Es256,
    /// EdDSA on Ed25519 (COSE -8, and -19 "Ed25519").
    Ed25519,
}

impl Algorithm {
    /// Every algorithm this crate verifies, in the order registration options offer them.
    pub const ALL: [Algorithm; 2] = [Algorithm::Es256, Algorithm::Ed25519];

    /// The COSE algorithm number offered in `pubKeyCredParams`.
    #[must_use]
    pub fn cose(self) -> i64 {
        match self {
            Algorithm::Es256 => -7,
            Algorithm::Ed25519 => -8,
        }
    }

    fn from_cose(alg: i64) -> Option<Self> {
        match alg {
            -7 => Some(Algorithm::Es256),
            -8 | -19 => Some(Algorithm::Ed25519),
            _ => None,
        }
    }
}

/// A credential's public key: the COSE_Key bytes as the authenticator wrote them (what a
/// store keeps) and the key they hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    cose: Vec<u8>,
    key: Key,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    Es256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

// COSE labels (RFC 9052 §7.1, RFC 9053 §7).
const KTY: i64 = 1;
const ALG: i64 = 3;
const CRV: i64 = -1;
const X: i64 = -2;
const Y: i64 = -3;
const KTY_OKP: i64 = 1;
const KTY_EC2: i64 = 2;
const CRV_P256: i64 = 1;
const CRV_ED25519: i64 = 6;

impl PublicKey {
    /// The key in `cose`, a COSE_Key as stored.
    ///
    /// # Errors
    /// [`Refused::Malformed`] for bytes that are not one COSE_Key,
    /// [`Refused::UnsupportedKey`] for a key of another type, curve or algorithm, or a point
    /// not on its curve.
    pub fn from_cose(cose: &[u8]) -> Result<Self, Refused> {
        let value = Value::decode(cose).map_err(|_| Refused::Malformed("COSE key"))?;
        Self::from_value(&value, cose)
    }

    /// The key of a COSE_Key already read, whose encoding is `cose`.
    pub(crate) fn from_value(value: &Value<'_>, cose: &[u8]) -> Result<Self, Refused> {
        value.entries().ok_or(Refused::Malformed("COSE key"))?;
        let int = |label| value.get_int(label).and_then(Value::as_int);
        let bytes = |label| value.get_int(label).and_then(Value::as_bytes);
        let alg = int(ALG)
            .and_then(Algorithm::from_cose)
            .ok_or(Refused::UnsupportedKey)?;
        let key = match (alg, int(KTY), int(CRV)) {
            (Algorithm::Es256, Some(KTY_EC2), Some(CRV_P256)) => {
                let (x, y) = bytes(X).zip(bytes(Y)).ok_or(Refused::UnsupportedKey)?;
                if x.len() != 32 || y.len() != 32 {
                    return Err(Refused::UnsupportedKey);
                }
                let mut point = [4u8; 65];
                point[1..33].copy_from_slice(x);
                point[33..].copy_from_slice(y);
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                    .map_err(|_| Refused::UnsupportedKey)?;
                Key::Es256(key)
            }
            (Algorithm::Ed25519, Some(KTY_OKP), Some(CRV_ED25519)) => {
                let x: &[u8; 32] = bytes(X)
                    .and_then(|x| x.try_into().ok())
                    .ok_or(Refused::UnsupportedKey)?;
                let key = ed25519_dalek::VerifyingKey::from_bytes(x)
                    .map_err(|_| Refused::UnsupportedKey)?;
                if key.is_weak() {
                    return Err(Refused::UnsupportedKey);
                }
                Key::Ed25519(key)
            }
            _ => return Err(Refused::UnsupportedKey),
        };
        Ok(Self {
            cose: cose.to_vec(),
            key,
        })
    }

    /// The COSE_Key bytes, to store with the credential.
    #[must_use]
    pub fn to_cose(&self) -> &[u8] {
        &self.cose
    }

    /// Its algorithm.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        match self.key {
            Key::Es256(_) => Algorithm::Es256,
            Key::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    /// Whether `signature` (DER for ES256, 64 bytes for EdDSA) signs `message` under this key.
    /// EdDSA is verified strictly (no small-order keys or non-canonical signatures).
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Refused> {
        match &self.key {
            Key::Es256(key) => {
                use p256::ecdsa::signature::Verifier as _;
                let signature = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|_| Refused::BadSignature)?;
                key.verify(message, &signature)
                    .map_err(|_| Refused::BadSignature)
            }
            Key::Ed25519(key) => {
                let signature: &[u8; 64] =
                    signature.try_into().map_err(|_| Refused::BadSignature)?;
                let signature = ed25519_dalek::Signature::from_bytes(signature);
                key.verify_strict(message, &signature)
                    .map_err(|_| Refused::BadSignature)
            }
        }
    }
}
