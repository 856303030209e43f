//! The partner platforms herald can publish to, and the channel references (`platform:account`)
//! that campaign files use to name a configured account without ever seeing its secrets. These
//! names are the vocabulary the campaign model, the configuration and the adapters share; they
//! live below all three and import nothing, so none of those has to import another to name a
//! channel.

use std::fmt;

/// A partner platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Platform {
    Telegram,
    WhatsApp,
    Viber,
    Facebook,
    /// Meta's Marketing API (paid ads on Facebook and Instagram).
    MetaAds,
    X,
    /// SMS through Twilio's Programmable Messaging API, to subscribers' phone numbers.
    Sms,
    /// A generic signed webhook to any other partner (other SMS gateways, partner tools).
    Webhook,
}

/// A platform's second set of credentials (see [`Platform::alternative_credentials`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlternativeCredentials {
    /// What an account using this set needs; naming the first chooses the set.
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
}

/// Credentials that herald itself replaces as the partner rotates them: never read from an
/// environment variable (which would go stale at the first rotation), only stored, so they
/// are set through the API (`PUT /api/v1/accounts/{channel}/credentials/{name}`) and kept sealed.
pub const ROTATED_CREDENTIALS: &[&str] = &["refresh_token"];

/// How a platform interprets the text it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Telegram's HTML subset: text must be HTML-escaped, a few tags are allowed.
    Html,
    /// Plain text shown as is.
    Plain,
}

impl Platform {
    pub const ALL: [Platform; 8] = [
        Platform::Telegram,
        Platform::WhatsApp,
        Platform::Viber,
        Platform::Facebook,
        Platform::MetaAds,
        Platform::X,
        Platform::Sms,
        Platform::Webhook,
    ];

    /// The name used in channel references, configuration and layout file names.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Telegram => "telegram",
            Platform::WhatsApp => "whatsapp",
            Platform::Viber => "viber",
            Platform::Facebook => "facebook",
            Platform::MetaAds => "meta_ads",
            Platform::X => "x",
            Platform::Sms => "sms",
            Platform::Webhook => "webhook",
        }
    }

    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn text_format(self) -> TextFormat {
        match self {
            Platform::Telegram => TextFormat::Html,
            _ => TextFormat::Plain,
        }
    }

    /// Whether sending on this platform buys paid reach (an ad), which Meta refuses for
    /// social-issue content aimed at people in the EU since October 2025.
    pub fn is_paid_meta_ads(self) -> bool {
        self == Platform::MetaAds
    }

    /// The credential keys an account on this platform must name (environment variables).
    pub fn credential_keys(self) -> &'static [&'static str] {
        match self {
            Platform::Telegram => &["token"],
            Platform::WhatsApp => &["token", "phone_number_id", "waba_id"],
            Platform::Viber => &["token"],
            Platform::Facebook => &["page_token", "page_id"],
            Platform::MetaAds => &["token", "ad_account_id"],
            // OAuth 1.0a user context: X refuses to post with an app-only bearer token.
            Platform::X => &[
                "consumer_key",
                "consumer_secret",
                "access_token",
                "access_token_secret",
            ],
            // Twilio's account SID names the account in every path; its auth token is the
            // password of HTTP Basic auth and the key that signs Twilio's webhooks.
            Platform::Sms => &["account_sid", "auth_token"],
            Platform::Webhook => &["secret"],
        }
    }
}

