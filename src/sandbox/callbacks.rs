//! Status callbacks: after accepting a WhatsApp message or a Viber receiver, a real platform
//! tells the sender's webhook what became of it (sent, delivered, read, failed). The sandbox
//! does the same, signed as the platform signs, so that herald's receiving side (signature
//! checks, status bookkeeping, reach counts) is exercised before production.
//!
//! Callbacks wait in one queue served by at most [`CALLBACK_CONCURRENCY`] background tasks.
//! A message's callbacks go out in order: its next status is queued only once the previous one
//! was delivered or given up, so a receiver never sees `read` before `delivered`. A callback
//! the receiver does not take (not 2xx, or unreachable) is tried [`CALLBACK_TRIES`] times in
//! all, with a real-time backoff from 100 ms, and then counted as failed. Real platforms keep
//! trying much longer (Viber for an hour, Meta for up to a week); the sandbox gives up within
//! seconds so that a test with a broken receiver ends, while a receiver that is only briefly
//! busy still loses nothing.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration as StdDuration;

use axum::body::Bytes;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::channel::Platform;

use super::Sandbox;
use super::signature::{meta_signature, twilio_signature, viber_signature};
use super::tally::TalliedStatus;
use super::{viber, whatsapp_webhook};

/// Most callback requests in flight at once, as a platform limits the connections it opens to
/// one receiver.
pub const CALLBACK_CONCURRENCY: usize = 16;

/// How often one callback request is tried before it counts as failed.
pub const CALLBACK_TRIES: u32 = 5;

/// The wait before the second try; it doubles before each further one.
const FIRST_BACKOFF: StdDuration = StdDuration::from_millis(100);

/// How long one callback request may take, so a receiver that hangs cannot stall the queue.
const REQUEST_TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// What became of the status callbacks (each WhatsApp status or Viber event counts once, also
/// when several share one request).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CallbackCounts {
    /// Waiting or in flight, including the later statuses of messages whose earlier ones are
    /// still on their way.
    pub queued: u64,
    /// Answered 2xx by the receiver.
    pub delivered: u64,
    /// Given up: no webhook registered for the account, or no 2xx after every try.
    pub failed: u64,
}

/// Where a platform sends what concerns one account (bot token, phone number id, auth token).
#[derive(Clone)]
pub(crate) struct Registration {
    pub(crate) url: String,
    /// Telegram's `secret_token`, sent back in `X-Telegram-Bot-Api-Secret-Token`.
    pub(crate) secret_token: Option<String>,
}

/// One status a platform reports about a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// WhatsApp only: the message left Meta.
    Sent,
    Delivered,
    /// WhatsApp `read`, Viber `seen`.
    Read,
    /// Undeliverable.
    Failed,
}

impl Step {
    /// How long after the message was accepted the platform reports this status: later
    /// statuses carry later (or equal) timestamps, on the sandbox clock.
    fn offset(self) -> Duration {
        match self {
            Step::Sent => Duration::zero(),
            Step::Delivered | Step::Failed => Duration::seconds(1),
            Step::Read => Duration::seconds(2),
        }
    }

    fn whatsapp_name(self) -> &'static str {
        match self {
            Step::Sent => "sent",
            Step::Delivered => "delivered",
            Step::Read => "read",
            Step::Failed => "failed",
        }
    }

    /// Twilio's `MessageStatus`: a message the network could not deliver is `undelivered`.
    fn twilio_name(self) -> &'static str {
        match self {
            Step::Sent => "sent",
            Step::Delivered => "delivered",
            Step::Read => "read",
            Step::Failed => "undelivered",
        }
    }

    fn viber_name(self) -> &'static str {
        match self {
            Step::Sent => "sent",
            Step::Delivered => "delivered",
            Step::Read => "seen",
            Step::Failed => "failed",
        }
    }
}

