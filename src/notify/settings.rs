//! The notifier's settings, resolved once at start from `[notifications]` and the
//! environment: a missing password or secret stops the start with the variable's name, never a
//! digest later. Secrets are held as [`Secret`], whose `Debug` shows `***`.

use std::time::Duration;

use crate::config::{Config, SmtpSecurity};
use crate::platforms::Secret;

use super::NotifyError;

/// How often a notifier looks for events to gather and digests to send.
const TICK: Duration = Duration::from_secs(15);
/// The first retry of a failed digest, doubled per failure up to [`RETRY_MAX`].
const RETRY_BASE: Duration = Duration::from_secs(30);
const RETRY_MAX: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone)]
pub struct NotifierSettings {
    pub digest_interval: Duration,
    /// Where links in digests point (`public_url`, which also serves `/ui`).
    pub public_url: String,
    pub email: Option<EmailSettings>,
    pub webhook: Option<WebhookSettings>,
    pub tick: Duration,
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// How long a sender holds a digest before another may try it.
    pub lease: Duration,
    /// How long events and sent digests are kept (`retention_days`).
    pub retention: Duration,
}

#[derive(Debug, Clone)]
pub struct EmailSettings {
    pub from: String,
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, Secret)>,
    /// How long one SMTP conversation may take.
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub url: String,
    pub secret: Secret,
}

impl NotifierSettings {
    /// The settings for this configuration, reading secrets through `env` (the process's
    /// environment, or a test's map); `None` when there is no `[notifications]`.
    pub fn resolve(
        config: &Config,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<NotifierSettings>, NotifyError> {
        let Some(notifications) = &config.notifications else {
            return Ok(None);
        };
        let secret = |what: &'static str, variable: &str| {
            env(variable)
                .filter(|value| !value.is_empty())
                .map(Secret::new)
                .ok_or_else(|| NotifyError::MissingSecret {
                    what,
                    variable: variable.to_string(),
                })
        };
        let email = match (&notifications.smtp, &notifications.from) {
            (Some(smtp), Some(from)) => Some(EmailSettings {
                from: from.clone(),
                host: smtp.host.clone(),
                port: smtp.port,
                security: smtp.security,
                credentials: match (&smtp.username, &smtp.password_variable) {
                    (Some(user), Some(variable)) => {
                        Some((user.clone(), secret("smtp password", variable)?))
                    }
                    _ => None,
                },
                timeout: Duration::from_secs(30),
            }),
            _ => None,
        };
        let webhook = match &notifications.webhook {
            Some(hook) => Some(WebhookSettings {
                url: hook.url.clone(),
                secret: secret("webhook secret", &hook.secret_variable)?,
            }),
            None => None,
        };
        Ok(Some(NotifierSettings {
            digest_interval: notifications.digest_interval,
            public_url: config.public_url.clone(),
            email,
            webhook,
            tick: TICK,
            retry_base: RETRY_BASE,
            retry_max: RETRY_MAX,
            lease: Duration::from_secs(120),
            retention: Duration::from_secs(u64::from(config.retention_days) * 86_400),
        }))
    }
}
