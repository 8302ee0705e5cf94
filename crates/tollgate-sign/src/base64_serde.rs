//! Bytes in the stored JSON as base64url without padding.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Bytes as base64url without padding.
pub(crate) fn encode_url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Bytes as standard base64, as the CSC API writes them.
pub(crate) fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&encode_url(bytes))
}

pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let text: String = serde::Deserialize::deserialize(d)?;
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(serde::de::Error::custom)
}

/// A list of byte strings.
pub(crate) mod list {
    use super::{URL_SAFE_NO_PAD, encode_url};
    use base64::Engine as _;

    pub(crate) fn serialize<S: serde::Serializer>(
        items: &[Vec<u8>],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(items.iter().map(|b| encode_url(b)))
    }

    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<Vec<u8>>, D::Error> {
        let texts: Vec<String> = serde::Deserialize::deserialize(d)?;
        texts
            .into_iter()
            .map(|t| URL_SAFE_NO_PAD.decode(t).map_err(serde::de::Error::custom))
            .collect()
    }
}
