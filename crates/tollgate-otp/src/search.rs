//! The constant-time window search shared by HOTP and TOTP verification.
//!
//! Every candidate in the window is computed and compared, whether or not an earlier one
//! matched; the comparison and the bookkeeping use `subtle`, so neither the time taken nor the
//! branches followed depend on which candidate (if any) matched. Nothing is allocated.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

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
    fresh: Choice,
    fresh_factor: u64,
    replayed: Choice,
    replayed_factor: u64,
}

impl Outcome {
    /// The first fresh match in candidate order, else `Err` with the first replayed match, else
    /// `Err(None)`. Only here, after the search, does the result become a branch.
    pub(crate) fn result(self) -> Result<u64, Option<u64>> {
        if bool::from(self.fresh) {
            Ok(self.fresh_factor)
        } else if bool::from(self.replayed) {
            Err(Some(self.replayed_factor))
        } else {
            Err(None)
        }
    }
}

/// Searches `candidates` (in order of preference) for one whose code is `code`.
#[inline]
pub(crate) fn search(
    key: &KeyedHmac,
    digits: Digits,
    code: u32,
    candidates: impl Iterator<Item = Candidate>,
) -> Outcome {
    let mut outcome = Outcome {
        fresh: Choice::from(0),
        fresh_factor: 0,
        replayed: Choice::from(0),
        replayed_factor: 0,
    };
    for candidate in candidates {
        let matched = digits.reduce(key.truncated(candidate.factor)).ct_eq(&code);
        let fresh = Choice::from(u8::from(candidate.fresh));
        let take_fresh = matched & fresh & !outcome.fresh;
        let take_replayed = matched & !fresh & !outcome.replayed;
        outcome
            .fresh_factor
            .conditional_assign(&candidate.factor, take_fresh);
        outcome
            .replayed_factor
            .conditional_assign(&candidate.factor, take_replayed);
        outcome.fresh |= take_fresh;
        outcome.replayed |= take_replayed;
    }
    outcome
}
