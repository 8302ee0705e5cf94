//! A stored account row, as a hostile database would hand it back.

use tollgate::login::UserId;
use tollgate::store::{SealingKey, StoredAccount, StoredPending, StoredToken};

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

/// The key and user the corpus's genuine rows were sealed for (`tests/data/sealed_v1.txt` of
/// the facade).
fn key() -> SealingKey {
    let mut key = [0u8; 32];
    for (i, b) in (0u8..).zip(key.iter_mut()) {
        *b = i;
    }
    SealingKey::new(key)
}

/// Opening a stored row never panics; a row that opens seals back to one that opens.
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
    if let Ok(state) = opened {
        let resealed = StoredAccount::seal(&state, &user, &key()).expect("sealing an opened row");
        assert!(
            resealed.open(&user, &key()).is_ok(),
            "a resealed row does not open"
        );
    }
}
