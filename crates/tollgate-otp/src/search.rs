//! The constant-time window search shared by HOTP and TOTP verification.
//!
//! Every candidate in the window is computed and compared, whether or not an earlier one
//! matched, so neither the time taken nor the branches followed depend on which candidate (if
//! any) matched. Nothing is allocated.
//!
//! The comparison is `subtle`'s `ct_eq`, whose result passes through an optimisation barrier,
//! so the compiler cannot know it is a 0-or-1 value and turn what follows into branches. The
//! bookkeeping after it is branch-free integer masking on that opaque bit (`subtle`'s `Choice`
//! operators put a barrier around every `&`, `|` and `!`, ten per candidate, which cost more
//! than the hashing overhead this crate otherwise removes).

use subtle::ConstantTimeEq;

use crate::keyed::KeyedHmac;
use crate::params::Digits;

/// What the search found, decided only after the whole window was searched.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Outcome {
    /// 1 once a fresh match was recorded, else 0.
    fresh: u8,
    fresh_factor: u64,
    /// 1 once a replayed match was recorded, else 0.
    replayed: u8,
    replayed_factor: u64,
}

impl Outcome {
    /// The first fresh match in candidate order, else `Err` with the first replayed match, else
    /// `Err(None)`. Only here, after the search, does the result become a branch.
    pub(crate) fn result(self) -> Result<u64, Option<u64>> {
        if self.fresh == 1 {
            Ok(self.fresh_factor)
        } else if self.replayed == 1 {
            Err(Some(self.replayed_factor))
        } else {
            Err(None)
        }
    }

    /// Searches `factors` (in order of preference) for one whose code is `code`, hashing them
    /// in batches, and records the first fresh and first replayed match unless earlier calls
    /// already found one. A match at a factor at or below `last_accepted` is a replay: that
    /// depends only on public values, never on the code.
    ///
    /// The batch size follows the number of factors, so that a ±1 window does not pay for the
    /// buffers of a ±10 one (see `keyed::Pads::mac_batch`).
    #[inline]
    pub(crate) fn search(
        &mut self,
        key: &KeyedHmac,
        digits: Digits,
        code: u32,
        factors: &[u64],
        last_accepted: Option<u64>,
    ) {
        if factors.len() <= 4 {
            self.search_batched::<4>(key, digits, code, factors, last_accepted);
        } else {
            self.search_batched::<8>(key, digits, code, factors, last_accepted);
        }
    }

    #[inline(always)]
    fn search_batched<const N: usize>(
        &mut self,
        key: &KeyedHmac,
        digits: Digits,
        code: u32,
        factors: &[u64],
        last_accepted: Option<u64>,
    ) {
        for chunk in factors.chunks(N) {
            let mut values = [0u32; N];
            key.truncated_batch(chunk, &mut values);
            for (&factor, value) in chunk.iter().zip(values) {
                // 1 if this candidate's code is the typed one, else 0, opaque to the optimiser.
                let matched = digits.reduce(value).ct_eq(&code).unwrap_u8();
                let fresh = u8::from(last_accepted.is_none_or(|last| factor > last));
                let take_fresh = matched & fresh & (self.fresh ^ 1);
                let take_replayed = matched & (fresh ^ 1) & (self.replayed ^ 1);
                select(&mut self.fresh_factor, factor, take_fresh);
                select(&mut self.replayed_factor, factor, take_replayed);
                self.fresh |= take_fresh;
                self.replayed |= take_replayed;
            }
        }
    }
}

/// `*into = value` if `bit` is 1, unchanged if 0, without a branch.
#[inline(always)]
fn select(into: &mut u64, value: u64, bit: u8) {
    let mask = u64::from(bit).wrapping_neg();
    *into ^= (*into ^ value) & mask;
}
