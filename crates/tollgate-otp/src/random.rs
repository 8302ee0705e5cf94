//! Uniform random numbers from an RNG argument, for codes that people type.

use core::num::NonZeroU64;

use rand_core::CryptoRng;

/// A uniformly random integer in `0..bound`.
///
/// Rejection sampling over `u64`: draws at or above the largest multiple of `bound` are drawn
/// again, so no value is favoured (a plain `% bound` would favour the small ones). For any
/// `bound` below 2^63 a draw is rejected with probability below 1/2, and for the decimal bounds
/// tollgate uses (at most 10^15) below 2^-14.
pub fn uniform_below(bound: NonZeroU64, rng: &mut impl CryptoRng) -> u64 {
    let bound = bound.get();
    let zone = u64::MAX - u64::MAX % bound;
    loop {
        let draw = rng.next_u64();
        if draw < zone {
            return draw % bound;
        }
    }
}

/// A uniformly random number of exactly `digits` decimal digits, leading zeros allowed:
/// uniform in `0..10^digits`. `digits` is clamped to 1 to 19 (10^19 is the largest power of
/// ten below 2^64).
pub fn uniform_decimal(digits: u32, rng: &mut impl CryptoRng) -> u64 {
    let digits = digits.clamp(1, 19);
    let bound = NonZeroU64::new(10u64.pow(digits)).unwrap_or(NonZeroU64::MIN);
    uniform_below(bound, rng)
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;

    #[test]
    fn values_stay_below_the_bound() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        for bound in [1u64, 2, 7, 10, 1_000_000, 10u64.pow(15), u64::MAX] {
            let bound = NonZeroU64::new(bound).unwrap();
            for _ in 0..1000 {
                assert!(uniform_below(bound, &mut rng) < bound.get());
            }
        }
        assert!(uniform_decimal(19, &mut rng) < 10u64.pow(19));
    }
}
