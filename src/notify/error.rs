//! What can go wrong with notifications: at start (a secret missing) and per digest (a
//! channel that refused it). Neither message ever contains a secret.

/// A notification setting that cannot be used; reported once, at start.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("[notifications] {what}: environment variable {variable} is not set")]
    MissingSecret {
        what: &'static str,
        variable: String,
    },
    #[error("[notifications] smtp: {0}")]
    Smtp(String),
    #[error("[notifications] the HTTP client for the webhook: {0}")]
    Http(#[from] reqwest::Error),
}

/// Why one digest could not be sent this time.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the SMTP server did not accept the message: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the message could not be built: {0}")]
    Message(#[from] lettre::error::Error),
    #[error("the e-mail address is not usable: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("the webhook could not be reached: {0}")]
    Webhook(#[from] reqwest::Error),
    #[error("the webhook answered HTTP {0}")]
    WebhookStatus(u16),
    #[error("the user chose e-mail but set no address")]
    NoAddress,
    #[error("{0} is not configured in [notifications]")]
    NotConfigured(&'static str),
}
