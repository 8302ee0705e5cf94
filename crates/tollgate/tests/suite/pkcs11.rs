//! Signing keys in an HSM nobody here wrote: Debian's SoftHSM2 through PKCS #11. A token is
//! made in a temporary directory (`softhsm2-util --init-token`); then a credential's key pair is
//! generated on it, a signature authorized by John's token code is made by it and verified
//! with the CA's certificate, and revoking the credential destroys the key on the token.
//!
//! SoftHSM2 reads its configuration's path from `SOFTHSM2_CONF` when it loads: the test runs
//! its checks in a child process of this test binary with that variable set, instead of
//! changing the environment of a process whose other tests are running.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::sign::{
    CertificateAuthority, HashAlgorithm, KeyAlgorithm, KeyBackend as _, KeyError, SadKey, SadKeys,
    SignAlgorithm, SignatureRequest, verify_signature,
};
use tollgate::signing::{Pkcs11Error, Pkcs11Keys, Signer};
use tollgate::{AuditLog, Clock as _, ManualClock, MemoryStore, Outbox, Service, danger};

use crate::common::{JOHN, PASSWORD, World};

const LABEL: &str = "tollgate";
const PIN: &str = "5678";

fn module() -> Option<PathBuf> {
    let module = std::env::var_os("TOLLGATE_SOFTHSM_MODULE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"));
    if module.is_file() && tollgate_test_kit::system::program("softhsm2-util").is_some() {
        Some(module)
    } else {
        tollgate_test_kit::system::skip(
            "pkcs11::softhsm2_makes_and_uses_the_signing_keys",
            "TOLLGATE_REQUIRE_SOFTHSM",
            "SoftHSM2 (Debian's softhsm2)",
        );
        None
    }
}

#[test]
fn softhsm2_makes_and_uses_the_signing_keys() {
    let Some(module) = module() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::create_dir(&tokens).unwrap();
    let conf = dir.path().join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let made = Command::new("softhsm2-util")
        .args([
            "--init-token",
            "--free",
            "--label",
            LABEL,
            "--so-pin",
            "1234",
            "--pin",
            PIN,
        ])
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let run = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "pkcs11::on_the_token",
            "--ignored",
            "--nocapture",
        ])
        .env("SOFTHSM2_CONF", &conf)
        .env("TOLLGATE_SOFTHSM_MODULE", &module)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && out.contains("1 passed"),
        "{out}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
#[ignore = "run by softhsm2_makes_and_uses_the_signing_keys, with SoftHSM2's configuration"]
fn on_the_token() {
    let module = PathBuf::from(std::env::var_os("TOLLGATE_SOFTHSM_MODULE").unwrap());
    // A wrong PIN and an unknown label are refused.
    assert!(matches!(
        Pkcs11Keys::open(&module, LABEL, "0000"),
        Err(Pkcs11Error::Login(_))
    ));
    assert!(matches!(
        Pkcs11Keys::open(&module, "nobody", PIN),
        Err(Pkcs11Error::NoToken(_))
    ));
    let keys = Arc::new(Pkcs11Keys::open(&module, LABEL, PIN).unwrap());
    assert!(keys.in_hardware());

    // The backend alone: a key made on the token signs, and the signature verifies.
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let made = keys.generate(KeyAlgorithm::EcdsaP256, &mut rng).unwrap();
    assert_eq!(
        made.key.handle.len(),
        16,
        "only the key's CKA_ID leaves the token"
    );

    // The whole service on it.
    let store = Arc::new(MemoryStore::new());
    let clock = ManualClock::new(tollgate::otp::UnixTime::from_secs(1_700_000_000));
    let ca = CertificateAuthority::generate("HSM Test CA", clock.now(), 3650, &mut rng);
    let signer = Signer::new(
        store.clone(),
        ca,
        keys.clone(),
        SadKeys::new(SadKey::new([3; 32])),
    );
    let outbox = Outbox::new();
    let audit = AuditLog::default();
    let service = Service::builder()
        .store(store)
        .signer(signer)
        .delivery(Arc::new(outbox.clone()))
        .audit(Arc::new(audit.clone()))
        .clock(Arc::new(clock.clone()))
        .passwords(danger::weak_passwords_for_tests(&mut rng).unwrap())
        .rng(Box::new(rng))
        .build()
        .unwrap();
    service
        .register_user(JOHN, PASSWORD, None, Some(JOHN))
        .unwrap();
    let w = World {
        service,
        outbox,
        audit,
        clock,
    };
    let token = w.enroll();
    w.clock.advance(30);
    let john = JOHN.parse().unwrap();
    let signing = w.service.signing().unwrap();
    let credential = signing.create_credential(&john, "HSM key").unwrap();
    assert_eq!(credential.key().backend, "pkcs11");
    assert!(
        signing
            .credential(&john, &credential.id())
            .unwrap()
            .in_hardware
    );
    let digest = HashAlgorithm::Sha256.digest(b"contract.pdf");
    let hashes = [base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        &digest,
    )];
    let request = SignatureRequest::new(HashAlgorithm::Sha256, &hashes, 1, None).unwrap();
    let code = token.generate(w.clock.now()).unwrap().to_string();
    let sad = signing
        .authorize(&john, &credential.id(), &request, &code)
        .unwrap();
    let signatures = signing
        .sign_hashes(
            &john,
            &credential.id(),
            &sad,
            HashAlgorithm::Sha256,
            SignAlgorithm::EcdsaSha256,
            &hashes,
        )
        .unwrap();
    verify_signature(
        &credential.certificates()[0],
        SignAlgorithm::EcdsaSha256,
        &digest,
        &signatures[0],
    )
    .unwrap();
    // A tampered digest does not verify under it.
    let mut other = digest.clone();
    other[0] ^= 1;
    assert!(
        verify_signature(
            &credential.certificates()[0],
            SignAlgorithm::EcdsaSha256,
            &other,
            &signatures[0],
        )
        .is_err()
    );
    // Revoked: the key is gone from the token.
    let key = credential.key().clone();
    assert!(keys.sign(&key, SignAlgorithm::EcdsaSha256, &digest).is_ok());
    signing.revoke(&john, &credential.id()).unwrap();
    assert_eq!(
        keys.sign(&key, SignAlgorithm::EcdsaSha256, &digest).err(),
        Some(KeyError::UnknownKey)
    );
}
