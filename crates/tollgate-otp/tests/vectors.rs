//! Known-answer vectors from `tests/data/*.txt`, each also tampered with and refused.
//!
//! File format (after ring's test files): `# comment` lines, then blocks of `Key = Value` lines
//! separated by blank lines.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::collections::HashMap;

use tollgate_otp::{
    Algorithm, Code, Counter, Digits, Hotp, LookAhead, Period, Secret, Step, Totp, TotpParams,
    UnixTime, VerifyError, Window,
};

type Block = HashMap<String, String>;

fn blocks(file: &str) -> Vec<Block> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut blocks = Vec::new();
    let mut block = Block::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if !block.is_empty() {
                blocks.push(std::mem::take(&mut block));
            }
            continue;
        }
        let (key, value) = line.split_once(" = ").expect("`Key = Value`");
        block.insert(key.to_owned(), value.to_owned());
    }
    if !block.is_empty() {
        blocks.push(block);
    }
    assert!(!blocks.is_empty(), "{path} has no vectors");
    blocks
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn field<T: std::str::FromStr>(block: &Block, key: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    block[key].parse().expect(key)
}

/// The same code with one digit changed.
fn tampered(code: &str, position: usize) -> String {
    code.char_indices()
        .map(|(i, c)| {
            if i == position {
                char::from_digit((c.to_digit(10).unwrap() + 1) % 10, 10).unwrap()
            } else {
                c
            }
        })
        .collect()
}

#[test]
fn rfc4226_hotp() {
    let blocks = blocks("rfc4226_hotp.txt");
    assert_eq!(blocks.len(), 10);
    for block in blocks {
        let secret = Secret::from_bytes(&hex(&block["Secret"])).unwrap();
        let digits: Digits = field(&block, "Digits");
        let hotp = Hotp::new(&secret, field(&block, "Algorithm"), digits);
        let counter = Counter::new(field(&block, "Counter"));
        let expected = &block["Code"];

        assert_eq!(&hotp.generate(counter).to_string(), expected);
        let code = Code::parse(expected, digits).unwrap();
        let exact = LookAhead::new(0).unwrap();
        assert_eq!(
            hotp.verify(&code, counter, exact).unwrap().counter(),
            counter
        );

        // Tampered: every single-digit change is refused at that counter.
        for position in 0..expected.len() {
            let wrong = Code::parse(&tampered(expected, position), digits).unwrap();
            assert_eq!(
                hotp.verify(&wrong, counter, exact),
                Err(VerifyError::Mismatch)
            );
        }
        // One counter off: the expected counter is already past this code.
        let after = counter.next().unwrap();
        assert_eq!(
            hotp.verify(&code, after, LookAhead::default()),
            Err(VerifyError::Mismatch)
        );
    }
}

fn check_totp_file(file: &str, expected_count: usize) {
    let blocks = blocks(file);
    assert_eq!(blocks.len(), expected_count, "{file}");
    for block in blocks {
        let algorithm: Algorithm = field(&block, "Algorithm");
        let digits: Digits = field(&block, "Digits");
        let period: Period = field(&block, "Period");
        let secret = Secret::from_bytes(&hex(&block["Secret"])).unwrap();
        let totp = Totp::new(&secret, TotpParams::new(algorithm, digits, period));
        let at = UnixTime::from_secs(field(&block, "Time"));
        let step = Step::new(field(&block, "Step"));
        let expected = &block["Code"];
        let context = format!("{file}: {algorithm} at {}", at.as_secs());

        assert_eq!(totp.params().step_at(at).unwrap(), step, "{context}");
        assert_eq!(
            &totp.generate(at).unwrap().to_string(),
            expected,
            "{context}"
        );
        let code = Code::parse(expected, digits).unwrap();
        let verified = totp.verify(&code, at, Window::EXACT, None).unwrap();
        assert_eq!((verified.step(), verified.drift()), (step, 0), "{context}");

        // Tampered digit: refused, even with the widest window.
        let widest = Window::symmetric(Window::MAX_SIDE).unwrap();
        for position in 0..expected.len() {
            let wrong = Code::parse(&tampered(expected, position), digits).unwrap();
            assert_eq!(
                totp.verify(&wrong, at, widest, None),
                Err(VerifyError::Mismatch),
                "{context}, digit {position}"
            );
        }
        // One step off: refused with an exact window, accepted with drift ±1 with ±1.
        let period_secs = u64::from(period.as_secs());
        let later = UnixTime::from_secs(at.as_secs() + period_secs);
        assert_eq!(
            totp.verify(&code, later, Window::EXACT, None),
            Err(VerifyError::Mismatch),
            "{context}"
        );
        let late = totp.verify(&code, later, Window::default(), None).unwrap();
        assert_eq!((late.step(), late.drift()), (step, -1), "{context}");
        if let Some(earlier) = at.as_secs().checked_sub(period_secs) {
            let early = totp
                .verify(&code, UnixTime::from_secs(earlier), Window::default(), None)
                .unwrap();
            assert_eq!(early.drift(), 1, "{context}");
        }
        // Replayed: refused once its step has been accepted.
        assert_eq!(
            totp.verify(&code, at, Window::default(), Some(step)),
            Err(VerifyError::Replayed { step }),
            "{context}"
        );
    }
}

#[test]
fn rfc6238_totp_all_three_hashes() {
    check_totp_file("rfc6238_totp.txt", 18);
}

#[test]
fn entrust_soft_token_totp() {
    check_totp_file("entrust_totp.txt", 3);
}

/// The classic bug the RFC's table invites: the 20-byte seed reused for SHA-256 gives other
/// codes. This pins that the harness really uses the longer seeds.
#[test]
fn sha256_with_the_sha1_seed_does_not_match_the_rfc() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let params = TotpParams::new(Algorithm::Sha256, Digits::EIGHT, Period::default());
    let totp = Totp::new(&secret, params);
    assert_ne!(
        totp.generate(UnixTime::from_secs(59)).unwrap().to_string(),
        "46119246"
    );
}
