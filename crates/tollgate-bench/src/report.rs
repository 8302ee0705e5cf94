//! A closing table for a criterion benchmark: our median beside the peers' and the hardware
//! limit's, from the same run, as ratios.
//!
//! Criterion writes each function's estimates to
//! `target/criterion/<group>/<function>/new/estimates.json`; this reads the medians back after
//! the groups have run and prints one row per group.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The directory criterion writes to: `$CRITERION_HOME`, else `<target>/criterion`, where
/// `<target>` is found from the running benchmark's own path (`<target>/release/deps/<bench>`).
#[must_use]
pub fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(PathBuf::from(home));
    }
    let exe = std::env::current_exe().ok()?;
    let target = exe.parent()?.parent()?.parent()?;
    Some(target.join("criterion"))
}

/// The median of one benchmark function, in nanoseconds, if criterion measured it.
#[must_use]
pub fn median_ns(dir: &Path, group: &str, function: &str) -> Option<f64> {
    let path = dir.join(group).join(function).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("median")?.get("point_estimate")?.as_f64()
}

/// The processor's model name, from `/proc/cpuinfo` where there is one.
#[must_use]
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| name.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

/// A table of medians: one row per group, one column per function, and each function's ratio
/// to `baseline` (ours) and ours to `limit`.
#[must_use]
pub fn table(
    dir: &Path,
    groups: &[String],
    functions: &[&str],
    baseline: &str,
    limit: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nmedians on {} (ns; ×{baseline} in brackets)",
        cpu_model()
    );
    let _ = write!(out, "{:<32}", "group");
    for function in functions {
        let _ = write!(out, "{function:>20}");
    }
    let _ = writeln!(out, " {:>16}", format!("{baseline}/{limit}"));
    for group in groups {
        let _ = write!(out, "{group:<32}");
        let ours = median_ns(dir, group, baseline);
        for function in functions {
            let cell = match (median_ns(dir, group, function), ours) {
                (Some(m), Some(o)) => format!("{m:.1} ({:.2}×)", m / o),
                (Some(m), None) => format!("{m:.1}"),
                _ => "-".to_owned(),
            };
            let _ = write!(out, "{cell:>20}");
        }
        let ratio = match (ours, median_ns(dir, group, limit)) {
            (Some(o), Some(l)) => format!("{:.3}", o / l),
            _ => "-".to_owned(),
        };
        let _ = writeln!(out, " {ratio:>16}");
    }
    out
}

/// Prints [`table`] for groups named as text, reading criterion's directory of this run.
pub fn print(groups: &[&str], functions: &[&str], baseline: &str, limit: &str) {
    let Some(dir) = criterion_dir() else {
        return;
    };
    let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
    print!("{}", table(&dir, &groups, functions, baseline, limit));
}
