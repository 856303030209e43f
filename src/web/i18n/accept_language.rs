//! `Accept-Language` negotiated against the interface's languages with fluent-langneg. The
//! header comes from anyone, before sign-in, so it is bounded before it is read: a header
//! longer than [`MAX_ACCEPT_LANGUAGE_BYTES`] is ignored whole (no browser sends one that long),
//! only its first [`MAX_LANGUAGE_RANGES`] ranges count, and a range that is not a language tag
//! is skipped. Parsing is linear in the (capped) length, so a hostile header costs nothing.

use fluent_langneg::{NegotiationStrategy, negotiate_languages};
use unic_langid::LanguageIdentifier;

use super::language::UiLanguage;

/// Headers longer than this are ignored (browsers send a few dozen bytes).
pub const MAX_ACCEPT_LANGUAGE_BYTES: usize = 1024;
/// Ranges read from a header; later ones are ignored.
pub const MAX_LANGUAGE_RANGES: usize = 16;
/// The longest range read (a tag with region and script is well under this).
const MAX_RANGE_BYTES: usize = 35;

/// The interface language that best matches `header`, if any does.
pub fn negotiate(header: &str) -> Option<UiLanguage> {
    if header.len() > MAX_ACCEPT_LANGUAGE_BYTES {
        return None;
    }
    let requested = ranges(header);
    if requested.is_empty() {
        return None;
    }
    let available: Vec<LanguageIdentifier> = UiLanguage::all()
        .filter_map(|l| l.tag().parse().ok())
        .collect();
    let best = negotiate_languages(&requested, &available, None, NegotiationStrategy::Lookup);
    let tag = best.first()?.to_string();
    UiLanguage::from_tag(&tag)
}

/// The header's language ranges, most preferred first (by `q`, then by order); `*`, ranges
/// with `q=0` and malformed ones left out.
fn ranges(header: &str) -> Vec<LanguageIdentifier> {
    let mut weighted: Vec<(u16, usize, LanguageIdentifier)> = Vec::new();
    for (position, item) in header.split(',').take(MAX_LANGUAGE_RANGES).enumerate() {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        if tag.is_empty() || tag == "*" || tag.len() > MAX_RANGE_BYTES {
            continue;
        }
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .next()
            .map_or(Some(1000), quality);
        let Some(quality) = quality.filter(|q| *q > 0) else {
            continue;
        };
        if let Ok(id) = tag.parse::<LanguageIdentifier>() {
            weighted.push((quality, position, id));
        }
    }
    weighted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    weighted.into_iter().map(|(_, _, id)| id).collect()
}

/// A `q` value in thousandths (`0.8` → 800); none when it is not a number from 0 to 1.
fn quality(text: &str) -> Option<u16> {
    let value: f32 = text.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(header: &str) -> Option<&'static str> {
        negotiate(header).map(UiLanguage::tag)
    }

    #[test]
    fn picks_the_most_preferred_language_the_interface_has() {
        assert_eq!(chosen("de-DE,de;q=0.9,en;q=0.8"), Some("de"));
        assert_eq!(chosen("pt-BR, fr;q=0.5, en;q=0.4"), Some("fr"));
        assert_eq!(chosen("en;q=0.2, ar-EG;q=0.9"), Some("ar"));
        assert_eq!(chosen("nl-BE"), Some("nl"));
        assert_eq!(chosen("es-419,es;q=0.9"), Some("es"));
        assert_eq!(
            chosen("it;q=0, de;q=0.1"),
            Some("de"),
            "q=0 means not wanted"
        );
        assert_eq!(chosen("pt-BR,ja"), None);
        assert_eq!(chosen("*"), None);
        assert_eq!(chosen(""), None);
    }

    #[test]
    fn a_hostile_header_is_bounded_and_ignored() {
        let long = format!("de,{}", "x".repeat(MAX_ACCEPT_LANGUAGE_BYTES));
        assert_eq!(chosen(&long), None, "too long: ignored whole");
        let many = format!("{}de", "zz,".repeat(MAX_LANGUAGE_RANGES));
        assert_eq!(chosen(&many), None, "ranges past the limit are not read");
        assert_eq!(chosen("\u{0}\u{202E};q=NaN,,;;;q=2,de;q=-1"), None);
        assert_eq!(chosen("fr;q=abc, de;q=0.3"), Some("de"));
        assert_eq!(chosen(&"a".repeat(200)), None);
    }
}
