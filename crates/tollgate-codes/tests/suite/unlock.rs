//! The app unlock (`UNLOCK_SUITE` over a key derived from the token's secret) against the
//! vectors `data/app_unlock.py` computes with Python's hmac and hashlib: each one answers, each
//! tampered one (a digit of the unlock code, of the reset code, a bit of the secret) does not;
//! reset codes are 9 uniform digits.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tollgate_codes::{UNLOCK_SUITE, new_reset_code, unlock_code};
use tollgate_otp::{OcraSuite, Secret};

fn unhex(hex: &str) -> Vec<u8> {
    tollgate_test_kit::hex(hex)
}

#[test]
fn the_vectors_answer_and_tampered_ones_do_not() {
    let lines: Vec<&str> = include_str!("../data/app_unlock.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert_eq!(lines.len(), 5);
    for line in lines {
        let f: Vec<&str> = line.split(" | ").collect();
        let bytes = unhex(f[0]);
        let secret = Secret::from_bytes(&bytes).unwrap();
        let code = unlock_code(&secret, f[1]).unwrap();
        assert_eq!(code.as_str(), f[2], "{line}");
        let mut other = f[1].as_bytes().to_vec();
        other[8] = if other[8] == b'9' { b'0' } else { other[8] + 1 };
        let other = String::from_utf8(other).unwrap();
        assert_ne!(unlock_code(&secret, &other).unwrap().as_str(), f[2]);
        let mut flipped = bytes.clone();
        flipped[0] ^= 1;
        let flipped = Secret::from_bytes(&flipped).unwrap();
        assert_ne!(unlock_code(&flipped, f[1]).unwrap().as_str(), f[2]);
        for at in 0..8 {
            let mut wrong = f[2].as_bytes().to_vec();
            wrong[at] = if wrong[at] == b'9' {
                b'0'
            } else {
                wrong[at] + 1
            };
            assert_ne!(code.as_bytes(), &wrong[..]);
        }
    }
}

#[test]
fn reset_codes_are_nine_digits_and_others_are_refused() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let codes: Vec<String> = (0..1000).map(|_| new_reset_code(&mut rng)).collect();
    assert!(
        codes
            .iter()
            .all(|c| c.len() == 9 && c.bytes().all(|b| b.is_ascii_digit()))
    );
    assert!(
        codes.iter().any(|c| c.starts_with('0')),
        "leading zeros are kept"
    );
    let secret = Secret::from_bytes(&[7; 16]).unwrap();
    for bad in ["", "12345678", "1234567890", "12345678a"] {
        assert!(unlock_code(&secret, bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        UNLOCK_SUITE.parse::<OcraSuite>().unwrap().to_string(),
        UNLOCK_SUITE
    );
}
