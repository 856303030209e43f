//! Partner platforms: what they are called, how their text looks, and one adapter per partner
//! API behind one interface that classifies every answer as published, throttled, transient,
//! permanent or unknown.

mod adapter;
mod credentials;
mod platform;
mod telegram;
mod webhook;

pub use adapter::{Adapter, BatchOutcome, Publication, PublishResult};
pub use credentials::{REHEARSAL_CREDENTIAL, Secret, StoredCredentials, resolve_credentials};
pub use platform::{ChannelRef, Platform, TextFormat, is_simple_name};
pub use telegram::TelegramAdapter;
pub use webhook::{WebhookAdapter, sign_webhook};
