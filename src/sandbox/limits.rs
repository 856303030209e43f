//! The partners' rate limits, enforced over sliding windows of accepted messages. Windows are
//! measured on the sandbox's [`crate::clock::Clock`], never on `Instant`, so a simulated clock
//! that jumps forward empties them just as the passing of real time would.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Which limits the sandbox enforces; `None` switches a limit off. The defaults are the
/// platforms' documented limits, so code under test meets them before production does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxLimits {
    /// Messages per second to all chats of one bot token.
    pub telegram_per_second: Option<u32>,
    /// Messages per minute to one group or channel (chat id starting with `@` or `-`).
    pub telegram_per_chat_per_minute: Option<u32>,
    /// Messages per second to one private chat (positive numeric chat id).
    pub telegram_private_chat_per_second: Option<u32>,
    /// Requests per second to one webhook endpoint.
    pub webhook_per_second: Option<u32>,
    /// WhatsApp Cloud API messages per second per sending phone number (Meta's default
    /// throughput; beyond it Meta answers error 130429).
    pub whatsapp_per_second: Option<u32>,
    /// WhatsApp: at most one message per this many seconds from one phone number to the same
    /// recipient (Meta's "pair rate limit", error 131056).
    pub whatsapp_pair_per_seconds: Option<u32>,
    /// Viber REST API requests per 10 seconds per auth token, over all sending calls (status 12
    /// beyond it).
    pub viber_requests_per_10s: Option<u32>,
    // Facebook Pages and X.
    /// Graph API calls per hour about one Facebook Page (posts and insights reads); past it,
    /// error code 32 with the minutes to wait in `X-Business-Use-Case-Usage`.
    pub facebook_calls_per_hour: Option<u32>,
    /// Posts per 15-minute window and X token; past it, 429 until `x-rate-limit-reset`.
    pub x_posts_per_15min: Option<u32>,
    /// Twilio message creations per second and account SID; past it, HTTP 429 with error
    /// 20429 and `Retry-After`.
    #[serde(default)]
    pub sms_per_second: Option<u32>,
}

impl SandboxLimits {
    /// No limits at all, for tests that measure throughput rather than throttling.
    pub fn off() -> Self {
        SandboxLimits {
            telegram_per_second: None,
            telegram_per_chat_per_minute: None,
            telegram_private_chat_per_second: None,
            webhook_per_second: None,
            whatsapp_per_second: None,
            whatsapp_pair_per_seconds: None,
            viber_requests_per_10s: None,
            facebook_calls_per_hour: None,
            x_posts_per_15min: None,
            sms_per_second: None,
        }
    }
}

impl Default for SandboxLimits {
    /// Telegram's limits (30/s per bot, 20/min per group or channel, 1/s per private chat),
    /// WhatsApp's (80/s per number, one message per 6 s per recipient), Viber's (500 requests
    /// per 10 s), 200 Graph calls an hour per Facebook Page, 100 X posts per 15 minutes per
    /// token and 100 Twilio messages a second per account; generic webhooks unlimited.
    fn default() -> Self {
        SandboxLimits {
            telegram_per_second: Some(30),
            telegram_per_chat_per_minute: Some(20),
            telegram_private_chat_per_second: Some(1),
            webhook_per_second: None,
            whatsapp_per_second: Some(80),
            whatsapp_pair_per_seconds: Some(6),
            viber_requests_per_10s: Some(500),
            facebook_calls_per_hour: Some(200),
            x_posts_per_15min: Some(100),
            sms_per_second: Some(100),
        }
    }
}

/// What kind of Telegram chat a chat id names, which decides its per-chat limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChatKind {
    /// A channel (`@name`) or a group (negative id).
    GroupOrChannel,
    /// A person (positive id).
    Private,
}

/// Arrival times of the messages accepted within the last `span`.
#[derive(Debug, Default)]
struct SlidingWindow {
    accepted: VecDeque<DateTime<Utc>>,
}

