//! What a signing client sends and what a store hands back: the CSC API's request bodies (both
//! versions), SAD texts, and a credential's stored record.

use tollgate_login::UserId;
use tollgate_otp::UnixTime;
use tollgate_sign::{
    Credential, CredentialId, HashAlgorithm, KeyAlgorithm, KeyRef, MAX_HASHES, Sad, SadKey,
    SadKeys, read_hashes,
};

/// Any bytes: read as a CSC request body by each version's `credentials/authorize` and
/// `signatures/signHash` (a request that reads names at most [`MAX_HASHES`] hashes, and at
/// least as many signatures as hashes); as a SAD, which opens nothing; and as a credential's
/// record, which reads back as it was written when it reads at all.
///
/// # Panics
/// When that does not hold.
pub fn signing_request(data: &[u8]) {
    for (hashes, signatures) in tollgate_axum::csc_read_requests(data).into_iter().flatten() {
        assert!((1..=MAX_HASHES).contains(&hashes));
        assert!(signatures == 0 || signatures as usize >= hashes);
    }
    if let Ok(credential) = Credential::decode(data) {
        assert_eq!(Credential::decode(&credential.encode()), Ok(credential));
    }
    let text = String::from_utf8_lossy(data);
    let owner: UserId = "john@example.com"
        .parse()
        .unwrap_or_else(|_| unreachable!());
    let mut credential = Credential::new(
        CredentialId::generate(
            &mut <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::from_seed([1; 32]),
        ),
        &owner,
        KeyRef {
            backend: "software".into(),
            handle: Vec::new(),
        },
        KeyAlgorithm::EcdsaP256,
        Vec::new(),
        "fuzz",
        UnixTime::from_secs(0),
    );
    let keys = SadKeys::new(SadKey::new([7; 32]));
    let Ok(hashes) = read_hashes(HashAlgorithm::Sha256, &["A".repeat(43) + "="]) else {
        unreachable!()
    };
    assert!(
        credential
            .spend(
                &owner,
                &Sad::from_text(&text),
                &keys,
                HashAlgorithm::Sha256,
                &hashes,
                UnixTime::from_secs(0),
            )
            .is_err()
    );
}
