//! `[notifications]`: how staff are told about submissions, dead letters, unknown outcomes,
//! blocked templates, partner outages and the kill switch. The SMTP password and the webhook
//! secret are *names* of environment variables, like account credentials: the file never holds
//! a secret, so it can be shared and reviewed.

use std::time::Duration;

use super::{is_env_var_name, is_http_url};
use crate::source::diagnostic::{Diagnostics, SourceFile};
use crate::source::toml_reader::TableReader;

/// How long events wait to be batched into one digest, unless the configuration says.
pub const DEFAULT_DIGEST_MINUTES: i64 = 15;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationConfig {
    /// How long a user's events are gathered before their digest goes (urgent kinds go at
    /// once).
    pub digest_interval: Duration,
    /// The `From` of every e-mail.
    pub from: Option<String>,
    pub smtp: Option<SmtpConfig>,
    pub webhook: Option<NotifyWebhookConfig>,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// STARTTLS is required: the password and the messages never cross the network in clear.
    StartTls,
    /// No TLS: only for a relay on the same host or a private network (and for tests).
    Plain,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    /// The environment variable that holds the password.
    pub password_variable: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyWebhookConfig {
    pub url: String,
    /// The environment variable that holds the signing secret.
    pub secret_variable: String,
}

pub(super) fn parse_notifications(
    file: &SourceFile,
    table: &toml::de::DeTable<'_>,
    span: std::ops::Range<usize>,
    diags: &mut Diagnostics,
) -> NotificationConfig {
    let reader = TableReader::new(
        file,
        table,
        span,
        "[notifications]",
        &["digest_minutes", "from", "smtp", "webhook"],
        diags,
    );
    let mut config = NotificationConfig {
        digest_interval: Duration::from_secs(DEFAULT_DIGEST_MINUTES as u64 * 60),
        from: None,
        smtp: None,
        webhook: None,
    };
    if let Some(minutes) = reader.opt_int("digest_minutes", diags) {
        match u64::try_from(minutes.value) {
            Ok(value) if (1..=1440).contains(&value) => {
                config.digest_interval = Duration::from_secs(value * 60)
            }
            _ => diags.error(
                file,
                minutes.span,
                "`digest_minutes` must be a whole number of minutes from 1 to 1440",
            ),
        }
    }
    if let Some(from) = reader.opt_str("from", diags) {
        if is_mailbox(&from.value) {
            config.from = Some(from.value);
        } else {
            diags.error(
                file,
                from.span,
                "`from` must be an e-mail address such as herald@example.org",
            );
        }
    }
    if let Some((smtp, span)) = reader.opt_table("smtp", diags) {
        config.smtp = parse_smtp(file, smtp, span, diags);
        if config.from.is_none() {
            diags.error(
                file,
                reader.span_of("smtp"),
                "`[notifications]` needs `from` to send e-mail",
            );
        }
    }
    if let Some((webhook, span)) = reader.opt_table("webhook", diags) {
        config.webhook = parse_webhook(file, webhook, span, diags);
    }
    config
}

fn parse_smtp(
    file: &SourceFile,
    table: &toml::de::DeTable<'_>,
    span: std::ops::Range<usize>,
    diags: &mut Diagnostics,
) -> Option<SmtpConfig> {
    let reader = TableReader::new(
        file,
        table,
        span,
        "`smtp`",
        &["host", "port", "security", "username", "password"],
        diags,
    );
    let host = reader.req_str("host", diags)?;
    if host.value.is_empty() || host.value.contains(|c: char| c.is_whitespace() || c == '/') {
        diags.error(file, host.span, "`host` must be a host name or address");
        return None;
    }
    let mut security = SmtpSecurity::StartTls;
    if let Some(value) = reader.opt_str("security", diags) {
        security = match value.value.as_str() {
            "starttls" => SmtpSecurity::StartTls,
            "none" => SmtpSecurity::Plain,
            _ => {
                diags.error(
                    file,
                    value.span,
                    "`security` must be \"starttls\" or \"none\"",
                );
                return None;
            }
        };
    }
    let port = match reader.opt_int("port", diags) {
        None => 587,
        Some(port) => match u16::try_from(port.value) {
            Ok(value) if value > 0 => value,
            _ => {
                diags.error(file, port.span, "`port` must be from 1 to 65535");
                return None;
            }
        },
    };
    let username = reader.opt_str("username", diags).map(|u| u.value);
    let mut password_variable = None;
    if let Some(password) = reader.opt_str("password", diags) {
        if !is_env_var_name(&password.value) {
            // The value may be a pasted password: never echo it back.
            diags.error(
                file,
                password.span,
                "`password` must name an environment variable (for example HERALD_SMTP_PASSWORD), not hold the password itself",
            );
            return None;
        }
        password_variable = Some(password.value);
    }
    if username.is_some() != password_variable.is_some() {
        diags.error(
            file,
            reader.span(),
            "`smtp` needs both `username` and `password`, or neither",
        );
        return None;
    }
    Some(SmtpConfig {
        host: host.value,
        port,
        security,
        username,
        password_variable,
    })
}

fn parse_webhook(
    file: &SourceFile,
    table: &toml::de::DeTable<'_>,
    span: std::ops::Range<usize>,
    diags: &mut Diagnostics,
) -> Option<NotifyWebhookConfig> {
    let reader = TableReader::new(file, table, span, "`webhook`", &["url", "secret"], diags);
    let url = reader.req_str("url", diags)?;
    if !is_http_url(&url.value) {
        diags.error(file, url.span, "`url` must be an http:// or https:// URL");
        return None;
    }
    let secret = reader.req_str("secret", diags)?;
    if !is_env_var_name(&secret.value) {
        diags.error(
            file,
            secret.span,
            "`secret` must name an environment variable (for example HERALD_NOTIFY_WEBHOOK_SECRET), not hold the secret itself",
        );
        return None;
    }
    Some(NotifyWebhookConfig {
        url: url.value,
        secret_variable: secret.value,
    })
}

/// A plain `local@domain` address: no display name, no spaces, no line breaks (which could
/// add headers), at most 254 characters. Shared with the preferences users set.
pub fn is_mailbox(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    address.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && address
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | ',' | ';' | '\\'))
        && !domain.contains('@')
}
