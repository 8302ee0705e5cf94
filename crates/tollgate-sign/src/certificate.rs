//! The deployment's certificate authority: a P-256 key and its certificate, issuing each signing
//! credential's X.509 v3 certificate (RFC 5280) with a serial from the CSPRNG.

use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer as _;
use rand_core::CryptoRng;
use sha2::Digest as _;
use tollgate_otp::UnixTime;
use zeroize::Zeroizing;

use crate::algorithm::{KeyAlgorithm, SignAlgorithm};
use crate::der;
use crate::error::CaError;

/// Who a certificate is issued to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The common name (`CN`): the account's User ID.
    pub common_name: String,
    /// An e-mail address for the certificate's `subjectAltName`, when the User ID is one.
    pub email: Option<String>,
    /// The organization (`O`), the deployment's name.
    pub organization: Option<String>,
}

impl Subject {
    /// The subject's distinguished name, DER.
    fn name(&self) -> Vec<u8> {
        let mut rdns = Vec::new();
        if let Some(organization) = &self.organization {
            rdns.push(rdn("2.5.4.10", &der::utf8(organization)));
        }
        rdns.push(rdn("2.5.4.3", &der::utf8(&self.common_name)));
        der::sequence(&rdns.iter().map(Vec::as_slice).collect::<Vec<_>>())
    }
}

/// One relative distinguished name of one attribute.
fn rdn(oid: &str, value: &[u8]) -> Vec<u8> {
    der::constructed(der::tag::SET, &[&der::sequence(&[&der::oid(oid), value])])
}

/// The `SubjectPublicKeyInfo` of an uncompressed P-256 point (RFC 5480 §2).
pub(crate) fn p256_spki(point: &[u8]) -> Vec<u8> {
    let algorithm = KeyAlgorithm::EcdsaP256;
    der::sequence(&[
        &der::sequence(&[&der::oid(algorithm.oid()), &der::oid(algorithm.curve_oid())]),
        &der::bit_string(point),
    ])
}

/// A key identifier: SHA-256 of the public key's bits, its leftmost 160 bits (RFC 7093 §2
/// method 1).
fn key_id(point: &[u8]) -> [u8; 20] {
    let digest = sha2::Sha256::digest(point);
    let mut id = [0u8; 20];
    id.copy_from_slice(&digest[..20]);
    id
}

/// The public key bits of a `SubjectPublicKeyInfo`.
pub(crate) fn spki_point(spki: &[u8]) -> Option<&[u8]> {
    let (outer, rest) = der::read(spki)?;
    if !rest.is_empty() || outer.tag != der::tag::SEQUENCE {
        return None;
    }
    let parts = der::children(outer.content)?;
    let [_, bits] = parts.as_slice() else {
        return None;
    };
    if bits.tag != der::tag::BIT_STRING {
        return None;
    }
    bits.content.strip_prefix(&[0])
}

/// The deployment's CA. Its `Debug` shows the certificate's size, never the key.
pub struct CertificateAuthority {
    key: SigningKey,
    certificate: Vec<u8>,
    /// The certificate's subject, DER: each issued certificate's issuer.
    name: Vec<u8>,
    key_id: [u8; 20],
}

impl core::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CertificateAuthority")
            .field("certificate_len", &self.certificate.len())
            .finish_non_exhaustive()
    }
}

/// What to issue.
#[derive(Clone, Copy, Debug)]
pub struct Issue<'a> {
    /// To whom.
    pub subject: &'a Subject,
    /// Their public key, a DER `SubjectPublicKeyInfo` (P-256).
    pub public_key: &'a [u8],
    /// The start of its validity.
    pub not_before: UnixTime,
    /// How many days it is valid.
    pub days: u32,
}

impl CertificateAuthority {
    /// The CA of a P-256 private key (its 32-byte scalar) and its DER certificate.
    ///
    /// # Errors
    /// [`CaError::Key`], [`CaError::Certificate`], or [`CaError::Mismatch`] when the
    /// certificate's key is another.
    pub fn new(key: &[u8], certificate: Vec<u8>) -> Result<Self, CaError> {
        let key = SigningKey::from_slice(key).map_err(|_| CaError::Key)?;
        let (name, spki) = subject_and_key(&certificate).ok_or(CaError::Certificate)?;
        let point = key.verifying_key().to_sec1_point(false);
        if spki_point(spki) != Some(point.as_bytes()) {
            return Err(CaError::Mismatch);
        }
        Ok(Self {
            name: name.to_vec(),
            key_id: key_id(point.as_bytes()),
            key,
            certificate,
        })
    }

