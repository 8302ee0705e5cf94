//! Remote signing (feature `signing`): "Create your Signing Certificate", and signatures
//! authorized by the second factor. The rules live in `tollgate-sign` (the credential, the SAD
//! bound to its hashes) and `tollgate-login` (the code, its replay and failure budget); this
//! wires them to the store, the clock, the RNG, the key backend and the audit trail.

use std::sync::Arc;

use tollgate_login::{AuditEvent, Change, CodeProof, Effect, SigningAction, UserId};
use tollgate_sign::{
    CertificateAuthority, Credential, CredentialId, DEFAULT_FAILURE_LIMIT, DEFAULT_SAD_LIFETIME,
    HashAlgorithm, Issue, KeyAlgorithm, KeyBackend, KeyError, Refused, RequestError, Sad, SadKeys,
    SignAlgorithm, SignatureRequest, SigningStore, Subject, change_credential, read_hashes,
};
use tollgate_store::StoreError;

use crate::error::Error;
use crate::service::Service;

#[cfg(feature = "pkcs11")]
mod pkcs11;
#[cfg(feature = "pkcs11")]
pub use pkcs11::{Pkcs11Error, Pkcs11Keys};

/// A store of signing credentials, as the service holds it (the memory and SQL stores with
/// feature `signing`).
pub type SharedSigningStore = Arc<dyn SigningStore<Error = StoreError> + Send + Sync>;

/// The most credentials one user may have, revoked ones included.
pub const MAX_CREDENTIALS: usize = 10;

/// What the deployment decides about signing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningPolicy {
    /// How long a SAD lasts, in seconds (default and maximum: 300).
    pub sad_lifetime: u64,
    /// Wrong codes in a row at authorize after which a credential locks (default 5).
    pub failure_limit: u32,
    /// How long a signing certificate is valid, in days (default 730).
    pub certificate_days: u32,
    /// The `O` of each certificate's subject (the deployment's name), if any.
    pub organization: Option<String>,
}

impl Default for SigningPolicy {
    fn default() -> Self {
        Self {
            sad_lifetime: DEFAULT_SAD_LIFETIME,
            failure_limit: DEFAULT_FAILURE_LIMIT,
            certificate_days: 730,
            organization: None,
        }
    }
}

/// The signing side of a service: where credentials are kept, the CA that certifies them, the
/// key backend that holds their keys, and the keys SADs are sealed under.
pub struct Signer {
    store: SharedSigningStore,
    ca: CertificateAuthority,
    keys: Arc<dyn KeyBackend>,
    sad_keys: SadKeys,
    policy: SigningPolicy,
}

impl core::fmt::Debug for Signer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Signer")
            .field("ca", &self.ca)
            .field("backend", &self.keys.name())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer with the default policy. `store` is usually the service's own store, shared.
    #[must_use]
    pub fn new(
        store: SharedSigningStore,
        ca: CertificateAuthority,
        keys: Arc<dyn KeyBackend>,
        sad_keys: SadKeys,
    ) -> Self {
        Self {
            store,
            ca,
            keys,
            sad_keys,
            policy: SigningPolicy::default(),
        }
    }

    /// Another policy. A SAD lifetime above 300 s is cut to 300 s (SCAL2 wants it short), and
    /// a failure limit of 0 is 1.
    #[must_use]
    pub fn policy(mut self, mut policy: SigningPolicy) -> Self {
        policy.sad_lifetime = policy.sad_lifetime.clamp(1, DEFAULT_SAD_LIFETIME);
        policy.failure_limit = policy.failure_limit.max(1);
        self.policy = policy;
        self
    }

    /// The CA.
    #[must_use]
    pub fn ca(&self) -> &CertificateAuthority {
        &self.ca
    }

    /// The key backend.
    #[must_use]
    pub fn keys(&self) -> &dyn KeyBackend {
        &*self.keys
    }
}

