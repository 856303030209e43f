//! The built-in partner sandbox: one axum app that answers at the real platforms' paths
//! (`/bot{token}/sendMessage`, `/v{N}/{phone_number_id}/messages`, `/pa/broadcast_message`,
//! `/2010-04-01/Accounts/{sid}/Messages.json`, `/webhook/{name}`, ...) with their wire formats, so that a channel account's base URL is the
//! only difference between a rehearsal and the real thing.
//!
//! Limits are on by default, because code that only ever meets an unlimited fake will be
//! throttled for the first time in production. Faults (429 storms, 5xx bursts, slow answers,
//! dropped connections) are off by default and switched on per test or rehearsal, from a seed,
//! so a failing run can be replayed. Everything the sandbox receives is recorded, accepted or
//! not, so tests can assert on what a partner would have seen; a long run can instead keep
//! only counts, and a tally per group of recipients that does not grow with the traffic
//! ([`TallyConfig`]), and the injected faults are counted by kind ([`FaultCounts`]).
//!
//! Like the real platforms, it also talks back: it sends signed status callbacks (WhatsApp
//! `sent`/`delivered`/`read`, Viber `delivered`/`seen`, Twilio SMS `sent`/`delivered`) to the URL registered for an account,
//! and can play people subscribing, writing, unsubscribing or blocking the bot
//! ([`Sandbox::simulate_person`]), so the whole consent loop runs locally.
//!
//! Time comes from a [`Clock`]: on a simulated clock, rate windows and signature freshness
//! follow simulated time, so a test can jump a minute ahead instead of waiting for it.

mod callbacks;
mod connection;
mod control;
mod faults;
mod graph_auth;
mod limits;
mod not_found;
mod people;
mod record;
mod reply;
mod server;
mod signature;
mod sms;
mod sms_people;
mod tally;
mod telegram;
mod telegram_chat;
mod telegram_entities;
mod telegram_html;
mod telegram_request;
mod telegram_send;
mod viber;
mod viber_account;
mod webhook;
mod whatsapp;
mod whatsapp_templates;
mod whatsapp_webhook;
// Facebook Pages, the Marketing API's audience estimate, and X.
mod engagement;
mod facebook;
mod facebook_estimate;
mod http_parts;
mod x;
mod x_auth;
mod x_lookup;
mod x_oauth2;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

use crate::clock::Clock;

pub use callbacks::{CALLBACK_CONCURRENCY, CALLBACK_TRIES, CallbackCounts, PostError};
pub use faults::{FaultConfig, FaultCounts};
pub use limits::SandboxLimits;
pub use people::{PersonAction, PersonError, PersonEvent};
pub use record::{Received, ReceivedCounts};
pub use server::RunningSandbox;
pub use signature::{meta_signature, twilio_signature, viber_signature, webhook_signature};
pub use tally::{StatusTally, TallyConfig, TallyCounts, TallyKey};
pub use whatsapp_webhook::business_scoped_user_id;

