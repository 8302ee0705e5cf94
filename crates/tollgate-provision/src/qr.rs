//! Drawing a payload as a QR code: PNG bytes, an SVG document, or text for a terminal.
//!
//! The modules come from the `qrcode` crate; drawing them is done here, so that the three
//! outputs share one set of options (error correction, module size, quiet zone).

use core::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};
use zeroize::Zeroizing;

use crate::error::QrError;

/// How much of the code may be damaged and still read (ISO/IEC 18004 §7.5.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCorrection {
    /// About 7 %: the smallest code.
    Low,
    /// About 15 %: the default, and what most authenticator QR codes use.
    #[default]
    Medium,
    /// About 25 %.
    Quartile,
    /// About 30 %: for codes printed or shown where they may be partly covered.
    High,
}

/// How to draw a QR code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QrOptions {
    /// Error-correction level. Default: medium.
    pub error_correction: ErrorCorrection,
    /// Pixels per module in PNG and SVG output (1 to 64). Default: 8.
    pub module_size: u32,
    /// Light modules around the code, on every side (0 to 16). Default: 4, the ISO minimum;
    /// scanners may fail on less.
    pub quiet_zone: u32,
}

impl Default for QrOptions {
    fn default() -> Self {
        Self {
            error_correction: ErrorCorrection::Medium,
            module_size: 8,
            quiet_zone: 4,
        }
    }
}

/// ECI 26: the data that follows is UTF-8 (ISO/IEC 18004 §6.4.2; AIM ECI assignment 26).
const ECI_UTF8: u32 = 26;

/// The payload's symbol. An ASCII payload is encoded as the `qrcode` crate chooses (numeric,
/// alphanumeric and byte segments, the smallest version). Any other payload is one byte segment
/// after an ECI designator saying it is UTF-8: without it, ISO/IEC 18004 reads byte data as
/// ISO-8859-1, and common decoders guess (zbar reads "jöhn" as Shift-JIS). Its version is the
/// smallest that holds it.
fn symbol(payload: &[u8], level: EcLevel) -> Option<QrCode> {
    if payload.is_ascii() {
        return QrCode::with_error_correction_level(payload, level).ok();
    }
    (1..=40).find_map(|version| {
        let mut bits = qrcode::bits::Bits::new(qrcode::Version::Normal(version));
        bits.push_eci_designator(ECI_UTF8).ok()?;
        bits.push_byte_data(payload).ok()?;
        bits.push_terminator(level).ok()?;
        QrCode::with_bits(bits, level).ok()
    })
}

/// The modules of a payload's QR code, dark = `true`, with the quiet zone around them.
struct Modules {
    size: usize,
    dark: Vec<bool>,
}

impl Modules {
    fn new(payload: &[u8], options: &QrOptions) -> Result<Self, QrError> {
        if !(1..=64).contains(&options.module_size) || options.quiet_zone > 16 {
            return Err(QrError::Options);
        }
        let level = match options.error_correction {
            ErrorCorrection::Low => EcLevel::L,
            ErrorCorrection::Medium => EcLevel::M,
            ErrorCorrection::Quartile => EcLevel::Q,
            ErrorCorrection::High => EcLevel::H,
        };
        let code = symbol(payload, level).ok_or(QrError::TooLong { len: payload.len() })?;
        let width = code.width();
        let quiet = options.quiet_zone as usize;
        let size = width + 2 * quiet;
        let mut dark = vec![false; size * size];
        for (i, color) in code.to_colors().into_iter().enumerate() {
            let (y, x) = (i / width, i % width);
            dark[(y + quiet) * size + x + quiet] = color == Color::Dark;
        }
        Ok(Self { size, dark })
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.dark[y * self.size + x]
    }
}

/// The payload's QR code as an SVG document (black modules on white, one path).
///
/// # Errors
/// [`QrError::TooLong`] when the payload does not fit; [`QrError::Options`] for options out
/// of range.
pub fn render_svg(payload: &[u8], options: &QrOptions) -> Result<Zeroizing<String>, QrError> {
    let modules = Modules::new(payload, options)?;
    let pixels = modules.size * options.module_size as usize;
    let mut svg = Zeroizing::new(String::with_capacity(modules.dark.len() * 4));
    let _ = write!(
        svg,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
         version=\"1.1\" width=\"{pixels}\" height=\"{pixels}\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"",
        size = modules.size
    );
    for y in 0..modules.size {
        let mut x = 0;
        while x < modules.size {
            if modules.is_dark(x, y) {
                let start = x;
                while modules.is_dark(x, y) {
                    x += 1;
                }
                let _ = write!(svg, "M{start} {y}h{}v1h-{}z", x - start, x - start);
            } else {
                x += 1;
            }
        }
    }
    svg.push_str("\"/></svg>\n");
    Ok(svg)
}

/// The payload's QR code as text for a terminal: each character is two modules stacked
/// (Unicode half blocks), so a typical key URI (41 modules + quiet zone) is 49 columns wide.
///
/// With `invert`, light modules are drawn as blocks: the right choice for light-on-dark
/// terminals, where the terminal's background then shows as the code's dark modules.
///
/// # Errors
/// As [`render_svg`].
pub fn render_terminal(
    payload: &[u8],
    options: &QrOptions,
    invert: bool,
) -> Result<Zeroizing<String>, QrError> {
    let modules = Modules::new(payload, options)?;
    let mut out = Zeroizing::new(String::with_capacity(modules.size * modules.size));
    for y in (0..modules.size).step_by(2) {
        for x in 0..modules.size {
            // A module is drawn (as block) when it is light if inverted, dark otherwise.
            let drawn = |y| y < modules.size && modules.is_dark(x, y) != invert;
            out.push(match (drawn(y), drawn(y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
    }
    Ok(out)
}

/// The payload's QR code as PNG bytes: 1 bit per pixel, black on white.
///
/// Written with the `png` crate (the encoder behind the `image` crate) at one bit per pixel and
/// its fast DEFLATE: an eighth of the pixel data of 8-bit grayscale, and several times faster
/// to encode (`benches/provision.rs`).
///
/// # Errors
/// As [`render_svg`], and [`QrError::Png`] if the encoder fails.
#[cfg(feature = "png")]
pub fn render_png(payload: &[u8], options: &QrOptions) -> Result<Zeroizing<Vec<u8>>, QrError> {
    let modules = Modules::new(payload, options)?;
    let scale = options.module_size as usize;
    let pixels = modules.size * scale;
    let stride = pixels.div_ceil(8);
    // One packed row per module row (bit set = white), repeated `scale` times.
    let mut raw = Zeroizing::new(Vec::with_capacity(stride * pixels));
    let mut row = Zeroizing::new(vec![0u8; stride]);
    for y in 0..modules.size {
        row.fill(0);
        for x in 0..pixels {
            if !modules.is_dark(x / scale, y) {
                row[x / 8] |= 0x80 >> (x % 8);
            }
        }
        for _ in 0..scale {
            raw.extend_from_slice(&row);
        }
    }
    let side = u32::try_from(pixels).map_err(|_| QrError::Options)?;
    let mut png = Zeroizing::new(Vec::new());
    let mut encoder = png::Encoder::new(&mut *png, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder
        .write_header()
        .map_err(|e| QrError::Png(e.to_string()))?;
    writer
        .write_image_data(&raw)
        .map_err(|e| QrError::Png(e.to_string()))?;
    writer.finish().map_err(|e| QrError::Png(e.to_string()))?;
    Ok(png)
}
