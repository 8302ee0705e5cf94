//! TOTP verification: tollgate beside totp-rs, totp-lite and the hardware limit, in one run.
//!
//! One criterion group per case (SHA-1 / SHA-256, window ±1 / ±10, valid / invalid code), each
//! with the functions:
//! - `tollgate`: `Totp::verify` (constant-time over the whole window, no allocation);
//! - `totp-rs`: totp-rs 6 `Totp::check` with `skew` = the window;
//! - `totp-lite`: totp-lite 2 `totp_custom`, called for each step of the window;
//! - `limit`: the bare hash-block compressions the window needs, two per step, on precomputed
//!   chaining states and blocks (`sha1::block_api::compress`, `sha2::block_api::compress256`).
//!
//! Run: `cargo bench -p tollgate-bench --bench otp_verify`. A table of medians and ratios is
//! printed at the end.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use tollgate_otp::{Algorithm, Code, Digits, Period, Secret, Totp, TotpParams, UnixTime, Window};

const NOW: u64 = 1_700_000_000;
const PERIOD: u64 = 30;

struct Case {
    algorithm: Algorithm,
    window: u8,
    valid: bool,
}

impl Case {
    fn name(&self) -> String {
        format!(
            "verify_totp_{}_w{}_{}",
            match self.algorithm {
                Algorithm::Sha256 => "sha256",
                _ => "sha1",
            },
            self.window,
            if self.valid { "valid" } else { "invalid" }
        )
    }
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for algorithm in [Algorithm::Sha1, Algorithm::Sha256] {
        for window in [1, 10] {
            for valid in [true, false] {
                cases.push(Case {
                    algorithm,
                    window,
                    valid,
                });
            }
        }
    }
    cases
}

/// Two compressions per step of a `2 * window + 1` window: the work no HMAC-based verifier
/// can avoid once the key blocks are absorbed.
fn limit(algorithm: Algorithm, steps: usize) -> impl FnMut() {
    let block = [0x5au8; 64];
    move || match algorithm {
        Algorithm::Sha256 => {
            let state = [0x6a09_e667u32; 8];
            for _ in 0..steps {
                let mut inner = black_box(state);
                sha2::block_api::compress256(&mut inner, std::slice::from_ref(&block));
                let mut outer = black_box(state);
                sha2::block_api::compress256(&mut outer, std::slice::from_ref(&block));
                black_box((inner, outer));
            }
        }
        _ => {
            let state = [0x6745_2301u32; 5];
            for _ in 0..steps {
                let mut inner = black_box(state);
                sha1::block_api::compress(&mut inner, std::slice::from_ref(&block));
                let mut outer = black_box(state);
                sha1::block_api::compress(&mut outer, std::slice::from_ref(&block));
                black_box((inner, outer));
            }
        }
    }
}

fn bench(c: &mut Criterion) {
    let key = b"12345678901234567890".as_slice();
    for case in cases() {
        let params = TotpParams::new(case.algorithm, Digits::SIX, Period::default());
        let secret = Secret::from_bytes(key).expect("a 160-bit key");
        let totp = Totp::new(&secret, params);
        let now = UnixTime::from_secs(NOW);
        let window = Window::symmetric(case.window).expect("window within 10");
        let code = if case.valid {
            totp.generate(now).expect("after T0")
        } else {
            // A code that matches no step of the widest window.
            (0..1_000_000u32)
                .map(|v| Code::parse(&format!("{v:06}"), Digits::SIX).expect("six digits"))
                .find(|c| {
                    totp.verify(c, now, Window::symmetric(10).expect("10"), None)
                        .is_err()
                })
                .expect("some code is wrong")
        };
        let typed = code.to_string();
        assert_eq!(
            totp.verify(&code, now, window, None).is_ok(),
            case.valid,
            "{}",
            case.name()
        );

        let peer = totp_rs::Builder::new()
            .with_algorithm(match case.algorithm {
                Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
                _ => totp_rs::Algorithm::SHA1,
            })
            .with_digits(6)
            .with_skew(u16::from(case.window))
            .with_step_duration(PERIOD)
            .with_secret(key.to_vec())
            .build()
            .expect("totp-rs accepts a 160-bit key");
        assert_eq!(peer.check(&typed, NOW).is_some(), case.valid);

        let lite = |step: u64| match case.algorithm {
            Algorithm::Sha256 => {
                totp_lite::totp_custom::<totp_lite::Sha256>(PERIOD, 6, key, step * PERIOD)
            }
            _ => totp_lite::totp_custom::<totp_lite::Sha1>(PERIOD, 6, key, step * PERIOD),
        };
        let w = u64::from(case.window);
        let lite_check = |typed: &str| {
            let current = NOW / PERIOD;
            (current - w..=current + w).any(|step| lite(step) == typed)
        };
        assert_eq!(lite_check(&typed), case.valid);

        let mut group = c.benchmark_group(case.name());
        group.bench_function("tollgate", |b| {
            b.iter(|| totp.verify(black_box(&code), black_box(now), window, None))
        });
        group.bench_function("totp-rs", |b| {
            b.iter(|| peer.check(black_box(&typed), black_box(NOW)))
        });
        group.bench_function("totp-lite", |b| b.iter(|| lite_check(black_box(&typed))));
        let steps = 2 * usize::from(case.window) + 1;
        group.bench_function("limit", |b| b.iter(limit(case.algorithm, steps)));
        group.finish();
    }
}

fn report() {
    let groups: Vec<String> = cases().iter().map(Case::name).collect();
    let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
    tollgate_bench::report::print(
        &groups,
        &["tollgate", "totp-rs", "totp-lite", "limit"],
        "tollgate",
        "limit",
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
