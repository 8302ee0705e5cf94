//! What the examples' tests share: a scratch directory, and the examples' binaries.

#![allow(dead_code, reason = "each test file uses its part")]

use std::path::{Path, PathBuf};

/// A directory of its own under Cargo's scratch space for integration tests, removed at the
/// end (so that this package needs no `tempfile`: its dev-dependencies are built for every
/// example, the light first command too).
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new() -> Self {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "{}-{}-{n}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The example `name`, as `cargo test` built it: `<target>/debug/deps/<test>-<hash>` →
/// `<target>/debug/examples/<name>`.
pub(crate) fn example(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    deps.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}