    /// A new self-signed CA named `common_name`, valid for `days` from `now`: for the examples
    /// and tests (a real deployment's CA is configured with [`CertificateAuthority::new`]).
    pub fn generate(
        common_name: &str,
        now: UnixTime,
        days: u32,
        rng: &mut (impl CryptoRng + ?Sized),
    ) -> Self {
        let key = crate::keys::random_p256(rng);
        let point = key.verifying_key().to_sec1_point(false);
        let subject = Subject {
            common_name: common_name.to_owned(),
            email: None,
            organization: None,
        };
        let name = subject.name();
        let key_id = key_id(point.as_bytes());
        let extensions = [
            extension("2.5.29.19", true, &der::sequence(&[&der::true_value()])),
            // keyCertSign, cRLSign.
            extension("2.5.29.15", true, &der::named_bits(&[5, 6])),
            extension("2.5.29.14", false, &der::octet_string(&key_id)),
        ];
        let tbs = tbs_certificate(&Tbs {
            serial: &serial(rng),
            issuer: &name,
            subject: &name,
            not_before: now,
            days,
            spki: &p256_spki(point.as_bytes()),
            extensions: &extensions,
        });
        let certificate = sign_certificate(&key, &tbs);
        Self {
            key,
            certificate,
            name,
            key_id,
        }
    }

    /// The CA's certificate, DER: the root a verifier trusts.
    #[must_use]
    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// The CA's private key, its 32-byte scalar: to save it ([`CertificateAuthority::new`]
    /// reads it back).
    #[must_use]
    pub fn expose_key(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.key.to_bytes().to_vec())
    }

    /// Issues a signing certificate: X.509 v3, ECDSA with SHA-256, a 128-bit random serial,
    /// `basicConstraints` CA false, `keyUsage` digitalSignature and nonRepudiation (both
    /// critical), the subject's and the CA's key identifiers, and the e-mail address as
    /// `subjectAltName`.
    ///
    /// # Errors
    /// [`CaError::Key`] when `public_key` is not a P-256 `SubjectPublicKeyInfo`.
    pub fn issue(
        &self,
        issue: &Issue<'_>,
        rng: &mut (impl CryptoRng + ?Sized),
    ) -> Result<Vec<u8>, CaError> {
        let point = spki_point(issue.public_key).ok_or(CaError::Key)?;
        p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| CaError::Key)?;
        let spki = p256_spki(point);
        let mut extensions = vec![
            extension("2.5.29.19", true, &der::sequence(&[])),
            extension("2.5.29.15", true, &der::named_bits(&[0, 1])),
            extension("2.5.29.14", false, &der::octet_string(&key_id(point))),
            // AuthorityKeyIdentifier { keyIdentifier [0] IMPLICIT }.
            extension(
                "2.5.29.35",
                false,
                &der::sequence(&[&der::tlv(0x80, &self.key_id)]),
            ),
        ];
        if let Some(email) = &issue.subject.email {
            // GeneralNames { rfc822Name [1] IMPLICIT IA5String }.
            extensions.push(extension(
                "2.5.29.17",
                false,
                &der::sequence(&[&der::tlv(0x81, email.as_bytes())]),
            ));
        }
        let tbs = tbs_certificate(&Tbs {
            serial: &serial(rng),
            issuer: &self.name,
            subject: &issue.subject.name(),
            not_before: issue.not_before,
            days: issue.days,
            spki: &spki,
            extensions: &extensions,
        });
        Ok(sign_certificate(&self.key, &tbs))
    }
}

/// A 128-bit positive serial number, never zero (RFC 5280 §4.1.2.2: at most 20 octets; CA/B
/// Forum: at least 64 bits from a CSPRNG).
fn serial(rng: &mut (impl CryptoRng + ?Sized)) -> [u8; 16] {
    let mut serial = [0u8; 16];
    rng.fill_bytes(&mut serial);
    serial[0] = (serial[0] & 0x7f) | 0x40;
    serial
}

