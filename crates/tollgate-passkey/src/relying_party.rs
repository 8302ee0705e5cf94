//! The relying party: its ID, the origins its pages are served from, and what it asks of
//! authenticators. Configured once; nothing here is read from a request.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sha2::{Digest as _, Sha256};

use crate::error::SettingsError;

/// Whether the authenticator must verify the user (a PIN or a biometric) besides testing
/// presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UserVerification {
    /// Required (the default): a passkey is then a multi-factor authenticator by itself (NIST
    /// SP 800-63B-4 §3.1.7: something you have, unlocked by something you know or are).
    Required,
    /// Asked for, not required: a security key without a PIN is taken as presence only.
    Preferred,
}

impl UserVerification {
    /// The value of `userVerification` in the browser's options.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            UserVerification::Required => "required",
            UserVerification::Preferred => "preferred",
        }
    }
}

/// A relying party: the ID credentials are scoped to (a host name such as `example.com`) and
/// the exact origins (`https://login.example.com`) its pages run ceremonies from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelyingParty {
    id: String,
    id_hash: [u8; 32],
    name: String,
    origins: Vec<String>,
    user_verification: UserVerification,
}

impl RelyingParty {
    /// A relying party of ID `id` whose pages are at `origins`, each `https://host[:port]` with
    /// a host that is `id` or under it (`http://` only for `localhost`, as browsers allow).
    /// User verification is required; [`RelyingParty::with_user_verification`] changes that.
    ///
    /// # Errors
    /// [`SettingsError`] naming the ID or the origin that is not one.
    pub fn new<'a>(
        id: &str,
        origins: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, SettingsError> {
        let valid_id = !id.is_empty()
            && id.len() <= 253
            && !id.starts_with(['.', '-'])
            && !id.ends_with(['.', '-'])
            && !id.contains("..")
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            && !id.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if !valid_id {
            return Err(SettingsError::RpId(id.to_string()));
        }
        let origins: Vec<String> = origins.into_iter().map(str::to_string).collect();
        if origins.is_empty() {
            return Err(SettingsError::NoOrigin);
        }
        if let Some(bad) = origins.iter().find(|o| !origin_is_under(o, id)) {
            return Err(SettingsError::Origin(bad.clone()));
        }
        Ok(Self {
            id: id.to_string(),
            id_hash: Sha256::digest(id.as_bytes()).into(),
            name: id.to_string(),
            origins,
            user_verification: UserVerification::Required,
        })
    }

    /// The same, asking `user_verification` of authenticators.
    #[must_use]
    pub fn with_user_verification(mut self, user_verification: UserVerification) -> Self {
        self.user_verification = user_verification;
        self
    }

    /// The same, with the name a browser shows for the relying party (the ID by default).
    #[must_use]
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// The relying-party ID.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The name shown by browsers.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The origins ceremonies may run from.
    #[must_use]
    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// What it asks of authenticators.
    #[must_use]
    pub fn user_verification(&self) -> UserVerification {
        self.user_verification
    }

    pub(crate) fn id_hash(&self) -> &[u8; 32] {
        &self.id_hash
    }

    /// Whether `origin` is one of the configured ones, exactly.
    pub(crate) fn allows_origin(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == origin)
    }
}

/// Whether `origin` is `scheme://host[:port]` with `host` at or under `id`.
fn origin_is_under(origin: &str, id: &str) -> bool {
    let (scheme, rest) = match origin.split_once("://") {
        Some(parts) => parts,
        None => return false,
    };
    let host = match rest.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => return false,
        None => rest,
    };
    let under = host == id || host.strip_suffix(id).is_some_and(|h| h.ends_with('.'));
    let local = host == "localhost" || host.ends_with(".localhost");
    under && (scheme == "https" || (scheme == "http" && local))
}

#[cfg(test)]
mod tests {
    use super::RelyingParty;

    #[test]
    fn origins_must_be_at_or_under_the_id() {
        assert!(RelyingParty::new("example.com", ["https://example.com"]).is_ok());
        assert!(RelyingParty::new("example.com", ["https://login.example.com:8443"]).is_ok());
        assert!(RelyingParty::new("localhost", ["http://localhost:8080"]).is_ok());
        for origin in [
            "https://evilexample.com",
            "http://example.com",
            "https://example.com/",
            "https://example.com:",
            "example.com",
            "https://example.com.evil.net",
        ] {
            assert!(
                RelyingParty::new("example.com", [origin]).is_err(),
                "{origin}"
            );
        }
        for id in ["", "Example.com", "127.0.0.1", ".example.com", "a..b"] {
            assert!(
                RelyingParty::new(id, ["https://example.com"]).is_err(),
                "{id}"
            );
        }
        assert!(RelyingParty::new("example.com", []).is_err());
    }
}
