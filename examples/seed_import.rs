//! How long reading a seed file of N tokens takes, and the process's peak memory:
//! `cargo run --release -p tollgate-bench --example seed_import -- [N]` (default 100 000).
//!
//! The file is made in memory first: PSKC (RFC 6030, each token a `KeyPackage` as vendors
//! write them, 20-byte secrets) and the same tokens as OATH CSV. Printed: each file's size,
//! the read's time, tokens per second, and the peak resident memory (`VmHWM`) after each.
//!
//! Peers: privacyIDEA's and LinOTP's importers are Python (python-pskc and lxml); they are not
//! run here. The limit beside our figure: reading the same bytes as UTF-8 and counting lines,
//! the least any reader of the file does.

#![allow(
    clippy::disallowed_methods,
    clippy::cast_precision_loss,
    reason = "a load driver measures wall-clock time and prints rates"
)]

use std::fmt::Write as _;
use std::time::Instant;

use base64::Engine as _;
use tollgate_provision::seeds::{read_oath_csv, read_pskc};

/// The peak resident memory so far, from `/proc/self/status` (Linux), in MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn secret(i: usize) -> [u8; 20] {
    let mut s = [0u8; 20];
    for (j, b) in s.iter_mut().enumerate() {
        *b = u8::try_from(i.wrapping_mul(31).wrapping_add(j * 7) % 251).unwrap_or(0);
    }
    s
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut pskc = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<KeyContainer Version=\"1.0\" \
         xmlns=\"urn:ietf:params:xml:ns:keyprov:pskc\">\n",
    );
    let mut csv = String::from("# serial, seed, type, digits, counter\n");
    for i in 0..n {
        let s = secret(i);
        let b64 = base64::engine::general_purpose::STANDARD.encode(s);
        let hex: String = s.iter().map(|b| format!("{b:02x}")).collect();
        let _ = write!(
            pskc,
            "  <KeyPackage>\n    <DeviceInfo>\n      <Manufacturer>Acme</Manufacturer>\n      \
             <SerialNo>HW{i:08}</SerialNo>\n    </DeviceInfo>\n    <Key Id=\"{i}\" \
             Algorithm=\"urn:ietf:params:xml:ns:keyprov:pskc:hotp\">\n      \
             <AlgorithmParameters>\n        <ResponseFormat Length=\"6\" Encoding=\"DECIMAL\"/>\n      \
             </AlgorithmParameters>\n      <Data>\n        <Secret>\n          \
             <PlainValue>{b64}</PlainValue>\n        </Secret>\n        <Counter>\n          \
             <PlainValue>0</PlainValue>\n        </Counter>\n      </Data>\n    </Key>\n  \
             </KeyPackage>\n"
        );
        let _ = writeln!(csv, "HW{i:08}, {hex}, hotp, 6, 0");
    }
    pskc.push_str("</KeyContainer>\n");
    println!(
        "{n} tokens; peak memory after making the files: {:.0} MiB",
        peak_mib()
    );

    for (name, bytes, read) in [
        ("PSKC", pskc.as_bytes(), 0),
        ("OATH CSV", csv.as_bytes(), 1),
    ] {
        let start = Instant::now();
        let lines = std::str::from_utf8(bytes).map_or(0, |t| t.lines().count());
        let limit = start.elapsed();
        let start = Instant::now();
        let file = if read == 0 {
            read_pskc(bytes, None)
        } else {
            read_oath_csv(bytes)
        }
        .expect("the file reads");
        let took = start.elapsed();
        assert_eq!(file.tokens.len(), n);
        println!(
            "{name}: {:.1} MB read in {:.2} s ({:.0} tokens/s); peak memory {:.0} MiB; \
             limit (UTF-8 check and {lines} lines counted): {:.3} s",
            bytes.len() as f64 / 1e6,
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64(),
            peak_mib(),
            limit.as_secs_f64(),
        );
        drop(file);
    }
}
