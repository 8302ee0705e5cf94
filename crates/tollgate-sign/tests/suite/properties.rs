//! Hostile input: whatever a client sends as hashes or a SAD, and whatever bytes a store hands
//! back as a credential, is read or refused, never a panic.

use proptest::prelude::*;
use tollgate_sign::{Credential, HashAlgorithm, Sad, SignatureRequest, read_hashes};

use crate::support::{now, world};

proptest! {
    #[test]
    fn any_hashes_are_read_or_refused(hashes in proptest::collection::vec(".{0,100}", 0..8), count in any::<u64>()) {
        for algorithm in HashAlgorithm::ALL {
            if let Ok(read) = read_hashes(algorithm, &hashes) {
                prop_assert_eq!(read.len(), hashes.len());
                prop_assert!(read.iter().all(|d| d.as_bytes().len() == algorithm.digest_len()));
            }
            if let Ok(request) = SignatureRequest::new(algorithm, &hashes, count, None) {
                prop_assert!(u64::from(request.num_signatures()) >= request.hashes().len() as u64);
            }
        }
    }

    #[test]
    fn any_sad_text_is_refused(text in "\\PC{0,300}") {
        let w = world();
        let hashes = read_hashes(HashAlgorithm::Sha256, &[crate::support::document_hash("x")]).expect("a hash");
        let mut credential = w.credential.clone();
        prop_assert!(credential
            .spend(&w.john, &Sad::from_text(&text), &w.sad_keys, HashAlgorithm::Sha256, &hashes, now())
            .is_err());
        prop_assert_eq!(credential, w.credential);
    }

    #[test]
    fn any_stored_bytes_decode_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Credential::decode(&bytes);
    }

    #[test]
    fn a_credential_reads_back_as_stored(count in 0usize..4) {
        let mut w = world();
        let john = w.john.clone();
        for i in 0..count {
            let hash = crate::support::document_hash(&i.to_string());
            let request = SignatureRequest::new(HashAlgorithm::Sha256, &[hash], 1, None).expect("valid");
            w.credential
                .authorize(&john, &request, &w.sad_keys, 300, now(), &mut w.rng)
                .expect("authorized");
        }
        let encoded = w.credential.encode();
        prop_assert_eq!(Credential::decode(&encoded).expect("reads"), w.credential);
    }
}
