//! tollgate-sign's tests: one binary.

mod attacks;
mod certificates;
mod properties;
mod support;
