//! Keys in an HSM through PKCS #11 (feature `pkcs11`, with the `cryptoki` crate): what a real
//! remote signing service uses. Each credential's key pair is made on the token (private key
//! sensitive, never extractable), found again by its `CKA_ID` (the credential's key reference
//! holds only that ID), used with `CKM_ECDSA` over the digest, and destroyed when the
//! credential is revoked. Tested against Debian's SoftHSM2.

use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use rand_core::CryptoRng;
use tollgate_sign::{GeneratedKey, KeyAlgorithm, KeyBackend, KeyError, KeyRef, SignAlgorithm};

/// Why a PKCS #11 token could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs11Error {
    /// The module (the `.so`) did not load or initialize.
    #[error("the PKCS #11 module did not load: {0}")]
    Module(String),
    /// No token with that label.
    #[error("no PKCS #11 token is labelled {0:?}")]
    NoToken(String),
    /// The session or the login failed (a wrong PIN among others).
    #[error("the PKCS #11 login failed: {0}")]
    Login(String),
}

/// The backend's name in each key reference.
const NAME: &str = "pkcs11";

/// prime256v1's OID, DER: the `CKA_EC_PARAMS` of a P-256 key.
const P256_PARAMS: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// Keys on a PKCS #11 token. One logged-in session, used by one call at a time.
pub struct Pkcs11Keys {
    session: Mutex<Session>,
    _context: Pkcs11,
}

impl core::fmt::Debug for Pkcs11Keys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pkcs11Keys").finish_non_exhaustive()
    }
}

fn device(e: impl core::fmt::Display) -> KeyError {
    KeyError::Device(e.to_string())
}

impl Pkcs11Keys {
    /// Loads `module` (a PKCS #11 library such as SoftHSM2's `libsofthsm2.so`), finds the
    /// token labelled `label`, and logs in as its user with `pin`.
    ///
    /// # Errors
    /// [`Pkcs11Error`].
    pub fn open(module: &std::path::Path, label: &str, pin: &str) -> Result<Self, Pkcs11Error> {
        let context = Pkcs11::new(module).map_err(|e| Pkcs11Error::Module(e.to_string()))?;
        context
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(|e| Pkcs11Error::Module(e.to_string()))?;
        let slots = context
            .get_slots_with_token()
            .map_err(|e| Pkcs11Error::Module(e.to_string()))?;
        let slot = slots
            .into_iter()
            .find(|slot| {
                context
                    .get_token_info(*slot)
                    .is_ok_and(|info| info.label().trim_end() == label)
            })
            .ok_or_else(|| Pkcs11Error::NoToken(label.to_owned()))?;
        let session = context
            .open_rw_session(slot)
            .map_err(|e| Pkcs11Error::Login(e.to_string()))?;
        session
            .login(UserType::User, Some(&AuthPin::new(pin.into())))
            .map_err(|e| Pkcs11Error::Login(e.to_string()))?;
        Ok(Self {
            session: Mutex::new(session),
            _context: context,
        })
    }

    fn session(&self) -> Result<std::sync::MutexGuard<'_, Session>, KeyError> {
        self.session
            .lock()
            .map_err(|_| KeyError::Device("a thread panicked holding the session".into()))
    }

    /// The objects of `class` with the ID `id`.
    fn find(
        session: &Session,
        class: ObjectClass,
        id: &[u8],
    ) -> Result<Vec<ObjectHandle>, KeyError> {
        session
            .find_objects(&[Attribute::Class(class), Attribute::Id(id.to_vec())])
            .map_err(device)
    }
}

impl KeyBackend for Pkcs11Keys {
    fn name(&self) -> &'static str {
        NAME
    }

    fn in_hardware(&self) -> bool {
        true
    }

    fn generate(
        &self,
        algorithm: KeyAlgorithm,
        rng: &mut dyn CryptoRng,
    ) -> Result<GeneratedKey, KeyError> {
        let KeyAlgorithm::EcdsaP256 = algorithm else {
            return Err(KeyError::Unsupported);
        };
        let mut id = vec![0u8; 16];
        rng.fill_bytes(&mut id);
        let public = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::KeyType(KeyType::EC),
            Attribute::EcParams(P256_PARAMS.to_vec()),
            Attribute::Verify(true),
            Attribute::Id(id.clone()),
            Attribute::Label(b"tollgate signing key".to_vec()),
        ];
        let private = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Id(id.clone()),
            Attribute::Label(b"tollgate signing key".to_vec()),
        ];
        let session = self.session()?;
        let (public_key, _) = session
            .generate_key_pair(&Mechanism::EccKeyPairGen, &public, &private)
            .map_err(device)?;
        let point = session
            .get_attributes(public_key, &[AttributeType::EcPoint])
            .map_err(device)?
            .into_iter()
            .find_map(|a| match a {
                Attribute::EcPoint(point) => Some(point),
                _ => None,
            })
            .ok_or_else(|| KeyError::Device("the token gave no public point".into()))?;
        // CKA_EC_POINT is the point as a DER OCTET STRING (some tokens give it bare).
        let point = match point.as_slice() {
            [0x04, 0x41, rest @ ..] if rest.len() == 65 => rest.to_vec(),
            bare if bare.len() == 65 => bare.to_vec(),
            _ => {
                return Err(KeyError::Device(
                    "the public point is not a P-256 point".into(),
                ));
            }
        };
        Ok(GeneratedKey {
            key: KeyRef {
                backend: NAME.to_owned(),
                handle: id,
            },
            public_key: tollgate_sign::p256_public_key_info(&point)
                .ok_or_else(|| KeyError::Device("the public point is not on P-256".into()))?,
        })
    }

    fn sign(
        &self,
        key: &KeyRef,
        algorithm: SignAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, KeyError> {
        tollgate_sign::check_digest(algorithm, digest)?;
        if key.backend != NAME {
            return Err(KeyError::UnknownKey);
        }
        let session = self.session()?;
        let private = Self::find(&session, ObjectClass::PRIVATE_KEY, &key.handle)?;
        let [private] = private.as_slice() else {
            return Err(KeyError::UnknownKey);
        };
        // CKM_ECDSA signs the digest as given (FIPS 186-5 truncation for a longer one) and
        // answers r ‖ s; the CSC API answers DER.
        let raw = session
            .sign(&Mechanism::Ecdsa, *private, digest)
            .map_err(device)?;
        tollgate_sign::ecdsa_der_of_raw(&raw)
            .ok_or_else(|| KeyError::Device("the token's signature is not r ‖ s".into()))
    }

    fn destroy(&self, key: &KeyRef) -> Result<(), KeyError> {
        if key.backend != NAME {
            return Ok(());
        }
        let session = self.session()?;
        for class in [ObjectClass::PRIVATE_KEY, ObjectClass::PUBLIC_KEY] {
            for object in Self::find(&session, class, &key.handle)? {
                session.destroy_object(object).map_err(device)?;
            }
        }
        Ok(())
    }
}
