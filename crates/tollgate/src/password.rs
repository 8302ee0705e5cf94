//! Passwords: Argon2id in PHC string format, the same work for unknown users, and a bound on
//! how much of that work runs at once.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::phc::{self, Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use tollgate_store::PasswordHash;

use crate::error::Error;

mod gate;

use gate::Gate;

/// The longest password taken by default: 1 KiB (NIST SP 800-63B-4 §3.1.1.2 asks that at least
/// 64 characters be allowed; Argon2 itself takes up to 4 GiB, which is a way to make a service
/// hash megabytes per request).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// How much password work a service does at once. Each Argon2id check holds its memory (19 MiB
/// with the default parameters) for its whole run, so the number running at once bounds the
/// process's memory; the rest wait in a queue, for a while, and past it the request gets
/// [`Error::Busy`] ("busy, try again") instead of a thread and 19 MiB more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordLimits {
    /// Checks (and hashes) that run at once: by default one per core the process may use.
    pub concurrent: usize,
    /// Requests that may wait for a turn; more are refused at once. By default 16 per
    /// concurrent check.
    pub queue: usize,
    /// How long a request waits for a turn before it is refused: 2 s by default.
    pub wait: Duration,
    /// The longest password, in bytes ([`MAX_PASSWORD_BYTES`] by default).
    pub max_len: usize,
}

impl Default for PasswordLimits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            concurrent: cores,
            queue: 16 * cores,
            wait: Duration::from_secs(2),
            max_len: MAX_PASSWORD_BYTES,
        }
    }
}

/// Hashes and checks passwords with Argon2id, m = 19 MiB, t = 2, p = 1 (OWASP Password Storage
/// Cheat Sheet), at most [`PasswordLimits::concurrent`] at a time, each in a memory buffer of
/// its own that is kept for the next one (so that the allocator never holds more than those).
#[derive(Clone, Debug)]
pub struct Passwords {
    params: Params,
    /// A hash of a random password, checked for unknown users so that they cost the same.
    dummy: String,
    gate: Arc<Gate>,
}

impl Passwords {
    /// The OWASP parameters and the default limits.
    ///
    /// # Errors
    /// [`Error::Password`] if the hasher cannot be set up (it always can).
    pub fn new(rng: &mut impl CryptoRng) -> Result<Self, Error> {
        Self::with_params(Params::DEFAULT, PasswordLimits::default(), rng)
    }

    /// The OWASP parameters with these limits.
    ///
    /// # Errors
    /// [`Error::Password`] if a limit is 0 (of checks at once, or of the password's length).
    pub fn with_limits(limits: PasswordLimits, rng: &mut impl CryptoRng) -> Result<Self, Error> {
        Self::with_params(Params::DEFAULT, limits, rng)
    }

