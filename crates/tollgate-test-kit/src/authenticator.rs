//! A software passkey: a WebAuthn authenticator and the browser in front of it, deterministic
//! (its key comes from a seed), answering the options JSON a relying party hands to
//! `navigator.credentials.create()` / `.get()` with the JSON `PublicKeyCredential.toJSON()`
//! writes. Its public fields make it misbehave as an attacker's would: run on another origin
//! (a phishing page relaying the ceremony), sign for another RP ID, drop the user-verified
//! flag, turn its counter back.
//!
//! It is ours, and so proves only that the verifier agrees with it; the browser tests use
//! Chromium's virtual authenticator and the W3C's vectors for what nobody here wrote.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// The key type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// ECDSA P-256 (COSE -7).
    Es256,
    /// Ed25519 (COSE -8).
    Ed25519,
}

/// A software authenticator holding one credential, and the browser that runs its ceremonies.
#[derive(Clone, Debug)]
pub struct SoftPasskey {
    kind: Kind,
    seed: [u8; 32],
    /// The credential's ID.
    pub id: Vec<u8>,
    /// The origin the browser reports (a phishing page's, to play the phisher).
    pub origin: String,
    /// The RP ID it signs for; `None`: the one the options name.
    pub rp_id: Option<String>,
    /// The signature counter; each assertion adds [`SoftPasskey::counter_step`] first.
    pub counter: u32,
    /// What each assertion adds to the counter (0 for an authenticator that keeps none).
    pub counter_step: u32,
    /// Whether it verifies the user (sets UV).
    pub verifies_user: bool,
    /// Whether it is a synced passkey (sets BE and BS).
    pub synced: bool,
    /// The user handle it stored at registration.
    pub user_handle: Option<Vec<u8>>,
}

impl SoftPasskey {
    /// A passkey of `kind` whose key and ID come from `seed`, for pages at `origin`: it verifies
    /// the user, counts signatures, and is not synced.
    #[must_use]
    pub fn new(kind: Kind, seed: u64, origin: &str) -> Self {
        let seed: [u8; 32] = Sha256::digest(seed.to_be_bytes()).into();
        let id = Sha256::digest(seed)[..16].to_vec();
        Self {
            kind,
            seed,
            id,
            origin: origin.to_owned(),
            rp_id: None,
            counter: 0,
            counter_step: 1,
            verifies_user: true,
            synced: false,
            user_handle: None,
        }
    }