/// Why a signing call did not do what it was asked. None of them tells a stranger whether a
/// user or a credential exists beyond what the caller already proved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// The service has no [`Signer`].
    #[error("this service does not sign")]
    NotConfigured,
    /// No such credential of this user.
    #[error("no such credential")]
    UnknownCredential,
    /// The request does not read.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The signature algorithm is not one of the credential's key.
    #[error("the signature algorithm does not match the credential's key or the hashes")]
    Algorithm,
    /// The authorization or the signature was refused.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// The code was wrong (or used already); `locked` when the credential is locked now.
    #[error("the code is not valid")]
    WrongCode {
        /// Whether the credential locked.
        locked: bool,
    },
    /// The second factor cannot be proven now: a cool-down, the second factor locked, no
    /// token, or an account that takes passkeys only. Nothing was counted.
    #[error("the second factor cannot be proven now")]
    SecondFactorUnavailable,
    /// The user has [`MAX_CREDENTIALS`] credentials.
    #[error("at most {MAX_CREDENTIALS} credentials")]
    TooManyCredentials,
    /// The key backend failed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The CA could not issue.
    #[error(transparent)]
    Ca(#[from] tollgate_sign::CaError),
}

/// A credential as its owner and the CSC API see it.
#[derive(Clone, Debug)]
pub struct CredentialInfo {
    /// The credential.
    pub credential: Credential,
    /// Whether its key is in hardware.
    pub in_hardware: bool,
}

/// Signing for one service: [`Service::signing`].
#[derive(Debug)]
pub struct Signing<'a> {
    service: &'a Service,
    signer: &'a Signer,
}

impl Service {
    /// Signing, when the service was built with a [`Signer`].
    ///
    /// # Errors
    /// [`SigningError::NotConfigured`].
    pub fn signing(&self) -> Result<Signing<'_>, Error> {
        let signer = self
            .signer
            .as_ref()
            .ok_or(Error::Signing(SigningError::NotConfigured))?;
        Ok(Signing {
            service: self,
            signer,
        })
    }
}

fn signing_error(e: impl Into<SigningError>) -> Error {
    Error::Signing(e.into())
}

fn changed<T>(
    result: Result<Option<T>, tollgate_sign::ChangeError<StoreError>>,
) -> Result<T, Error> {
    match result {
        Ok(Some(answer)) => Ok(answer),
        Ok(None) => Err(signing_error(SigningError::UnknownCredential)),
        Err(tollgate_sign::ChangeError::Store(e)) => Err(e.into()),
        Err(tollgate_sign::ChangeError::Contended) => Err(Error::Contended),
    }
}

