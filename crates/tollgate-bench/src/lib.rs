//! Helpers shared by the repository's examples (`examples/`) and benchmarks (`benches/`).
//!
//! Not published: it exists so that the top-level `examples/` and `benches/` directories
//! belong to a package of the workspace.

#![forbid(unsafe_code)]

pub mod report;
pub mod signing;
