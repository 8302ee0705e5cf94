//! Remote signing through the service (THREATS.md: "signer's thief", and the guesser who has
//! the password): a SAD signs exactly what the user authorized, a code is spent once across
//! login and authorize, and guesses at authorize lock the credential long before they could
//! find a code.

use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate::login::{AuditEvent, Config, SigningAction, UserId};
use tollgate::otp::{Totp, UnixTime};
use tollgate::sign::{
    CertificateAuthority, HashAlgorithm, Refused, Sad, SadKey, SadKeys, SignAlgorithm,
    SignatureRequest, SoftwareKeys, verify_signature,
};
use tollgate::signing::{Signer, SigningError};
use tollgate::{
    AuditLog, Client, Clock as _, Error, ManualClock, MemoryStore, Outbox, Service, danger,
};
use zeroize::Zeroizing;

use crate::common::{JOHN, PASSWORD, World};

fn signing_world(seed: u64) -> World {
    signing_world_on(Arc::new(MemoryStore::new()), seed)
}

fn signing_world_on<S>(store: Arc<S>, seed: u64) -> World
where
    S: tollgate::Store + tollgate::sign::SigningStore<Error = tollgate::StoreError> + 'static,
{
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let clock = ManualClock::new(UnixTime::from_secs(1_700_000_000));
    let ca = CertificateAuthority::generate("Test CA", clock.now(), 3650, &mut rng);
    let signer = Signer::new(
        store.clone(),
        ca,
        Arc::new(SoftwareKeys::new([1; 32])),
        SadKeys::new(SadKey::new([2; 32])),
    );
    let outbox = Outbox::new();
    let audit = AuditLog::default();
    let service = Service::builder()
        .config(Config::default())
        .store(store)
        .signer(signer)
        .delivery(Arc::new(outbox.clone()))
        .audit(Arc::new(audit.clone()))
        .clock(Arc::new(clock.clone()))
        .audit_trail(true)
        .passwords(danger::weak_passwords_for_tests(&mut rng).unwrap())
        .rng(Box::new(rng))
        .build()
        .unwrap();
    service
        .register_user(JOHN, PASSWORD, Some("+1 613 270 1234"), Some(JOHN))
        .unwrap();
    World {
        service,
        outbox,
        audit,
        clock,
    }
}

fn john() -> UserId {
    JOHN.parse().unwrap()
}

fn code(token: &Totp, world: &World) -> String {
    token.generate(world.clock.now()).unwrap().to_string()
}

fn hashes(names: &[&str]) -> Vec<String> {
    use base64::Engine as _;
    names
        .iter()
        .map(|n| {
            base64::engine::general_purpose::STANDARD
                .encode(HashAlgorithm::Sha256.digest(n.as_bytes()))
        })
        .collect()
}

fn request(names: &[&str]) -> SignatureRequest {
    SignatureRequest::new(
        HashAlgorithm::Sha256,
        &hashes(names),
        names.len() as u64,
        None,
    )
    .unwrap()
}

