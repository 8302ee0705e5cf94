//! The app lock (Entrust's "Unlock an Entrust ST app"; SP 800-63B-4 §3.2.10): ten wrong app
//! PINs lock the app, which then shows a 9-digit PIN reset code; an administrator turns it into
//! an 8-digit unlock code (`admin unlock-app`, [`tollgate::codes::unlock_code`]); `unlock`
//! takes that code and a new PIN.
//!
//! How the app can open its token without the PIN: each time the file is sealed, the app draws
//! the next reset code, computes its unlock code from the token's secret (it has it then), and
//! seals one more copy of the accounts under Argon2id of that unlock code, which it forgets.
//! Only the issuer, which also holds the token's secret, can give the code back. A token the
//! issuer does not know (an imported one, without a serial number) has no such copy: ten wrong
//! PINs wipe it, as before.

use std::path::Path;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use rand_core::Rng;
use serde::{Deserialize, Serialize};
use tollgate::otp::Secret;
use zeroize::Zeroizing;

use crate::sealed::{Saved, hex, key, unhex};

/// Wrong unlock codes after which a locked app is wiped.
pub(crate) const MAX_UNLOCK_TRIES: u32 = 3;

/// The copy an unlock code opens.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct UnlockCopy {
    /// The token the issuer knows, by its serial number.
    pub(crate) serial: String,
    /// What the locked app shows.
    pub(crate) reset_code: String,
    salt: String,
    nonce: String,
    sealed: String,
    /// Wrong unlock codes so far.
    #[serde(default)]
    pub(crate) wrong: u32,
}

impl UnlockCopy {
    /// A copy of `plaintext` (the accounts) for the first account the issuer knows, if any.
    pub(crate) fn make(
        accounts: &[Saved],
        plaintext: &[u8],
        argon2: [u32; 3],
    ) -> Result<Option<Self>, String> {
        let Some(account) = accounts.iter().find(|a| a.serial.is_some()) else {
            return Ok(None);
        };
        let serial = account.serial.clone().unwrap_or_default();
        let secret = Secret::from_base32(&account.secret).map_err(|e| e.to_string())?;
        let mut rng = tollgate::os_rng();
        let reset_code = tollgate::codes::new_reset_code(&mut rng);
        let unlock =
            tollgate::codes::unlock_code(&secret, &reset_code).map_err(|e| e.to_string())?;
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 12];
        rng.fill_bytes(&mut salt);
        rng.fill_bytes(&mut nonce);
        let key = key(&unlock, &salt, argon2)?;
        let aad = aad(&serial, &reset_code);
        let sealed = ChaCha20Poly1305::new(&(*key).into())
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| "sealing failed")?;
        Ok(Some(Self {
            serial,
            reset_code,
            salt: hex(&salt),
            nonce: hex(&nonce),
            sealed: hex(&sealed),
            wrong: 0,
        }))
    }

    /// The accounts, if `code` is the unlock code for this copy's reset code.
    pub(crate) fn open(
        &self,
        code: &str,
        argon2: [u32; 3],
    ) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
        let nonce: [u8; 12] = unhex(&self.nonce)?
            .try_into()
            .map_err(|_| "the token file is damaged (nonce)")?;
        let key = key(code.trim(), &unhex(&self.salt)?, argon2)?;
        let aad = aad(&self.serial, &self.reset_code);
        let opened = ChaCha20Poly1305::new(&(*key).into()).decrypt(
            &nonce.into(),
            Payload {
                msg: &unhex(&self.sealed)?,
                aad: aad.as_bytes(),
            },
        );
        Ok(opened.ok().map(Zeroizing::new))
    }

    /// What the locked app tells its user.
    pub(crate) fn locked(&self, store: &Path) -> String {
        format!(
            "wrong PIN {} times: the app is locked. Give your administrator the PIN reset \
             code {} (token {}), then run `soft_token unlock --store {}` with the unlock code \
             they read back",
            crate::sealed::MAX_TRIES,
            self.reset_code,
            self.serial,
            store.display()
        )
    }
}

fn aad(serial: &str, reset_code: &str) -> String {
    format!("{}|unlock|{serial}|{reset_code}", crate::sealed::FORMAT)
}

/// `soft_token unlock --store FILE`: the administrator's unlock code opens the locked app,
/// and a new PIN seals it again (with a new reset code). Three wrong codes wipe it.
pub(crate) fn unlock(store: &Path) -> Result<(), String> {
    let (mut file, copy) = crate::sealed::locked_file(store)?;
    let code = crate::prompt::secret("SOFT_TOKEN_UNLOCK_CODE", "Unlock code: ")?;
    let Some(plaintext) = copy.open(&code, file.argon2)? else {
        let mut copy = copy;
        copy.wrong += 1;
        if copy.wrong >= MAX_UNLOCK_TRIES {
            let _ = std::fs::remove_file(store);
            return Err(format!(
                "wrong unlock code {MAX_UNLOCK_TRIES} times: the token in {} has been wiped; \
                 activate it again",
                store.display()
            ));
        }
        let left = MAX_UNLOCK_TRIES - copy.wrong;
        file.unlock = Some(copy);
        crate::sealed::write(store, &file)?;
        return Err(format!(
            "wrong unlock code; {left} tries left before the token is wiped"
        ));
    };
    let pin = crate::prompt::new_pin()?;
    crate::sealed::seal_and_write(store, &pin, &plaintext)?;
    println!("Unlocked: the app PIN is the new one.");
    Ok(())
}
