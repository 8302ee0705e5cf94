//! Reporting the registration code to the registration address, as the portal's app does
//! (tollgate's online registration, version 1: `tollgate-codes`' README).
//!
//! This stand-in speaks plain HTTP (a service on this machine, a development setup); for an
//! `https://` address, or one it cannot reach, it says so and the user types the code into
//! Response instead.

use std::io::{Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::time::Duration;

use tollgate::codes::{RegistrationCode, RegistrationRequest, TokenActivation};

/// How long to wait to connect, and for each read or write.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The largest answer read.
const MAX_ANSWER: u64 = 64 * 1024;

/// Reports `code` to `address`; `Ok` with the server's message once it is filed, `Err` with
/// what went wrong (the caller prints the code to type instead).
pub(crate) fn register(
    address: &str,
    activation: &TokenActivation,
    code: &RegistrationCode,
) -> Result<String, String> {
    let (host, port, path) = split(address)?;
    let body = RegistrationRequest::new(activation, code).to_json();
    let target = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host}: no address"))?;
    let mut stream = TcpStream::connect_timeout(&target, TIMEOUT)
        .map_err(|e| format!("cannot reach {address}: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .map_err(|e| format!("sending to {address}: {e}"))?;
    let mut answer = Vec::new();
    stream
        .take(MAX_ANSWER)
        .read_to_end(&mut answer)
        .map_err(|e| format!("reading {address}'s answer: {e}"))?;
    let answer = String::from_utf8_lossy(&answer);
    let status: u16 = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{address} did not answer in HTTP"))?;
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(200).collect());
    if status == 200 {
        Ok(message)
    } else {
        Err(format!(
            "{address} refused the registration ({status}): {message}"
        ))
    }
}

/// `http://host[:port]/path` as its parts.
fn split(address: &str) -> Result<(String, u16, String), String> {
    let rest = address.strip_prefix("http://").ok_or_else(|| {
        format!(
            "{address}: this stand-in app registers over plain http:// only (a service on this \
             machine); for https, type the code"
        )
    })?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (
            host,
            port.parse()
                .map_err(|_| format!("{address}: the port is not a number"))?,
        ),
        None => (authority, 80),
    };
    if host.is_empty() {
        return Err(format!("{address}: no host"));
    }
    Ok((host.to_owned(), port, format!("/{path}")))
}