fn extension(oid: &str, critical: bool, value: &[u8]) -> Vec<u8> {
    let oid = der::oid(oid);
    let value = der::octet_string(value);
    if critical {
        der::sequence(&[&oid, &der::true_value(), &value])
    } else {
        der::sequence(&[&oid, &value])
    }
}

struct Tbs<'a> {
    serial: &'a [u8],
    issuer: &'a [u8],
    subject: &'a [u8],
    not_before: UnixTime,
    days: u32,
    spki: &'a [u8],
    extensions: &'a [Vec<u8>],
}

fn signature_algorithm() -> Vec<u8> {
    // RFC 5758 §3.2: the parameters are absent.
    der::sequence(&[&der::oid(SignAlgorithm::EcdsaSha256.oid())])
}

fn tbs_certificate(tbs: &Tbs<'_>) -> Vec<u8> {
    let start = tbs.not_before.as_secs();
    let end = start.saturating_add(u64::from(tbs.days) * 86_400);
    let extensions: Vec<&[u8]> = tbs.extensions.iter().map(Vec::as_slice).collect();
    der::sequence(&[
        &der::explicit(0, &der::unsigned(&[2])),
        &der::unsigned(tbs.serial),
        &signature_algorithm(),
        tbs.issuer,
        &der::sequence(&[&der::time(start), &der::time(end)]),
        tbs.subject,
        tbs.spki,
        &der::explicit(3, &der::sequence(&extensions)),
    ])
}

fn sign_certificate(key: &SigningKey, tbs: &[u8]) -> Vec<u8> {
    let signature: p256::ecdsa::Signature = key.sign(tbs);
    der::sequence(&[
        tbs,
        &signature_algorithm(),
        &der::bit_string(signature.to_der().as_bytes()),
    ])
}

/// A certificate's `SubjectPublicKeyInfo`, DER.
pub(crate) fn public_key_of(certificate: &[u8]) -> Option<&[u8]> {
    subject_and_key(certificate).map(|(_, spki)| spki)
}

/// A certificate's subject name and `SubjectPublicKeyInfo`, as DER.
fn subject_and_key(certificate: &[u8]) -> Option<(&[u8], &[u8])> {
    let (outer, rest) = der::read(certificate)?;
    if !rest.is_empty() || outer.tag != der::tag::SEQUENCE {
        return None;
    }
    let parts = der::children(outer.content)?;
    let tbs = parts.first().filter(|t| t.tag == der::tag::SEQUENCE)?;
    let fields = der::children(tbs.content)?;
    // version [0] is there in every v3 certificate; skip it when it is.
    let skip = usize::from(fields.first()?.tag == 0xa0);
    // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo.
    let subject = fields.get(skip + 4)?;
    let spki = fields.get(skip + 5)?;
    (subject.tag == der::tag::SEQUENCE && spki.tag == der::tag::SEQUENCE)
        .then_some((subject.whole, spki.whole))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng as _;

    #[test]
    fn a_ca_reads_back_from_its_key_and_certificate() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let ca = CertificateAuthority::generate("Test CA", UnixTime::from_secs(0), 10, &mut rng);
        let again = CertificateAuthority::new(&ca.expose_key(), ca.certificate().to_vec())
            .expect("its own key");
        assert_eq!(again.name, ca.name);
        let other = CertificateAuthority::generate("Other", UnixTime::from_secs(0), 10, &mut rng);
        assert_eq!(
            CertificateAuthority::new(&other.expose_key(), ca.certificate().to_vec()).err(),
            Some(CaError::Mismatch)
        );
        assert_eq!(
            CertificateAuthority::new(&[0; 32], ca.certificate().to_vec()).err(),
            Some(CaError::Key)
        );
        let mut cut = ca.certificate().to_vec();
        cut.pop();
        assert_eq!(
            CertificateAuthority::new(&ca.expose_key(), cut).err(),
            Some(CaError::Certificate)
        );
        assert!(!format!("{ca:?}").contains(&format!("{:?}", &ca.expose_key()[..4])));
    }
}