/// The statuses of a WhatsApp message that is read.
pub(crate) const WHATSAPP_READ: &[Step] = &[Step::Sent, Step::Delivered, Step::Read];
/// The statuses of a WhatsApp message that is delivered but not read.
pub(crate) const WHATSAPP_UNREAD: &[Step] = &[Step::Sent, Step::Delivered];
/// The events of a Viber message that is seen.
pub(crate) const VIBER_READ: &[Step] = &[Step::Delivered, Step::Read];
/// The events of a Viber message that is delivered but not seen.
pub(crate) const VIBER_UNREAD: &[Step] = &[Step::Delivered];
/// The statuses of an SMS that reaches the phone (SMS is never "read").
pub(crate) const SMS_DELIVERED: &[Step] = &[Step::Sent, Step::Delivered];
/// The statuses of an SMS the network could not deliver.
pub(crate) const SMS_UNDELIVERED: &[Step] = &[Step::Sent, Step::Failed];
/// The single status of an undeliverable message, on either platform.
pub(crate) const FAILED: &[Step] = &[Step::Failed];

/// Which message a callback is about.
pub(crate) enum MessageRef {
    /// `category` is the pricing category: `utility` (template) or `service` (in the window).
    WhatsApp {
        wamid: String,
        category: &'static str,
    },
    Viber {
        token: i64,
    },
    /// A Twilio message: its SID, the auth token its request was made with (which signs the
    /// callbacks), its `StatusCallback` if it named one, and its sender.
    Sms {
        sid: String,
        auth_token: String,
        url: Option<String>,
        from: String,
    },
}

/// The statuses one message has yet to report. Kept compact (no JSON) because a benchmark may
/// queue a hundred thousand of them.
pub(crate) struct StatusCallback {
    message: MessageRef,
    /// The account whose webhook hears it: the phone number id or the Viber auth token.
    account: String,
    recipient: String,
    accepted_at: DateTime<Utc>,
    steps: &'static [Step],
    next: usize,
    /// False when the answer to the message was dropped, so its sender does not know it
    /// (kept apart in the tally).
    answered: bool,
}

impl StatusCallback {
    pub(crate) fn new(
        message: MessageRef,
        account: &str,
        recipient: &str,
        accepted_at: DateTime<Utc>,
        steps: &'static [Step],
    ) -> StatusCallback {
        StatusCallback {
            message,
            account: account.to_string(),
            recipient: recipient.to_string(),
            accepted_at,
            steps,
            next: 0,
            answered: true,
        }
    }

    /// The answer to this message was dropped.
    pub(crate) fn unanswered(mut self) -> StatusCallback {
        self.answered = false;
        self
    }

    fn platform(&self) -> Platform {
        match self.message {
            MessageRef::WhatsApp { .. } => Platform::WhatsApp,
            MessageRef::Viber { .. } => Platform::Viber,
            MessageRef::Sms { .. } => Platform::Sms,
        }
    }

    fn step(&self) -> Option<Step> {
        self.steps.get(self.next).copied()
    }

    fn remaining(&self) -> u64 {
        self.steps.len().saturating_sub(self.next) as u64
    }

    /// Whether both go to the same webhook in the same batch.
    fn same_batch(&self, other: &StatusCallback) -> bool {
        matches!(
            (&self.message, &other.message),
            (MessageRef::WhatsApp { .. }, MessageRef::WhatsApp { .. })
        ) && self.account == other.account
    }
}

/// Why a POST from the "platform" got no HTTP status. The reasons are the HTTP client's own
/// words, kept as text so the error can be shared (the client is built once) and compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    #[error("cannot build an HTTP client: {reason}")]
    NoClient { reason: String },
    /// The receiver could not be reached or did not answer (the URL is left out: it may carry
    /// a secret path).
    #[error("the receiver could not be reached: {reason}")]
    Unreachable { reason: String },
}

/// The queue, the workers serving it, and the registered webhooks.
#[derive(Default)]
pub(crate) struct Callbacks {
    queue: Mutex<Queue>,
    /// Woken whenever the queue runs empty, for [`Sandbox::flush_callbacks`].
    idle: Notify,
    registry: Mutex<HashMap<(Platform, String), Registration>>,
    client: OnceLock<Result<reqwest::Client, PostError>>,
}

#[derive(Default)]
struct Queue {
    /// At most one entry per message: its next status.
    pending: VecDeque<StatusCallback>,
    workers: usize,
    counts: CallbackCounts,
}

