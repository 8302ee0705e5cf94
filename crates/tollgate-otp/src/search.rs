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

/// One moving factor to try, and whether a match there would be fresh (after the last accepted
/// step). Freshness depends only on public values, never on the code.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Candidate {
    pub(crate) factor: u64,
    pub(crate) fresh: bool,
}

/// What the search found, decided only after the whole window was searched.
#[derive(Clone, Copy, Debug)]
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
}

/// Searches `candidates` (in order of preference) for one whose code is `code`. `count` is
/// how many there are at most: it picks the batch size (see `keyed::Pads::mac_batch`), so that
/// a ±1 window does not pay for the buffers of a ±10 one.
#[inline]
pub(crate) fn search(
    key: &KeyedHmac,
    digits: Digits,
    code: u32,
    candidates: impl Iterator<Item = Candidate>,
    count: usize,
) -> Outcome {
    if count <= 4 {
        search_batched::<4>(key, digits, code, candidates)
    } else {
        search_batched::<8>(key, digits, code, candidates)
    }
}

#[inline(always)]
fn search_batched<const N: usize>(
    key: &KeyedHmac,
    digits: Digits,
    code: u32,
    candidates: impl Iterator<Item = Candidate>,
) -> Outcome {
    let mut outcome = Outcome {
        fresh: 0,
        fresh_factor: 0,
        replayed: 0,
        replayed_factor: 0,
    };
    let mut batch = [Candidate {
        factor: 0,
        fresh: false,
    }; N];
    let mut len = 0;
    for candidate in candidates {
        batch[len] = candidate;
        len += 1;
        if len == N {
            outcome.absorb::<N>(key, digits, code, &batch);
            len = 0;
        }
    }
    if len > 0 {
        outcome.absorb::<N>(key, digits, code, &batch[..len]);
    }
    outcome
}

impl Outcome {
    /// Hashes `batch` and records its first fresh and first replayed match, unless earlier
    /// batches already had one.
    #[inline(always)]
    fn absorb<const N: usize>(
        &mut self,
        key: &KeyedHmac,
        digits: Digits,
        code: u32,
        batch: &[Candidate],
    ) {
        let mut factors = [0u64; N];
        for (factor, candidate) in factors.iter_mut().zip(batch) {
            *factor = candidate.factor;
        }
        let mut values = [0u32; N];
        key.truncated_batch(&factors[..batch.len()], &mut values);
        for (candidate, value) in batch.iter().zip(values) {
            // 1 if this candidate's code is the typed one, else 0, opaque to the optimiser.
            let matched = digits.reduce(value).ct_eq(&code).unwrap_u8();
            // Freshness is public: it depends on the step, never on the code.
            let fresh = u8::from(candidate.fresh);
            let take_fresh = matched & fresh & (self.fresh ^ 1);
            let take_replayed = matched & (fresh ^ 1) & (self.replayed ^ 1);
            select(&mut self.fresh_factor, candidate.factor, take_fresh);
            select(&mut self.replayed_factor, candidate.factor, take_replayed);
            self.fresh |= take_fresh;
            self.replayed |= take_replayed;
        }
    }
}

/// `*into = value` if `bit` is 1, unchanged if 0, without a branch.
#[inline(always)]
fn select(into: &mut u64, value: u64, bit: u8) {
    let mask = u64::from(bit).wrapping_neg();
    *into ^= (*into ^ value) & mask;
}
