//! Known-answer vectors from `tests/data/*.txt`, each also tampered with and refused.
//!
//! File format (after ring's test files): `# comment` lines, then blocks of `Key = Value` lines
//! separated by blank lines.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use tollgate_otp::{
    Algorithm, Code, Counter, Digits, Hotp, LookAhead, Period, Secret, Step, Totp, TotpParams,
    UnixTime, VerifyError, Window,
};

use tollgate_test_kit::{Block, hex};

fn blocks(file: &str) -> Vec<Block> {
    tollgate_test_kit::data(env!("CARGO_MANIFEST_DIR"), file)
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
