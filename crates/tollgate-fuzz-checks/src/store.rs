//! Stored rows, as a hostile database would hand them back: a schema 1 account (what the
//! migrations read), a sealed state, a stored login.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_login::{LoginDigest, LoginKey, SealedLogin, StateKey, StateKeys, UserId};
use tollgate_otp::UnixTime;
use tollgate_store::legacy::{StoredAccount, StoredPending, StoredToken};
use tollgate_store::{AccountRow, SealingKey, SealingKeys};

/// The fuzzer's bytes, read field by field; zeros and empty strings once they run out.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        first
    }

    fn i64(&mut self) -> i64 {
        let mut bytes = [0u8; 8];
        for b in &mut bytes {
            *b = self.byte();
        }
        i64::from_le_bytes(bytes)
    }

    fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    fn bytes(&mut self) -> Vec<u8> {
        let len = usize::from(self.byte()).min(self.0.len());
        let (taken, rest) = self.0.split_at(len);
        self.0 = rest;
        taken.to_vec()
    }

    fn string(&mut self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }
}

/// The key and user the corpus's genuine rows were sealed for (`tests/data/sealed_v1.txt` and
/// `sealed_v2.txt` of `tollgate-store`).
fn key() -> SealingKey {
    let mut key = [0u8; 32];
    for (i, b) in (0u8..).zip(key.iter_mut()) {
        *b = i;
    }
    SealingKey::new(key)
}

/// The fuzz key as a store holds it: current, beside an old key the input may name.
fn ring() -> SealingKeys {
    SealingKeys::new(key()).with_old(SealingKey::new([0xee; 32]))
}

/// Opening a schema 1 row (as the migration to schema 2 does) never panics; a row that opens
/// seals, as schema 2, to a state that opens the same.
///
/// # Panics
/// When that property is broken.
pub fn stored_account(data: &[u8]) {
    let mut c = Cursor(data);
    let mut row = StoredAccount {
        password_failures: c.i64(),
        code_failures: c.i64(),
        lockouts: c.i64(),
        locked_until: None,
        token: None,
        pending: None,
    };
    row.locked_until = c.flag().then(|| c.i64());
    if c.flag() {
        row.token = Some(StoredToken {
            serial: c.string(),
            sealed_secret: c.bytes(),
            algorithm: c.string(),
            digits: c.i64(),
            period: c.i64(),
            t0: c.i64(),
            last_step: c.flag().then(|| c.i64()),
            drift: c.i64(),
        });
    }
    if c.flag() {
        row.pending = Some(StoredPending {
            serial: c.string(),
            sealed_activation_code: c.bytes(),
            policy: c.flag().then(|| c.string()),
            expires_at: c.i64(),
            kind: c.string(),
        });
    }
    let Ok(user) = "john.smith@example.com".parse::<UserId>() else {
        return;
    };
    let opened = row.open(&user, &key());
    if let Ok((state, _)) = opened {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let resealed = AccountRow::seal(&state, &user, 1, &ring(), &mut rng);
        let again = AccountRow::open(&resealed.sealed, &user, 1, &ring())
            .unwrap_or_else(|e| panic!("a resealed row does not open: {e}"));
        assert_eq!(again.password_failures(), state.password_failures());
        assert_eq!(
            again.second_factor_failures(),
            state.second_factor_failures()
        );
        assert_eq!(
            again
                .tokens()
                .iter()
                .map(|t| t.secret.expose_secret().to_vec())
                .collect::<Vec<_>>(),
            state
                .tokens()
                .iter()
                .map(|t| t.secret.expose_secret().to_vec())
                .collect::<Vec<_>>()
        );
    }
}

