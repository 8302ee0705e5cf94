//! Draws any payload as a QR code in the terminal, and writes it as PNG and SVG on request.
//!
//! `cargo run --example qr -- URI [--png FILE] [--svg FILE]`

use std::process::ExitCode;

use tollgate::provision::{QrOptions, render_svg, render_terminal};

const USAGE: &str = "usage: qr URI [--png FILE] [--svg FILE]

Prints the QR code of URI (any text: an otpauth:// key URI, a secure activation URI, ...)
in the terminal, and writes it as a PNG and/or an SVG file.

  --png FILE   also write the QR code as a PNG image to FILE
  --svg FILE   also write the QR code as an SVG document to FILE
  --help       show this text";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("qr: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

#[cfg(feature = "png")]
fn write_png(payload: &str, options: &QrOptions, file: &str) -> Result<(), String> {
    let image =
        tollgate::provision::render_png(payload.as_bytes(), options).map_err(|e| e.to_string())?;
    std::fs::write(file, &*image).map_err(|e| format!("cannot write {file}: {e}"))?;
    println!("wrote {file}");
    Ok(())
}

#[cfg(not(feature = "png"))]
fn write_png(_: &str, _: &QrOptions, _: &str) -> Result<(), String> {
    Err(
        "this build writes no PNG (it keeps the first command light): run it as \
         `cargo run --example qr --features tollgate-examples/png -- …`, or write --svg"
            .into(),
    )
}

fn run(args: Vec<String>) -> Result<(), String> {
    let (mut payload, mut png, mut svg) = (None, None, None);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            "--png" => png = Some(args.next().ok_or("--png needs a file name")?),
            "--svg" => svg = Some(args.next().ok_or("--svg needs a file name")?),
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}")),
            _ if payload.is_none() => payload = Some(arg),
            _ => return Err(format!("one URI only; {arg:?} is a second")),
        }
    }
    let payload = payload.ok_or("give the URI to draw")?;
    let options = QrOptions::default();
    let text = render_terminal(payload.as_bytes(), &options, true).map_err(|e| e.to_string())?;
    print!("{}", text.as_str());
    if let Some(file) = png {
        write_png(&payload, &options, &file)?;
    }
    if let Some(file) = svg {
        let image = render_svg(payload.as_bytes(), &options).map_err(|e| e.to_string())?;
        std::fs::write(&file, image.as_bytes()).map_err(|e| format!("cannot write {file}: {e}"))?;
        println!("wrote {file}");
    }
    Ok(())
}
