//! Helpers of the vector tests: the `tests/data/*.txt` blocks, hex, a replaying RNG, and the
//! activation on either side of a block.

#![allow(dead_code, reason = "each test file uses its own part of the helpers")]

use std::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};
use tollgate_codes::{Activation, Policy, RegistrationCode, TokenActivation};
use tollgate_otp::UnixTime;

pub(crate) use tollgate_test_kit::Block;

pub(crate) fn blocks(file: &str) -> Vec<Block> {
    tollgate_test_kit::data(env!("CARGO_MANIFEST_DIR"), file)
}

pub(crate) fn hex(text: &str) -> Vec<u8> {
    tollgate_test_kit::hex(text)
}

/// An RNG that returns the given bytes: the token's nonce in a vector.
pub(crate) struct Replay(pub(crate) Vec<u8>);

impl TryRng for Replay {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for d in dst {
            *d = self.0.remove(0);
        }
        Ok(())
    }
}

impl TryCryptoRng for Replay {}

pub(crate) fn token(block: &Block) -> TokenActivation {
    TokenActivation::new(
        block["Serial"].parse().unwrap(),
        block["ActivationCode"].parse().unwrap(),
        block.get("Policy").map(|p| p.parse().unwrap()),
    )
}

pub(crate) fn issued(block: &Block) -> Activation {
    Activation::from_parts(
        block["Serial"].parse().unwrap(),
        block["ActivationCode"].parse().unwrap(),
        block.get("Policy").map(|p| p.parse::<Policy>().unwrap()),
        UnixTime::from_secs(u64::MAX),
    )
}

/// The same registration code with another nonce but a valid check digit: parses, and must
/// give another secret (and, under the tollgate scheme, be refused).
pub(crate) fn other_nonce(code: &RegistrationCode) -> RegistrationCode {
    let digits: String = code
        .to_string()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let number: u32 = digits[..9].parse().unwrap();
    let changed = format!("{:09}", number ^ 1);
    (0..10)
        .map(|check| format!("{changed}{check}"))
        .find_map(|candidate| candidate.parse().ok())
        .unwrap()
}
