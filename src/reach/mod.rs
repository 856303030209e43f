//! Campaign reach: what partners and people tell herald about its messages: status callbacks
//! and subscriber events through signed webhooks, clicks through the redirector, post metrics
//! read back per reporting window, and audience estimates taken at launch.

mod callbacks;
mod click_tally;
mod estimates;
mod hooks;
pub mod inbound;
mod insight_windows;
mod insights;
mod link_index;
mod live_hook_accounts;
mod redirector;
mod registration;
mod repeat_clicks;

pub use callbacks::{CallbackIngestor, IngestError, receipt};
pub use click_tally::{ClickTally, FLUSH_EVERY as CLICK_FLUSH_EVERY};
pub use estimates::{AudienceEstimator, EstimateReport, EstimateSource, targeting_for};
pub use hooks::{HookAccount, HookState, MAX_HOOK_BODY, hook_accounts, hooks_router};
pub use insight_windows::{
    InsightWindow, WindowRead, campaign_end, schedule as insight_schedule, window_read_at,
};
pub use insights::{
    FACEBOOK_METRICS, InsightPoller, InsightSource, PollReport, X_API_VERSION, poll_for_post,
};
pub use link_index::{LinkIndex, LinkTarget};
pub use live_hook_accounts::{HookAccounts, LiveHookAccounts};
pub use redirector::{ClickState, click_kind, redirector_router};
pub use registration::register_webhooks;
pub use repeat_clicks::{REPEAT_WINDOW, RepeatClicks};
