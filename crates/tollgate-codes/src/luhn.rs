//! The Luhn check digit (ISO/IEC 7812-1 Annex B), as the serial numbers, activation codes and
//! registration codes carry it in their last digit.
//!
//! It catches every single mistyped digit and every swap of two adjacent digits except `09` ↔
//! `90`. The format spec infers Luhn from public samples (every one passes); it is not vendor
//! documentation.

/// The check digit to append to `payload`.
pub(crate) fn check_digit(payload: &[u8]) -> u8 {
    // Counting from the right of the payload, the first digit is doubled (it will be second
    // from the right once the check digit is appended).
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10).to_le_bytes()[0]
}

/// Reads exactly `N` digits (see [`crate::digits::parse`]) whose last is their Luhn check
/// digit.
pub(crate) fn parse_checked<const N: usize>(
    input: &str,
    what: &'static str,
) -> Result<[u8; N], crate::error::CodeError> {
    let digits = crate::digits::parse::<N>(input, what)?;
    if is_valid(&digits) {
        Ok(digits)
    } else {
        Err(crate::error::CodeError::CheckDigit { what })
    }
}

/// Whether the last digit of `digits` is the check digit of the others.
pub(crate) fn is_valid(digits: &[u8]) -> bool {
    match digits.split_last() {
        Some((&check, payload)) => check_digit(payload) == check,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> Vec<u8> {
        s.bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect()
    }

    #[test]
    fn known_numbers_pass() {
        // The portal guide's samples and the public activation vectors.
        for s in [
            "69350-19387",
            "0505-4283-4011-0157",
            "48244-13456",
            "1745-7712-6942-8698",
            "12211-49352",
            // ISO/IEC 7812 textbook example.
            "79927398713",
        ] {
            assert!(is_valid(&digits(s)), "{s}");
        }
    }

    /// Every single-digit substitution is caught.
    #[test]
    fn every_substitution_is_caught() {
        let good = digits("69350-19387");
        for position in 0..good.len() {
            for replacement in 0..10u8 {
                if replacement == good[position] {
                    continue;
                }
                let mut bad = good.clone();
                bad[position] = replacement;
                assert!(!is_valid(&bad), "{bad:?}");
            }
        }
    }

    /// Every adjacent transposition is caught, except 09 ↔ 90, which Luhn cannot see: in a
    /// doubled position 9 counts 9 (18 - 9) and 0 counts 0, exactly as undoubled.
    #[test]
    fn every_adjacent_swap_is_caught_except_09_90() {
        for a in 0..10u8 {
            for b in 0..10u8 {
                if a == b {
                    continue;
                }
                // A valid number with `a b` at every pair of positions.
                for position in 0..8 {
                    let mut payload = vec![1, 2, 3, 4, 5, 6, 7, 8, 9];
                    payload[position] = a;
                    payload[position + 1] = b;
                    let mut good = payload.clone();
                    good.push(check_digit(&payload));
                    let mut swapped = good.clone();
                    swapped.swap(position, position + 1);
                    let caught = !is_valid(&swapped);
                    let blind_spot = (a, b) == (0, 9) || (a, b) == (9, 0);
                    assert_eq!(caught, !blind_spot, "{a}{b} at {position}");
                }
            }
        }
    }
}
