//! THREATS.md, "signer's thief": someone holding a user's SAD (from a log, a proxy, a
//! compromised client) tries to sign what the user did not authorize. Each test counts the
//! signatures the thief got; each was watched getting them with its check removed.

use tollgate_otp::UnixTime;
use tollgate_sign::{
    DEFAULT_SAD_LIFETIME, HashAlgorithm, Refused, Sad, SadKey, SadKeys, SignatureRequest,
    read_hashes,
};

use crate::support::{credential_of, document_hash, now, user, world};

fn request(hashes: &[String], count: u64) -> SignatureRequest {
    SignatureRequest::new(HashAlgorithm::Sha256, hashes, count, Some("contract")).expect("valid")
}

/// John authorizes `count` signatures of `hashes` now: the SAD.
fn authorize(w: &mut crate::support::World, hashes: &[String], count: u64) -> Sad {
    let john = w.john.clone();
    w.credential
        .authorize(
            &john,
            &request(hashes, count),
            &w.sad_keys,
            DEFAULT_SAD_LIFETIME,
            now(),
            &mut w.rng,
        )
        .expect("authorized")
}

#[test]
fn a_stolen_sad_signs_no_other_document() {
    let mut w = world();
    let contract = document_hash("contract.pdf");
    let sad = authorize(&mut w, std::slice::from_ref(&contract), 1);
    // For the SAD's five minutes, one try a second, each at another document.
    let mut signed = 0;
    for second in 0..DEFAULT_SAD_LIFETIME {
        let other = read_hashes(
            HashAlgorithm::Sha256,
            &[document_hash(&format!("forged {second}"))],
        )
        .expect("a hash");
        let at = UnixTime::from_secs(now().as_secs() + second);
        match w.credential.spend(
            &w.john,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &other,
            at,
        ) {
            Ok(()) => signed += 1,
            Err(refused) => assert_eq!(refused, Refused::HashNotAuthorized),
        }
    }
    assert_eq!(signed, 0);
    // The user's own document still signs, once.
    let mine = read_hashes(HashAlgorithm::Sha256, &[contract]).expect("a hash");
    let spend = |c: &mut tollgate_sign::Credential| {
        c.spend(
            &w.john,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &mine,
            now(),
        )
    };
    assert_eq!(spend(&mut w.credential), Ok(()));
    assert_eq!(spend(&mut w.credential), Err(Refused::NotAuthorized));
}

#[test]
fn a_sad_signs_its_hash_once_however_often_it_is_replayed() {
    let mut w = world();
    let hashes = [document_hash("a.pdf"), document_hash("b.pdf")];
    let sad = authorize(&mut w, &hashes, 2);
    let a = read_hashes(HashAlgorithm::Sha256, &hashes[..1]).expect("a");
    let b = read_hashes(HashAlgorithm::Sha256, &hashes[1..]).expect("b");
    let mut signed = 0;
    for round in 0..1000 {
        let which = if round % 2 == 0 { &a } else { &b };
        if w.credential
            .spend(
                &w.john,
                &sad,
                &w.sad_keys,
                HashAlgorithm::Sha256,
                which,
                now(),
            )
            .is_ok()
        {
            signed += 1;
        }
    }
    assert_eq!(signed, 2, "each authorized hash once");
    assert_eq!(w.credential.signatures(), 2);
    assert_eq!(w.credential.open_authorizations(now()), 0);
}

#[test]
fn a_sad_is_refused_for_another_user_or_credential() {
    let mut w = world();
    let contract = document_hash("contract.pdf");
    let john = w.john.clone();
    let sad = authorize(&mut w, std::slice::from_ref(&contract), 1);
    let hashes = read_hashes(HashAlgorithm::Sha256, &[contract]).expect("a hash");
    // Anna holds John's SAD and her own bearer token: the credential is not hers.
    let anna = user("anna@example.com");
    assert_eq!(
        w.credential.clone().spend(
            &anna,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &hashes,
            now()
        ),
        Err(Refused::NotAuthorized)
    );
    // John's other credential: the SAD does not open for it.
    let mut other = credential_of(&mut w, &john);
    assert_eq!(
        other.spend(
            &john,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &hashes,
            now()
        ),
        Err(Refused::NotAuthorized)
    );
    // Anna's credential with John's SAD, as Anna: nothing opens either.
    let mut annas = credential_of(&mut w, &anna);
    assert_eq!(
        annas.spend(
            &anna,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &hashes,
            now()
        ),
        Err(Refused::NotAuthorized)
    );
    // Nothing was spent: John still signs.
    assert_eq!(
        w.credential.spend(
            &john,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &hashes,
            now()
        ),
        Ok(())
    );
}

#[test]
fn a_sad_ends_after_its_lifetime() {
    let mut w = world();
    let contract = document_hash("contract.pdf");
    let john = w.john.clone();
    let sad = authorize(&mut w, std::slice::from_ref(&contract), 1);
    let hashes = read_hashes(HashAlgorithm::Sha256, &[contract]).expect("a hash");
    let late = UnixTime::from_secs(now().as_secs() + DEFAULT_SAD_LIFETIME);
    assert_eq!(
        w.credential.spend(
            &john,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &hashes,
            late
        ),
        Err(Refused::Expired)
    );
}