impl Callbacks {
    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn registry(&self) -> MutexGuard<'_, HashMap<(Platform, String), Registration>> {
        self.registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `items`; answers how many workers to start (already counted as running).
    fn push(&self, items: Vec<StatusCallback>) -> usize {
        let mut queue = self.queue();
        for item in items {
            queue.counts.queued += item.remaining();
            if item.remaining() > 0 {
                queue.pending.push_back(item);
            }
        }
        let idle_workers = CALLBACK_CONCURRENCY.saturating_sub(queue.workers);
        let start = idle_workers.min(queue.pending.len());
        queue.workers += start;
        start
    }

    /// A worker that was counted could not be started.
    fn worker_not_started(&self) {
        let mut queue = self.queue();
        queue.workers = queue.workers.saturating_sub(1);
    }

    /// The next statuses to send in one request: the oldest, plus (WhatsApp) the ones right
    /// behind it for the same phone number, up to `batch`. `None` stops the worker asking, and
    /// counts it as stopped in the same step, so a push never counts on a leaving worker.
    fn pop_batch(&self, batch: usize) -> Option<Vec<StatusCallback>> {
        let mut queue = self.queue();
        let Some(first) = queue.pending.pop_front() else {
            queue.workers = queue.workers.saturating_sub(1);
            return None;
        };
        let mut items = vec![first];
        while items.len() < batch {
            match queue.pending.front() {
                Some(next) if next.same_batch(&items[0]) => {
                    if let Some(next) = queue.pending.pop_front() {
                        items.push(next);
                    }
                }
                _ => break,
            }
        }
        Some(items)
    }

    /// Counts the outcome of a request and queues each message's next status.
    fn finish(&self, items: Vec<StatusCallback>, delivered: bool) {
        let mut queue = self.queue();
        let count = items.len() as u64;
        queue.counts.queued = queue.counts.queued.saturating_sub(count);
        if delivered {
            queue.counts.delivered += count;
        } else {
            queue.counts.failed += count;
        }
        for mut item in items {
            item.next += 1;
            if item.remaining() > 0 {
                queue.pending.push_back(item);
            }
        }
        if queue.counts.queued == 0 {
            self.idle.notify_waiters();
        }
    }

    pub(crate) fn counts(&self) -> CallbackCounts {
        self.queue().counts
    }

    /// Forgets delivered and failed counts; callbacks still queued stay queued.
    pub(crate) fn clear_counts(&self) {
        let mut queue = self.queue();
        queue.counts.delivered = 0;
        queue.counts.failed = 0;
    }

    /// Registers (or, with an empty URL, removes) the webhook of `platform` account `key`.
    pub(crate) fn register(&self, platform: Platform, key: &str, registration: Registration) {
        let mut registry = self.registry();
        if registration.url.is_empty() {
            registry.remove(&(platform, key.to_string()));
        } else {
            registry.insert((platform, key.to_string()), registration);
        }
    }

    pub(crate) fn registration(&self, platform: Platform, key: &str) -> Option<Registration> {
        self.registry().get(&(platform, key.to_string())).cloned()
    }

