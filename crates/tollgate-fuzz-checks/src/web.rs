//! What the web crate reads from the network before any login: the forwarding headers of
//! reverse proxies.

use std::net::IpAddr;

use tollgate_axum::forwarded::{at_hop, client, entries, node};

/// A forwarding header (`X-Forwarded-For` and RFC 7239 `Forwarded` alike): never a panic, and
/// the client's address is the peer, a trusted proxy's entry, or one an entry names; an entry
/// that names an address reads back the same when written in the layout proxies write.
///
/// # Panics
/// When that does not hold.
pub fn forwarded_header(data: &[u8]) {
    let Some(header) = crate::text(data) else {
        return;
    };
    let peer: IpAddr = IpAddr::from([10, 0, 0, 2]);
    let entries = entries(std::iter::once(header));
    for forwarded in [false, true] {
        let got = client(&entries, forwarded, &[peer], peer);
        assert!(got == peer || entries.iter().any(|e| node(e, forwarded) == Some(got)));
        let at = at_hop(&entries, forwarded, 2, peer);
        assert!(at == peer || entries.iter().any(|e| node(e, forwarded) == Some(at)));
        for entry in &entries {
            if let Some(address) = node(entry, forwarded) {
                let written = match address {
                    IpAddr::V4(v4) => format!("{v4}:4711"),
                    IpAddr::V6(v6) => format!("[{v6}]:4711"),
                };
                assert_eq!(node(&written, false), Some(address), "{written}");
            }
        }
    }
}
