#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tollgate_fuzz_checks::registration_code(data));
