//! What a service says about its deployment: where the router is mounted, whether it is served
//! over TLS, where the client's address comes from, how much blocking work may run at once.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;

use tollgate::login::{Catalog, CatalogName};

use crate::pages::{DefaultPages, Pages};

/// A shipped catalogue in each of its languages.
fn shipped(name: CatalogName) -> Vec<Catalog> {
    Catalog::shipped_languages()
        .into_iter()
        .filter_map(|language| Catalog::shipped(name, language))
        .collect()
}

/// Where the client's address (which the service throttles wrong passwords by) comes from.
///
/// Behind a reverse proxy, name its header and its address: `X-Forwarded-For` as nginx
/// (`proxy_add_x_forwarded_for`), HAProxy (`option forwardfor`) and the clouds' balancers write
/// it, `X-Real-IP`, or RFC 7239's `Forwarded`. Every layout they use is read (`IP`, `IP:port`,
/// `[v6]`, `[v6]:port`, quoted, `unknown`); the entries to the left of the one the nearest
/// untrusted hop wrote are never read, and an entry that names no address stands for the proxy
/// itself (one count for all such clients), never skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAddress {
    /// The connection's peer: the service faces the clients itself.
    Connection,
    /// A header a reverse proxy sets (`x-forwarded-for`, `forwarded`, or a single-address
    /// header such as `x-real-ip`), believed only on connections from `proxies`. The address
    /// taken is the rightmost entry that is not itself one of `proxies` (the leftmost entries
    /// are whatever the client wrote); when that entry names no address, the proxy's own. From
    /// any other peer the header is ignored.
    Header {
        /// The header's name, lower case.
        name: String,
        /// The proxies' own addresses.
        proxies: Vec<IpAddr>,
    },
    /// A header believed on connections from `proxies`, read exactly `hops` entries from the
    /// right (1: the entry the proxy in front of the service wrote), for a deployment that
    /// knows how many proxies append to it whose addresses it does not know (a cloud balancer
    /// in front of an nginx). Fewer entries, or one that names no address: the peer.
    Hops {
        /// The header's name, lower case.
        name: String,
        /// How many entries from the right the client's is.
        hops: usize,
        /// The addresses the header is believed from.
        proxies: Vec<IpAddr>,
    },
}

impl ClientAddress {
    /// The client's address for a request from `peer` with `headers`.
    #[must_use]
    pub fn of(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let (name, proxies) = match self {
            Self::Connection => return peer.ip(),
            Self::Header { name, proxies } | Self::Hops { name, proxies, .. } => (name, proxies),
        };
        if !proxies.contains(&peer.ip()) {
            return peer.ip();
        }
        let forwarded = name.eq_ignore_ascii_case("forwarded");
        let values = headers
            .get_all(name.as_str())
            .iter()
            // A value that is not text is one entry that names no address.
            .map(|v| v.to_str().unwrap_or("unknown"));
        let entries = crate::forwarded::entries(values);
        match self {
            Self::Hops { hops, .. } => {
                crate::forwarded::at_hop(&entries, forwarded, *hops, peer.ip())
            }
            _ => crate::forwarded::client(&entries, forwarded, proxies, peer.ip()),
        }
    }
}

/// How the router serves the login. [`WebConfig::default`] mounts it at `/`, on plain HTTP,
/// with the connection's address and the default pages.
#[derive(Clone)]
pub struct WebConfig {
    pub(crate) base: String,
    pub(crate) secure: bool,
    pub(crate) client_address: ClientAddress,
    pub(crate) max_blocking: usize,
    pub(crate) blocking_wait: Duration,
    pub(crate) title: String,
    pub(crate) after_login: Option<String>,
    pub(crate) pages: Arc<dyn Pages>,
    pub(crate) catalogues: Vec<Catalog>,
    pub(crate) delivery: Option<Arc<dyn tollgate::AsyncDelivery>>,
    pub(crate) sessions: Option<Arc<dyn tollgate::store::SessionStore>>,
}

impl core::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WebConfig")
            .field("base", &self.base)
            .field("secure", &self.secure)
            .field("client_address", &self.client_address)
            .field("max_blocking", &self.max_blocking)
            .field("after_login", &self.after_login)
            .field("async_delivery", &self.delivery.is_some())
            .field("shared_sessions", &self.sessions.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            base: "/".into(),
            secure: false,
            client_address: ClientAddress::Connection,
            max_blocking: 32,
            blocking_wait: Duration::from_secs(5),
            title: "Sign in".into(),
            after_login: None,
            pages: Arc::new(DefaultPages),
            catalogues: shipped(CatalogName::Default),
            delivery: None,
            sessions: None,
        }
    }
}

