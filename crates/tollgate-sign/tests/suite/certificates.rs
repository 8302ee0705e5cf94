//! The CA's certificates, parsed back by an independent X.509 parser (Rusticata's
//! `x509-parser`), and their signatures checked.

use p256::ecdsa::signature::Verifier as _;
use x509_parser::prelude::*;

use crate::support::{NOW, world};

fn verify_issued_by(child: &X509Certificate<'_>, issuer: &X509Certificate<'_>) {
    let point = &issuer.public_key().subject_public_key.data;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).expect("a P-256 key");
    let signature =
        p256::ecdsa::Signature::from_der(&child.signature_value.data).expect("DER ECDSA");
    key.verify(child.tbs_certificate.as_ref(), &signature)
        .expect("the issuer's signature verifies");
}

#[test]
fn the_ca_certificate_is_a_v3_root_for_certificate_signing() {
    let w = world();
    let (rest, ca) = X509Certificate::from_der(w.ca.certificate()).expect("parses");
    assert!(rest.is_empty());
    assert_eq!(ca.version(), X509Version::V3);
    assert_eq!(ca.subject().to_string(), "CN=Tollgate Test CA");
    assert_eq!(ca.issuer(), ca.subject());
    assert_eq!(
        ca.signature_algorithm.algorithm.to_id_string(),
        "1.2.840.10045.4.3.2"
    );
    assert!(ca.signature_algorithm.parameters.is_none());
    let basic = ca.basic_constraints().expect("one").expect("present");
    assert!(basic.critical && basic.value.ca);
    let usage = ca.key_usage().expect("one").expect("present");
    assert!(usage.critical && usage.value.key_cert_sign() && usage.value.crl_sign());
    assert!(!usage.value.digital_signature());
    assert_eq!(ca.validity().not_before.timestamp(), NOW.cast_signed());
    assert_eq!(
        ca.validity().not_after.timestamp(),
        NOW.cast_signed() + 3650 * 86_400
    );
    verify_issued_by(&ca, &ca);
}

#[test]
fn a_signing_certificate_names_the_user_and_is_for_signatures_only() {
    let w = world();
    let chain = w.credential.certificates();
    let (rest, cert) = X509Certificate::from_der(&chain[0]).expect("parses");
    assert!(rest.is_empty());
    let (_, ca) = X509Certificate::from_der(&chain[1]).expect("parses");
    assert_eq!(cert.version(), X509Version::V3);
    assert_eq!(
        cert.subject().to_string(),
        "O=Remote Signing Service, CN=john@example.com"
    );
    assert_eq!(cert.issuer(), ca.subject());
    // A positive 128-bit serial: 16 bytes, the top bit clear.
    let serial = cert.raw_serial();
    assert_eq!(serial.len(), 16);
    assert!(serial[0] & 0x80 == 0 && serial[0] != 0);
    let usage = cert.key_usage().expect("one").expect("present");
    assert!(usage.critical);
    assert!(usage.value.digital_signature() && usage.value.non_repudiation());
    assert!(!usage.value.key_cert_sign());
    let basic = cert.basic_constraints().expect("one").expect("present");
    assert!(basic.critical && !basic.value.ca);
    let san = cert
        .subject_alternative_name()
        .expect("one")
        .expect("present");
    assert_eq!(
        san.value.general_names,
        vec![GeneralName::RFC822Name("john@example.com")]
    );
    let ski = match cert
        .get_extension_unique(&oid_registry::OID_X509_EXT_SUBJECT_KEY_IDENTIFIER)
        .expect("one")
        .expect("present")
        .parsed_extension()
    {
        ParsedExtension::SubjectKeyIdentifier(id) => id.0.to_vec(),
        other => panic!("{other:?}"),
    };
    assert_eq!(ski.len(), 20);
    let aki = match cert
        .get_extension_unique(&oid_registry::OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER)
        .expect("one")
        .expect("present")
        .parsed_extension()
    {
        ParsedExtension::AuthorityKeyIdentifier(aki) => {
            aki.key_identifier.as_ref().expect("a key ID").0.to_vec()
        }
        other => panic!("{other:?}"),
    };
    let ca_ski = match ca
        .get_extension_unique(&oid_registry::OID_X509_EXT_SUBJECT_KEY_IDENTIFIER)
        .expect("one")
        .expect("present")
        .parsed_extension()
    {
        ParsedExtension::SubjectKeyIdentifier(id) => id.0.to_vec(),
        other => panic!("{other:?}"),
    };
    assert_eq!(aki, ca_ski);
    assert_eq!(
        cert.public_key().algorithm.algorithm.to_id_string(),
        "1.2.840.10045.2.1"
    );
    verify_issued_by(&cert, &ca);
}

#[test]
fn two_certificates_never_share_a_serial() {
    let mut w = world();
    let john = w.john.clone();
    let serials: std::collections::HashSet<Vec<u8>> = (0..50)
        .map(|_| {
            let credential = crate::support::credential_of(&mut w, &john);
            let (_, cert) =
                X509Certificate::from_der(&credential.certificates()[0]).expect("parses");
            cert.raw_serial().to_vec()
        })
        .collect();
    assert_eq!(serials.len(), 50);
}

#[test]
fn a_tampered_certificate_fails_its_signature() {
    let w = world();
    let mut bytes = w.credential.certificates()[0].clone();
    // A byte inside the subject's common name.
    let at = bytes
        .windows(4)
        .position(|win| win == b"john")
        .expect("the name");
    bytes[at] = b'J';
    let (_, cert) = X509Certificate::from_der(&bytes).expect("still parses");
    let (_, ca) = X509Certificate::from_der(w.ca.certificate()).expect("parses");
    let point = &ca.public_key().subject_public_key.data;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).expect("a P-256 key");
    let signature = p256::ecdsa::Signature::from_der(&cert.signature_value.data).expect("DER");
    assert!(
        key.verify(cert.tbs_certificate.as_ref(), &signature)
            .is_err()
    );
}
