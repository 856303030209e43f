//! The built-in partner sandbox: one axum app that answers at the real platforms' paths
//! (`/bot{token}/sendMessage`, `/webhook/{name}`, ...) with their wire formats, so that a
//! channel account's base URL is the only difference between a rehearsal and the real thing.
//!
//! Limits are on by default, because code that only ever meets an unlimited fake will be
//! throttled for the first time in production. Faults (429 storms, 5xx bursts, slow answers,
//! dropped connections) are off by default and switched on per test or rehearsal, from a seed,
//! so a failing run can be replayed. Everything the sandbox receives is recorded, accepted or
//! not, so tests can assert on what a partner would have seen.
//!
//! Time comes from a [`Clock`]: on a simulated clock, rate windows and signature freshness
//! follow simulated time, so a test can jump a minute ahead instead of waiting for it.

mod connection;
mod control;
mod faults;
mod limits;
mod record;
mod reply;
mod server;
mod signature;
mod telegram;
mod telegram_html;
mod webhook;
// Facebook Pages, the Marketing API's audience estimate, and X.
mod engagement;
mod facebook;
mod facebook_estimate;
mod http_parts;
mod x;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

use crate::clock::Clock;

pub use faults::FaultConfig;
pub use limits::SandboxLimits;
pub use record::{Received, ReceivedCounts};
pub use server::RunningSandbox;
pub use signature::webhook_signature;

use faults::FaultDice;
use limits::RateLimiter;
use record::Record;

/// Largest request body the sandbox reads; bigger bodies are answered with 413, as real
/// partners refuse oversized payloads instead of buffering them.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How the sandbox behaves: which limits it enforces, which faults it injects, and which
/// credentials it checks. Everything else is accepted, as a sandbox should not need real
/// secrets.
#[derive(Clone)]
pub struct SandboxConfig {
    pub limits: SandboxLimits,
    pub faults: FaultConfig,
    /// Secret that webhook receivers verify signatures with (per endpoint name; missing name =>
    /// the default secret).
    pub webhook_secrets: BTreeMap<String, String>,
    /// The secret for webhook endpoints not named in `webhook_secrets`.
    pub default_webhook_secret: String,
    /// Telegram chat ids that have "blocked the bot" (answer 403), so that the handling of
    /// subscribers who left can be exercised.
    pub blocked_chats: BTreeSet<String>,
    /// Keep every request for [`Sandbox::received`] (the default), or only count them, so a
    /// benchmark or a long soak does not grow without bound.
    pub keep_record: bool,
}

impl Default for SandboxConfig {
    /// Limits on, faults off, every webhook endpoint signed with the rehearsal credential
    /// (`"sandbox"`), which a rehearsing worker uses for every credential.
    fn default() -> Self {
        SandboxConfig {
            limits: SandboxLimits::default(),
            faults: FaultConfig::default(),
            webhook_secrets: BTreeMap::new(),
            default_webhook_secret: crate::platforms::REHEARSAL_CREDENTIAL.to_string(),
            blocked_chats: BTreeSet::new(),
            keep_record: true,
        }
    }
}

/// Secrets are never printed, not even the sandbox's.
impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("limits", &self.limits)
            .field("faults", &self.faults)
            .field(
                "webhook_secrets",
                &self.webhook_secrets.keys().collect::<Vec<_>>(),
            )
            .field("default_webhook_secret", &"<redacted>")
            .field("blocked_chats", &self.blocked_chats)
            .finish()
    }
}

impl SandboxConfig {
    /// The secret webhook endpoint `name` verifies signatures with.
    fn webhook_secret(&self, name: &str) -> &str {
        self.webhook_secrets
            .get(name)
            .unwrap_or(&self.default_webhook_secret)
    }
}

/// The emulated partners. Clones share one state, so a test can keep a handle while the
/// server runs, read what was received and change faults or limits between steps.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Arc<dyn Clock>,
    state: Mutex<SandboxState>,
}