impl WebConfig {
    /// Browser sessions live in `sessions`: give it the service's SQL store
    /// (`SqliteStore`, `PostgresStore`) and every node behind a load balancer knows every
    /// session, so that any request may land on any node, a restart keeps them, and logging
    /// out ends the session everywhere. Without it they live in this process's memory
    /// ([`MemorySessions`](tollgate::store::MemorySessions)): one node only, lost on restart.
    #[must_use]
    pub fn with_sessions(mut self, sessions: Arc<dyn tollgate::store::SessionStore>) -> Self {
        self.sessions = Some(sessions);
        self
    }

    /// PINs and notices go out through `delivery`, awaited on the request's task once the
    /// service's blocking work is done (and its turn of the blocking pool given back), instead
    /// of through the service's own [`Delivery`](tollgate::Delivery) on a blocking thread. A PIN
    /// that does not go out is voided and the page says so, as with the service's delivery.
    #[must_use]
    pub fn with_delivery(mut self, delivery: Arc<dyn tollgate::AsyncDelivery>) -> Self {
        self.delivery = Some(delivery);
        self
    }

    /// Mounted at `base` (`/login`): every route, link and form is under it. `/` by default.
    #[must_use]
    pub fn with_base(mut self, base: &str) -> Self {
        let trimmed = base.trim_end_matches('/');
        self.base = if trimmed.is_empty() {
            "/".into()
        } else if trimmed.starts_with('/') {
            trimmed.into()
        } else {
            format!("/{trimmed}")
        };
        self
    }

    /// Served over TLS (directly or behind a proxy that terminates it): the cookies are
    /// `Secure`, and the session cookie takes the `__Host-` prefix.
    #[must_use]
    pub fn with_tls(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Where the client's address comes from.
    #[must_use]
    pub fn with_client_address(mut self, client_address: ClientAddress) -> Self {
        self.client_address = client_address;
        self
    }

    /// At most `max` service calls at once on Tokio's blocking threads (each may be an Argon2id
    /// check: 19 MiB and ~15 ms), and how long a request waits for its turn before the answer
    /// is "busy, try again" (503 with `Retry-After`). 32 and 5 s by default.
    #[must_use]
    pub fn with_blocking(mut self, max: usize, wait: Duration) -> Self {
        self.max_blocking = max.max(1);
        self.blocking_wait = wait;
        self
    }

    /// The pages' title (the service's name). "Sign in" by default.
    #[must_use]
    pub fn with_title(mut self, title: &str) -> Self {
        title.clone_into(&mut self.title);
        self
    }

    /// Where the browser goes once the login is authenticated (the app's own page, which reads
    /// the user with [`AuthenticatedUser`](crate::AuthenticatedUser)). Without it the login's
    /// own "logged in" page is shown.
    #[must_use]
    pub fn with_after_login(mut self, path: &str) -> Self {
        self.after_login = Some(path.to_owned());
        self
    }

    /// The pages: [`DefaultPages`], or your own [`Pages`] that overrides some screens.
    #[must_use]
    pub fn with_pages(mut self, pages: Arc<dyn Pages>) -> Self {
        self.pages = pages;
        self
    }

    /// The pages' languages: a shipped catalogue (the default, unbranded, or the portal's
    /// wording) in English, French and German.
    #[must_use]
    pub fn with_catalogue(mut self, name: CatalogName) -> Self {
        self.catalogues = shipped(name);
        self
    }

    /// The pages' languages: `catalogues`, the first the default (an empty list keeps the
    /// current ones).
    #[must_use]
    pub fn with_catalogues(mut self, catalogues: Vec<Catalog>) -> Self {
        if !catalogues.is_empty() {
            self.catalogues = catalogues;
        }
        self
    }

    /// Adds (or replaces, by language) a catalogue for every `<tag>.ftl` file in `dir`
    /// (`it.ftl`, `pt-BR.ftl`): a deployment adds a language without Rust. What a file lacks
    /// shows in English. Files are read once, here.
    ///
    /// # Errors
    /// A file that cannot be read, or is not a catalogue: its path and why.
    pub fn with_catalogue_dir(mut self, dir: &std::path::Path) -> Result<Self, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .collect();
        paths.sort();
        for path in paths {
            let tag = path
                .file_stem()
                .and_then(|s| s.to_str())
                .ok_or_else(|| format!("{}: not a language tag", path.display()))?;
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let catalog =
                Catalog::from_ftl(tag, &text).map_err(|e| format!("{}: {e}", path.display()))?;
            match self.catalogues.iter().position(|c| c.language() == tag) {
                Some(at) => self.catalogues[at] = catalog,
                None => self.catalogues.push(catalog),
            }
        }
        Ok(self)
    }

