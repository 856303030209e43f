//! Partner platforms: what they are called, how their text looks, and one adapter per partner
//! API behind one interface that classifies every answer as published, throttled, transient,
//! permanent or unknown.

mod adapter;
mod adapter_setup;
mod credential_sources;
mod credentials;
mod endpoint;
mod facebook;
mod http_client;
pub mod oauth1;
pub mod oauth2;
mod read_error;
mod redaction;
mod sms;
mod telegram;
mod viber;
mod webhook;
mod whatsapp;
mod whatsapp_templates;
mod x;
mod x_tokens;

pub use crate::channel::{ChannelRef, ChannelRefError, Platform, TextFormat, is_simple_name};
pub use adapter::{Adapter, BatchOutcome, CONNECT_FAILED, Envelope, Publication, PublishResult};
pub use adapter_setup::{
    AccountAdapters, AdAccount, AdapterSetupError, MetricsReader, Rehearsal, build_adapters,
};
pub use credential_sources::{
    CredentialSource, CredentialState, StoredNames, credential_states, missing_required,
    stored_names, waiting_accounts,
};
pub use credentials::{
    MissingCredential, REHEARSAL_CREDENTIAL, Secret, StoredCredentials, resolve_credentials,
};
pub use http_client::partner_client;
pub use sms::{GONE_CODES as SMS_GONE_CODES, SmsAccount, SmsAdapter};
pub use telegram::{TelegramAdapter, TelegramWebhookError};
pub use viber::{MAX_BROADCAST as VIBER_MAX_BROADCAST, ViberAdapter, ViberWebhookError};
pub use webhook::{WebhookAdapter, sign_webhook};
pub use whatsapp::{
    TEMPLATE_BLOCKED_CODES, TemplateMessage, TemplateQueryError, TemplateStatus, WhatsAppAdapter,
    whatsapp_language,
};
pub use whatsapp_templates::{Sendable, WhatsAppSender};

/// Each adapter's answer classification, public so that the sandbox and tests can check the
/// exact mapping from a partner's answer to a [`PublishResult`].
pub mod classify {
    pub use super::facebook::classify as facebook;
    pub use super::sms::classify as sms;
    pub use super::telegram::classify as telegram;
    pub use super::viber::{
        classify as viber_broadcast, classify_send as viber_send, classify_webhook as viber_webhook,
    };
    pub use super::webhook::classify as webhook;
    pub use super::whatsapp::classify as whatsapp;
    pub use super::x::classify as x;
}

// Facebook Pages (with the Marketing API's audience estimate) and X.
pub use facebook::{
    AudienceEstimate, FacebookAdapter, InsightValue, META_MAX_AGE, META_MIN_AGE, Targeting,
};
pub use read_error::{ErrorClass, PlatformError};
pub use x::{MAX_IDS_PER_LOOKUP, PublicMetrics, XAdapter, XAuth, lookup_metrics};
pub use x_tokens::{
    RehearsalVault, TokenError, TokenState, TokenVault, VaultError, VaultFuture, XTokens,
};
