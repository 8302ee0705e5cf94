//! Seed files an administrator uploads: PSKC (RFC 6030) and OATH CSV.

use tollgate_provision::seeds::{MAX_SEED_TOKENS, PreSharedKey, read_oath_csv, read_pskc};

/// Any bytes, read as PSKC (with and without a pre-shared key) and as OATH CSV: never a panic;
/// what reads holds at most [`MAX_SEED_TOKENS`] tokens, no serial number twice, every secret
/// at least 80 bits; and a refusal names a line of the file.
///
/// # Panics
/// When that does not hold.
pub fn seed_file(data: &[u8]) {
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    let key = PreSharedKey::new("Pre-shared-key", &[0x12; 16]);
    for read in [
        read_pskc(data, None),
        read_pskc(data, Some(&key)),
        read_oath_csv(data),
    ] {
        match read {
            Ok(file) => {
                assert!(file.tokens.len() <= MAX_SEED_TOKENS);
                let mut serials: Vec<&str> =
                    file.tokens.iter().map(|t| t.serial.as_str()).collect();
                serials.sort_unstable();
                let before = serials.len();
                serials.dedup();
                assert_eq!(serials.len(), before, "a serial number twice");
                assert!(file.tokens.iter().all(|t| t.secret.bits() >= 80));
            }
            Err(e) => assert!((1..=lines).contains(&e.line), "line {} of {lines}", e.line),
        }
    }
}
