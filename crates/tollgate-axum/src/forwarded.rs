//! Reading the client's address out of what reverse proxies append: `X-Forwarded-For` (and
//! single-address headers like `X-Real-IP`) and RFC 7239's `Forwarded`, in every layout real
//! proxies write: `192.0.2.1`, `192.0.2.1:4711` (Azure Application Gateway), `[2001:db8::1]`,
//! `[2001:db8::1]:4711`, bare `2001:db8::1`, quoted values, and the `unknown` or obfuscated
//! (`_hidden`) nodes RFC 7239 §6 allows.
//!
//! The rule that keeps a client from choosing its own address: walk from the right, past the
//! entries that name trusted proxies, and take the first entry that does not, whatever it is. An
//! entry that does not parse stands for a client the proxy could not name: it is never skipped
//! (the entries to its left are what the client wrote), and the address taken is then the
//! proxy's own, so that every such client shares one count rather than each getting a new one.

use std::net::IpAddr;

/// One entry of a forwarding header, as the address it names (`None` for `unknown`, an
/// obfuscated node, or anything else that is not an address).
#[must_use]
pub fn node(entry: &str, forwarded: bool) -> Option<IpAddr> {
    let entry = entry.trim();
    let value = if forwarded {
        // `for=…` among the element's `;`-separated pairs (RFC 7239 §4), any case.
        entry.split(';').find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("for")
                .then_some(value.trim())
        })?
    } else {
        entry
    };
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    if let Some(rest) = value.strip_prefix('[') {
        // `[v6]` or `[v6]:port`.
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || port(after.strip_prefix(':')?)) {
            return None;
        }
        return inside.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6);
    }
    if let Ok(address) = value.parse::<IpAddr>() {
        return Some(address);
    }
    // `v4:port` (one colon; a bare IPv6 address parsed above).
    let (host, after) = value.split_once(':')?;
    if !port(after) {
        return None;
    }
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// A port as proxies write it: digits, or RFC 7239's obfuscated `_…`.
fn port(text: &str) -> bool {
    (!text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit()))
        || text.starts_with('_')
}

/// The entries of every instance of a forwarding header, left to right.
pub fn entries<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    values.flat_map(|v| v.split(',')).map(str::trim).collect()
}

/// The client's address from `entries` (left to right) written through trusted `proxies`,
/// the last of which is `peer`: the rightmost entry that is not a trusted proxy, or `peer` when
/// that entry names no address, or every entry is a trusted proxy, or there is none.
#[must_use]
pub fn client(entries: &[&str], forwarded: bool, proxies: &[IpAddr], peer: IpAddr) -> IpAddr {
    let mut hop = peer;
    for entry in entries.iter().rev() {
        match node(entry, forwarded) {
            Some(address) if proxies.contains(&address) => hop = address,
            Some(address) => return address,
            None => return hop,
        }
    }
    hop
}

/// The entry `hops` from the right (1: the rightmost, written by the proxy in front of the
/// service), for a deployment that knows how many proxies stand in front of it; `peer` when
/// that entry names no address or the header has fewer entries.
#[must_use]
pub fn at_hop(entries: &[&str], forwarded: bool, hops: usize, peer: IpAddr) -> IpAddr {
    hops.checked_sub(1)
        .and_then(|skip| entries.iter().rev().nth(skip))
        .and_then(|entry| node(entry, forwarded))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn every_layout_real_proxies_write_names_its_address() {
        for (entry, want) in [
            ("192.0.2.1", "192.0.2.1"),
            ("192.0.2.1:4711", "192.0.2.1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("[2001:db8::1]:4711", "2001:db8::1"),
            ("2001:db8::1", "2001:db8::1"),
            ("\"192.0.2.1\"", "192.0.2.1"),
            (" 192.0.2.1 ", "192.0.2.1"),
        ] {
            assert_eq!(node(entry, false), Some(ip(want)), "{entry}");
        }
        for (entry, want) in [
            ("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
            ("For=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"),
            ("proto=https; for=198.51.100.17", "198.51.100.17"),
            ("for=\"192.0.2.1:_port\"", "192.0.2.1"),
        ] {
            assert_eq!(node(entry, true), Some(ip(want)), "{entry}");
        }
        for entry in [
            "unknown",
            "_hidden",
            "",
            "192.0.2.1:",
            "192.0.2.1:123456",
            "[2001:db8::1",
            "[2001:db8::1]x",
            "example.com",
            "192.0.2.1:80:80",
        ] {
            assert_eq!(node(entry, false), None, "{entry}");
        }
        assert_eq!(node("for=unknown", true), None);
        assert_eq!(node("by=192.0.2.1", true), None, "not a for= pair");
    }

    /// Proxy's client (the finding): with a trusted proxy that appends `IP:port`,
    /// `[v6]`, `[v6]:port` or `unknown`, the old reading skipped the entry and took what the
    /// client wrote, a fresh network per request. Each layout now gives the proxy's entry (or
    /// the proxy itself), whatever the client wrote to its left.
    #[test]
    fn what_the_client_wrote_is_never_reached() {
        let proxy = ip("10.0.0.2");
        let proxies = [proxy];
        for (appended, want) in [
            ("198.51.100.7", "198.51.100.7"),
            ("198.51.100.7:50123", "198.51.100.7"),
            ("[2001:db8::7]", "2001:db8::7"),
            ("[2001:db8::7]:50123", "2001:db8::7"),
            ("unknown", "10.0.0.2"),
        ] {
            for forged in 0..5 {
                let written = format!("203.0.113.{forged}");
                let entries = [written.as_str(), appended];
                assert_eq!(
                    client(&entries, false, &proxies, proxy),
                    ip(want),
                    "{appended}"
                );
            }
        }
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_and_a_hop_count_taken_exactly() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        let entries = ["6.6.6.6", "198.51.100.7", "10.0.0.1"];
        assert_eq!(
            client(&entries, false, &proxies, ip("10.0.0.2")),
            ip("198.51.100.7")
        );
        assert_eq!(client(&[], false, &proxies, ip("10.0.0.2")), ip("10.0.0.2"));
        let peer = ip("10.0.0.2");
        assert_eq!(at_hop(&entries, false, 1, peer), ip("10.0.0.1"));
        assert_eq!(at_hop(&entries, false, 2, peer), ip("198.51.100.7"));
        assert_eq!(at_hop(&entries, false, 4, peer), peer, "fewer entries");
        assert_eq!(at_hop(&entries, false, 0, peer), peer);
        assert_eq!(at_hop(&["x", "junk"], false, 1, peer), peer);
        let forwarded = ["for=6.6.6.6", "for=\"[2001:db8::7]:1\";proto=https"];
        assert_eq!(client(&forwarded, true, &proxies, peer), ip("2001:db8::7"));
    }

    proptest::proptest! {
        /// Hostile header bytes: never a panic, and the answer is the peer, a trusted proxy,
        /// or an address that some entry names.
        #[test]
        fn any_header_gives_an_address_an_entry_or_the_peer_names(header in ".{0,200}") {
            let peer = ip("10.0.0.2");
            let entries = entries(std::iter::once(header.as_str()));
            for forwarded in [false, true] {
                let got = client(&entries, forwarded, &[peer], peer);
                let named = entries.iter().any(|e| node(e, forwarded) == Some(got));
                proptest::prop_assert!(got == peer || named);
                let _ = at_hop(&entries, forwarded, 2, peer);
            }
        }
    }
}