#[test]
fn an_altered_sad_opens_nothing() {
    let mut w = world();
    let contract = document_hash("contract.pdf");
    let john = w.john.clone();
    let sad = authorize(&mut w, std::slice::from_ref(&contract), 1);
    let hashes = read_hashes(HashAlgorithm::Sha256, &[contract]).expect("a hash");
    let text = sad.expose().to_owned();
    let mut opened = 0;
    for at in 0..text.len() {
        for replacement in ['A', 'f', '-', '_'] {
            let mut altered: Vec<char> = text.chars().collect();
            if altered[at] == replacement {
                continue;
            }
            altered[at] = replacement;
            let altered: String = altered.into_iter().collect();
            if w.credential
                .clone()
                .spend(
                    &john,
                    &Sad::from_text(&altered),
                    &w.sad_keys,
                    HashAlgorithm::Sha256,
                    &hashes,
                    now(),
                )
                .is_ok()
            {
                opened += 1;
            }
        }
    }
    // The last character carries 2 spare bits of base64: changes there may decode to the
    // same bytes. Every other change is refused by the seal.
    assert!(opened <= 3, "{opened} altered SADs signed");
    // A SAD sealed under a key the service does not have.
    let stranger = SadKeys::new(SadKey::new([5; 32]));
    assert_eq!(
        w.credential.clone().spend(
            &john,
            &sad,
            &stranger,
            HashAlgorithm::Sha256,
            &hashes,
            now()
        ),
        Err(Refused::NotAuthorized)
    );
    // The old key, kept beside a new one, still opens it.
    let rotated = SadKeys::new(SadKey::new([6; 32])).with_old(SadKey::new([4; 32]));
    assert_eq!(
        w.credential
            .spend(&john, &sad, &rotated, HashAlgorithm::Sha256, &hashes, now()),
        Ok(())
    );
}

#[test]
fn a_revoked_or_locked_credential_authorizes_and_signs_nothing() {
    let mut w = world();
    let contract = document_hash("contract.pdf");
    let john = w.john.clone();
    let sad = authorize(&mut w, std::slice::from_ref(&contract), 1);
    let hashes =
        read_hashes(HashAlgorithm::Sha256, std::slice::from_ref(&contract)).expect("a hash");
    let mut locked = w.credential.clone();
    for _ in 0..tollgate_sign::DEFAULT_FAILURE_LIMIT {
        locked.proof_refused(tollgate_sign::DEFAULT_FAILURE_LIMIT, now());
    }
    assert_eq!(
        locked.spend(
            &john,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &hashes,
            now()
        ),
        Err(Refused::Locked)
    );
    assert!(locked.unlock());
    assert_eq!(
        locked.spend(
            &john,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &hashes,
            now()
        ),
        Ok(())
    );
    assert!(w.credential.revoke(now()));
    assert_eq!(
        w.credential.spend(
            &john,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &hashes,
            now()
        ),
        Err(Refused::Revoked)
    );
    assert!(!w.credential.unlock());
    assert_eq!(
        w.credential
            .authorize(
                &john,
                &request(&[contract], 1),
                &w.sad_keys,
                DEFAULT_SAD_LIFETIME,
                now(),
                &mut w.rng,
            )
            .err(),
        Some(Refused::Revoked)
    );
}

#[test]
fn another_hash_algorithm_than_authorized_is_refused() {
    let mut w = world();
    let john = w.john.clone();
    let digest = HashAlgorithm::Sha512.digest(b"contract.pdf");
    let text = crate::support::b64(&digest);
    let sad = w
        .credential
        .authorize(
            &john,
            &SignatureRequest::new(HashAlgorithm::Sha512, std::slice::from_ref(&text), 1, None)
                .expect("valid"),
            &w.sad_keys,
            DEFAULT_SAD_LIFETIME,
            now(),
            &mut w.rng,
        )
        .expect("authorized");
    // The same 64 bytes presented as half of … no: as SHA-512 only. As another algorithm
    // they do not read (length), so the algorithm is checked first.
    let hashes = read_hashes(HashAlgorithm::Sha512, &[text]).expect("a hash");
    assert_eq!(
        w.credential.clone().spend(
            &john,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &hashes,
            now()
        ),
        Err(Refused::AlgorithmMismatch)
    );
    assert_eq!(
        w.credential.spend(
            &john,
            &sad,
            &w.sad_keys,
            HashAlgorithm::Sha512,
            &hashes,
            now()
        ),
        Ok(())
    );
}

#[test]
fn old_authorizations_make_room_for_new_ones() {
    let mut w = world();
    let john = w.john.clone();
    let mut sads = Vec::new();
    for i in 0..(tollgate_sign::MAX_OPEN_AUTHORIZATIONS + 2) {
        let hash = document_hash(&format!("doc {i}"));
        sads.push((hash.clone(), authorize(&mut w, &[hash], 1)));
    }
    assert_eq!(
        w.credential.open_authorizations(now()),
        tollgate_sign::MAX_OPEN_AUTHORIZATIONS
    );
    let (first_hash, first) = &sads[0];
    let hashes =
        read_hashes(HashAlgorithm::Sha256, std::slice::from_ref(first_hash)).expect("a hash");
    assert_eq!(
        w.credential.spend(
            &john,
            first,
            &w.sad_keys,
            HashAlgorithm::Sha256,
            &hashes,
            now()
        ),
        Err(Refused::NotAuthorized)
    );
}
