//! Nothing typed into a code or password field, no PIN and no key shows in a `Debug` print.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use crate::common;

use std::sync::Arc;

use common::world;
use tollgate::login::{Config, Input};
use tollgate::{MemoryStore, SealingKey, StateKey};

#[test]
fn debug_prints_hide_what_was_typed_and_every_key() {
    let shown = format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        Input::<zeroize::Zeroizing<String>>::Password("hunter2-secret".to_owned().into()),
        Input::<()>::Pin("123456".into()),
        Input::<()>::TokenCode("654321".into()),
        Input::<()>::RegistrationCode("12211-49352".into()),
        Input::<()>::OpenPathCode("777888".into()),
        Input::<zeroize::Zeroizing<String>>::NewPassword("new-hunter3".to_owned().into()),
        Input::<()>::RecoveryCode("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01".into()),
    );
    for secret in [
        "hunter2-secret",
        "123456",
        "654321",
        "12211-49352",
        "777888",
        "new-hunter3",
        "ABCD",
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let world = world(Arc::new(MemoryStore::new()), Config::default(), 1);
    let key = world.past_the_password();
    let printed = format!("{key:?} {:?}", world.outbox.messages());
    assert!(
        !printed.contains(&world.outbox.last_pin().unwrap()),
        "{printed}"
    );
    assert!(!printed.contains(&*key.expose_secret()), "{printed}");
    let keys = format!(
        "{:?} {:?}",
        StateKey::new([0xab; 32]),
        SealingKey::new([0xab; 32])
    );
    assert!(!keys.contains("ab") && !keys.contains("171"), "{keys}");
    // The key file, the recovery codes on their screen.
    let service_keys = tollgate::ServiceKeys::new([0xab; 32], [0xab; 32], [0xab; 32]);
    let text = service_keys.to_text();
    let dir = tempfile::tempdir().unwrap();
    let file = tollgate::KeyFile::with_keys(dir.path().join("k"), service_keys.clone());
    let printed = format!("{service_keys:?} {file:?}");
    assert!(!printed.contains(&text[text.len() - 20..]), "{printed}");
    let user = "john@example.com".parse().unwrap();
    let (codes, _) = tollgate::login::recovery::generate(&user, &mut tollgate::os_rng());
    let shown = codes[0].expose_grouped();
    let screen = tollgate::login::Screen::Enrolled {
        user,
        recovery_codes: codes,
    };
    assert!(!format!("{screen:?}").contains(&shown[..9]));
}
