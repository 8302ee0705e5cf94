#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod app_exports;
mod error;
mod key_uri;
pub mod migration;
mod percent;
mod qr;
mod secure_qr;
#[cfg(feature = "seeds")]
pub mod seeds;

pub use error::{BuildError, MigrationError, QrError, SecureQrError, UriError};
pub use key_uri::{Forgiven, OtpAuthUri, OtpKind, Parsed};
#[cfg(feature = "png")]
pub use qr::render_png;
pub use qr::{ErrorCorrection, QrOptions, render_svg, render_terminal};
pub use secure_qr::SecureActivation;
