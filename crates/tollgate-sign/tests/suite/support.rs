//! A CA, a backend and a credential of John's, the same in every test.

use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use tollgate_login::UserId;
use tollgate_otp::UnixTime;
use tollgate_sign::{
    CertificateAuthority, Credential, CredentialId, HashAlgorithm, Issue, KeyAlgorithm,
    KeyBackend as _, SadKey, SadKeys, SoftwareKeys, Subject,
};

pub(crate) const NOW: u64 = 1_796_601_600;

pub(crate) struct World {
    pub(crate) rng: ChaCha20Rng,
    pub(crate) ca: CertificateAuthority,
    pub(crate) keys: SoftwareKeys,
    pub(crate) sad_keys: SadKeys,
    pub(crate) john: UserId,
    pub(crate) credential: Credential,
}

pub(crate) fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

pub(crate) fn user(id: &str) -> UserId {
    id.parse().expect("a User ID")
}

pub(crate) fn subject(user: &UserId) -> Subject {
    Subject {
        common_name: user.as_str().to_owned(),
        email: Some(user.as_str().to_owned()),
        organization: Some("Remote Signing Service".to_owned()),
    }
}

pub(crate) fn credential_of(world: &mut World, owner: &UserId) -> Credential {
    let made = world
        .keys
        .generate(KeyAlgorithm::EcdsaP256, &mut world.rng)
        .expect("a key");
    let certificate = world
        .ca
        .issue(
            &Issue {
                subject: &subject(owner),
                public_key: &made.public_key,
                not_before: now(),
                days: 365,
            },
            &mut world.rng,
        )
        .expect("issued");
    Credential::new(
        CredentialId::generate(&mut world.rng),
        owner,
        made.key,
        KeyAlgorithm::EcdsaP256,
        vec![certificate, world.ca.certificate().to_vec()],
        "Signing key",
        now(),
    )
}

pub(crate) fn world() -> World {
    let mut rng = ChaCha20Rng::seed_from_u64(30);
    let ca = CertificateAuthority::generate("Tollgate Test CA", now(), 3650, &mut rng);
    let mut world = World {
        rng,
        ca,
        keys: SoftwareKeys::new([3; 32]),
        sad_keys: SadKeys::new(SadKey::new([4; 32])),
        john: user("john@example.com"),
        credential: Credential::new(
            CredentialId::generate(&mut ChaCha20Rng::seed_from_u64(0)),
            &user("nobody@example.com"),
            tollgate_sign::KeyRef {
                backend: String::new(),
                handle: Vec::new(),
            },
            KeyAlgorithm::EcdsaP256,
            Vec::new(),
            "",
            now(),
        ),
    };
    let john = world.john.clone();
    world.credential = credential_of(&mut world, &john);
    world
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn document_hash(name: &str) -> String {
    b64(&HashAlgorithm::Sha256.digest(name.as_bytes()))
}
