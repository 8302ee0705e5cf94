//! Verification performs zero heap allocations: counted by a global allocator.
//!
//! This file holds a single test, so no other test thread allocates while it counts.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first broken expectation"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use tollgate_otp::{
    Algorithm, Code, Counter, Digits, Hotp, LookAhead, Period, Secret, Totp, TotpParams, UnixTime,
    Window,
};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards unchanged to `System`, adding only a counter.
#[expect(
    unsafe_code,
    reason = "a counting global allocator must implement GlobalAlloc"
)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn verification_does_not_allocate() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let widest = Window::symmetric(10).unwrap();
    for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
        let params = TotpParams::new(algorithm, Digits::SIX, Period::default());
        let totp = Totp::new(&secret, params);
        let hotp = Hotp::new(&secret, algorithm, Digits::SIX);
        let now = UnixTime::from_secs(1_700_000_000);
        let valid = totp.generate(now).unwrap();
        let invalid = Code::parse("000000", Digits::SIX).unwrap();
        let hotp_code = hotp.generate(Counter::new(5));

        let before = ALLOCATIONS.load(Ordering::SeqCst);
        for code in [&valid, &invalid] {
            let _ = std::hint::black_box(totp.verify(code, now, widest, None));
            let _ = std::hint::black_box(totp.verify(code, now, Window::default(), None));
        }
        let _ =
            std::hint::black_box(hotp.verify(&hotp_code, Counter::new(0), LookAhead::default()));
        let _ = std::hint::black_box(hotp.resync(
            &hotp_code,
            &invalid,
            Counter::new(0),
            LookAhead::new(100).unwrap(),
        ));
        let _ = std::hint::black_box(totp.generate(now));
        let after = ALLOCATIONS.load(Ordering::SeqCst);
        assert_eq!(after - before, 0, "{algorithm}: verification allocated");
    }
    // The counter works: a parse that allocates is seen.
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let _ = std::hint::black_box(Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
    assert!(ALLOCATIONS.load(Ordering::SeqCst) > before);
}
