//! Tracking links: each message link becomes `{public_url}/r/{token}`, one token per (version,
//! campaign, send, variant, locale, channel). Clicks are then counted per those dimensions by
//! herald's own redirector, without cookies or any per-person data. Tokens are derived, not
//! stored secrets: the same inputs always give the same link, so re-rendering changes nothing.
//!
//! The version's content hash is part of the derivation, so every version issues its own
//! tokens: a link already sent leads where the approved version that sent it said, and a
//! later upload of the same campaign (a draft, or another approved version) cannot take it
//! over. Tokens of older herald builds had no version in them; [`legacy_tracking_token`]
//! derives those so the redirector can still resolve links sent before the upgrade.

use sha2::{Digest, Sha256};

use crate::campaign::ContentHash;
use crate::campaign::locale::Locale;
use crate::channel::ChannelRef;

/// Length of a token in characters (64 bits as hex: no collisions at campaign scale).
pub const TOKEN_LENGTH: usize = 16;

/// Where a tracking link leads and what its clicks count towards: one message of one version.
#[derive(Debug, Clone, Copy)]
pub struct LinkDimensions<'a> {
    pub campaign: &'a str,
    pub send: &'a str,
    pub variant: Option<&'a str>,
    pub locale: &'a Locale,
    pub channel: &'a ChannelRef,
}

/// The token the version `version` puts in its links for these dimensions.
pub fn tracking_token(version: &ContentHash, link: LinkDimensions<'_>) -> String {
    let channel = link.channel.to_string();
    token_of(&[
        "v2",
        version.as_str(),
        link.campaign,
        link.send,
        link.variant.unwrap_or(""),
        link.locale.as_str(),
        &channel,
    ])
}

/// The token herald builds before version-pinned links put in messages (no version in it).
/// Only the redirector uses it, to resolve links that are already out; nothing issues it now.
pub fn legacy_tracking_token(link: LinkDimensions<'_>) -> String {
    let channel = link.channel.to_string();
    token_of(&[
        link.campaign,
        link.send,
        link.variant.unwrap_or(""),
        link.locale.as_str(),
        &channel,
    ])
}

/// SHA-256 over the parts, each ended by a NUL (no part contains one), cut to a token.
fn token_of(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    digest[..TOKEN_LENGTH / 2]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn tracking_url(public_url: &str, token: &str) -> String {
    format!("{}/r/{token}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_and_distinct_per_dimension_and_version() {
        let ar = Locale::parse("ar").unwrap();
        let en = Locale::parse("en").unwrap();
        let tg = ChannelRef::parse("telegram:nl-info").unwrap();
        let v1 = ContentHash::parse(&"1".repeat(64)).unwrap();
        let v2 = ContentHash::parse(&"2".repeat(64)).unwrap();
        let link = |variant, locale| LinkDimensions {
            campaign: "c",
            send: "s",
            variant: Some(variant),
            locale,
            channel: &tg,
        };
        let a = tracking_token(&v1, link("a", &ar));
        assert_eq!(a.len(), TOKEN_LENGTH);
        assert_eq!(a, tracking_token(&v1, link("a", &ar)));
        assert_ne!(a, tracking_token(&v2, link("a", &ar)));
        assert_ne!(a, tracking_token(&v1, link("b", &ar)));
        assert_ne!(a, tracking_token(&v1, link("a", &en)));
        assert_ne!(a, legacy_tracking_token(link("a", &ar)));
        assert_eq!(tracking_url("http://h/", &a), format!("http://h/r/{a}"));
    }

    /// Links sent by herald builds before version pinning keep resolving: the legacy
    /// derivation is exactly the one those builds used.
    #[test]
    fn legacy_tokens_are_the_old_derivation() {
        let ar = Locale::parse("ar").unwrap();
        let tg = ChannelRef::parse("telegram:info").unwrap();
        let mut hasher = Sha256::new();
        for part in ["demo", "weekly", "a", "ar", "telegram:info"] {
            hasher.update(part.as_bytes());
            hasher.update([0u8]);
        }
        let old: String = hasher.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let link = LinkDimensions {
            campaign: "demo",
            send: "weekly",
            variant: Some("a"),
            locale: &ar,
            channel: &tg,
        };
        assert_eq!(legacy_tracking_token(link), old);
    }
}
