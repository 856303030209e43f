//! Campaign reach: what partners and people tell herald about its messages. For now the click
//! redirector; delivery callbacks and insights polling join it.

pub mod inbound;
mod redirector;

pub use redirector::{ClickState, LinkIndex, click_kind, redirector_router};
