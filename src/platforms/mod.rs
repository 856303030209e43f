//! Partner platforms: what they are called, how their text looks, and one adapter per partner
//! API behind one interface that classifies every answer as published, throttled, transient,
//! permanent or unknown.

mod adapter;
mod credentials;
mod endpoint;
mod facebook;
mod platform;
mod read_error;
mod telegram;
mod webhook;
mod x;

pub use adapter::{Adapter, BatchOutcome, Publication, PublishResult};
pub use credentials::{REHEARSAL_CREDENTIAL, Secret, StoredCredentials, resolve_credentials};
pub use platform::{ChannelRef, Platform, TextFormat, is_simple_name};
pub use telegram::TelegramAdapter;
pub use webhook::{WebhookAdapter, sign_webhook};
// Facebook Pages (with the Marketing API's audience estimate) and X.
pub use facebook::{
    AudienceEstimate, FacebookAdapter, InsightValue, META_MAX_AGE, META_MIN_AGE, Targeting,
};
pub use read_error::{ErrorClass, PlatformError};
pub use x::{MAX_IDS_PER_LOOKUP, PublicMetrics, XAdapter};