/// Everything that changes while the sandbox runs, behind one lock so that a request's checks,
/// its rate-window update and its record entry happen as one step.
struct SandboxState {
    config: SandboxConfig,
    dice: FaultDice,
    limiter: RateLimiter,
    record: Record,
    /// Last Telegram message id per chat; ids keep increasing across `clear`, as real ones do.
    telegram_message_ids: HashMap<String, i64>,
    /// Last webhook delivery number.
    webhook_deliveries: u64,
    /// Delivered Idempotency-Keys per (endpoint, key) with the delivery id first given.
    idempotency: HashMap<(String, String), String>,
    // Facebook Pages and X.
    /// The seed of simulated engagement, fixed when the sandbox starts (the fault seed then),
    /// so changing faults later does not change the numbers of posts already made.
    engagement_seed: u64,
    facebook: facebook::FacebookState,
    x: x::XState,
}

impl Sandbox {
    /// A sandbox with `config`, reading time from `clock`.
    pub fn new(config: SandboxConfig, clock: Arc<dyn Clock>) -> Sandbox {
        let record = if config.keep_record {
            Record::default()
        } else {
            Record::counting_only()
        };
        let dice = FaultDice::new(config.faults.seed);
        let engagement_seed = config.faults.seed;
        Sandbox {
            inner: Arc::new(Inner {
                clock,
                state: Mutex::new(SandboxState {
                    config,
                    dice,
                    limiter: RateLimiter::default(),
                    record,
                    telegram_message_ids: HashMap::new(),
                    webhook_deliveries: 0,
                    idempotency: HashMap::new(),
                    engagement_seed,
                    facebook: facebook::FacebookState::default(),
                    x: x::XState::default(),
                }),
            }),
        }
    }

    /// The emulated partner APIs plus the `/sandbox/...` control routes, for serving on any
    /// listener. Prefer [`Sandbox::start`]: only there can the drop fault really close the
    /// connection (see [`FaultConfig::rate_drop`]).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/{bot_token}/sendMessage", post(telegram::send_message))
            .route("/webhook/{name}", post(webhook::receive))
            // Facebook Pages, the Marketing API's audience estimate, and X.
            .route("/{version}/{page_id}/feed", post(facebook::feed))
            .route("/{version}/{object_id}/insights", get(facebook::insights))
            .route(
                "/{version}/{ad_account}/delivery_estimate",
                get(facebook_estimate::delivery_estimate),
            )
            .route("/2/tweets", post(x::create_tweet).get(x::lookup_tweets))
            .route(
                "/sandbox/received",
                get(control::received).delete(control::clear),
            )
            .route("/sandbox/faults", put(control::set_faults))
            .route("/sandbox/limits", put(control::set_limits))
            .fallback(telegram::not_found)
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(self.clone())
    }

    /// Everything received, accepted or not, in arrival order.
    /// How many requests arrived and how many were new deliveries (kept even when entries
    /// are not).
    pub fn counts(&self) -> ReceivedCounts {
        self.state().record.counts()
    }

    pub fn received(&self) -> Vec<Received> {
        self.state().record.all()
    }

    /// Only the messages a partner would have delivered: accepted, and not a repeat of an
    /// Idempotency-Key already delivered.
    pub fn delivered(&self) -> Vec<Received> {
        self.state().record.filtered(None, Some(true))
    }

    /// Forgets all traffic: the record, rate windows and remembered Idempotency-Keys, so a
    /// test step starts from a quiet partner. Configuration stays, and platform ids keep
    /// increasing so that no id is ever given twice. Facebook and X forget which texts were
    /// posted (the duplicate check) but keep their posts, whose insights and metrics stay
    /// readable.
    pub fn clear(&self) {
        let mut state = self.state();
        state.record.clear();
        state.limiter = RateLimiter::default();
        state.idempotency.clear();
        state.facebook.forget_traffic();
        state.x.forget_traffic();
    }

    /// Replaces the injected faults; the pseudo-random sequence restarts from their seed.
    pub fn set_faults(&self, faults: FaultConfig) {
        let mut state = self.state();
        state.dice = FaultDice::new(faults.seed);
        state.config.faults = faults;
    }

    /// Replaces the enforced limits; messages already accepted still count in their windows.
    pub fn set_limits(&self, limits: SandboxLimits) {
        self.state().config.limits = limits;
    }

    fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }

    /// The shared state. A panic while holding the lock cannot leave it half-updated in a way
    /// that matters to a fake, so a poisoned lock is used as is.
    fn state(&self) -> MutexGuard<'_, SandboxState> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Decides whether this request is delayed by the slow fault, and by how much.
    fn roll_slow(&self) -> Option<std::time::Duration> {
        let mut state = self.state();
        let faults = state.config.faults.clone();
        state.dice.roll_slow(&faults)
    }
}
