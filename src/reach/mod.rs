//! Campaign reach: what partners and people tell herald about its messages: status callbacks
//! and subscriber events through signed webhooks, and clicks through the redirector.

mod callbacks;
mod redirector;

pub use callbacks::{CallbackIngestor, receipt};

pub use redirector::{ClickState, LinkIndex, click_kind, redirector_router};
