//! Passwords: Argon2id in PHC string format, and the same work for unknown users.

use argon2::password_hash::PasswordHasher as _;
use argon2::password_hash::PasswordVerifier as _;
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use tollgate_store::PasswordHash;

use crate::error::Error;

/// Hashes and checks passwords with Argon2id, m = 19 MiB, t = 2, p = 1 (OWASP Password Storage
/// Cheat Sheet).
#[derive(Clone, Debug)]
pub struct Passwords {
    params: Params,
    /// A hash of a random password, checked for unknown users so that they cost the same.
    dummy: String,
}

impl Passwords {
    /// The OWASP parameters.
    ///
    /// # Errors
    /// [`Error::Password`] if the hasher cannot be set up (it always can).
    pub fn new(rng: &mut impl CryptoRng) -> Result<Self, Error> {
        Self::with_params(Params::DEFAULT, rng)
    }

    fn with_params(params: Params, rng: &mut impl CryptoRng) -> Result<Self, Error> {
        let mut random = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *random);
        let mut this = Self {
            params,
            dummy: String::new(),
        };
        this.dummy = this.hash(&random[..], rng)?.as_str().to_owned();
        Ok(this)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes a new password with a fresh salt.
    ///
    /// # Errors
    /// [`Error::Password`] if hashing fails (it does not for any input).
    pub fn hash(&self, password: &[u8], rng: &mut impl CryptoRng) -> Result<PasswordHash, Error> {
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        let hash = self
            .argon2()
            .hash_password_with_salt(password, &salt)
            .map_err(|e| Error::Password(e.to_string()))?;
        Ok(PasswordHash::from_phc(hash.to_string()))
    }

    /// Whether `password` matches `hash`; with no hash (an unknown user), checks against the
    /// dummy hash and answers no, having done the same work.
    #[must_use]
    pub fn verify(&self, password: &[u8], hash: Option<&PasswordHash>) -> bool {
        let target = hash.map_or(self.dummy.as_str(), PasswordHash::as_str);
        let matched = self.argon2().verify_password(password, target).is_ok();
        matched && hash.is_some()
    }
}

/// Settings that make tollgate weaker than its defaults, for tests and demonstrations only.
pub mod danger {
    use super::{Params, Passwords};
    use crate::error::Error;

    /// Argon2id with 8 KiB and one pass: fast enough for tests that log in thousands of times,
    /// and worthless against an attacker who has the hashes. Never in production.
    ///
    /// # Errors
    /// [`Error::Password`] if the hasher cannot be set up (it always can).
    pub fn weak_passwords_for_tests(
        rng: &mut impl rand_core::CryptoRng,
    ) -> Result<Passwords, Error> {
        let params = Params::new(8, 1, 1, None).map_err(|e| Error::Password(e.to_string()))?;
        Passwords::with_params(params, rng)
    }
}
