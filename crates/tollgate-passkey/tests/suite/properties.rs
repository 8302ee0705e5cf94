//! The parsers under hostile input: whatever the bytes, a verdict and never a panic; and what
//! a real authenticator writes, mutated anywhere, is never accepted as something else.

use proptest::prelude::*;
use tollgate_passkey::cbor::Value;
use tollgate_passkey::{
    AssertionResponse, Challenge, Credential, PublicKey, RegistrationResponse, RelyingParty,
    options, verify_assertion, verify_registration,
};
use tollgate_test_kit::authenticator::{Kind, SoftPasskey};

const ORIGIN: &str = "https://login.example.com";

fn rp() -> RelyingParty {
    RelyingParty::new("example.com", [ORIGIN]).unwrap()
}

fn registered() -> (SoftPasskey, Credential) {
    let mut passkey = SoftPasskey::new(Kind::Es256, 1, ORIGIN);
    let challenge = Challenge::from_bytes([1; 32]);
    let user = options::User {
        handle: &[2; 16],
        name: "a@example.com",
        display_name: "A",
    };
    let opts = options::creation(&rp(), user, &challenge, []);
    let response = RegistrationResponse::from_json(&passkey.register(&opts)).unwrap();
    let credential = verify_registration(&rp(), &challenge, &response)
        .unwrap()
        .into_credential();
    (passkey, credential)
}

proptest! {
    #![proptest_config(tollgate_test_kit::proptest_config(500, 29))]

    #[test]
    fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = Value::decode(&bytes);
        let _ = Value::decode_prefix(&bytes);
        let _ = PublicKey::from_cose(&bytes);
        let text = String::from_utf8_lossy(&bytes);
        let _ = RegistrationResponse::from_json(&text);
        let _ = AssertionResponse::from_json(&text);
    }

    /// One byte of a real assertion's authenticator data, client data or signature changed:
    /// refused (the signature covers all of them).
    #[test]
    fn a_changed_byte_anywhere_is_refused(part in 0..3usize, at in any::<prop::sample::Index>(), xor in 1..=255u8) {
        let (mut passkey, credential) = registered();
        let challenge = Challenge::from_bytes([3; 32]);
        let opts = options::request(&rp(), &challenge, [&credential.id]);
        let json: serde_json::Value = serde_json::from_str(&passkey.assert(&opts)).unwrap();
        let field = ["clientDataJSON", "authenticatorData", "signature"][part];
        let decode = |name: &str| {
            tollgate_passkey::base64url::decode(json["response"][name].as_str().unwrap()).unwrap()
        };
        let mut parts = [decode("clientDataJSON"), decode("authenticatorData"), decode("signature")];
        let i = at.index(parts[part].len());
        parts[part][i] ^= xor;
        let [client, auth, sig] = parts;
        let response = AssertionResponse::new(credential.id.clone(), client, auth, sig, None);
        prop_assert!(verify_assertion(&rp(), &challenge, &credential, &response).is_err(), "{field}[{i}]");
    }

    /// Nested CBOR arrays and maps of any shape read back as the items written.
    #[test]
    fn written_cbor_reads_back(items in proptest::collection::vec((any::<i32>(), proptest::collection::vec(any::<u8>(), 0..40)), 0..20)) {
        let mut bytes = vec![0xa0 | u8::try_from(items.len().min(23)).unwrap()];
        let items = &items[..items.len().min(23)];
        let mut keys = std::collections::BTreeSet::new();
        let items: Vec<_> = items.iter().filter(|(k, _)| keys.insert(*k)).collect();
        bytes[0] = 0xa0 | u8::try_from(items.len()).unwrap();
        for (key, value) in &items {
            let (major, n) = if *key >= 0 { (0u8, u64::from(key.unsigned_abs())) } else { (1u8, u64::from(key.unsigned_abs()) - 1) };
            bytes.push((major << 5) | 27);
            bytes.extend_from_slice(&n.to_be_bytes());
            bytes.push(0x58);
            bytes.push(u8::try_from(value.len()).unwrap());
            bytes.extend_from_slice(value);
        }
        let value = Value::decode(&bytes).unwrap();
        for (key, expected) in items {
            prop_assert_eq!(value.get_int(i64::from(*key)).and_then(Value::as_bytes), Some(expected.as_slice()));
        }
    }
}
