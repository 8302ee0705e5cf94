//! The screens' language: chosen with the page's selector, or at a session's start from the
//! browser's `Accept-Language` (RFC 9110 §12.5.4: language ranges with quality values).

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use tollgate::login::Catalog;

/// A language the pages are shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lang {
    /// English, in the portal guide's own wording.
    English,
    /// French.
    French,
}

impl Lang {
    /// Every language shipped, in the selector's order.
    pub const ALL: [Self; 2] = [Self::English, Self::French];

    /// Its catalogue.
    #[must_use]
    pub fn catalog(self) -> Catalog {
        match self {
            Self::English => Catalog::english(),
            Self::French => Catalog::french(),
        }
    }

    /// Its language tag.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::French => "fr",
        }
    }

    /// Its name, in itself.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::English => "English",
            Self::French => "Français",
        }
    }

    /// The language of a tag (`fr`, `fr-CA`, `EN`), if shipped.
    #[must_use]
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The browser's preferred shipped language by `Accept-Language`, English when it names
    /// none (or the header does not read). Ranges with `q=0` are refused, as the RFC says.
    #[must_use]
    pub fn negotiate(headers: &HeaderMap) -> Self {
        let Some(header) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
            return Self::English;
        };
        let mut best: Option<(u16, Self)> = None;
        for range in header.split(',').take(32) {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), quality);
            let (Some(quality), Some(lang)) = (quality, Self::parse(tag)) else {
                continue;
            };
            if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map_or(Self::English, |(_, lang)| lang)
    }
}

/// A quality value (`0`, `0.5`, `1.000`) in thousandths.
fn quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    let value = whole + thousandths;
    (value <= 1000).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn pick(header: &str) -> Lang {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT_LANGUAGE,
            HeaderValue::from_str(header).unwrap_or_else(|_| HeaderValue::from_static("")),
        );
        Lang::negotiate(&headers)
    }

    #[test]
    fn the_best_shipped_language_wins() {
        assert_eq!(pick("fr-CA,fr;q=0.9,en;q=0.8"), Lang::French);
        assert_eq!(pick("de-DE,de;q=0.9,fr;q=0.5,en;q=0.4"), Lang::French);
        assert_eq!(pick("en-GB,fr;q=0.7"), Lang::English);
        assert_eq!(pick("fr;q=0, en;q=0.1"), Lang::English);
        assert_eq!(pick("fr;q=0"), Lang::English);
        assert_eq!(pick("de"), Lang::English);
        assert_eq!(pick(""), Lang::English);
        assert_eq!(pick("fr;q=1.5,en;q=0.2"), Lang::English);
        assert_eq!(pick("fr;q=abc"), Lang::English);
        assert_eq!(pick("*;q=0.1,FR;q=0.2"), Lang::French);
        assert_eq!(Lang::negotiate(&HeaderMap::new()), Lang::English);
    }
}