    /// One HTTP client for every callback, built on first use.
    pub(crate) fn client(&self) -> Result<&reqwest::Client, PostError> {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .timeout(REQUEST_TIMEOUT)
                    .build()
                    .map_err(|err| PostError::NoClient {
                        reason: err.to_string(),
                    })
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl Sandbox {
    /// Tells the sandbox where `platform` sends what concerns account `key` (a Telegram bot
    /// token, a WhatsApp phone number id or a Viber auth token): status callbacks and the
    /// messages of [`Sandbox::simulate_person`]. Stands in for Meta's app dashboard; Viber and
    /// Telegram accounts can also register through their own `set_webhook` / `setWebhook`
    /// (Telegram's with a `secret_token`, which this registration does not set). An empty
    /// `url` removes the registration.
    pub fn register_webhook(&self, platform: Platform, key: &str, url: &str) {
        self.inner.callbacks.register(
            platform,
            key,
            Registration {
                url: url.to_string(),
                secret_token: None,
            },
        );
    }

    /// What became of the status callbacks so far.
    pub fn callback_counts(&self) -> CallbackCounts {
        self.inner.callbacks.counts()
    }

    /// Resolves once no status callback is waiting or in flight: every one was delivered or
    /// given up (which takes at most a few seconds per callback, see [`CALLBACK_TRIES`]).
    pub fn flush_callbacks(&self) -> impl Future<Output = ()> + Send + 'static {
        let sandbox = self.clone();
        async move {
            let callbacks = &sandbox.inner.callbacks;
            loop {
                let notified = std::pin::pin!(callbacks.idle.notified());
                let mut notified = notified;
                // Registered before the check, so an emptying in between is not missed.
                notified.as_mut().enable();
                if callbacks.counts().queued == 0 {
                    return;
                }
                notified.await;
            }
        }
    }

    /// Queues the status callbacks of accepted messages and starts workers as needed. Called
    /// from request handlers, which run on the tokio runtime the workers are spawned on.
    pub(crate) fn queue_callbacks(&self, items: Vec<StatusCallback>) {
        if items.is_empty() {
            return;
        }
        let start = self.inner.callbacks.push(items);
        for _ in 0..start {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    let sandbox = self.clone();
                    runtime.spawn(sandbox.callback_worker());
                }
                // Not on a runtime: the statuses wait for the next push that is.
                Err(_) => self.inner.callbacks.worker_not_started(),
            }
        }
    }

    /// One worker: sends batches until the queue is empty.
    async fn callback_worker(self) {
        loop {
            let (batch, meta_secret) = {
                let state = self.state();
                (
                    state.config.callback_batch.max(1),
                    state.config.meta_app_secret.clone(),
                )
            };
            let Some(items) = self.inner.callbacks.pop_batch(batch) else {
                return;
            };
            let delivered = self.send_callbacks(&items, &meta_secret).await;
            if delivered {
                self.tally_callbacks(&items);
            }
            self.inner.callbacks.finish(items, delivered);
        }
    }

    /// Counts callbacks the receiver took in the tally, if one is kept. Before they leave the
    /// queue, so a flushed queue means a complete tally.
    fn tally_callbacks(&self, items: &[StatusCallback]) {
        let mut state = self.state();
        let Some(tally) = state.record.tally_mut() else {
            return;
        };
        for item in items {
            let status = match item.step() {
                Some(Step::Delivered) => TalliedStatus::Delivered,
                Some(Step::Read) => TalliedStatus::Read,
                Some(Step::Failed) => TalliedStatus::Failed,
                Some(Step::Sent) | None => continue,
            };
            tally.count_callback(
                item.platform().name(),
                &item.account,
                &item.recipient,
                status,
                item.answered,
            );
        }
    }

    /// Sends one request with `items` (all for the same webhook); true when the receiver took
    /// it.
    async fn send_callbacks(&self, items: &[StatusCallback], meta_secret: &str) -> bool {
        let Some(first) = items.first() else {
            return true;
        };
        let platform = first.platform();
        let registration = self.inner.callbacks.registration(platform, &first.account);
        let url = match (&first.message, registration) {
            (MessageRef::Sms { url: Some(url), .. }, _) => url.clone(),
            (_, Some(registration)) => registration.url,
            (_, None) => {
                tracing::debug!(%platform, "sandbox: no webhook registered, callback dropped");
                return false;
            }
        };
        let (body, header) = match &first.message {
            MessageRef::WhatsApp { .. } => {
                let waba = whatsapp_webhook::waba_of(&self.state(), &first.account);
                let statuses: Vec<Value> = items.iter().filter_map(whatsapp_status).collect();
                // Meta names the person in `contacts` for sent, delivered and read statuses,
                // never for failed ones.
                let mut contacts: Vec<Value> = Vec::new();
                for item in items
                    .iter()
                    .filter(|item| item.step() != Some(Step::Failed))
                {
                    let contact = whatsapp_webhook::contact(&waba, &item.recipient);
                    if !contacts.contains(&contact) {
                        contacts.push(contact);
                    }
                }
                let body = whatsapp_webhook::envelope(
                    &waba,
                    &first.account,
                    contacts,
                    "statuses",
                    statuses,
                );
                let body = Bytes::from(body.to_string());
                let signature = meta_signature(meta_secret, &body);
                (body, ("x-hub-signature-256", signature))
            }
            MessageRef::Viber { token } => {
                let Some(event) = viber_status(first, *token) else {
                    return true;
                };
                let body = Bytes::from(event.to_string());
                let signature = viber_signature(&first.account, &body);
                (body, ("x-viber-content-signature", signature))
            }
            MessageRef::Sms { auth_token, .. } => {
                let Some(params) = twilio_status(first) else {
                    return true;
                };
                let signature = twilio_signature(auth_token, &url, &params);
                let body = form_body(&params);
                return self
                    .post_with_retries(&url, FORM, &[("x-twilio-signature", signature)], body)
                    .await;
            }
        };
        self.post_with_retries(&url, JSON, &[header], body).await
    }

    /// Posts until the receiver answers 2xx, at most [`CALLBACK_TRIES`] times.
    async fn post_with_retries(
        &self,
        url: &str,
        content_type: &'static str,
        headers: &[(&'static str, String)],
        body: Bytes,
    ) -> bool {
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=CALLBACK_TRIES {
            match self
                .post_body(url, content_type, headers, body.clone())
                .await
            {
                Ok(status) if (200..300).contains(&status) => return true,
                Ok(status) => tracing::debug!(status, attempt, "sandbox: callback refused"),
                Err(why) => tracing::debug!(attempt, "sandbox: callback not delivered: {why}"),
            }
            if attempt < CALLBACK_TRIES {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        false
    }

    /// One JSON POST from the "platform" to a receiver; the receiver's HTTP status, or why
    /// there was none (the URL is left out: it may carry a secret path).
    pub(crate) async fn post_json(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: Bytes,
    ) -> Result<u16, PostError> {
        self.post_body(url, JSON, headers, body).await
    }

    /// One POST of `content_type` from the "platform" to a receiver (see [`Self::post_json`]).
    pub(crate) async fn post_body(
        &self,
        url: &str,
        content_type: &'static str,
        headers: &[(&'static str, String)],
        body: Bytes,
    ) -> Result<u16, PostError> {
        let client = self.inner.callbacks.client()?;
        let mut request = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let response = request.send().await.map_err(PostError::unreachable)?;
        Ok(response.status().as_u16())
    }
}

impl PostError {
    pub(crate) fn unreachable(error: reqwest::Error) -> PostError {
        PostError::Unreachable {
            reason: error.without_url().to_string(),
        }
    }
}

/// One entry of a WhatsApp `statuses` array, in Meta's current shape: the recipient's number
/// (no `recipient_user_id`, which Meta adds only to messages sent to a BSUID, and herald sends
/// to numbers), and (with `sent` and `delivered`) the per-message pricing Meta bills since
/// July 2025 (`PMP`, with its `type`). The `conversation` object is left out, as Meta leaves it
/// out of v24.0+ webhooks outside free entry points.
fn whatsapp_status(item: &StatusCallback) -> Option<Value> {
    let MessageRef::WhatsApp { wamid, category } = &item.message else {
        return None;
    };
    let step = item.step()?;
    let at = item.accepted_at + step.offset();
    let mut status = json!({
        "id": wamid,
        "status": step.whatsapp_name(),
        "timestamp": at.timestamp().to_string(),
        "recipient_id": item.recipient,
    });
    match step {
        Step::Sent | Step::Delivered => {
            // A text is only allowed inside the customer service window, where it is free.
            let free = *category == "service";
            status["pricing"] = json!({
                "billable": !free,
                "pricing_model": "PMP",
                "type": if free { "free_customer_service" } else { "regular" },
                "category": category,
            });
        }
        Step::Read => {}
        Step::Failed => {
            status["errors"] = json!([{
                "code": 131026,
                "title": "Message undeliverable",
                "message": "Message undeliverable",
                "error_data": {"details": "Message Undeliverable."},
                "href": "/documentation/business-messaging/whatsapp/support/error-codes",
            }]);
        }
    }
    Some(status)
}

/// The content types of the platforms' callbacks: Meta's and Viber's JSON, Twilio's forms.
const JSON: &str = "application/json";
pub(crate) const FORM: &str = "application/x-www-form-urlencoded";

/// `params` as a form body.
pub(crate) fn form_body(params: &[(String, String)]) -> Bytes {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        form.append_pair(name, value);
    }
    Bytes::from(form.finish())
}

/// One Twilio status callback's parameters, as Twilio sends them for a message.
fn twilio_status(item: &StatusCallback) -> Option<Vec<(String, String)>> {
    let MessageRef::Sms { sid, from, .. } = &item.message else {
        return None;
    };
    let step = item.step()?;
    let status = step.twilio_name();
    let mut params = vec![
        ("AccountSid", item.account.as_str()),
        ("ApiVersion", super::sms::API_VERSION),
        ("From", from.as_str()),
        ("MessageSid", sid.as_str()),
        ("MessageStatus", status),
        ("SmsSid", sid.as_str()),
        ("SmsStatus", status),
        ("To", item.recipient.as_str()),
    ];
    if step == Step::Failed {
        params.push(("ErrorCode", "30006"));
    }
    Some(
        params
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// One Viber callback event, in Viber's shape.
fn viber_status(item: &StatusCallback, token: i64) -> Option<Value> {
    let step = item.step()?;
    let at = item.accepted_at + step.offset();
    let mut event = json!({
        "event": step.viber_name(),
        "timestamp": at.timestamp_millis(),
        "chat_hostname": viber::CHAT_HOSTNAME,
        "message_token": token,
        "user_id": item.recipient,
    });
    if step == Step::Failed {
        event["desc"] = json!("Message undeliverable: the receiver cannot get messages");
    }
    Some(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn item(account: &str, steps: &'static [Step]) -> StatusCallback {
        StatusCallback::new(
            MessageRef::WhatsApp {
                wamid: "wamid.1".to_string(),
                category: "utility",
            },
            account,
            "31600000001",
            Utc.with_ymd_and_hms(2027, 1, 15, 10, 0, 0).unwrap(),
            steps,
        )
    }

    #[test]
    fn a_message_reports_its_statuses_one_after_the_other() {
        let callbacks = Callbacks::default();
        assert_eq!(callbacks.push(vec![item("p", WHATSAPP_READ)]), 1);
        assert_eq!(callbacks.counts().queued, 3);
        let mut seen = Vec::new();
        while let Some(batch) = callbacks.pop_batch(10) {
            assert_eq!(batch.len(), 1, "one status of a message at a time");
            seen.push(batch[0].step());
            callbacks.finish(batch, true);
        }
        assert_eq!(
            seen,
            vec![Some(Step::Sent), Some(Step::Delivered), Some(Step::Read)]
        );
        assert_eq!(
            callbacks.counts(),
            CallbackCounts {
                queued: 0,
                delivered: 3,
                failed: 0
            }
        );
    }

    #[test]
    fn batches_take_statuses_of_one_phone_number_up_to_the_size() {
        let callbacks = Callbacks::default();
        let items = vec![
            item("p", FAILED),
            item("p", FAILED),
            item("p", FAILED),
            item("q", FAILED),
        ];
        // Four messages but at most CALLBACK_CONCURRENCY workers, and no more than work.
        assert_eq!(callbacks.push(items), 4);
        let first = callbacks.pop_batch(2).unwrap();
        assert_eq!(first.len(), 2);
        let second = callbacks.pop_batch(5).unwrap();
        assert_eq!(second.len(), 1, "the next one is for another number");
        callbacks.finish(first, false);
        callbacks.finish(second, true);
        assert_eq!(callbacks.counts().failed, 2);
        assert_eq!(callbacks.counts().queued, 1);
    }

    #[test]
    fn statuses_are_in_metas_shape() {
        let sent = whatsapp_status(&item("p", WHATSAPP_READ)).unwrap();
        assert_eq!(sent["status"], "sent");
        assert_eq!(sent["timestamp"], "1800007200");
        assert_eq!(sent["recipient_id"], "31600000001");
        assert!(
            sent.get("recipient_user_id").is_none(),
            "only for sends to a BSUID"
        );
        assert_eq!(
            sent["pricing"],
            json!({"billable": true, "pricing_model": "PMP", "type": "regular", "category": "utility"})
        );
        assert!(sent.get("conversation").is_none());
        let mut read = item("p", WHATSAPP_READ);
        read.next = 2;
        let read = whatsapp_status(&read).unwrap();
        assert_eq!(read["timestamp"], "1800007202");
        assert!(read.get("pricing").is_none());
        let failed = whatsapp_status(&item("p", FAILED)).unwrap();
        assert_eq!(failed["errors"][0]["code"], 131026);
    }
}