impl SlidingWindow {
    /// How long until the window admits one more message under `limit`; `None` when it admits
    /// one now. Prunes the messages that have left the window.
    fn wait(&mut self, now: DateTime<Utc>, span: Duration, limit: u32) -> Option<Duration> {
        let start = now - span;
        while self.accepted.front().is_some_and(|at| *at <= start) {
            self.accepted.pop_front();
        }
        let limit = limit as usize;
        if self.accepted.len() < limit {
            return None;
        }
        // The message at this index is the last that has to leave before one more fits.
        match self.accepted.get(self.accepted.len() - limit) {
            Some(at) => Some(*at + span - now),
            None => Some(span),
        }
    }

    fn admit(&mut self, now: DateTime<Utc>) {
        self.accepted.push_back(now);
    }

    /// How many messages are in the window at `now`; prunes those that have left it.
    fn len_at(&mut self, now: DateTime<Utc>, span: Duration) -> usize {
        let start = now - span;
        while self.accepted.front().is_some_and(|at| *at <= start) {
            self.accepted.pop_front();
        }
        self.accepted.len()
    }

    /// Whether the window still holds a message accepted after `start`.
    fn busy_after(&self, start: DateTime<Utc>) -> bool {
        self.accepted.back().is_some_and(|at| *at > start)
    }
}

/// Windows keyed by something that keeps changing (a recipient), swept now and then so that a
/// run to a hundred thousand recipients does not keep a hundred thousand empty windows.
#[derive(Debug)]
struct SweptWindows<K> {
    windows: HashMap<K, SlidingWindow>,
    /// The size at which the next sweep happens; it doubles with what survives a sweep, so
    /// sweeping costs amortised O(1) per admitted message.
    sweep_at: usize,
}

impl<K> Default for SweptWindows<K> {
    fn default() -> Self {
        SweptWindows {
            windows: HashMap::new(),
            sweep_at: SWEEP_MIN,
        }
    }
}

/// Below this many windows, sweeping is not worth it.
const SWEEP_MIN: usize = 1024;

impl<K: std::hash::Hash + Eq> SweptWindows<K> {
    fn wait(&mut self, key: K, now: DateTime<Utc>, span: Duration, limit: u32) -> Option<Duration> {
        // A key never seen needs no window to say "now".
        let window = self.windows.get_mut(&key)?;
        window.wait(now, span, limit)
    }

    fn admit(&mut self, key: K, now: DateTime<Utc>, span: Duration) {
        self.windows.entry(key).or_default().admit(now);
        if self.windows.len() >= self.sweep_at {
            let start = now - span;
            self.windows.retain(|_, window| window.busy_after(start));
            self.sweep_at = (self.windows.len() * 2).max(SWEEP_MIN);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.windows.len()
    }
}

/// Why a WhatsApp message may not be sent now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WhatsAppThrottle {
    /// The phone number's messages-per-second throughput (error 130429).
    Throughput,
    /// The same recipient was sent a message too recently (error 131056).
    Pair,
}

/// A window of fixed length that starts with its first request and ends at a known time, as
/// X's are (its `x-rate-limit-reset` is the end).
#[derive(Debug)]
struct FixedWindow {
    start: DateTime<Utc>,
    used: u32,
}

/// The span of the Viber request window.
const VIBER_SPAN_SECONDS: i64 = 10;

/// Where an X token stands in its window, as the `x-rate-limit-*` headers tell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WindowState {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    /// When the window ends and the full limit is available again.
    pub(crate) reset: DateTime<Utc>,
    /// This request was over the limit and is refused.
    pub(crate) over: bool,
}

/// The windows of every bot, chat and webhook endpoint the sandbox has seen.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    telegram_bots: HashMap<String, SlidingWindow>,
    telegram_chats: HashMap<(String, String), SlidingWindow>,
    webhooks: HashMap<String, SlidingWindow>,
    whatsapp_numbers: HashMap<String, SlidingWindow>,
    /// Keyed by (phone number id, recipient).
    whatsapp_pairs: SweptWindows<(String, String)>,
    viber_tokens: HashMap<String, SlidingWindow>,
    // Facebook Pages and X.
    facebook_pages: HashMap<String, SlidingWindow>,
    x_tokens: HashMap<String, FixedWindow>,
    sms_accounts: HashMap<String, SlidingWindow>,
}

