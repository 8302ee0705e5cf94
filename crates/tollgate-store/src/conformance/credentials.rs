//! What a [`SigningStore`] must do (feature `signing`): a record reads back as written, a new
//! one never takes a taken ID, a write compare-and-sets on the version, and a record cannot be
//! moved to another owner.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng as _;
use tollgate_login::UserId;
use tollgate_otp::UnixTime;
use tollgate_sign::{
    Credential, CredentialId, KeyAlgorithm, KeyRef, SigningStore, change_credential,
};

use super::{Check, ensure, err};
use crate::StoreError;

fn credential(id: CredentialId, owner: &UserId, at: u64) -> Credential {
    Credential::new(
        id,
        owner,
        KeyRef {
            backend: "software".to_owned(),
            handle: vec![1, 2, 3],
        },
        KeyAlgorithm::EcdsaP256,
        vec![vec![0x30, 0x00]],
        "Signing key",
        UnixTime::from_secs(at),
    )
}

/// Runs the checks on `store` (empty of credentials of the users `tag` names).
///
/// # Errors
/// A sentence saying what broke.
pub fn credentials(store: &dyn SigningStore<Error = StoreError>, tag: &str) -> Check {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let john: UserId = format!("john.{tag}@example.com")
        .parse()
        .map_err(err("a User ID"))?;
    let anna: UserId = format!("anna.{tag}@example.com")
        .parse()
        .map_err(err("a User ID"))?;
    let first = credential(CredentialId::generate(&mut rng), &john, 100);
    let second = credential(CredentialId::generate(&mut rng), &john, 200);
    ensure(
        store.put_credential(&second, None).map_err(err("insert"))?,
        || "a new credential was not written".into(),
    )?;
    ensure(
        store.put_credential(&first, None).map_err(err("insert"))?,
        || "a new credential was not written".into(),
    )?;
    ensure(
        !store.put_credential(&first, None).map_err(err("insert"))?,
        || "a second credential took a taken ID".into(),
    )?;
    let stored = store
        .credential(&first.id())
        .map_err(err("load"))?
        .ok_or("a credential written is not found")?;
    ensure(stored.credential == first && stored.version == 0, || {
        "a credential does not read back as written".into()
    })?;
    let mine = store.credentials_of(&john).map_err(err("list"))?;
    ensure(
        mine.iter().map(|s| s.credential.id()).collect::<Vec<_>>() == [first.id(), second.id()],
        || "a user's credentials are not listed oldest first".into(),
    )?;
    ensure(
        store.credentials_of(&anna).map_err(err("list"))?.is_empty(),
        || "another user's credentials are listed".into(),
    )?;
    // Compare-and-set: a write from version 0 goes once.
    let mut revoked = first.clone();
    revoked.revoke(UnixTime::from_secs(150));
    ensure(
        store
            .put_credential(&revoked, Some(0))
            .map_err(err("update"))?,
        || "a write at the stored version was refused".into(),
    )?;
    ensure(
        !store
            .put_credential(&first, Some(0))
            .map_err(err("update"))?,
        || "a write at a stale version went through (a spent SAD could be spent again)".into(),
    )?;
    let stored = store
        .credential(&first.id())
        .map_err(err("load"))?
        .ok_or("the credential went away")?;
    ensure(stored.credential == revoked && stored.version == 1, || {
        "the credential is not the one written last".into()
    })?;
    // The same ID under another owner: refused.
    let stolen = credential(first.id(), &anna, 100);
    ensure(
        !store
            .put_credential(&stolen, Some(1))
            .map_err(err("update"))?,
        || "a credential was given to another user".into(),
    )?;
    // The loop every change goes through.
    let unlocked = change_credential(store, &second.id(), |c| {
        let mut c = c.clone();
        c.proof_refused(1, UnixTime::from_secs(300));
        tollgate_sign::Change::Store(c, ())
    })
    .map_err(|e| format!("change: {e}"))?;
    ensure(unlocked.is_some(), || "a change found no credential".into())?;
    ensure(
        store
            .credential(&second.id())
            .map_err(err("load"))?
            .is_some_and(|s| s.version == 1 && s.credential.failures() == 1),
        || "a change was not stored".into(),
    )?;
    ensure(
        store
            .credential(&CredentialId::generate(&mut rng))
            .map_err(err("load"))?
            .is_none(),
        || "an unknown credential was found".into(),
    )
}
