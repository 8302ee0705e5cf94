//! What the workspace's tests share, written once (ring has one `test::run`, RustCrypto one
//! `new_test!`): the reader of the `Key = Value` vector files in each crate's `tests/data/`,
//! hex, and the proptest configuration that makes every property test deterministic.
//!
//! Test code: it panics, with the file and line, on anything it cannot read.

#![forbid(unsafe_code)]

#[cfg(feature = "authenticator")]
pub mod authenticator;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod system;

use std::collections::HashMap;

use proptest::test_runner::{Config, RngSeed};

/// One vector: its `Key = Value` lines.
pub type Block = HashMap<String, String>;

/// The vectors of the data file `file` of the crate at `manifest_dir` (its
/// `env!("CARGO_MANIFEST_DIR")`): `tests/data/<file>`.
///
/// # Panics
/// When the file does not read, or holds no vector.
#[must_use]
pub fn data(manifest_dir: &str, file: &str) -> Vec<Block> {
    let path = format!("{manifest_dir}/tests/data/{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let read = blocks(&text);
    assert!(!read.is_empty(), "{path} has no vectors");
    read
}

/// The vectors of a text in the vector format: blocks of `Key = Value` lines, apart by blank
/// lines; `#` starts a comment line (the source of the vectors, above all).
///
/// # Panics
/// On a line that is neither a comment, blank, nor `Key = Value`.
#[must_use]
pub fn blocks(text: &str) -> Vec<Block> {
    let mut read = Vec::new();
    let mut block = Block::new();
    for (number, line) in text.lines().map(str::trim).enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if !block.is_empty() {
                read.push(std::mem::take(&mut block));
            }
            continue;
        }
        let (key, value) = line
            .split_once(" = ")
            .unwrap_or_else(|| panic!("line {}: not `Key = Value`: {line}", number + 1));
        block.insert(key.to_owned(), value.to_owned());
    }
    if !block.is_empty() {
        read.push(block);
    }
    read
}

/// The bytes of hexadecimal text (either case).
///
/// # Panics
/// On anything but pairs of hexadecimal digits.
#[must_use]
pub fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex: {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .unwrap_or_else(|| panic!("not hex: {text}"))
        })
        .collect()
}

/// Proptest's configuration with `cases` cases, deterministic: the fixed `seed` of the suite,
/// unless `PROPTEST_RNG_SEED` is set to explore other cases.
#[must_use]
pub fn proptest_config(cases: u32, seed: u64) -> Config {
    let mut config = Config::with_cases(cases);
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    config
}

#[cfg(test)]
mod tests {
    #[test]
    fn blocks_comments_and_hex() {
        let text = "# Source: here\nKey = 00ff\nN = 1\n\n\n# next\nKey = AB\n";
        let read = super::blocks(text);
        assert_eq!(read.len(), 2);
        assert_eq!(super::hex(&read[0]["Key"]), [0x00, 0xff]);
        assert_eq!(super::hex(&read[1]["Key"]), [0xab]);
        assert_eq!(read[0]["N"], "1");
    }

    #[test]
    #[should_panic(expected = "not hex")]
    fn bad_hex_is_loud() {
        let _ = super::hex("0g");
    }
}
