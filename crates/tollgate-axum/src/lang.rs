//! The screens' language, among the configured catalogues': chosen with the page's selector,
//! or at a session's start from the browser's `Accept-Language` (RFC 9110 §12.5.4: language
//! ranges with quality values).

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;

/// The primary subtag of a language tag, lower case (`fr-CA` → `fr`).
fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Which of `tags` (the configured catalogues' languages) `wanted` names: the exact tag, or
/// else the first with its primary subtag.
pub(crate) fn find<'a>(tags: impl Iterator<Item = &'a str> + Clone, wanted: &str) -> Option<usize> {
    let wanted = wanted.trim();
    tags.clone()
        .position(|t| t.eq_ignore_ascii_case(wanted))
        .or_else(|| {
            tags.map(primary)
                .position(|t| t == primary(wanted) && !t.is_empty())
        })
}

/// The browser's preferred language among `tags` by `Accept-Language`, the first (the
/// service's default) when it names none or the header does not read. Ranges with `q=0` are
/// refused, as the RFC says.
pub(crate) fn negotiate<'a>(
    headers: &HeaderMap,
    tags: impl Iterator<Item = &'a str> + Clone,
) -> usize {
    let Some(header) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
        return 0;
    };
    let mut best: Option<(u16, usize)> = None;
    for range in header.split(',').take(32) {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1000), quality);
        let (Some(quality), Some(index)) = (quality, find(tags.clone(), tag)) else {
            continue;
        };
        if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, index));
        }
    }
    best.map_or(0, |(_, index)| index)
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

    const TAGS: [&str; 3] = ["en", "fr", "de"];

    fn pick(header: &str) -> &'static str {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(header) {
            headers.insert(ACCEPT_LANGUAGE, value);
        }
        TAGS[negotiate(&headers, TAGS.iter().copied())]
    }

    #[test]
    fn the_best_shipped_language_wins() {
        assert_eq!(pick("fr-CA,fr;q=0.9,en;q=0.8"), "fr");
        assert_eq!(pick("it-IT,it;q=0.9,de;q=0.5,en;q=0.4"), "de");
        assert_eq!(pick("en-GB,fr;q=0.7"), "en");
        assert_eq!(pick("fr;q=0, en;q=0.1"), "en");
        assert_eq!(pick("fr;q=0"), "en");
        assert_eq!(pick("it"), "en");
        assert_eq!(pick(""), "en");
        assert_eq!(pick("fr;q=1.5,de;q=0.2"), "de");
        assert_eq!(pick("fr;q=abc"), "en");
        assert_eq!(pick("*;q=0.1,DE;q=0.2"), "de");
        assert_eq!(negotiate(&HeaderMap::new(), TAGS.iter().copied()), 0);
        assert_eq!(find(["en", "pt-BR", "pt"].into_iter(), "pt-br"), Some(1));
        assert_eq!(find(["en", "pt-BR"].into_iter(), "pt-PT"), Some(1));
    }
}
