//! Campaign reach: what partners and people tell herald about its messages: status callbacks
//! and subscriber events through signed webhooks, and clicks through the redirector.

mod callbacks;
mod hooks;
pub mod inbound;
mod redirector;
mod registration;

pub use callbacks::{CallbackIngestor, receipt};
pub use hooks::{HookAccount, HookState, MAX_HOOK_BODY, hook_accounts, hooks_router};
pub use redirector::{ClickState, LinkIndex, click_kind, redirector_router};
pub use registration::register_webhooks;
