//! How long a text is, as each platform counts it, and how long it may be.

use crate::channel::Platform;

/// X counts these code point ranges as weight 1 and everything else as 2 (twitter-text v3).
const X_LIGHT_RANGES: &[(u32, u32)] = &[(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)];
/// X counts every URL as this many characters.
const X_URL_LENGTH: usize = 23;

/// The most bytes a rendered text may have, on every platform: a webhook has no character
/// limit, yet a partner's endpoint, the outbox and every recipient's device still have to hold
/// what herald sends. Facebook's 63,206 characters are at most 252,824 bytes, so no platform's
/// own limit is tighter in bytes than this one.
pub const MAX_RENDERED_BYTES: usize = 256 * 1024;

/// The platform's maximum text length, in its own unit.
pub fn platform_limit(platform: Platform) -> Option<usize> {
    match platform {
        Platform::Telegram => Some(4096),
        Platform::WhatsApp => Some(4096),
        Platform::Viber => Some(7000),
        Platform::Facebook | Platform::MetaAds => Some(63_206),
        Platform::X => Some(280),
        // Twilio's longest `Body`; the parts it costs are checked against the account.
        Platform::Sms => Some(crate::sms::MAX_BODY_CHARS),
        Platform::Webhook => None,
    }
}

/// The length of `text` as `platform` counts it against its limit.
pub fn measure(platform: Platform, text: &str) -> usize {
    match platform {
        Platform::X => x_weighted_length(text),
        // Telegram counts the text left after parsing entities, in UTF-16 code units.
        Platform::Telegram => telegram_visible_text(text).encode_utf16().count(),
        _ => text.chars().count(),
    }
}

/// X's weighted length: URLs count 23; code points below U+1100 (Latin, Greek, Cyrillic,
/// Arabic, Hebrew, Indic scripts, ...) and some punctuation count 1; everything else (Ge'ez,
/// CJK, emoji, and also invisible direction marks) counts 2.
fn x_weighted_length(text: &str) -> usize {
    let mut total = 0;
    let mut first = true;
    for word in text.split(' ') {
        if !first {
            total += 1;
        }
        first = false;
        // A URL may follow a direction mark or an opening bracket within the word.
        match word.find("http://").or_else(|| word.find("https://")) {
            Some(at) => {
                total += x_weight(&word[..at]);
                let url_len = word[at..]
                    .find(|c: char| c.is_whitespace())
                    .unwrap_or(word.len() - at);
                total += X_URL_LENGTH + x_weight(&word[at + url_len..]);
            }
            None => total += x_weight(word),
        }
    }
    total
}

fn x_weight(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let code = c as u32;
            if X_LIGHT_RANGES
                .iter()
                .any(|(lo, hi)| (*lo..=*hi).contains(&code))
            {
                1
            } else {
                2
            }
        })
        .sum()
}

/// Telegram HTML without its tags and with entities decoded.
fn telegram_visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            match rest.find('>') {
                Some(end) => rest = &rest[end + 1..],
                None => {
                    out.push_str(rest);
                    return out;
                }
            }
        } else {
            let end = rest.find(';').filter(|e| *e <= 10);
            match end.and_then(|e| decode_entity(&rest[1..e]).map(|c| (e, c))) {
                Some((e, c)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_weights_scripts_and_urls() {
        assert_eq!(measure(Platform::X, "hello"), 5);
        assert_eq!(measure(Platform::X, "مرحبا"), 5);
        assert_eq!(measure(Platform::X, "你好"), 4);
        assert_eq!(
            measure(
                Platform::X,
                "see https://example.org/a/very/long/path/indeed"
            ),
            4 + 23
        );
        assert_eq!(measure(Platform::X, "ሰላም"), 6);
    }

    #[test]
    fn telegram_counts_visible_text() {
        assert_eq!(measure(Platform::Telegram, "<b>a &amp; b</b>"), 5);
        assert_eq!(measure(Platform::Telegram, "x &#x41; &lt;"), 5);
        assert_eq!(measure(Platform::Telegram, "😀"), 2);
    }
}