    fn with_params(
        params: Params,
        limits: PasswordLimits,
        rng: &mut impl CryptoRng,
    ) -> Result<Self, Error> {
        if limits.concurrent == 0 || limits.max_len == 0 {
            return Err(Error::Password(
                "password limits: at least one check at once, and passwords of a byte".into(),
            ));
        }
        let mut random = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *random);
        let mut this = Self {
            gate: Arc::new(Gate::new(limits, params.block_count())),
            params,
            dummy: String::new(),
        };
        this.dummy = this.hash(&random[..], rng)?.as_str().to_owned();
        Ok(this)
    }

    /// The limits.
    #[must_use]
    pub fn limits(&self) -> PasswordLimits {
        self.gate.limits
    }

    /// Refuses a password longer than the limit, before any work is done.
    ///
    /// # Errors
    /// [`Error::PasswordTooLong`].
    pub fn check_length(&self, password: &[u8]) -> Result<(), Error> {
        let max = self.gate.limits.max_len;
        if password.len() > max {
            return Err(Error::PasswordTooLong { max });
        }
        Ok(())
    }

    /// Hashes a new password with a fresh salt.
    ///
    /// # Errors
    /// [`Error::PasswordTooLong`]; [`Error::Busy`] when every turn is taken and the queue is
    /// full or the wait ran out; [`Error::Password`] if hashing fails (it does not for any
    /// input within the limit).
    pub fn hash(&self, password: &[u8], rng: &mut impl CryptoRng) -> Result<PasswordHash, Error> {
        self.check_length(password)?;
        let normal = normalized(password);
        self.hash_exact(normal.as_ref().map_or(password, |n| n.as_slice()), rng)
    }

    /// Hashes exactly these bytes.
    fn hash_exact(&self, password: &[u8], rng: &mut impl CryptoRng) -> Result<PasswordHash, Error> {
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        let mut out = Zeroizing::new([0u8; 32]);
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        self.gate
            .run(self.params.block_count(), |memory| {
                argon2.hash_password_into_with_memory(password, &salt, &mut *out, memory)
            })?
            .map_err(|e| Error::Password(e.to_string()))?;
        let phc = phc::PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params)
                .map_err(|e| Error::Password(e.to_string()))?,
            salt: Some(Salt::new(&salt).map_err(|e| Error::Password(e.to_string()))?),
            hash: Some(Output::new(&*out).map_err(|e| Error::Password(e.to_string()))?),
        };
        Ok(PasswordHash::from_phc(phc.to_string()))
    }

    /// Whether `password` matches `hash`; with no hash (an unknown user), checks against the
    /// dummy hash and answers no, having done the same work. A stored hash that does not parse
    /// matches nothing.
    ///
    /// # Errors
    /// [`Error::PasswordTooLong`] and [`Error::Busy`], as for [`Passwords::hash`].
    pub fn verify(&self, password: &[u8], hash: Option<&PasswordHash>) -> Result<bool, Error> {
        self.check_length(password)?;
        let Some(normal) = normalized(password) else {
            return self.verify_exact(password, hash);
        };
        // A password that NFKC changes: its normal form, then (for a hash an earlier version
        // made of the password as typed) the typed form. Every such password takes both checks
        // when the first fails, known user or not, so the time tells nothing.
        if self.verify_exact(&normal, hash)? {
            return Ok(true);
        }
        self.verify_exact(password, hash)
    }

    /// Whether exactly these bytes match `hash` (the dummy hash's work when there is none).
    fn verify_exact(&self, password: &[u8], hash: Option<&PasswordHash>) -> Result<bool, Error> {
        let target = hash.map_or(self.dummy.as_str(), PasswordHash::as_str);
        let Some(stored) = Stored::parse(target) else {
            return Ok(false);
        };
        let mut out = Zeroizing::new(vec![0u8; stored.expected.len()]);
        let argon2 = Argon2::new(stored.algorithm, stored.version, stored.params.clone());
        let computed = self.gate.run(stored.params.block_count(), |memory| {
            argon2.hash_password_into_with_memory(password, &stored.salt, &mut out[..], memory)
        })?;
        let matched = computed.is_ok() && bool::from(out.ct_eq(stored.expected.as_bytes()));
        Ok(matched && hash.is_some())
    }
}

/// The password's NFKC form (SP 800-63B-4 §3.1.1.2; [`tollgate_login::normalize_password`],
/// the form the password rules check) when it differs from the bytes given; `None` when they
/// are that form already (every ASCII password) or are not UTF-8 (hashed as they are).
fn normalized(password: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let text = core::str::from_utf8(password).ok()?;
    match tollgate_login::normalize_password(text) {
        std::borrow::Cow::Borrowed(_) => None,
        std::borrow::Cow::Owned(normal) => Some(Zeroizing::new(normal.into_bytes())),
    }
}

/// A stored PHC string, parsed for a check.
struct Stored {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Salt,
    expected: Output,
}

impl Stored {
    fn parse(phc: &str) -> Option<Self> {
        let parsed = phc::PasswordHash::new(phc).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::V0x10,
        };
        Some(Self {
            algorithm,
            version,
            params: Params::try_from(&parsed).ok()?,
            salt: parsed.salt?,
            expected: parsed.hash?,
        })
    }
}

