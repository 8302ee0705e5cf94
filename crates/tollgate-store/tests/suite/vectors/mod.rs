//! Reading the vector files of `tests/data/` (`name = value` lines, `#` comments).

#![allow(dead_code, reason = "each test file uses its part")]

use std::collections::HashMap;

use tollgate_store::{SealingKey, SealingKeys};

/// `state` with its stored form changed by `edit`: the account's fields are its own, so a test
/// of the sealed formats changes the document a store would hold (the JSON of the account's
/// encoding) and decodes it back.
pub(crate) fn edited(
    state: &tollgate_login::AccountState,
    edit: impl FnOnce(&mut serde_json::Value),
) -> tollgate_login::AccountState {
    let bytes = state.encode();
    let mut document: serde_json::Value = serde_json::from_slice(&bytes[1..]).unwrap();
    edit(&mut document);
    tollgate_login::AccountState::decode(&serde_json::to_vec(&document).unwrap()).unwrap()
}

/// The `name = value` lines of a vector file (its blocks, if it has several, as one).
pub(crate) fn read(file: &str) -> HashMap<String, String> {
    tollgate_test_kit::blocks(file)
        .into_iter()
        .flatten()
        .collect()
}

pub(crate) fn unhex(text: &str) -> Vec<u8> {
    tollgate_test_kit::hex(text)
}

/// The vector's sealing key.
pub(crate) fn key(v: &HashMap<String, String>) -> SealingKey {
    SealingKey::new(unhex(&v["key"]).try_into().unwrap())
}

/// The vector's key as the ring a store holds.
pub(crate) fn ring(v: &HashMap<String, String>) -> SealingKeys {
    SealingKeys::new(key(v))
}