fn signing_refusal(error: Error) -> SigningError {
    match error {
        Error::Signing(e) => e,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_user_creates_a_credential_authorizes_with_the_token_and_signs() {
    let w = signing_world(1);
    let token = w.enroll();
    w.clock.advance(30);
    let signing = w.service.signing().unwrap();
    let credential = signing
        .create_credential(&john(), "My signing key")
        .unwrap();
    let id = credential.id();
    assert_eq!(signing.credentials(&john()).unwrap().len(), 1);
    let sad = signing
        .authorize(&john(), &id, &request(&["contract.pdf"]), &code(&token, &w))
        .unwrap();
    let signatures = signing
        .sign_hashes(
            &john(),
            &id,
            &sad,
            HashAlgorithm::Sha256,
            SignAlgorithm::EcdsaSha256,
            &hashes(&["contract.pdf"]),
        )
        .unwrap();
    let digest = HashAlgorithm::Sha256.digest(b"contract.pdf");
    verify_signature(
        &credential.certificates()[0],
        SignAlgorithm::EcdsaSha256,
        &digest,
        &signatures[0],
    )
    .unwrap();
    // The same SAD for a second document, and again for the first: refused.
    for names in [["invoice.pdf"], ["contract.pdf"]] {
        let refused = signing
            .sign_hashes(
                &john(),
                &id,
                &sad,
                HashAlgorithm::Sha256,
                SignAlgorithm::EcdsaSha256,
                &hashes(&names),
            )
            .unwrap_err();
        assert!(matches!(signing_refusal(refused), SigningError::Refused(_)));
    }
    let kinds: Vec<&str> = w
        .service
        .store()
        .audit_of(&john(), 100)
        .unwrap()
        .iter()
        .map(|r| r.kind.clone())
        .filter(|k| k.starts_with("sign"))
        .map(|k| match k.as_str() {
            "signing_credential_created" => "created",
            "signature_authorized" => "authorized",
            "signed" => "signed",
            "signature_sad_refused" => "refused",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["refused", "refused", "signed", "authorized", "created"],
        "newest first"
    );
}

#[test]
fn a_code_used_to_log_in_does_not_authorize_a_signature() {
    let w = signing_world(2);
    let token = w.enroll();
    w.clock.advance(30);
    let signing = w.service.signing().unwrap();
    let id = signing.create_credential(&john(), "key").unwrap().id();
    // The code logs John in…
    let key = w.past_the_password();
    let typed = code(&token, &w);
    let view = w
        .service
        .submit(
            &key,
            tollgate::login::Input::TokenCode(typed.clone()),
            Client::default(),
        )
        .unwrap();
    assert!(view.authenticated().is_some());
    // …and a thief who saw it type it at authorize in the same 30 s: refused, and counted.
    let refused = signing
        .authorize(&john(), &id, &request(&["forged.pdf"]), &typed)
        .unwrap_err();
    assert!(matches!(
        signing_refusal(refused),
        SigningError::WrongCode { locked: false }
    ));
    assert!(
        w.audit
            .events()
            .iter()
            .any(|e| matches!(e, AuditEvent::CodeReplayed { .. }))
    );
}

/// The attacker has John's password (a bearer token) and guesses codes at authorize, one a
/// minute for a week: the credential locks after the policy's 5, and they sign nothing.
#[test]
fn guessing_codes_at_authorize_locks_the_credential_and_signs_nothing() {
    let w = signing_world(3);
    let _token = w.enroll();
    let signing = w.service.signing().unwrap();
    let id = signing.create_credential(&john(), "key").unwrap().id();
    let mut sads = 0;
    let mut checked = 0;
    for minute in 0..7 * 24 * 60u32 {
        w.clock.advance(60);
        let guess = format!("{:06}", minute * 7919 % 1_000_000);
        match w.service.signing().unwrap().authorize(
            &john(),
            &id,
            &request(&["forged.pdf"]),
            &guess,
        ) {
            Ok(_) => sads += 1,
            Err(e) => match signing_refusal(e) {
                SigningError::WrongCode { .. } => checked += 1,
                SigningError::Refused(Refused::Locked) | SigningError::SecondFactorUnavailable => {}
                other => panic!("{other:?}"),
            },
        }
    }
    assert_eq!(sads, 0);
    assert_eq!(checked, 5, "guesses the service checked");
    let locked = w
        .audit
        .events()
        .iter()
        .filter(|e| {
            matches!(
                e,
                AuditEvent::Signing {
                    action: SigningAction::Locked,
                    ..
                }
            )
        })
        .count();
    assert_eq!(locked, 1);
    assert_eq!(w.account().state().second_factor_failures(), 5);
    // An administrator unlocks it; John's own code then authorizes.
    assert!(w.service.signing().unwrap().unlock(&john(), &id).unwrap());
}

#[test]
fn a_sad_is_not_another_users_and_another_users_credential_is_not_found() {
    let w = signing_world(4);
    let token = w.enroll();
    w.clock.advance(30);
    w.service
        .register_user("anna@example.com", PASSWORD, None, None)
        .unwrap();
    let anna: UserId = "anna@example.com".parse().unwrap();
    let signing = w.service.signing().unwrap();
    let id = signing.create_credential(&john(), "key").unwrap().id();
    let sad = signing
        .authorize(&john(), &id, &request(&["contract.pdf"]), &code(&token, &w))
        .unwrap();
    // Anna, logged in with her own password, names John's credential: there is none of hers.
    let refused = signing
        .sign_hashes(
            &anna,
            &id,
            &sad,
            HashAlgorithm::Sha256,
            SignAlgorithm::EcdsaSha256,
            &hashes(&["contract.pdf"]),
        )
        .unwrap_err();
    assert!(matches!(
        signing_refusal(refused),
        SigningError::UnknownCredential
    ));
    // A SAD text altered: refused; a signature algorithm of another hash: refused.
    let mut altered = sad.expose().to_owned();
    altered.replace_range(10..11, if &altered[10..11] == "A" { "B" } else { "A" });
    assert!(
        signing
            .sign_hashes(
                &john(),
                &id,
                &Sad::from_text(&altered),
                HashAlgorithm::Sha256,
                SignAlgorithm::EcdsaSha256,
                &hashes(&["contract.pdf"]),
            )
            .is_err()
    );
    assert!(matches!(
        signing_refusal(
            signing
                .sign_hashes(
                    &john(),
                    &id,
                    &sad,
                    HashAlgorithm::Sha256,
                    SignAlgorithm::EcdsaSha384,
                    &hashes(&["contract.pdf"]),
                )
                .unwrap_err()
        ),
        SigningError::Algorithm
    ));
    // Expired after five minutes.
    w.clock.advance(300);
    assert!(matches!(
        signing_refusal(
            signing
                .sign_hashes(
                    &john(),
                    &id,
                    &sad,
                    HashAlgorithm::Sha256,
                    SignAlgorithm::EcdsaSha256,
                    &hashes(&["contract.pdf"]),
                )
                .unwrap_err()
        ),
        SigningError::Refused(Refused::Expired)
    ));
}

#[test]
fn an_api_login_answers_a_stranger_as_a_wrong_password_and_is_throttled() {
    let w = signing_world(5);
    let _token = w.enroll();
    let client = Client {
        address: Some("192.0.2.7".parse().unwrap()),
        device: None,
    };
    let right = Zeroizing::new(PASSWORD.to_owned());
    let wrong = Zeroizing::new("wrong".to_owned());
    assert_eq!(
        w.service.api_login(JOHN, &right, client).unwrap(),
        Some(john())
    );
    assert_eq!(w.service.api_login(JOHN, &wrong, client).unwrap(), None);
    assert_eq!(
        w.service
            .api_login("nobody@example.com", &right, client)
            .unwrap(),
        None
    );
    // An account that never logged in on the web (no token): no API session.
    w.service
        .register_user("anna@example.com", PASSWORD, None, None)
        .unwrap();
    assert_eq!(
        w.service
            .api_login("anna@example.com", &right, client)
            .unwrap(),
        None
    );
    // 50 wrong passwords an hour from one network, then no more checks.
    let mut throttled = 0;
    for _ in 0..100 {
        if let Err(Error::Throttled { .. }) =
            w.service.api_login("nobody@example.com", &wrong, client)
        {
            throttled += 1;
        }
    }
    assert_eq!(throttled, 100 - (50 - 2));
}

#[test]
fn a_session_dies_with_a_locked_account() {
    let w = signing_world(6);
    let _token = w.enroll();
    assert!(w.service.api_user_in_good_standing(&john()).unwrap());
    // Ten wrong codes at login: a cool-down.
    for _ in 0..10 {
        let key = w.past_the_password();
        let _ = w.service.submit(
            &key,
            tollgate::login::Input::TokenCode("000000".into()),
            Client::default(),
        );
    }
    assert!(!w.service.api_user_in_good_standing(&john()).unwrap());
}

#[test]
fn an_administrator_lists_unlocks_and_revokes_a_credential() {
    use tollgate::login::AdminAction;
    let w = signing_world(7);
    let token = w.enroll();
    let signing = w.service.signing().unwrap();
    let id = signing.create_credential(&john(), "key").unwrap().id();
    let admin = w.service.admin("helpdesk");
    let listed = admin.signing_credentials(JOHN).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].in_hardware);
    assert!(!admin.unlock_signing_credential(JOHN, id.as_str()).unwrap());
    admin.revoke_signing_credential(JOHN, id.as_str()).unwrap();
    assert!(matches!(
        admin.revoke_signing_credential("anna@example.com", id.as_str()),
        Err(Error::UnknownUser)
    ));
    w.clock.advance(30);
    let refused = signing
        .authorize(&john(), &id, &request(&["contract.pdf"]), &code(&token, &w))
        .unwrap_err();
    assert!(matches!(
        signing_refusal(refused),
        SigningError::Refused(Refused::Revoked)
    ));
    assert!(w.audit.events().iter().any(|e| matches!(
        e,
        AuditEvent::Administrator {
            action: AdminAction::SigningCredentialRevoked,
            ..
        }
    )));
    // John is told.
    assert!(!w.outbox.messages().is_empty());
}

/// THREATS.md, database writer: John revokes his credential; the writer puts its record back
/// as it was before (the SQLite file, written with SQL). The account remembers the revocation
/// (its row is under the ledger): the record put back authorizes nothing.
#[test]
fn a_credential_record_put_back_from_before_its_revocation_authorizes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = Arc::new(
        tollgate_store_sqlite::SqliteStore::open(&path, tollgate::SealingKey::new([0x5a; 32]))
            .unwrap(),
    );
    let w = signing_world_on(store, 8);
    let token = w.enroll();
    w.clock.advance(30);
    let signing = w.service.signing().unwrap();
    let id = signing.create_credential(&john(), "key").unwrap().id();
    let raw = rusqlite::Connection::open(&path).unwrap();
    let before: (i64, Vec<u8>) = raw
        .query_row(
            "SELECT version, record FROM tollgate_credentials WHERE id = ?1",
            [id.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    signing.revoke(&john(), &id).unwrap();
    raw.execute(
        "UPDATE tollgate_credentials SET version = ?1, record = ?2 WHERE id = ?3",
        rusqlite::params![before.0, before.1, id.as_str()],
    )
    .unwrap();
    // The record opens (it is the service's own, from before) and says "active"…
    assert!(matches!(
        signing
            .credential(&john(), &id)
            .unwrap()
            .credential
            .status(),
        tollgate::sign::Status::Active
    ));
    // …but a week of John's own codes authorizes nothing with it.
    let mut sads = 0;
    for _ in 0..7 * 24 {
        w.clock.advance(3600);
        if signing
            .authorize(&john(), &id, &request(&["contract.pdf"]), &code(&token, &w))
            .is_ok()
        {
            sads += 1;
        }
    }
    assert_eq!(sads, 0);
}