impl Signing<'_> {
    fn audit(&self, user: &UserId, credential: &CredentialId, action: SigningAction) {
        self.service
            .carry_out_effects(vec![Effect::Audit(AuditEvent::Signing {
                user: user.clone(),
                credential: credential.to_string(),
                action,
            })]);
    }

    /// "Create your Signing Certificate": a key pair in the backend, a certificate for it from
    /// the CA (the User ID as its subject), stored as the user's new credential. Audited.
    ///
    /// # Errors
    /// [`SigningError::TooManyCredentials`], [`SigningError::Key`], [`SigningError::Ca`],
    /// [`Error::Store`].
    pub fn create_credential(&self, user: &UserId, description: &str) -> Result<Credential, Error> {
        if self.signer.store.credentials_of(user)?.len() >= MAX_CREDENTIALS {
            return Err(signing_error(SigningError::TooManyCredentials));
        }
        let now = self.service.now();
        let mut rng = self.service.request_rng()?;
        let made = self
            .signer
            .keys
            .generate(KeyAlgorithm::EcdsaP256, &mut rng)
            .map_err(signing_error)?;
        let email = user
            .as_str()
            .parse::<tollgate_login::EmailAddress>()
            .ok()
            .map(|e| e.as_str().to_owned());
        let subject = Subject {
            common_name: user.as_str().to_owned(),
            email,
            organization: self.signer.policy.organization.clone(),
        };
        let certificate = self
            .signer
            .ca
            .issue(
                &Issue {
                    subject: &subject,
                    public_key: &made.public_key,
                    not_before: now,
                    days: self.signer.policy.certificate_days,
                },
                &mut rng,
            )
            .map_err(signing_error)?;
        let credential = Credential::new(
            CredentialId::generate(&mut rng),
            user,
            made.key,
            KeyAlgorithm::EcdsaP256,
            vec![certificate, self.signer.ca.certificate().to_vec()],
            description,
            now,
        );
        if !self.signer.store.put_credential(&credential, None)? {
            // 128 random bits taken: the RNG is broken.
            return Err(Error::Contended);
        }
        self.audit(user, &credential.id(), SigningAction::Created);
        Ok(credential)
    }

    /// `user`'s credentials, oldest first, revoked ones included.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn credentials(&self, user: &UserId) -> Result<Vec<CredentialInfo>, Error> {
        Ok(self
            .signer
            .store
            .credentials_of(user)?
            .into_iter()
            .map(|s| self.info(s.credential))
            .collect())
    }

    fn info(&self, credential: Credential) -> CredentialInfo {
        CredentialInfo {
            in_hardware: credential.key().backend == self.signer.keys.name()
                && self.signer.keys.in_hardware(),
            credential,
        }
    }

    /// `user`'s credential `id`.
    ///
    /// # Errors
    /// [`SigningError::UnknownCredential`] when there is none of theirs; [`Error::Store`].
    pub fn credential(&self, user: &UserId, id: &CredentialId) -> Result<CredentialInfo, Error> {
        match self.signer.store.credential(id)? {
            Some(stored) if stored.credential.is_owned_by(user) => Ok(self.info(stored.credential)),
            _ => Err(signing_error(SigningError::UnknownCredential)),
        }
    }

    /// Revokes `user`'s credential `id` (its owner's action): it signs nothing more, its open
    /// authorizations end, and its key is destroyed in the backend. Audited.
    ///
    /// # Errors
    /// [`SigningError::UnknownCredential`]; [`Error::Store`].
    pub fn revoke(&self, user: &UserId, id: &CredentialId) -> Result<(), Error> {
        self.revoke_as(user, id, SigningAction::Revoked)
    }

    pub(crate) fn revoke_as(
        &self,
        user: &UserId,
        id: &CredentialId,
        action: SigningAction,
    ) -> Result<(), Error> {
        let now = self.service.now();
        // Only the owner's: another's credential is answered as none.
        self.credential(user, id)?;
        // The account remembers it first (its row is the one the ledger protects): a record
        // put back from before the revocation does not authorize again.
        tollgate_login::change_account(&**self.service.store(), user, |account| {
            let mut state = account.state().clone();
            if state.revoke_credential(id.as_str()) {
                Change::Store(state, ())
            } else {
                Change::Keep(())
            }
        })
        .map_err(Error::from)?;
        let revoked = changed(change_credential(&*self.signer.store, id, |c| {
            if !c.is_owned_by(user) {
                return tollgate_sign::Change::Keep(None);
            }
            let mut c = c.clone();
            if c.revoke(now) {
                tollgate_sign::Change::Store(c.clone(), Some(c))
            } else {
                tollgate_sign::Change::Keep(Some(c))
            }
        }))?
        .ok_or_else(|| signing_error(SigningError::UnknownCredential))?;
        // A key already gone is no failure of the revocation.
        if let Err(e) = self.signer.keys.destroy(revoked.key()) {
            tracing::warn!(target: "tollgate::signing", error = %e, "a revoked credential's key was not destroyed");
        }
        self.audit(user, id, action);
        Ok(())
    }

    /// An administrator unlocks `user`'s credential `id` after too many wrong codes. Audited.
    ///
    /// # Errors
    /// [`SigningError::UnknownCredential`]; [`Error::Store`].
    pub fn unlock(&self, user: &UserId, id: &CredentialId) -> Result<bool, Error> {
        let unlocked = changed(change_credential(&*self.signer.store, id, |c| {
            if !c.is_owned_by(user) {
                return tollgate_sign::Change::Keep(None);
            }
            let mut c = c.clone();
            if c.unlock() {
                tollgate_sign::Change::Store(c, Some(true))
            } else {
                tollgate_sign::Change::Keep(Some(false))
            }
        }))?
        .ok_or_else(|| signing_error(SigningError::UnknownCredential))?;
        if unlocked {
            self.audit(user, id, SigningAction::Unlocked);
        }
        Ok(unlocked)
    }

    /// `credentials/authorize`: `user` proves the second factor with their token's `code` for
    /// `request` on credential `id`, and gets a SAD bound to exactly it. The code is checked
    /// by the login's rules on the account (a code used for a login is refused here, and a
    /// wrong one counts toward the account's cool-downs and hard limit), and a wrong one counts
    /// toward the credential's own limit too. Audited.
    ///
    /// # Errors
    /// [`SigningError::UnknownCredential`], [`SigningError::Refused`] (revoked, locked),
    /// [`SigningError::WrongCode`], [`SigningError::SecondFactorUnavailable`],
    /// [`Error::Store`], [`Error::Contended`].
    pub fn authorize(
        &self,
        user: &UserId,
        id: &CredentialId,
        request: &SignatureRequest,
        code: &str,
    ) -> Result<Sad, Error> {
        let info = self.credential(user, id)?;
        info.credential.usable().map_err(signing_error)?;
        let now = self.service.now();
        let machine = self.service.machine();
        let mut rng = self.service.request_rng()?;
        let proof = tollgate_login::change_account(&**self.service.store(), user, |account| {
            // Revoked, whatever the credential's own record says now.
            if account.state().credential_revoked(id.as_str()) {
                return Change::Keep((None, Vec::new()));
            }
            let proof = machine.prove_code(account, user, code, now, &mut rng);
            match proof.update {
                Some(state) => Change::Store(state, (Some(proof.outcome), proof.effects)),
                None => Change::Keep((Some(proof.outcome), proof.effects)),
            }
        })
        .map_err(Error::from)?;
        let Some((outcome, effects)) = proof else {
            return Err(signing_error(SigningError::UnknownCredential));
        };
        self.service.carry_out_effects(effects);
        let Some(outcome) = outcome else {
            return Err(signing_error(Refused::Revoked));
        };
        match outcome {
            CodeProof::Proven => {
                let policy = &self.signer.policy;
                let sad_keys = &self.signer.sad_keys;
                let sad = changed(change_credential(&*self.signer.store, id, |c| {
                    let mut c = c.clone();
                    match c.authorize(user, request, sad_keys, policy.sad_lifetime, now, &mut rng) {
                        Ok(sad) => tollgate_sign::Change::Store(c, Ok(sad)),
                        Err(refused) => tollgate_sign::Change::Keep(Err(refused)),
                    }
                }))?
                .map_err(signing_error)?;
                self.audit(
                    user,
                    id,
                    SigningAction::Authorized {
                        signatures: request.num_signatures(),
                    },
                );
                Ok(sad)
            }
            CodeProof::Wrong => {
                let limit = self.signer.policy.failure_limit;
                let locked = changed(change_credential(&*self.signer.store, id, |c| {
                    let mut c = c.clone();
                    let locked = c.proof_refused(limit, now);
                    tollgate_sign::Change::Store(c, locked)
                }))?;
                self.audit(user, id, SigningAction::ProofRefused);
                if locked {
                    self.audit(user, id, SigningAction::Locked);
                }
                Err(signing_error(SigningError::WrongCode { locked }))
            }
            _ => Err(signing_error(SigningError::SecondFactorUnavailable)),
        }
    }

    /// `signatures/signHash`: spends `sad` on `hashes` (base64, of `hash`) and signs each with
    /// `user`'s credential `id`, with `algorithm` (which must be the key's and the hashes').
    /// The signatures in the order of the hashes, DER. Audited.
    ///
    /// # Errors
    /// [`SigningError::Request`], [`SigningError::Algorithm`], [`SigningError::Refused`]
    /// (the SAD does not cover these hashes, is spent, expired, altered, another user's or
    /// credential's), [`SigningError::UnknownCredential`], [`SigningError::Key`],
    /// [`Error::Store`].
    pub fn sign_hashes(
        &self,
        user: &UserId,
        id: &CredentialId,
        sad: &Sad,
        hash: HashAlgorithm,
        algorithm: SignAlgorithm,
        hashes: &[String],
    ) -> Result<Vec<Vec<u8>>, Error> {
        let digests = read_hashes(hash, hashes).map_err(signing_error)?;
        let info = self.credential(user, id)?;
        if algorithm.hash() != hash || algorithm.key() != info.credential.key_algorithm() {
            return Err(signing_error(SigningError::Algorithm));
        }
        let now = self.service.now();
        let sad_keys = &self.signer.sad_keys;
        let spent = changed(change_credential(&*self.signer.store, id, |c| {
            let mut c = c.clone();
            match c.spend(user, sad, sad_keys, hash, &digests, now) {
                Ok(()) => tollgate_sign::Change::Store(c.clone(), Ok(c)),
                Err(refused) => tollgate_sign::Change::Keep(Err(refused)),
            }
        }))?;
        let credential = match spent {
            Ok(credential) => credential,
            Err(refused) => {
                self.audit(user, id, SigningAction::SadRefused);
                return Err(signing_error(refused));
            }
        };
        let signatures = digests
            .iter()
            .map(|d| {
                self.signer
                    .keys
                    .sign(credential.key(), algorithm, d.as_bytes())
            })
            .collect::<Result<Vec<_>, KeyError>>()
            .map_err(signing_error)?;
        self.audit(
            user,
            id,
            SigningAction::Signed {
                signatures: u32::try_from(signatures.len()).unwrap_or(u32::MAX),
            },
        );
        Ok(signatures)
    }
}