use callbacks::Callbacks;
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
    /// Also tally what arrives per platform, account and group of recipients, in memory that
    /// grows with the audience but not with the traffic ([`Sandbox::tally`]): with
    /// `keep_record` off, a long run can still be compared exactly with herald's counts.
    /// Off by default.
    pub tally: Option<TallyConfig>,
    /// Review status of WhatsApp message templates by `"name:language"`, or by `"name"` for
    /// every language: `APPROVED`, `PENDING`, `REJECTED` or `PAUSED`. Templates not listed are
    /// approved, so a rehearsal needs no setup; listing one exercises Meta's refusal (132001).
    pub whatsapp_templates: BTreeMap<String, String>,
    /// WhatsApp numbers and Viber user ids that accept a send (as the real APIs do) but whose
    /// status callback then says `failed` ("Message undeliverable").
    pub undeliverable: BTreeSet<String>,
    /// Viber user ids that are not (or no longer) subscribed to the bot: they land in a
    /// broadcast's `failed_list` and a `send_message` to them answers status 6.
    pub viber_unsubscribed: BTreeSet<String>,
    /// Phone numbers that replied STOP to the Twilio account: a message to them is refused
    /// with error 21610, as Twilio refuses it.
    pub sms_opted_out: BTreeSet<String>,
    /// Share (0 to 1) of delivered WhatsApp and Viber messages that are later read (`read` /
    /// `seen` callbacks), drawn from the fault seed so that runs repeat.
    pub read_rate: f64,
    /// Most WhatsApp statuses sent in one callback POST (Meta batches them under load); 1 sends
    /// each status alone.
    pub callback_batch: usize,
    /// The Meta app secret that WhatsApp callbacks are signed with (`X-Hub-Signature-256`).
    pub meta_app_secret: String,
    /// The placeholder a rehearsing herald sends for every credential, identifiers such as
    /// an ad account included: the sandbox accepts it where it would expect an id.
    pub rehearsal_credential: String,
    /// How long the X access tokens issued by `POST /2/oauth2/token` last (X's two hours by
    /// default); a test shortens it to see tokens expire in the middle of a campaign.
    pub x_access_token_lifetime: std::time::Duration,
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
            tally: None,
            whatsapp_templates: BTreeMap::new(),
            undeliverable: BTreeSet::new(),
            viber_unsubscribed: BTreeSet::new(),
            sms_opted_out: BTreeSet::new(),
            read_rate: 0.5,
            callback_batch: 1,
            meta_app_secret: crate::platforms::REHEARSAL_CREDENTIAL.to_string(),
            rehearsal_credential: crate::platforms::REHEARSAL_CREDENTIAL.to_string(),
            x_access_token_lifetime: std::time::Duration::from_secs(7200),
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
            .field("keep_record", &self.keep_record)
            .field("tally", &self.tally)
            .field("whatsapp_templates", &self.whatsapp_templates)
            .field("undeliverable", &self.undeliverable.len())
            .field("viber_unsubscribed", &self.viber_unsubscribed.len())
            .field("sms_opted_out", &self.sms_opted_out.len())
            .field("read_rate", &self.read_rate)
            .field("callback_batch", &self.callback_batch)
            .field("meta_app_secret", &"<redacted>")
            .field("rehearsal_credential", &"<redacted>")
            .field("x_access_token_lifetime", &self.x_access_token_lifetime)
            .finish()
    }
}

impl SandboxConfig {
    /// The defaults, with `credential` (a rehearsal's own random secret) in place of the
    /// public placeholder everywhere the sandbox signs or checks: callbacks it sends are
    /// signed with it, and webhook receivers verify with it.
    pub fn rehearsing_with(credential: &str) -> SandboxConfig {
        SandboxConfig {
            default_webhook_secret: credential.to_string(),
            meta_app_secret: credential.to_string(),
            rehearsal_credential: credential.to_string(),
            ..SandboxConfig::default()
        }
    }

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
    /// Status callbacks waiting to be sent, and where to send them. Its own locks: the
    /// callback workers never take the state lock while holding one of them.
    callbacks: Callbacks,
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
    /// The Telegram channels addressed by `@name` so far, by the numeric id each answered.
    telegram_channels: telegram_chat::KnownChannels,
    /// Last webhook delivery number.
    webhook_deliveries: u64,
    /// Delivered Idempotency-Keys per (endpoint, key) with the delivery id first given.
    idempotency: HashMap<(String, String), String>,
    /// Decides which delivered messages are read; separate from `dice` so that reads do not
    /// shift the fault sequence.
    read_dice: FaultDice,
    /// Differs between sandbox instances, so ids given before a restart are not given again.
    instance: u32,
    /// Last number used in a WhatsApp `wamid` (sent or received).
    whatsapp_messages: u64,
    /// Last Viber `message_token` counter.
    viber_messages: i64,
    /// Last Twilio message SID counter (sent and received).
    sms_messages: u64,
    /// Last Telegram `update_id`. Starts from a number of this instance's, as Telegram's start
    /// from one of the bot's: herald remembers update ids to ignore repeats, so a restarted
    /// sandbox must not give the same ones again.
    telegram_updates: i64,
    /// Last Graph API `fbtrace_id` counter.
    graph_traces: u64,
    /// When each (phone number id, person) last wrote, which opens WhatsApp's 24-hour window
    /// for free-form text.
    whatsapp_windows: HashMap<(String, String), chrono::DateTime<chrono::Utc>>,
    /// (phone number id, person) pairs where the person blocked the business: sends are
    /// accepted, and their callback says `failed`.
    whatsapp_blocked: HashSet<(String, String)>,
    /// The WhatsApp Business Account of each phone number id that was registered with one
    /// (`PUT /sandbox/webhooks/whatsapp`), named in the webhooks' `entry[].id`.
    whatsapp_accounts: HashMap<String, String>,
    // Facebook Pages and X.
    /// The seed of simulated engagement, fixed when the sandbox starts (the fault seed then),
    /// so changing faults later does not change the numbers of posts already made.
    engagement_seed: u64,
    facebook: facebook::FacebookState,
    x: x::XState,
    /// Viber webhooks' event types and the people of each bot.
    viber: viber_account::ViberState,
}