    /// The `RegistrationResponseJSON` answering creation `options` (as a relying party wrote
    /// them): attestation "none", the options' challenge, user handle and RP ID.
    ///
    /// # Panics
    /// When `options` are not creation options.
    #[must_use]
    pub fn register(&mut self, options: &str) -> String {
        let options: Value = serde_json::from_str(options).expect("options are JSON");
        let rp_id = self.signing_rp_id(&options["rp"]["id"]);
        let challenge = options["challenge"].as_str().expect("a challenge");
        self.user_handle = options["user"]["id"]
            .as_str()
            .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok());
        let client_data = self.client_data("webauthn.create", challenge);
        let mut auth_data = self.auth_data(&rp_id, 0x40);
        auth_data.extend_from_slice(&[0; 16]);
        let id_len = u16::try_from(self.id.len()).expect("a short ID");
        auth_data.extend_from_slice(&id_len.to_be_bytes());
        auth_data.extend_from_slice(&self.id);
        auth_data.extend_from_slice(&self.cose_key());
        // {"fmt": "none", "attStmt": {}, "authData": h'…'}
        let mut object = vec![0xa3];
        text(&mut object, "fmt");
        text(&mut object, "none");
        text(&mut object, "attStmt");
        object.push(0xa0);
        text(&mut object, "authData");
        bytes(&mut object, &auth_data);
        json!({
            "id": URL_SAFE_NO_PAD.encode(&self.id),
            "rawId": URL_SAFE_NO_PAD.encode(&self.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
                "attestationObject": URL_SAFE_NO_PAD.encode(object),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }

    /// The `AuthenticationResponseJSON` answering request `options`, with the user handle kept
    /// at registration.
    ///
    /// # Panics
    /// When `options` are not request options.
    #[must_use]
    pub fn assert(&mut self, options: &str) -> String {
        let options: Value = serde_json::from_str(options).expect("options are JSON");
        let rp_id = self.signing_rp_id(&options["rpId"]);
        let challenge = options["challenge"].as_str().expect("a challenge");
        self.counter = self.counter.wrapping_add(self.counter_step);
        let client_data = self.client_data("webauthn.get", challenge);
        let auth_data = self.auth_data(&rp_id, 0);
        let signature = self.sign(&auth_data, client_data.as_bytes());
        json!({
            "id": URL_SAFE_NO_PAD.encode(&self.id),
            "rawId": URL_SAFE_NO_PAD.encode(&self.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
                "authenticatorData": URL_SAFE_NO_PAD.encode(auth_data),
                "signature": URL_SAFE_NO_PAD.encode(signature),
                "userHandle": self.user_handle.as_ref().map(|h| URL_SAFE_NO_PAD.encode(h)),
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }

    /// Its credential public key as a COSE_Key.
    #[must_use]
    pub fn cose_key(&self) -> Vec<u8> {
        match self.kind {
            Kind::Es256 => {
                let point = self.es256().verifying_key().to_sec1_point(false);
                let point = point.as_bytes();
                let mut key = hex_bytes("a5010203262001215820");
                key.extend_from_slice(&point[1..33]);
                key.extend_from_slice(&hex_bytes("225820"));
                key.extend_from_slice(&point[33..65]);
                key
            }
            Kind::Ed25519 => {
                let mut key = hex_bytes("a4010103272006215820");
                key.extend_from_slice(&self.ed25519().verifying_key().to_bytes());
                key
            }
        }
    }

    fn signing_rp_id(&self, named: &Value) -> String {
        self.rp_id
            .clone()
            .unwrap_or_else(|| named.as_str().expect("an RP ID").to_owned())
    }

    fn client_data(&self, kind: &str, challenge: &str) -> String {
        json!({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false})
            .to_string()
    }

    fn auth_data(&self, rp_id: &str, extra_flags: u8) -> Vec<u8> {
        let mut flags = 0x01 | extra_flags;
        if self.verifies_user {
            flags |= 0x04;
        }
        if self.synced {
            flags |= 0x18;
        }
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        let counter = if extra_flags & 0x40 != 0 {
            0
        } else {
            self.counter
        };
        data.extend_from_slice(&counter.to_be_bytes());
        data
    }

    /// The signature over `auth_data` and the hash of `client_data`.
    #[must_use]
    pub fn sign(&self, auth_data: &[u8], client_data: &[u8]) -> Vec<u8> {
        let mut message = auth_data.to_vec();
        message.extend_from_slice(&Sha256::digest(client_data));
        match self.kind {
            Kind::Es256 => {
                use p256::ecdsa::signature::Signer as _;
                let signature: p256::ecdsa::Signature = self.es256().sign(&message);
                signature.to_der().as_bytes().to_vec()
            }
            Kind::Ed25519 => {
                use ed25519_dalek::Signer as _;
                self.ed25519().sign(&message).to_bytes().to_vec()
            }
        }
    }

    fn es256(&self) -> p256::ecdsa::SigningKey {
        p256::ecdsa::SigningKey::from_slice(&self.seed).expect("a scalar")
    }

    fn ed25519(&self) -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&self.seed)
    }
}

fn head(out: &mut Vec<u8>, major: u8, length: usize) {
    match u16::try_from(length) {
        Ok(n) if n < 24 => out.push((major << 5) | u8::try_from(n).unwrap_or(0)),
        Ok(n) if n < 256 => {
            out.extend_from_slice(&[(major << 5) | 24, u8::try_from(n).unwrap_or(0)])
        }
        Ok(n) => {
            out.push((major << 5) | 25);
            out.extend_from_slice(&n.to_be_bytes());
        }
        Err(_) => panic!("too long for this writer"),
    }
}

fn text(out: &mut Vec<u8>, value: &str) {
    head(out, 3, value.len());
    out.extend_from_slice(value.as_bytes());
}

fn bytes(out: &mut Vec<u8>, value: &[u8]) {
    head(out, 2, value.len());
    out.extend_from_slice(value);
}

fn hex_bytes(text: &str) -> Vec<u8> {
    crate::hex(text)
}
