//! Property tests: round trips and no panics on any input.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use proptest::prelude::*;
use tollgate_otp::{
    Algorithm, Code, ConstantTimeEq, Counter, Digits, Hotp, LookAhead, Period, Secret, Step, Totp,
    TotpParams, UnixTime, VerifyError, Window,
};

/// Deterministic by default (a fixed seed); set `PROPTEST_RNG_SEED` to explore other cases.
fn config() -> ProptestConfig {
    tollgate_test_kit::proptest_config(256, 0x70_11_6a_7e)
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

fn digits() -> impl Strategy<Value = Digits> {
    (6u8..=8).prop_map(|d| Digits::try_from(d).unwrap())
}

fn period() -> impl Strategy<Value = Period> {
    prop_oneof![Just(30u32), Just(60), 1u32..=3600].prop_map(|p| Period::from_secs(p).unwrap())
}

fn secret() -> impl Strategy<Value = Secret> {
    proptest::collection::vec(any::<u8>(), 10..=200).prop_map(|b| Secret::from_bytes(&b).unwrap())
}

fn window() -> impl Strategy<Value = Window> {
    (0u8..=10, 0u8..=10).prop_map(|(b, a)| Window::new(b, a).unwrap())
}

proptest! {
    #![proptest_config(config())]

    /// What a token shows at any time is accepted at that time, as a fresh match with no drift.
    #[test]
    fn totp_generate_then_verify(
        secret in secret(),
        algorithm in algorithm(),
        digits in digits(),
        period in period(),
        t0 in 0u64..=2_000_000_000,
        elapsed in any::<u64>(),
        window in window(),
    ) {
        let params = TotpParams::new(algorithm, digits, period).with_t0(UnixTime::from_secs(t0));
        let totp = Totp::new(&secret, params);
        let at = UnixTime::from_secs(t0.saturating_add(elapsed));
        let code = totp.generate(at).unwrap();
        let shown = code.to_string();
        prop_assert_eq!(shown.len(), usize::from(digits.get()));
        let typed = Code::parse(&shown, digits).unwrap();
        let verified = totp.verify(&typed, at, window, None).unwrap();
        let step = params.step_at(at).unwrap();
        // Nearest first: the current step wins even if a neighbour has the same code.
        prop_assert_eq!(verified.step(), step);
        prop_assert_eq!(verified.drift(), 0);
        // Accepted once, then refused as a replay (or, rarely, matched at a later step).
        match totp.verify(&typed, at, window, Some(step)) {
            Err(VerifyError::Replayed { step: s }) => prop_assert_eq!(s, step),
            Ok(v) => prop_assert!(v.step() > step),
            Err(e) => prop_assert!(false, "unexpected {e:?}"),
        }
    }

    /// A code from a step `d` away is accepted exactly when the window reaches it, with drift d.
    #[test]
    fn totp_window_edges(
        secret in secret(),
        algorithm in algorithm(),
        now_step in 20u64..=u64::MAX / 3600,
        offset in -12i64..=12,
        window in window(),
    ) {
        let params = TotpParams::new(algorithm, Digits::EIGHT, Period::default());
        let totp = Totp::new(&secret, params);
        let code_step = now_step.checked_add_signed(offset).unwrap();
        let code = totp.generate_step(Step::new(code_step));
        let at = params.step_start(Step::new(now_step)).unwrap();
        let inside = (offset < 0 && offset.unsigned_abs() <= u64::from(window.behind()))
            || (offset >= 0 && offset.unsigned_abs() <= u64::from(window.ahead()));
        match totp.verify(&code, at, window, None) {
            Ok(v) if inside => {
                // A coincidental nearer match is possible at 8 digits, but vanishingly rare.
                prop_assert_eq!(v.step(), Step::new(code_step));
                prop_assert_eq!(i64::from(v.drift()), offset);
            }
            Err(VerifyError::Mismatch) if !inside => {}
            other => prop_assert!(false, "offset {offset}, window {window:?}: {other:?}"),
        }
    }

    /// HOTP codes are accepted within the look-ahead, and the next counter moves past them.
    #[test]
    fn hotp_generate_then_verify(
        secret in secret(),
        algorithm in algorithm(),
        digits in digits(),
        next in 0u64..=u64::MAX - 2000,
        ahead in 0u16..=20,
    ) {
        let hotp = Hotp::new(&secret, algorithm, digits);
        let counter = Counter::new(next + u64::from(ahead));
        let code = hotp.generate(counter);
        let look_ahead = LookAhead::new(20).unwrap();
        let matched = hotp.verify(&code, Counter::new(next), look_ahead).unwrap();
        prop_assert!(matched.counter() <= counter);
        prop_assert!(matched.next() > matched.counter());
    }

    /// Two consecutive codes far ahead resynchronise to the second one's counter.
    #[test]
    fn hotp_resync(secret in secret(), algorithm in algorithm(), skip in 0u64..=300) {
        let hotp = Hotp::new(&secret, algorithm, Digits::EIGHT);
        let first = hotp.generate(Counter::new(skip));
        let second = hotp.generate(Counter::new(skip + 1));
        let window = LookAhead::new(300).unwrap();
        let matched = hotp.resync(&first, &second, Counter::new(0), window).unwrap();
        prop_assert_eq!(matched.counter(), Counter::new(skip + 1));
        // The same pair in the wrong order is not consecutive.
        prop_assert!(hotp.resync(&second, &first, Counter::new(0), window).is_err());
    }

    /// Base32: canonical text round-trips, and lower case, padding and spaces are forgiven.
    #[test]
    fn base32_round_trip(bytes in proptest::collection::vec(any::<u8>(), 10..=256)) {
        let secret = Secret::from_bytes(&bytes).unwrap();
        let text = secret.expose_base32();
        prop_assert!(!text.contains('='));
        prop_assert_eq!(text.to_uppercase(), text.as_str());
        let strict = Secret::from_base32_strict(&text).unwrap();
        prop_assert_eq!(strict.expose_secret(), bytes.as_slice());

        let mut pasted: String = text
            .to_lowercase()
            .chars()
            .enumerate()
            .flat_map(|(i, c)| (i % 4 == 3).then_some(' ').into_iter().chain([c]))
            .collect();
        while (pasted.chars().filter(|c| !c.is_whitespace()).count()) % 8 != 0 {
            pasted.push('=');
        }
        let lenient = Secret::from_base32(&pasted).unwrap();
        prop_assert!(bool::from(lenient.ct_eq(&secret)));
    }

    /// No string makes the parsers or the verifier panic.
    #[test]
    fn any_string_is_safe(input in ".{0,64}", at in any::<u64>()) {
        let _ = Secret::from_base32(&input);
        let _ = Secret::from_base32_strict(&input);
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let totp = Totp::new(&secret, TotpParams::default());
        if let Ok(code) = input.parse::<Code>() {
            let _ = totp.verify(&code, UnixTime::from_secs(at), Window::default(), None);
        }
        for digits in [Digits::SIX, Digits::SEVEN, Digits::EIGHT] {
            if let Ok(code) = Code::parse(&input, digits) {
                prop_assert_eq!(code.digits(), digits);
                let _ = totp.verify(&code, UnixTime::from_secs(at), Window::default(), None);
            }
        }
    }

    /// Codes of digits and spaces parse to their digits.
    #[test]
    fn code_display_round_trip(value in 0u32..100_000_000, digits in digits(), spaced in any::<bool>()) {
        let value = value % 10u32.pow(u32::from(digits.get()));
        let text = format!("{value:0width$}", width = usize::from(digits.get()));
        let typed = if spaced { format!(" {} {} ", &text[..3], &text[3..]) } else { text.clone() };
        let code = Code::parse(&typed, digits).unwrap();
        prop_assert_eq!(code.to_string(), text);
        let reparsed: Code = code.to_string().parse().unwrap();
        prop_assert!(bool::from(reparsed.ct_eq(&code)));
    }
}