impl Sandbox {
    /// A sandbox with `config`, reading time from `clock`.
    pub fn new(config: SandboxConfig, clock: Arc<dyn Clock>) -> Sandbox {
        let read_dice = FaultDice::new(read_seed(config.faults.seed));
        let record = if config.keep_record {
            Record::default()
        } else {
            Record::counting_only()
        };
        let record = match &config.tally {
            Some(tally) => record.with_tally(tally.clone()),
            None => record,
        };
        let dice = FaultDice::new(config.faults.seed);
        let engagement_seed = config.faults.seed;
        let instance = instance_number();
        Sandbox {
            inner: Arc::new(Inner {
                clock,
                state: Mutex::new(SandboxState {
                    config,
                    dice,
                    limiter: RateLimiter::default(),
                    record,
                    telegram_message_ids: HashMap::new(),
                    telegram_channels: telegram_chat::KnownChannels::default(),
                    webhook_deliveries: 0,
                    idempotency: HashMap::new(),
                    engagement_seed,
                    facebook: facebook::FacebookState::default(),
                    x: x::XState::default(),
                    viber: viber_account::ViberState::default(),
                    read_dice,
                    instance,
                    whatsapp_messages: 0,
                    viber_messages: 0,
                    sms_messages: 0,
                    telegram_updates: i64::from(instance) * 1_000_000,
                    graph_traces: 0,
                    whatsapp_windows: HashMap::new(),
                    whatsapp_blocked: HashSet::new(),
                    whatsapp_accounts: HashMap::new(),
                }),
                callbacks: Callbacks::default(),
            }),
        }
    }