/// Schema 2's sealed format, written from its description (`tollgate-store`'s
/// `tests/data/sealed_v2.txt`), not with the code under test.
fn seal_v2(key: &SealingKey, user: &UserId, version: u64, plaintext: &[u8]) -> Vec<u8> {
    use chacha20poly1305::aead::{Aead, Payload};
    use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
    let mut aad = b"tollgate account state v2\0".to_vec();
    aad.extend_from_slice(user.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(&version.to_be_bytes());
    let nonce = [0x24u8; 24];
    let cipher = XChaCha20Poly1305::new(&(*key.expose_bytes()).into());
    let mut out = vec![2];
    out.extend_from_slice(&nonce);
    if let Ok(sealed) = cipher.encrypt(
        &nonce.into(),
        Payload {
            msg: plaintext,
            aad: &aad,
        },
    ) {
        out.extend(sealed);
    }
    out
}

/// A sealed state whose plaintext is the fuzzer's bytes (sealed under the right key, so that
/// what is inside is what is attacked): opening is a state or an integrity error, never a
/// panic; a state that opens seals back to one that opens; and the same seal read for another
/// user or at another version is refused.
///
/// # Panics
/// When that property is broken.
pub fn sealed_state(data: &[u8]) {
    let Ok(user) = "john.smith@example.com".parse::<UserId>() else {
        return;
    };
    // The bytes as a sealed row themselves (format 3 names a key: one the ring holds, one it
    // does not, or none): refused or opened, never a panic.
    let _ = AccountRow::key_id(data);
    let _ = AccountRow::open(data, &user, 7, &ring());
    let sealed = seal_v2(&key(), &user, 7, data);
    let Ok(state) = AccountRow::open(&sealed, &user, 7, &ring()) else {
        return;
    };
    assert!(
        AccountRow::open(&sealed, &user, 8, &ring()).is_err(),
        "another version opens it"
    );
    let Ok(eve) = "eve@example.com".parse::<UserId>() else {
        return;
    };
    assert!(
        AccountRow::open(&sealed, &eve, 7, &ring()).is_err(),
        "another user opens it"
    );
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let resealed = AccountRow::seal(&state, &user, 7, &ring(), &mut rng);
    assert!(
        AccountRow::open(&resealed.sealed, &user, 7, &ring()).is_ok(),
        "a resealed state does not open"
    );
}

/// A login key as a cookie brings it: parsed or refused, never a panic; what parses prints back
/// to the same key.
///
/// # Panics
/// When that property is broken.
pub fn login_key(data: &[u8]) {
    let Some(text) = crate::text(data) else {
        return;
    };
    if let Ok(key) = text.parse::<LoginKey>() {
        let again: LoginKey = key
            .expose_secret()
            .parse()
            .unwrap_or_else(|e| panic!("a printed key does not parse: {e}"));
        assert!(again.matches(&key));
        assert!(!format!("{key:?}").contains(&*key.expose_secret()));
    }
}

/// A device cookie as a browser brings it: parsed or refused, never a panic; what parses prints
/// back to the same device, and its `Debug` shows none of it.
///
/// # Panics
/// When that property is broken.
pub fn device_id(data: &[u8]) {
    let Some(text) = crate::text(data) else {
        return;
    };
    if let Ok(device) = tollgate_login::DeviceId::parse(text) {
        let printed = device.to_text();
        let again = tollgate_login::DeviceId::parse(&printed)
            .unwrap_or_else(|e| panic!("a printed device cookie does not parse: {e}"));
        assert_eq!(again, device);
        assert_eq!(printed.to_ascii_lowercase(), text.to_ascii_lowercase());
        assert!(!format!("{device:?}").contains(&printed[3..]));
    }
}

/// A stored login row as a hostile database hands it back: refused or opened, never a panic;
/// one that opens is refused under another digest or at another version.
///
/// # Panics
/// When that property is broken.
pub fn sealed_login(data: &[u8]) {
    let (version, text) = match data.split_first() {
        Some((v, rest)) => (u64::from(*v), String::from_utf8_lossy(rest).into_owned()),
        None => (0, String::new()),
    };
    // A ring of a current and an old key: both formats (tl3 with the key's id, tl2 without)
    // and both keys are reachable.
    let key = StateKeys::new(StateKey::new([3; 32])).with_old(StateKey::new([4; 32]));
    let digest = LoginDigest::from_bytes([7; 32]);
    let row = SealedLogin {
        version,
        expires: UnixTime::from_secs(1_700_000_900),
        text,
    };
    if let Ok(state) = row.open(&key, &digest) {
        let other = LoginDigest::from_bytes([8; 32]);
        assert!(row.open(&key, &other).is_err(), "another digest opens it");
        let moved = SealedLogin {
            version: version + 1,
            ..row.clone()
        };
        assert!(
            moved.open(&key, &digest).is_err(),
            "another version opens it"
        );
        let again = SealedLogin::seal(&state, &key, &digest, version);
        assert_eq!(again.open(&key, &digest).ok(), Some(state));
    }
}

/// A key file's text as anyone who can write the file hands it over: read or refused, never a
/// panic; keys that are read print as text that reads back as the same keys, and their
/// `Debug` and refusals never show a key.
///
/// # Panics
/// When that property is broken.
pub fn key_file(data: &[u8]) {
    let Some(text) = crate::text(data) else {
        return;
    };
    match tollgate_store::ServiceKeys::parse(text) {
        Ok(keys) => {
            let printed = keys.to_text();
            let again = tollgate_store::ServiceKeys::parse(&printed)
                .unwrap_or_else(|e| panic!("printed keys do not read back: {e}"));
            assert_eq!(again, keys);
            let (sealing, pin, state) = keys.counts();
            assert!((1..=tollgate_store::MAX_KEYS_PER_KIND).contains(&sealing));
            assert!(pin >= 1 && state >= 1);
            let first = printed.lines().nth(1).unwrap_or_default();
            assert!(!format!("{keys:?}").contains(first.get(8..24).unwrap_or("-")));
        }
        Err(error) => {
            let message = error.to_string();
            assert!(message.len() < 200, "{message}");
        }
    }
}
