//! Edge times and windows: t = 0, the last second of a step, 2^31, 2^32, near `u64::MAX`.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use tollgate_otp::{
    Code, Digits, Period, Secret, Step, TimeError, Totp, TotpParams, UnixTime, VerifyError, Window,
};

fn totp() -> Totp {
    Totp::new(
        &Secret::from_bytes(b"12345678901234567890").unwrap(),
        TotpParams::default(),
    )
}

fn at(seconds: u64) -> UnixTime {
    UnixTime::from_secs(seconds)
}

#[test]
fn time_zero_is_step_zero_and_has_no_past() {
    let totp = totp();
    let params = totp.params();
    assert_eq!(params.step_at(at(0)).unwrap(), Step::new(0));
    assert_eq!(params.seconds_until_next_step(at(0)).unwrap(), 30);
    let code = totp.generate(at(0)).unwrap();
    // Step -1 does not exist: the window simply has one step fewer.
    let widest = Window::symmetric(10).unwrap();
    let verified = totp.verify(&code, at(0), widest, None).unwrap();
    assert_eq!(verified.step(), Step::new(0));
}

#[test]
fn the_last_second_of_a_step_belongs_to_it() {
    let totp = totp();
    let params = totp.params();
    assert_eq!(params.step_at(at(29)).unwrap(), Step::new(0));
    assert_eq!(params.step_at(at(30)).unwrap(), Step::new(1));
    assert_eq!(params.seconds_until_next_step(at(29)).unwrap(), 1);
    assert_eq!(params.seconds_until_next_step(at(59)).unwrap(), 1);
    let code = totp.generate(at(29)).unwrap();
    assert!(totp.verify(&code, at(29), Window::EXACT, None).is_ok());
    assert_eq!(
        totp.verify(&code, at(30), Window::EXACT, None),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        totp.verify(&code, at(30), Window::default(), None)
            .unwrap()
            .drift(),
        -1
    );
}

#[test]
fn times_past_2_pow_31_and_2_pow_32_work() {
    let totp = totp();
    for seconds in [
        (1u64 << 31) - 1,
        1 << 31,
        (1 << 32) - 1,
        1 << 32,
        (1 << 32) + 1,
    ] {
        let code = totp.generate(at(seconds)).unwrap();
        let verified = totp
            .verify(&code, at(seconds), Window::default(), None)
            .unwrap();
        assert_eq!(verified.step(), Step::new(seconds / 30), "{seconds}");
    }
    // RFC 6238 Appendix B's 20000000000 (year 2603), checked in the vectors, is past 2^34.
}

#[test]
fn u64_max_has_no_future_and_no_overflow() {
    let totp = totp();
    let end = at(u64::MAX);
    let last_step = u64::MAX / 30;
    assert_eq!(totp.params().step_at(end).unwrap(), Step::new(last_step));
    // The next step would begin after u64::MAX seconds.
    assert_eq!(
        totp.params().seconds_until_next_step(end),
        Err(TimeError::Overflow)
    );
    let code = totp.generate(end).unwrap();
    let widest = Window::symmetric(10).unwrap();
    let verified = totp.verify(&code, end, widest, None).unwrap();
    assert_eq!(verified.step(), Step::new(last_step));

    // With period 1 the step itself reaches u64::MAX, and the window's future is empty.
    let params = TotpParams::default().with_t0(UnixTime::EPOCH);
    let per_second = TotpParams::new(
        params.algorithm(),
        params.digits(),
        Period::from_secs(1).unwrap(),
    );
    let totp = Totp::new(
        &Secret::from_bytes(b"12345678901234567890").unwrap(),
        per_second,
    );
    let code = totp.generate(end).unwrap();
    let verified = totp.verify(&code, end, widest, None).unwrap();
    assert_eq!(verified.step(), Step::new(u64::MAX));
    assert_eq!(
        per_second.step_start(Step::new(u64::MAX)).unwrap(),
        at(u64::MAX)
    );
    assert!(per_second.seconds_until_next_step(end).is_err());
}

#[test]
fn before_t0_is_an_error_not_an_underflow() {
    let params = TotpParams::default().with_t0(at(1_000));
    let totp = Totp::new(
        &Secret::from_bytes(b"12345678901234567890").unwrap(),
        params,
    );
    assert_eq!(params.step_at(at(999)), Err(TimeError::BeforeT0));
    assert_eq!(totp.generate(at(999)).unwrap_err(), TimeError::BeforeT0);
    let code = Code::parse("123456", Digits::SIX).unwrap();
    assert_eq!(
        totp.verify(&code, at(0), Window::default(), None),
        Err(VerifyError::Time(TimeError::BeforeT0))
    );
    assert_eq!(params.step_at(at(1_000)).unwrap(), Step::new(0));
}

#[test]
fn window_zero_accepts_only_the_current_step() {
    let totp = totp();
    let now = at(1_000_000);
    let step = totp.params().step_at(now).unwrap();
    for offset in [-1i64, 1] {
        let other = Step::new(step.get().checked_add_signed(offset).unwrap());
        let code = totp.generate_step(other);
        assert_eq!(
            totp.verify(&code, now, Window::EXACT, None),
            Err(VerifyError::Mismatch)
        );
    }
    let code = totp.generate_step(step);
    assert!(totp.verify(&code, now, Window::EXACT, None).is_ok());
    // Behind-only and ahead-only windows are honoured separately.
    let behind_only = Window::new(2, 0).unwrap();
    let ahead = totp.generate_step(Step::new(step.get() + 1));
    assert_eq!(
        totp.verify(&ahead, now, behind_only, None),
        Err(VerifyError::Mismatch)
    );
    let behind = totp.generate_step(Step::new(step.get() - 2));
    assert_eq!(
        totp.verify(&behind, now, behind_only, None)
            .unwrap()
            .drift(),
        -2
    );
}

#[test]
fn a_code_of_the_wrong_length_is_a_mismatch() {
    let totp = totp();
    let eight = Code::parse("12345678", Digits::EIGHT).unwrap();
    assert_eq!(
        totp.verify(&eight, at(59), Window::default(), None),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn parameter_bounds() {
    assert!(Digits::try_from(5).is_err());
    assert!(Digits::try_from(9).is_err());
    assert!(Period::from_secs(0).is_err());
    assert!(Period::from_secs(3601).is_err());
    assert!(Window::new(11, 0).is_err());
    assert!(Window::new(0, 11).is_err());
    assert_eq!(
        Window::new(11, 1).unwrap_err().to_string(),
        "window of 11 steps behind and 1 ahead is too wide, at most 10 each"
    );
    assert_eq!(
        "sha-256".parse::<tollgate_otp::Algorithm>().unwrap(),
        tollgate_otp::Algorithm::Sha256
    );
    assert!("md5".parse::<tollgate_otp::Algorithm>().is_err());
}