/// The limits that apply to one Telegram message: (limit, window span) per window key.
fn telegram_rules(
    limits: &SandboxLimits,
    kind: ChatKind,
) -> (Option<u32>, Option<(u32, Duration)>) {
    let chat = match kind {
        ChatKind::GroupOrChannel => limits
            .telegram_per_chat_per_minute
            .map(|limit| (limit, Duration::minutes(1))),
        ChatKind::Private => limits
            .telegram_private_chat_per_second
            .map(|limit| (limit, Duration::seconds(1))),
    };
    (limits.telegram_per_second, chat)
}

impl RateLimiter {
    /// How long until a message from bot `token` to `chat` fits every limit; `None` when it
    /// fits now.
    pub(crate) fn telegram_wait(
        &mut self,
        limits: &SandboxLimits,
        token: &str,
        chat: &str,
        kind: ChatKind,
        now: DateTime<Utc>,
    ) -> Option<Duration> {
        let (per_bot, per_chat) = telegram_rules(limits, kind);
        let bot_wait = per_bot.and_then(|limit| {
            self.telegram_bots
                .entry(token.to_string())
                .or_default()
                .wait(now, Duration::seconds(1), limit)
        });
        let chat_wait = per_chat.and_then(|(limit, span)| {
            self.telegram_chats
                .entry((token.to_string(), chat.to_string()))
                .or_default()
                .wait(now, span, limit)
        });
        bot_wait.max(chat_wait)
    }

    /// Counts an accepted Telegram message in the windows whose limit is on (windows of limits
    /// that are off are not kept, so unlimited runs use no memory for them).
    pub(crate) fn telegram_admit(
        &mut self,
        limits: &SandboxLimits,
        token: &str,
        chat: &str,
        kind: ChatKind,
        now: DateTime<Utc>,
    ) {
        let (per_bot, per_chat) = telegram_rules(limits, kind);
        if per_bot.is_some() {
            self.telegram_bots
                .entry(token.to_string())
                .or_default()
                .admit(now);
        }
        if per_chat.is_some() {
            self.telegram_chats
                .entry((token.to_string(), chat.to_string()))
                .or_default()
                .admit(now);
        }
    }

    /// How long until webhook endpoint `name` accepts another request; `None` when it does now.
    pub(crate) fn webhook_wait(
        &mut self,
        limits: &SandboxLimits,
        name: &str,
        now: DateTime<Utc>,
    ) -> Option<Duration> {
        let limit = limits.webhook_per_second?;
        self.webhooks
            .entry(name.to_string())
            .or_default()
            .wait(now, Duration::seconds(1), limit)
    }

    /// Counts an accepted webhook delivery.
    pub(crate) fn webhook_admit(&mut self, limits: &SandboxLimits, name: &str, now: DateTime<Utc>) {
        if limits.webhook_per_second.is_some() {
            self.webhooks
                .entry(name.to_string())
                .or_default()
                .admit(now);
        }
    }
}

// Facebook Pages and X.
impl RateLimiter {
    /// How long until Facebook Page `page` may be called again; `None` when it may now.
    pub(crate) fn facebook_page_wait(
        &mut self,
        limits: &SandboxLimits,
        page: &str,
        now: DateTime<Utc>,
    ) -> Option<Duration> {
        let limit = limits.facebook_calls_per_hour?;
        self.facebook_pages
            .entry(page.to_string())
            .or_default()
            .wait(now, Duration::hours(1), limit)
    }

    /// Counts a call about Facebook Page `page`.
    pub(crate) fn facebook_page_admit(
        &mut self,
        limits: &SandboxLimits,
        page: &str,
        now: DateTime<Utc>,
    ) {
        if limits.facebook_calls_per_hour.is_some() {
            self.facebook_pages
                .entry(page.to_string())
                .or_default()
                .admit(now);
        }
    }