    /// The emulated partner APIs plus the `/sandbox/...` control routes, for serving on any
    /// listener. Prefer [`Sandbox::start`]: only there can the drop fault really close the
    /// connection (see [`FaultConfig::rate_drop`]).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/{bot_token}/sendMessage", post(telegram::send_message))
            .route("/{bot_token}/setWebhook", post(telegram::set_webhook))
            .route("/{bot_token}/deleteWebhook", post(telegram::delete_webhook))
            .route(
                "/{bot_token}/getWebhookInfo",
                get(telegram::get_webhook_info).post(telegram::get_webhook_info),
            )
            .route(
                "/{bot_token}/getMe",
                get(telegram::get_me).post(telegram::get_me),
            )
            .route(
                "/{version}/{phone_number_id}/messages",
                post(whatsapp::send),
            )
            .route(
                "/{version}/{waba_id}/message_templates",
                get(whatsapp_templates::message_templates),
            )
            .route("/pa/send_message", post(viber::send_message))
            .route("/pa/broadcast_message", post(viber::broadcast_message))
            .route("/pa/set_webhook", post(viber::set_webhook))
            .route(
                "/pa/get_account_info",
                get(viber_account::get_account_info).post(viber_account::get_account_info),
            )
            .route(
                "/pa/get_user_details",
                post(viber_account::get_user_details),
            )
            .route("/pa/get_online", post(viber_account::get_online))
            .route(
                "/2010-04-01/Accounts/{account_sid}/Messages.json",
                post(sms::create_message),
            )
            .route("/webhook/{name}", post(webhook::receive))
            // Facebook Pages, the Marketing API's audience estimate, and X.
            .route("/{version}/{page_id}/feed", post(facebook::feed))
            .route("/{version}/{object_id}/insights", get(facebook::insights))
            .route(
                "/{version}/{ad_account}/delivery_estimate",
                get(facebook_estimate::delivery_estimate),
            )
            .route(
                "/2/tweets",
                post(x::create_tweet).get(x_lookup::lookup_tweets),
            )
            .route("/2/tweets/{id}", get(x_lookup::lookup_tweet))
            .route("/oauth2/token", post(x_auth::app_token))
            .route("/2/oauth2/token", post(x_oauth2::user_token))
            .route(
                "/sandbox/received",
                get(control::received).delete(control::clear),
            )
            .route("/sandbox/faults", put(control::set_faults))
            .route("/sandbox/limits", put(control::set_limits))
            .route(
                "/sandbox/whatsapp/templates",
                put(control::set_whatsapp_templates),
            )
            .route(
                "/sandbox/webhooks/whatsapp",
                put(control::register_whatsapp_webhook),
            )
            .route(
                "/sandbox/webhooks/facebook",
                put(control::register_page_webhook),
            )
            .route("/sandbox/webhooks/sms", put(control::register_sms_webhook))
            .route("/sandbox/delivery", put(control::set_delivery))
            .route("/sandbox/callbacks", get(control::callback_counts))
            .route("/sandbox/counts", get(control::received_counts))
            .route("/sandbox/tally", get(control::tally))
            .route("/sandbox/people", post(control::simulate_person))
            .fallback(not_found::not_found)
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(self.clone())
    }

    /// How many requests arrived and how many were new deliveries (kept even when entries
    /// are not).
    pub fn counts(&self) -> ReceivedCounts {
        self.state().record.counts()
    }

    /// The tally so far (see [`SandboxConfig::tally`]), line by line; `None` when the sandbox
    /// keeps none. Callbacks still queued are not in it yet: wait for
    /// [`Sandbox::flush_callbacks`] first for a complete picture.
    pub fn tally(&self) -> Option<BTreeMap<TallyKey, TallyCounts>> {
        self.state().record.tally_lines()
    }

    /// The faults injected so far, by kind (reset by [`Sandbox::clear`], not by
    /// [`Sandbox::set_faults`]).
    pub fn faults_injected(&self) -> FaultCounts {
        self.state().dice.counts()
    }

    /// Everything received, accepted or not, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.state().record.all()
    }

    /// Only the messages a partner would have delivered: accepted, and not a repeat of an
    /// Idempotency-Key already delivered.
    pub fn delivered(&self) -> Vec<Received> {
        self.state().record.filtered(None, Some(true))
    }

    /// Forgets all traffic: the record (and tally), rate windows, remembered
    /// Idempotency-Keys and the counts of injected faults, so a test step starts from a quiet
    /// partner; the delivered and failed callback counts are reset too. Configuration, registered webhooks, queued callbacks and what people did
    /// stay, and platform ids keep increasing so that no id is ever given twice. Facebook and
    /// X forget which texts were posted (the duplicate check) but keep their posts, whose
    /// insights and metrics stay readable.
    pub fn clear(&self) {
        let mut state = self.state();
        state.record.clear();
        state.dice.clear_counts();
        state.limiter = RateLimiter::default();
        state.idempotency.clear();
        state.facebook.forget_traffic();
        state.x.forget_traffic();
        drop(state);
        self.inner.callbacks.clear_counts();
    }

    /// Replaces the injected faults; the pseudo-random sequences (faults and reads) restart
    /// from their seed, and the faults injected so far stay counted.
    pub fn set_faults(&self, faults: FaultConfig) {
        let mut state = self.state();
        state.dice.reseed(faults.seed);
        state.read_dice = FaultDice::new(read_seed(faults.seed));
        state.config.faults = faults;
    }

    /// Replaces the WhatsApp template statuses (see [`SandboxConfig::whatsapp_templates`]).
    pub fn set_whatsapp_templates(&self, templates: BTreeMap<String, String>) {
        self.state().config.whatsapp_templates = templates;
    }

    /// A copy of the configuration now in force (it changes as people block or unsubscribe).
    pub fn config(&self) -> SandboxConfig {
        self.state().config.clone()
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

    /// The next Graph API `fbtrace_id`, which only has to differ between answers.
    fn next_trace_id(state: &mut SandboxState) -> String {
        state.graph_traces += 1;
        format!("SBX{:08X}{:06}", state.instance, state.graph_traces)
    }

    /// Decides whether this request is delayed by the slow fault, and by how much.
    fn roll_slow(&self) -> Option<std::time::Duration> {
        let mut state = self.state();
        let faults = state.config.faults.clone();
        state.dice.roll_slow(&faults)
    }
}

/// The seed of the read dice: derived from the fault seed, but not equal to it, so reads and
/// faults do not draw the same numbers.
fn read_seed(seed: u64) -> u64 {
    seed ^ 0x5EED_F00D_2EAD_u64
}

/// A number that differs between sandbox instances (and restarts), from the system clock's
/// nanoseconds and the process id; collisions only make ids look alike, never wrong.
fn instance_number() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos() ^ (elapsed.as_secs() as u32))
        .unwrap_or(0);
    nanos ^ std::process::id().rotate_left(16)
}