/// Settings that make tollgate weaker than its defaults, for tests and demonstrations only.
pub mod danger {
    use super::{Params, PasswordLimits, Passwords};
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
        Passwords::with_params(params, PasswordLimits::default(), rng)
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a test fails loudly on the first broken expectation"
    )]

    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;

    fn limited(concurrent: usize, queue: usize) -> Passwords {
        let limits = PasswordLimits {
            concurrent,
            queue,
            wait: Duration::ZERO,
            max_len: 64,
        };
        let params = Params::new(64, 1, 1, None).unwrap();
        Passwords::with_params(params, limits, &mut ChaCha20Rng::seed_from_u64(1)).unwrap()
    }

    /// The same hash as argon2's own verifier computes, and its verdicts.
    #[test]
    fn hashes_are_standard_phc_strings_and_verify() {
        let passwords = limited(1, 0);
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let hash = passwords.hash(b"correct horse", &mut rng).unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(passwords.verify(b"correct horse", Some(&hash)).unwrap());
        assert!(!passwords.verify(b"correct horsf", Some(&hash)).unwrap());
        assert!(!passwords.verify(b"correct horse", None).unwrap());
        use argon2::PasswordVerifier as _;
        Argon2::default()
            .verify_password(b"correct horse", hash.as_str())
            .unwrap();
        let garbage = PasswordHash::from_phc("$argon2id$v=19$m=64".to_owned());
        assert!(!passwords.verify(b"correct horse", Some(&garbage)).unwrap());
    }

    /// RFC 9106 §5.3's Argon2id vector takes a secret and associated data, which PHC strings
    /// do not carry; this known answer is the reference C implementation's, through
    /// argon2-cffi 25.1.0: `argon2.low_level.hash_secret(b"password", b"somesalt",
    /// time_cost=2, memory_cost=64, parallelism=1, hash_len=32, type=Type.ID)`.
    #[test]
    fn the_reference_implementations_hash_verifies_and_a_tampered_one_does_not() {
        let passwords = limited(1, 0);
        let reference =
            "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQ$FqGkmHNGCd0BRW2kBt6fPZ2pPmyGwwChL8FGUhTOSSI";
        let good = PasswordHash::from_phc(reference.to_owned());
        assert!(passwords.verify(b"password", Some(&good)).unwrap());
        let tampered = PasswordHash::from_phc(reference.replace("FqGk", "FqGl"));
        assert!(!passwords.verify(b"password", Some(&tampered)).unwrap());
    }

    /// SP 800-63B-4 §3.1.1.2: the password is hashed in its NFKC form, so the full-width form
    /// of the reference vector's password ("ｐａｓｓｗｏｒｄ", as a Japanese keyboard may type it)
    /// matches the reference hash of "password", and not its tampered copy.
    #[test]
    fn a_password_matches_whatever_form_of_it_was_typed() {
        let passwords = limited(1, 0);
        let reference =
            "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQ$FqGkmHNGCd0BRW2kBt6fPZ2pPmyGwwChL8FGUhTOSSI";
        let full_width = "\u{ff50}\u{ff41}\u{ff53}\u{ff53}\u{ff57}\u{ff4f}\u{ff52}\u{ff44}";
        let good = PasswordHash::from_phc(reference.to_owned());
        assert!(
            passwords
                .verify(full_width.as_bytes(), Some(&good))
                .unwrap()
        );
        let tampered = PasswordHash::from_phc(reference.replace("FqGk", "FqGl"));
        assert!(
            !passwords
                .verify(full_width.as_bytes(), Some(&tampered))
                .unwrap()
        );
        // A new hash of a decomposed "é" takes the composed one, and the other way round.
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let hash = passwords
            .hash("cafe\u{301} au lait".as_bytes(), &mut rng)
            .unwrap();
        assert!(
            passwords
                .verify("caf\u{e9} au lait".as_bytes(), Some(&hash))
                .unwrap()
        );
        assert!(
            !passwords
                .verify("cafe au lait".as_bytes(), Some(&hash))
                .unwrap()
        );
        // A hash the previous version made of the typed bytes still takes them.
        let legacy = passwords
            .hash_exact(full_width.as_bytes(), &mut rng)
            .unwrap();
        assert!(
            passwords
                .verify(full_width.as_bytes(), Some(&legacy))
                .unwrap()
        );
        assert!(!passwords.verify(b"password", Some(&legacy)).unwrap());
        // Bytes that are not UTF-8 are hashed as they are.
        let raw = passwords.hash(&[0xff, 0xfe, b'x'], &mut rng).unwrap();
        assert!(passwords.verify(&[0xff, 0xfe, b'x'], Some(&raw)).unwrap());
    }

    /// Bounded work: with every turn taken and no room in the queue, a check is refused at once
    /// (and does no work); when the turn is given back, it runs.
    #[test]
    fn a_full_gate_answers_busy_and_a_long_password_is_refused_before_any_work() {
        let passwords = limited(1, 0);
        let held = passwords.gate.acquire().unwrap();
        assert!(matches!(passwords.verify(b"x", None), Err(Error::Busy)));
        passwords.gate.release(held);
        assert!(!passwords.verify(b"x", None).unwrap());
        assert!(matches!(
            passwords.verify(&[b'a'; 65], None),
            Err(Error::PasswordTooLong { max: 64 })
        ));
        // The buffers kept are at most one per turn.
        assert_eq!(passwords.gate.lock().unwrap().idle.len(), 1);
    }
}