    /// The share of page `page`'s hourly budget used, in percent (at most 100; 0 when the
    /// limit is off), as Meta's usage headers report it.
    pub(crate) fn facebook_page_usage(
        &mut self,
        limits: &SandboxLimits,
        page: &str,
        now: DateTime<Utc>,
    ) -> u32 {
        let Some(limit) = limits.facebook_calls_per_hour else {
            return 0;
        };
        let used = self
            .facebook_pages
            .get_mut(page)
            .map_or(0, |window| window.len_at(now, Duration::hours(1)));
        if limit == 0 {
            return 100;
        }
        (used.saturating_mul(100) / limit as usize).min(100) as u32
    }

    /// Takes one post from X token `token`'s 15-minute window, which starts with its first
    /// post; `None` when the limit is off. A refused post takes nothing.
    pub(crate) fn x_post_take(
        &mut self,
        limits: &SandboxLimits,
        token: &str,
        now: DateTime<Utc>,
    ) -> Option<WindowState> {
        let limit = limits.x_posts_per_15min?;
        let span = Duration::minutes(15);
        let window = self
            .x_tokens
            .entry(token.to_string())
            .or_insert(FixedWindow {
                start: now,
                used: 0,
            });
        if now >= window.start + span {
            *window = FixedWindow {
                start: now,
                used: 0,
            };
        }
        let over = window.used >= limit;
        if !over {
            window.used += 1;
        }
        Some(WindowState {
            limit,
            remaining: limit.saturating_sub(window.used),
            reset: window.start + span,
            over,
        })
    }
}

impl RateLimiter {
    /// Whether a WhatsApp message from `phone_number_id` to `recipient` fits the limits now;
    /// the throughput limit is checked first, as Meta does.
    pub(crate) fn whatsapp_check(
        &mut self,
        limits: &SandboxLimits,
        phone_number_id: &str,
        recipient: &str,
        now: DateTime<Utc>,
    ) -> Result<(), WhatsAppThrottle> {
        if let Some(limit) = limits.whatsapp_per_second {
            let window = self
                .whatsapp_numbers
                .entry(phone_number_id.to_string())
                .or_default();
            if window.wait(now, Duration::seconds(1), limit).is_some() {
                return Err(WhatsAppThrottle::Throughput);
            }
        }
        if let Some(seconds) = limits.whatsapp_pair_per_seconds {
            let key = (phone_number_id.to_string(), recipient.to_string());
            let span = Duration::seconds(i64::from(seconds));
            if self.whatsapp_pairs.wait(key, now, span, 1).is_some() {
                return Err(WhatsAppThrottle::Pair);
            }
        }
        Ok(())
    }

    /// Counts an accepted WhatsApp message in the windows whose limit is on.
    pub(crate) fn whatsapp_admit(
        &mut self,
        limits: &SandboxLimits,
        phone_number_id: &str,
        recipient: &str,
        now: DateTime<Utc>,
    ) {
        if limits.whatsapp_per_second.is_some() {
            self.whatsapp_numbers
                .entry(phone_number_id.to_string())
                .or_default()
                .admit(now);
        }
        if let Some(seconds) = limits.whatsapp_pair_per_seconds {
            let key = (phone_number_id.to_string(), recipient.to_string());
            self.whatsapp_pairs
                .admit(key, now, Duration::seconds(i64::from(seconds)));
        }
    }

    /// Whether Viber auth token `token` may make another request now.
    pub(crate) fn viber_allows(
        &mut self,
        limits: &SandboxLimits,
        token: &str,
        now: DateTime<Utc>,
    ) -> bool {
        let Some(limit) = limits.viber_requests_per_10s else {
            return true;
        };
        self.viber_tokens
            .entry(token.to_string())
            .or_default()
            .wait(now, Duration::seconds(VIBER_SPAN_SECONDS), limit)
            .is_none()
    }

    /// Counts an accepted Viber request.
    pub(crate) fn viber_admit(&mut self, limits: &SandboxLimits, token: &str, now: DateTime<Utc>) {
        if limits.viber_requests_per_10s.is_some() {
            self.viber_tokens
                .entry(token.to_string())
                .or_default()
                .admit(now);
        }
    }
}

