//! What a client does with a signature it received: checks it with the credential's
//! certificate.

use p256::ecdsa::signature::hazmat::PrehashVerifier as _;

use crate::algorithm::SignAlgorithm;

/// The signature does not verify under the certificate's key (or the certificate or the
/// signature does not read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the signature does not verify with the certificate's key")]
pub struct BadSignature;

/// Checks `signature` (DER ECDSA, as `signHash` returns it) over `digest` with the key of
/// `certificate` (DER X.509, P-256).
///
/// # Errors
/// [`BadSignature`].
pub fn verify_signature(
    certificate: &[u8],
    algorithm: SignAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), BadSignature> {
    crate::keys::check_digest(algorithm, digest).map_err(|_| BadSignature)?;
    let spki = crate::certificate::public_key_of(certificate).ok_or(BadSignature)?;
    let point = crate::certificate::spki_point(spki).ok_or(BadSignature)?;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| BadSignature)?;
    let signature = p256::ecdsa::Signature::from_der(signature).map_err(|_| BadSignature)?;
    key.verify_prehash(digest, &signature)
        .map_err(|_| BadSignature)
}
