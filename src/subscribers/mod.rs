//! People who opted in to a messaging channel (a Telegram bot, a WhatsApp number, a Viber
//! bot). They join by writing to the bot, choose their language and group in its menu or by
//! the link they came through, and leave by writing STOP, unsubscribing or blocking the bot:
//! leaving takes effect at once and erases their identifier. Identifiers are sealed at rest
//! and found by a keyed hash; nothing but counts per segment and locale ever leaves.

mod consent;
mod vault;

pub use consent::{Consent, ConsentChange, EventOrder, locale_for};
pub use vault::{SubscriberVault, VaultError};
