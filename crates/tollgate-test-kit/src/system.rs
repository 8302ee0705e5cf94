//! The programs others wrote that the real-client tests start (nginx, HAProxy, Chromium's
//! driver), and the loud skip when one is missing.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The system's `name` (Debian's packages put servers in `/usr/sbin`), if installed.
#[must_use]
pub fn program(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
}

/// A port of loopback free just now.
///
/// # Panics
/// When no port can be bound.
#[must_use]
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on loopback")
}

/// Says, past the test harness's capture, that `test` was SKIPPED for want of `what` (and how
/// to get it); fails instead when the environment variable `required` is set (as `.ci/run`
/// sets it after installing the program).
///
/// # Panics
/// When `required` is set.
pub fn skip(test: &str, required: &str, what: &str) {
    assert!(
        std::env::var_os(required).is_none(),
        "{required} is set but {what} is missing"
    );
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED {test}: {what} is missing (`.ci/run` installs and starts it). ***"
    );
}