impl Platform {
    /// Credential keys an account may name: those that receive partners' webhooks (signing
    /// secrets, verify tokens) and the ad account that audience estimates are asked of.
    pub fn optional_credential_keys(self) -> &'static [&'static str] {
        match self {
            Platform::Telegram => &["webhook_secret"],
            Platform::WhatsApp => &["app_secret", "verify_token"],
            Platform::Facebook => &["app_secret", "verify_token", "ad_account_id"],
            _ => &[],
        }
    }

    /// Every credential an account of this platform can use: those it needs to send, then the
    /// optional ones. These, and only these, can be stored through the API.
    pub fn usable_credential_keys(self) -> impl Iterator<Item = &'static str> {
        self.credential_keys()
            .iter()
            .chain(self.optional_credential_keys())
            .copied()
    }

    /// The other way an account of this platform can authenticate, when it names the first of
    /// `required` in its credentials: the keys it then needs, and those it may also name. X
    /// accounts use OAuth 1.0a ([`Platform::credential_keys`]) or OAuth 2.0 with a refresh
    /// token, whose access tokens expire and are refreshed by herald.
    pub fn alternative_credentials(self) -> Option<AlternativeCredentials> {
        match self {
            Platform::X => Some(AlternativeCredentials {
                required: &["client_id", "refresh_token"],
                optional: &["client_secret"],
            }),
            _ => None,
        }
    }

    /// Credential keys this platform's accounts once named and no longer may, each with what to
    /// set instead: `herald validate` says so rather than calling the key unknown.
    pub fn retired_credential_keys(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Platform::X => &[(
                "bearer_token",
                "an app-only bearer token cannot post on X (403 Unsupported Authentication); \
                 name consumer_key, consumer_secret, access_token and access_token_secret \
                 instead (OAuth 1.0a user context: the app's API key and secret, and the \
                 posting user's access token and secret), or client_id (with client_secret \
                 for a confidential client) and a stored refresh_token (OAuth 2.0 user context)",
            )],
            _ => &[],
        }
    }

    /// Whether this platform reaches people one by one (subscribers who opted in) rather than
    /// through a public post, by default.
    pub fn messages_subscribers(self) -> bool {
        matches!(self, Platform::WhatsApp | Platform::Viber | Platform::Sms)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why text is not a [`ChannelRef`], in words an author can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelRefError {
    #[error("channel `{text}` must be written `platform:account`, for example `telegram:nl-info`")]
    NoSeparator { text: String },
    #[error(
        "unknown platform `{platform}` in channel `{text}`; known platforms: {}",
        Platform::ALL.map(Platform::name).join(", ")
    )]
    UnknownPlatform { platform: String, text: String },
    #[error(
        "account name `{account}` in channel `{text}` may use only letters, digits, `-` and `_`"
    )]
    BadAccount { account: String, text: String },
}

/// `platform:account`, as written in a send's `channels`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChannelRef {
    pub platform: Platform,
    pub account: String,
}

impl ChannelRef {
    pub fn parse(text: &str) -> Result<ChannelRef, ChannelRefError> {
        let Some((platform, account)) = text.split_once(':') else {
            return Err(ChannelRefError::NoSeparator {
                text: text.to_string(),
            });
        };
        let platform =
            Platform::from_name(platform).ok_or_else(|| ChannelRefError::UnknownPlatform {
                platform: platform.to_string(),
                text: text.to_string(),
            })?;
        if account.is_empty() || !is_simple_name(account) {
            return Err(ChannelRefError::BadAccount {
                account: account.to_string(),
                text: text.to_string(),
            });
        }
        Ok(ChannelRef {
            platform,
            account: account.to_string(),
        })
    }
}

impl fmt::Display for ChannelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.account)
    }
}

/// Letters, digits, `-` and `_`: safe in file names, URLs and keys.
pub fn is_simple_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The WhatsApp Cloud API's error codes that say a message template cannot be used as it
/// stands (see `platforms::whatsapp`): what makes a dead letter a blocked template, for the
/// metrics and for the schedulers' notifications alike.
pub const WHATSAPP_TEMPLATE_BLOCKED_CODES: [&str; 7] = [
    "132000", "132001", "132005", "132007", "132012", "132015", "132016",
];

/// Whether a job dead on `channel` (`platform:account`) with `code` means its WhatsApp
/// template is blocked.
pub fn is_template_blocked(channel: &str, code: &str) -> bool {
    channel.starts_with("whatsapp:") && WHATSAPP_TEMPLATE_BLOCKED_CODES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_channel_references() {
        let channel = ChannelRef::parse("whatsapp:nl-optin").unwrap();
        assert_eq!(channel.platform, Platform::WhatsApp);
        assert_eq!(channel.to_string(), "whatsapp:nl-optin");
        assert_eq!(
            ChannelRef::parse("telegram").unwrap_err().to_string(),
            "channel `telegram` must be written `platform:account`, for example `telegram:nl-info`"
        );
        assert!(
            ChannelRef::parse("myspace:x")
                .unwrap_err()
                .to_string()
                .starts_with(
                    "unknown platform `myspace` in channel `myspace:x`; known platforms: telegram, "
                )
        );
        assert_eq!(
            ChannelRef::parse("telegram:a b").unwrap_err().to_string(),
            "account name `a b` in channel `telegram:a b` may use only letters, digits, `-` and `_`"
        );
    }
}