impl RateLimiter {
    /// How long until one more Twilio message of account `sid` fits; `None` when it fits now,
    /// and then it is counted.
    pub(crate) fn sms_wait(
        &mut self,
        limits: &SandboxLimits,
        sid: &str,
        now: DateTime<Utc>,
    ) -> Option<Duration> {
        let limit = limits.sms_per_second?;
        let window = self.sms_accounts.entry(sid.to_string()).or_default();
        let wait = window.wait(now, Duration::seconds(1), limit);
        if wait.is_none() {
            window.admit(now);
        }
        wait
    }
}

/// A wait as the whole seconds a client is told to wait: rounded up, at least 1.
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    let millis = wait.num_milliseconds().max(0) as u64;
    millis.div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 15, 10, 0, 0).unwrap()
    }

    #[test]
    fn a_window_admits_up_to_its_limit_then_says_how_long_to_wait() {
        let mut window = SlidingWindow::default();
        let span = Duration::minutes(1);
        for i in 0..20 {
            let now = start() + Duration::seconds(i);
            assert_eq!(window.wait(now, span, 20), None);
            window.admit(now);
        }
        let now = start() + Duration::seconds(30);
        assert_eq!(window.wait(now, span, 20), Some(Duration::seconds(30)));
        assert_eq!(window.wait(start() + Duration::seconds(60), span, 20), None);
    }

    #[test]
    fn lowering_a_limit_waits_for_enough_messages_to_leave() {
        let mut window = SlidingWindow::default();
        for i in 0..5 {
            window.admit(start() + Duration::seconds(i));
        }
        let span = Duration::minutes(1);
        // Four must leave; the fourth left at second 3 + 60.
        assert_eq!(
            window.wait(start() + Duration::seconds(10), span, 2),
            Some(Duration::seconds(53))
        );
        assert_eq!(window.wait(start(), span, 0), Some(span));
    }

    #[test]
    fn per_chat_limits_depend_on_the_kind_of_chat() {
        let limits = SandboxLimits {
            telegram_per_second: None,
            ..SandboxLimits::default()
        };
        let mut limiter = RateLimiter::default();
        let now = start();
        limiter.telegram_admit(&limits, "t", "42", ChatKind::Private, now);
        assert!(
            limiter
                .telegram_wait(&limits, "t", "42", ChatKind::Private, now)
                .is_some()
        );
        assert!(
            limiter
                .telegram_wait(&limits, "other", "42", ChatKind::Private, now)
                .is_none()
        );
        limiter.telegram_admit(&limits, "t", "@news", ChatKind::GroupOrChannel, now);
        assert!(
            limiter
                .telegram_wait(&limits, "t", "@news", ChatKind::GroupOrChannel, now)
                .is_none()
        );
    }

    #[test]
    fn facebook_pages_have_an_hourly_budget_and_report_its_use() {
        let limits = SandboxLimits {
            facebook_calls_per_hour: Some(4),
            ..SandboxLimits::off()
        };
        let mut limiter = RateLimiter::default();
        for minute in 0..4 {
            let now = start() + Duration::minutes(minute);
            assert_eq!(limiter.facebook_page_wait(&limits, "p", now), None);
            limiter.facebook_page_admit(&limits, "p", now);
        }
        let now = start() + Duration::minutes(10);
        assert_eq!(limiter.facebook_page_usage(&limits, "p", now), 100);
        assert_eq!(
            limiter.facebook_page_wait(&limits, "p", now),
            Some(Duration::minutes(50))
        );
        assert_eq!(limiter.facebook_page_wait(&limits, "other", now), None);
        let later = start() + Duration::minutes(61);
        assert_eq!(limiter.facebook_page_usage(&limits, "p", later), 50);
        assert_eq!(
            limiter.facebook_page_usage(&SandboxLimits::off(), "p", later),
            0
        );
    }

    #[test]
    fn x_windows_are_fixed_and_reset_whole() {
        let limits = SandboxLimits {
            x_posts_per_15min: Some(2),
            ..SandboxLimits::off()
        };
        let mut limiter = RateLimiter::default();
        let reset = start() + Duration::minutes(15);
        let first = limiter.x_post_take(&limits, "t", start()).unwrap();
        assert_eq!(
            (first.remaining, first.reset, first.over),
            (1, reset, false)
        );
        let later = start() + Duration::minutes(5);
        let second = limiter.x_post_take(&limits, "t", later).unwrap();
        assert_eq!(
            (second.remaining, second.reset, second.over),
            (0, reset, false)
        );
        let third = limiter.x_post_take(&limits, "t", later).unwrap();
        assert!(third.over);
        assert_eq!(third.reset, reset);
        let fresh = limiter.x_post_take(&limits, "t", reset).unwrap();
        assert_eq!(
            (fresh.remaining, fresh.reset, fresh.over),
            (1, reset + Duration::minutes(15), false)
        );
        assert_eq!(limiter.x_post_take(&SandboxLimits::off(), "t", reset), None);
    }

    #[test]
    fn whatsapp_throughput_comes_before_the_pair_limit() {
        let limits = SandboxLimits {
            whatsapp_per_second: Some(2),
            ..SandboxLimits::default()
        };
        let mut limiter = RateLimiter::default();
        let now = start();
        for to in ["1", "2"] {
            assert_eq!(limiter.whatsapp_check(&limits, "p", to, now), Ok(()));
            limiter.whatsapp_admit(&limits, "p", to, now);
        }
        assert_eq!(
            limiter.whatsapp_check(&limits, "p", "1", now),
            Err(WhatsAppThrottle::Throughput)
        );
        let later = now + Duration::seconds(1);
        assert_eq!(
            limiter.whatsapp_check(&limits, "p", "1", later),
            Err(WhatsAppThrottle::Pair)
        );
        assert_eq!(limiter.whatsapp_check(&limits, "q", "1", later), Ok(()));
        assert_eq!(
            limiter.whatsapp_check(&limits, "p", "1", now + Duration::seconds(6)),
            Ok(())
        );
    }

    #[test]
    fn pair_windows_of_past_recipients_are_swept() {
        let limits = SandboxLimits {
            whatsapp_per_second: None,
            ..SandboxLimits::default()
        };
        let mut limiter = RateLimiter::default();
        for i in 0..100_000 {
            let now = start() + Duration::milliseconds(i * 10);
            limiter.whatsapp_admit(&limits, "p", &i.to_string(), now);
        }
        // Only the last 6 s (600 recipients) matter; the rest may not pile up.
        assert!(
            limiter.whatsapp_pairs.len() < 4 * SWEEP_MIN,
            "{}",
            limiter.whatsapp_pairs.len()
        );
        assert_eq!(
            limiter.whatsapp_check(&limits, "p", "99999", start() + Duration::seconds(1000)),
            Err(WhatsAppThrottle::Pair)
        );
    }

    #[test]
    fn viber_counts_requests_per_ten_seconds() {
        let limits = SandboxLimits {
            viber_requests_per_10s: Some(3),
            ..SandboxLimits::default()
        };
        let mut limiter = RateLimiter::default();
        for _ in 0..3 {
            assert!(limiter.viber_allows(&limits, "t", start()));
            limiter.viber_admit(&limits, "t", start());
        }
        assert!(!limiter.viber_allows(&limits, "t", start() + Duration::seconds(9)));
        assert!(limiter.viber_allows(&limits, "u", start()));
        assert!(limiter.viber_allows(&limits, "t", start() + Duration::seconds(10)));
        assert!(limiter.viber_allows(&SandboxLimits::off(), "t", start()));
    }

    #[test]
    fn retry_after_rounds_up_to_at_least_one_second() {
        assert_eq!(retry_after_seconds(Duration::milliseconds(1)), 1);
        assert_eq!(retry_after_seconds(Duration::zero()), 1);
        assert_eq!(retry_after_seconds(Duration::milliseconds(59_001)), 60);
        assert_eq!(retry_after_seconds(Duration::seconds(3)), 3);
    }
}