    /// The catalogue of language `index` (the default for one out of range).
    pub(crate) fn catalogue(&self, index: usize) -> Catalog {
        self.catalogues
            .get(index)
            .or(self.catalogues.first())
            .cloned()
            .unwrap_or_else(Catalog::english)
    }

    /// The language a new session starts in.
    pub(crate) fn negotiate(&self, headers: &HeaderMap) -> usize {
        crate::lang::negotiate(headers, self.catalogues.iter().map(Catalog::language))
    }

    /// The configured language a selector's value names.
    pub(crate) fn find_language(&self, tag: &str) -> Option<usize> {
        crate::lang::find(self.catalogues.iter().map(Catalog::language), tag)
    }

    /// The path of `route` under the base: `url("submit")` is `/login/submit`.
    pub(crate) fn url(&self, route: &str) -> String {
        if self.base == "/" {
            format!("/{route}")
        } else if route.is_empty() {
            self.base.clone()
        } else {
            format!("{}/{route}", self.base)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert("x-forwarded-for", value);
        }
        headers
    }

    #[test]
    fn a_proxy_header_is_believed_from_the_proxy_alone() {
        let proxy: IpAddr = [10, 0, 0, 1].into();
        let config = ClientAddress::Header {
            name: "x-forwarded-for".into(),
            proxies: vec![proxy],
        };
        let from_proxy = SocketAddr::new(proxy, 40_000);
        let stranger = SocketAddr::new([203, 0, 113, 9].into(), 40_000);
        // The client wrote the first entry itself; the proxy appended the real one.
        let forged = headers("192.0.2.66, 198.51.100.7");
        assert_eq!(
            config.of(from_proxy, &forged),
            "198.51.100.7".parse::<IpAddr>().unwrap_or(proxy)
        );
        assert_eq!(config.of(stranger, &forged), stranger.ip());
        assert_eq!(config.of(from_proxy, &headers("junk")), proxy);
        assert_eq!(
            config.of(from_proxy, &headers("198.51.100.7, 10.0.0.1")),
            "198.51.100.7".parse::<IpAddr>().unwrap_or(proxy)
        );
        assert_eq!(
            ClientAddress::Connection.of(stranger, &forged),
            stranger.ip()
        );
    }

    #[test]
    fn urls_under_the_base() {
        let root = WebConfig::default();
        assert_eq!(
            (root.url(""), root.url("submit")),
            ("/".into(), "/submit".into())
        );
        let login = WebConfig::default().with_base("login/");
        assert_eq!(login.url(""), "/login");
        assert_eq!(login.url("submit"), "/login/submit");
    }
}

#[cfg(test)]
mod behind_a_proxy {
    use super::*;

    /// Proxy's client (the finding, as a request sees it): behind a trusted proxy that
    /// appends its peer as `IP:port`, `[v6]`, `[v6]:port` or `unknown`, a client that writes a
    /// fresh address of its own per request must not get a fresh network per request. Before:
    /// 4 of these 5 layouts handed the client's own entry back.
    #[test]
    fn a_client_behind_a_proxy_cannot_choose_its_address() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap_or(IpAddr::from([0; 4]));
        let config = ClientAddress::Header {
            name: "x-forwarded-for".into(),
            proxies: vec![proxy],
        };
        let peer = SocketAddr::new(proxy, 40_000);
        for appended in [
            "198.51.100.7",
            "198.51.100.7:50123",
            "[2001:db8::7]",
            "[2001:db8::7]:50123",
            "unknown",
        ] {
            let seen: std::collections::HashSet<IpAddr> = (0..20)
                .map(|forged| {
                    let mut headers = HeaderMap::new();
                    let value = format!("203.0.113.{forged}, {appended}");
                    if let Ok(value) = value.parse() {
                        headers.insert("x-forwarded-for", value);
                    }
                    config.of(peer, &headers)
                })
                .collect();
            assert_eq!(seen.len(), 1, "{appended}: {seen:?}");
            assert!(
                !seen.iter().any(|a| a.to_string().starts_with("203.0.113.")),
                "{appended}: the client's own entry was taken"
            );
        }
    }
}
