//! The two ceremonies, as the machine needs them: options for the browser, and the verdict on
//! its answer. With the `passkeys` feature they are tollgate-passkey's; without it no service
//! takes passkeys ([`Config::takes_passkeys`](crate::Config::takes_passkeys) is false), no
//! options are drawn, and any answer is refused.

/// Why an answer was refused: the check that failed, and whether it looks like a clone.
pub(in crate::machine) struct Failure {
    pub(in crate::machine) reason: &'static str,
    /// The counter went back: the index of the credential it names.
    pub(in crate::machine) clone_of: Option<usize>,
}

/// A verified assertion of the account's passkey at `at`.
#[derive(Debug)]
pub(in crate::machine) struct Verified {
    pub(in crate::machine) at: usize,
    pub(in crate::machine) counter: u32,
    pub(in crate::machine) backed_up: bool,
    /// The user handle the answer returned, if any (not proof of anything by itself).
    pub(in crate::machine) user_handle: Option<Vec<u8>>,
}

#[cfg(feature = "passkeys")]
mod verifier {
    use super::{Failure, Verified};
    use crate::account::PasskeyRecord;
    use crate::config::Config;
    use crate::user::UserId;
    use tollgate_otp::UnixTime;
    use tollgate_passkey::{
        AssertionResponse, Challenge, Credential, CredentialId, PublicKey, Refused,
        RegistrationResponse, options, verify_assertion, verify_registration,
    };

    fn ids(passkeys: &[PasskeyRecord]) -> Vec<CredentialId> {
        passkeys
            .iter()
            .filter_map(|p| CredentialId::from_bytes(&p.id))
            .collect()
    }

    pub(in crate::machine) fn request(
        config: &Config,
        challenge: [u8; 32],
        allow: &[PasskeyRecord],
    ) -> Option<String> {
        let rp = config.passkeys.as_ref()?;
        let ids = ids(allow);
        Some(options::request(
            rp,
            &Challenge::from_bytes(challenge),
            &ids,
        ))
    }

    pub(in crate::machine) fn creation(
        config: &Config,
        challenge: [u8; 32],
        handle: &[u8; 16],
        user: &UserId,
        exclude: &[PasskeyRecord],
    ) -> Option<String> {
        let rp = config.passkeys.as_ref()?;
        let ids = ids(exclude);
        let user = options::User {
            handle,
            name: user.as_str(),
            display_name: user.as_str(),
        };
        Some(options::creation(
            rp,
            user,
            &Challenge::from_bytes(challenge),
            &ids,
        ))
    }

    fn reason(refused: Refused) -> &'static str {
        match refused {
            Refused::Malformed(_) => "malformed",
            Refused::WrongType => "wrong ceremony",
            Refused::WrongChallenge => "wrong challenge",
            Refused::WrongOrigin => "wrong origin",
            Refused::CrossOrigin => "cross-origin frame",
            Refused::WrongRpId => "wrong relying party",
            Refused::UserNotPresent => "user not present",
            Refused::UserNotVerified => "user not verified",
            Refused::BackupFlags => "backup flags",
            Refused::BadSignature => "bad signature",
            Refused::UnsupportedKey => "unsupported key",
            Refused::UnsupportedAttestation => "unsupported attestation",
            Refused::WrongCredential => "unknown credential",
            Refused::CounterWentBack => "counter went back",
            _ => "refused",
        }
    }

    pub(in crate::machine) fn assertion(
        config: &Config,
        challenge: [u8; 32],
        passkeys: &[PasskeyRecord],
        json: &str,
    ) -> Result<Verified, Failure> {
        let refused = |r: Refused| Failure {
            reason: reason(r),
            clone_of: None,
        };
        let rp = config
            .passkeys
            .as_ref()
            .ok_or_else(|| refused(Refused::WrongCredential))?;
        let response = AssertionResponse::from_json(json).map_err(refused)?;
        let at = passkeys
            .iter()
            .position(|p| p.id == response.id().as_bytes())
            .ok_or_else(|| refused(Refused::WrongCredential))?;
        let record = &passkeys[at];
        let credential = Credential {
            id: response.id().clone(),
            // A stored key that no longer reads is a row no build of ours wrote.
            public_key: PublicKey::from_cose(&record.public_key).map_err(refused)?,
            counter: record.counter,
            backup_eligible: record.backup_eligible,
        };
        match verify_assertion(
            rp,
            &Challenge::from_bytes(challenge),
            &credential,
            &response,
        ) {
            Ok(asserted) => Ok(Verified {
                at,
                counter: asserted.counter(),
                backed_up: asserted.backed_up(),
                user_handle: response.user_handle().map(<[u8]>::to_vec),
            }),
            Err(Refused::CounterWentBack) => Err(Failure {
                reason: reason(Refused::CounterWentBack),
                clone_of: Some(at),
            }),
            Err(other) => Err(refused(other)),
        }
    }

    pub(in crate::machine) fn credential(json: &str) -> Option<Vec<u8>> {
        AssertionResponse::from_json(json)
            .ok()
            .map(|r| r.id().as_bytes().to_vec())
    }

    pub(in crate::machine) fn registration(
        config: &Config,
        challenge: [u8; 32],
        json: &str,
        now: UnixTime,
    ) -> Result<PasskeyRecord, &'static str> {
        let rp = config.passkeys.as_ref().ok_or("not taken")?;
        let response = RegistrationResponse::from_json(json).map_err(reason)?;
        let registered = verify_registration(rp, &Challenge::from_bytes(challenge), &response)
            .map_err(reason)?;
        let backed_up = registered.backed_up();
        let credential = registered.into_credential();
        Ok(PasskeyRecord {
            id: credential.id.as_bytes().to_vec(),
            public_key: credential.public_key.to_cose().to_vec(),
            counter: credential.counter,
            backup_eligible: credential.backup_eligible,
            backed_up,
            name: None,
            enrolled_at: now,
            last_used: None,
        })
    }
}

#[cfg(not(feature = "passkeys"))]
mod verifier {
    use super::{Failure, Verified};
    use crate::account::PasskeyRecord;
    use crate::config::Config;
    use crate::user::UserId;
    use tollgate_otp::UnixTime;

    pub(in crate::machine) fn request(
        _: &Config,
        _: [u8; 32],
        _: &[PasskeyRecord],
    ) -> Option<String> {
        None
    }

    pub(in crate::machine) fn creation(
        _: &Config,
        _: [u8; 32],
        _: &[u8; 16],
        _: &UserId,
        _: &[PasskeyRecord],
    ) -> Option<String> {
        None
    }

    pub(in crate::machine) fn assertion(
        _: &Config,
        _: [u8; 32],
        _: &[PasskeyRecord],
        _: &str,
    ) -> Result<Verified, Failure> {
        Err(Failure {
            reason: "passkeys not built in",
            clone_of: None,
        })
    }

    pub(in crate::machine) fn credential(_: &str) -> Option<Vec<u8>> {
        None
    }

    pub(in crate::machine) fn registration(
        _: &Config,
        _: [u8; 32],
        _: &str,
        _: UnixTime,
    ) -> Result<PasskeyRecord, &'static str> {
        Err("passkeys not built in")
    }
}

pub(in crate::machine) use verifier::{assertion, creation, credential, registration, request};
