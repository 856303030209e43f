//! The service configuration (`herald.toml`): channel accounts with their platform, base URL,
//! rate limits and the *names* of the environment variables that hold their credentials.
//! Campaign files refer to accounts by name only, so authors never see a secret.

mod account_credentials;
mod notifications;
mod retention;
mod sessions;
mod sms;

use std::collections::BTreeMap;
use std::path::Path;

pub use notifications::{
    DEFAULT_DIGEST_MINUTES, NotificationConfig, NotifyWebhookConfig, SmtpConfig, SmtpSecurity,
    is_mailbox,
};

use crate::channel::{ChannelRef, Platform};
use crate::client_address::{AddressRange, ForwardedHeader, TrustedProxies};
use crate::publication::{Breakdown, MAX_MAX_NOISE, MIN_K, Period, PublicationPolicy};
use crate::source::diagnostic::{Diagnostics, SourceFile};
use crate::source::toml_reader::{Located, TableReader, parse_document};

pub use retention::PeopleRetention;
pub use sessions::{
    DEFAULT_IDLE_MINUTES, DEFAULT_LIFETIME_HOURS, IDLE_MINUTES_VARIABLE, LIFETIME_HOURS_VARIABLE,
    SessionPolicy, SessionPolicyError,
};
pub use sms::SmsSettings;

/// The keys of `[sessions]` (here, beside the other key lists, which the reference is checked
/// against).
const SESSIONS_KEYS: &[&str] = &["idle_minutes", "lifetime_hours"];
/// The keys of `[retention]`.
const RETENTION_KEYS: &[&str] = &[
    "staff_days",
    "unreachable_subscriber_days",
    "inactive_subscriber_days",
];

/// Where tracking links point when the configuration does not say.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Config {
    /// Base URL of herald's click redirector: tracking links are `{public_url}/r/{token}`.
    pub public_url: String,
    pub accounts: BTreeMap<ChannelRef, Account>,
    /// How long per-delivery bookkeeping (job rows, callback receipts) is kept; afterwards
    /// only the aggregate counters remain.
    pub retention_days: u32,
    /// Reverse proxies whose forwarding header (`forwarded_header`: `X-Forwarded-For` unless
    /// set to `Forwarded`) names the real client, for the failed-login limiter, click
    /// counting and the per-peer connection cap; nobody's by default.
    pub trusted_proxies: TrustedProxies,
    /// How reach reports are protected and cut (`[publication]`): the same for every report
    /// the deployment publishes, whoever asks.
    pub publication: PublicationPolicy,
    /// How long web-interface sessions last (`[sessions]`).
    pub sessions: SessionPolicy,
    /// How long what concerns single people is kept (`[retention]`).
    pub people_retention: PeopleRetention,
    /// How staff are notified (`[notifications]`); nobody is, without it.
    pub notifications: Option<NotificationConfig>,
}

/// Default for [`Config::retention_days`].
pub const DEFAULT_RETENTION_DAYS: u32 = 7;

impl Default for Config {
    fn default() -> Self {
        Config {
            public_url: DEFAULT_PUBLIC_URL.to_string(),
            accounts: BTreeMap::new(),
            retention_days: DEFAULT_RETENTION_DAYS,
            trusted_proxies: TrustedProxies::default(),
            publication: PublicationPolicy::default(),
            sessions: SessionPolicy::default(),
            people_retention: PeopleRetention::default(),
            notifications: None,
        }
    }
}

/// One account on a partner platform.
#[derive(Debug, Clone)]
pub struct Account {
    pub channel: ChannelRef,
    /// The platform's API base URL: the real one, or the sandbox's for a rehearsal.
    pub base_url: String,
    /// Credential key (`token`, ...) to the name of the environment variable holding it.
    pub credentials: BTreeMap<String, String>,
    pub rate: RateLimit,
    /// A tighter text limit than the platform's (for example an SMS gateway behind a webhook).
    pub max_chars: Option<usize>,
    /// Where posts go, by audience locale (`*` for any other): Telegram chat ids or `@channel`
    /// names. Empty for platforms that need none (a webhook posts to its base URL).
    pub chats: BTreeMap<String, String>,
    /// Requests to this account in flight at once, per worker.
    pub max_in_flight: usize,
    /// How long a call may take before its outcome counts as unknown.
    pub timeout: std::time::Duration,
    /// Who a send reaches: a public post in a chat or page, or every subscriber one by one.
    pub audience: Audience,
    /// What people who opt in through this account join: the segments they may choose (the
    /// first is the default) and the locales offered (the first is the default).
    pub enrolment: Enrolment,
    /// WhatsApp: template name per campaign message id (or per variant's Fluent id).
    pub templates: BTreeMap<String, String>,
    /// WhatsApp: template language code per herald locale, where the default mapping
    /// (`fa-AF` → `fa_AF`) is not what the template was approved under.
    pub template_languages: BTreeMap<String, String>,
    /// Graph API version for Meta accounts (`v21.0`).
    pub api_version: String,
    /// Viber: the sender name shown with broadcasts.
    pub sender_name: Option<String>,
    /// SMS: the sender and the most parts a text may cost.
    pub sms: Option<SmsSettings>,
}

/// Who a send on an account reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// One post per locale, to a chat, channel or page (`chats`).
    Chats,
    /// One message per subscriber of the send's segment and locale.
    Subscribers,
}

/// What opting in through an account means.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Enrolment {
    pub segments: Vec<String>,
    pub locales: Vec<String>,
}

/// Default for [`Account::api_version`].
pub const DEFAULT_GRAPH_API_VERSION: &str = "v21.0";

/// Default for [`Account::max_in_flight`].
pub const DEFAULT_MAX_IN_FLIGHT: usize = 16;
/// Default for [`Account::timeout`].
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl Account {
    /// The chat a post in `locale` goes to.
    pub fn chat_for(&self, locale: &str) -> Option<&str> {
        self.chats
            .get(locale)
            .or_else(|| self.chats.get("*"))
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateLimit {
    pub per_second: Option<f64>,
    pub per_recipient_per_minute: Option<u32>,
    pub daily_cap: Option<u64>,
}

impl Config {
    /// Reads and checks a configuration file; problems go to `diags` and the result holds
    /// whatever could be understood.
    pub fn load(path: &Path, diags: &mut Diagnostics) -> Config {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&SourceFile::new(path, text), diags),
            Err(error) => {
                diags.file_error(path, format!("cannot read configuration: {error}"));
                Config::default()
            }
        }
    }

    pub fn parse(file: &SourceFile, diags: &mut Diagnostics) -> Config {
        let doc = parse_document(file, diags);
        let root = TableReader::new(
            file,
            doc.get_ref(),
            0..0,
            "configuration",
            &[
                "public_url",
                "retention_days",
                "trusted_proxies",
                "forwarded_header",
                "publication",
                "sessions",
                "retention",
                "notifications",
                "accounts",
            ],
            diags,
        );
        let mut config = Config::default();
        if let Some(url) = root.opt_str("public_url", diags) {
            if is_http_url(&url.value) {
                config.public_url = url.value.trim_end_matches('/').to_string();
            } else {
                diags.error(
                    file,
                    url.span,
                    "`public_url` must be an http:// or https:// URL",
                );
            }
        }
        if let Some(days) = root.opt_int("retention_days", diags) {
            match u32::try_from(days.value) {
                Ok(value) if (1..=3650).contains(&value) => config.retention_days = value,
                _ => diags.error(
                    file,
                    days.span,
                    "`retention_days` must be a whole number of days from 1 to 3650",
                ),
            }
        }
        if let Some(entries) = root.opt_str_list("trusted_proxies", diags) {
            let mut ranges = Vec::new();
            for entry in entries {
                match AddressRange::parse(&entry.value) {
                    Ok(range) => ranges.push(range),
                    Err(error) => {
                        diags.error(file, entry.span, format!("`trusted_proxies`: {error}"))
                    }
                }
            }
            config.trusted_proxies = TrustedProxies::new(ranges);
        }
        if let Some(name) = root.opt_str("forwarded_header", diags) {
            match ForwardedHeader::parse(&name.value) {
                Some(header) => {
                    config.trusted_proxies = config.trusted_proxies.clone().with_header(header)
                }
                None => diags.error(
                    file,
                    name.span,
                    "`forwarded_header` must be \"x-forwarded-for\" or \"forwarded\"",
                ),
            }
        }
        if let Some((table, span)) = root.opt_table("publication", diags) {
            config.publication = parse_publication(file, table, span, diags);
        }
        if let Some((table, span)) = root.opt_table("sessions", diags) {
            config.sessions = sessions::parse_sessions(file, table, span, SESSIONS_KEYS, diags);
        }
        if let Some((table, span)) = root.opt_table("retention", diags) {
            config.people_retention =
                retention::parse_retention(file, table, span, RETENTION_KEYS, diags);
        }
        if let Some((table, span)) = root.opt_table("notifications", diags) {
            config.notifications =
                Some(notifications::parse_notifications(file, table, span, diags));
        }
        for (table, span) in root.tables("accounts", false, diags) {
            let Some(mut account) = parse_account(file, table, span.clone(), diags) else {
                continue;
            };
            sms::set_status_callback(&mut account, &config.public_url);
            match config.accounts.entry(account.channel.clone()) {
                std::collections::btree_map::Entry::Occupied(existing) => diags.error(
                    file,
                    span,
                    format!("duplicate account `{}`", existing.key()),
                ),
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(account);
                }
            }
        }
        config
    }
}

/// `[publication]`: k, rounding, noise, and the breakdowns and periods reports may use.
fn parse_publication(
    file: &SourceFile,
    table: &toml::de::DeTable<'_>,
    span: std::ops::Range<usize>,
    diags: &mut Diagnostics,
) -> PublicationPolicy {
    let reader = TableReader::new(
        file,
        table,
        span,
        "[publication]",
        &["k", "round_to", "max_noise", "breakdowns", "periods"],
        diags,
    );
    let mut policy = PublicationPolicy::default();
    let protection = &mut policy.protection;
    if let Some(k) = reader.opt_int("k", diags) {
        match u64::try_from(k.value) {
            Ok(value) if (MIN_K..=1000).contains(&value) => protection.k = value,
            _ => diags.error(
                file,
                k.span,
                format!("`k` must be a whole number from {MIN_K} to 1000: smaller counts could single people out"),
            ),
        }
    }
    if let Some(round_to) = reader.opt_int("round_to", diags) {
        match u64::try_from(round_to.value) {
            Ok(value) if (1..=1000).contains(&value) => protection.round_to = value,
            _ => diags.error(
                file,
                round_to.span,
                "`round_to` must be a whole number from 1 (no rounding) to 1000",
            ),
        }
    }
    if let Some(noise) = reader.opt_int("max_noise", diags) {
        match u64::try_from(noise.value) {
            Ok(value) if (1..=MAX_MAX_NOISE).contains(&value) => protection.max_noise = value,
            _ => diags.error(
                file,
                noise.span,
                format!("`max_noise` must be a whole number from 1 to {MAX_MAX_NOISE}: without noise, tables can be subtracted from each other"),
            ),
        }
    }
    if protection.round_to > 1 && protection.k % protection.round_to != 0 {
        diags.error(
            file,
            reader.span_of("round_to"),
            format!(
                "`k` ({}) must be a multiple of `round_to` ({}), so that rounding never publishes a count below k",
                protection.k, protection.round_to
            ),
        );
    }
    if let Some(entries) = reader.opt_str_list("breakdowns", diags) {
        let mut breakdowns = Vec::new();
        for entry in entries {
            match Breakdown::parse(&entry.value) {
                Ok(by) if !breakdowns.contains(&by) => breakdowns.push(by),
                Ok(_) => diags.error(file, entry.span, "this breakdown is listed twice"),
                Err(error) => diags.error(file, entry.span, format!("`breakdowns`: {error}")),
            }
        }
        if breakdowns.is_empty() {
            diags.error(
                file,
                reader.span_of("breakdowns"),
                "`breakdowns` must list at least one breakdown",
            );
        } else {
            policy.breakdowns = breakdowns;
        }
    }
    if let Some(entries) = reader.opt_str_list("periods", diags) {
        let mut periods = Vec::new();
        for entry in entries {
            match Period::parse(&entry.value) {
                Some(period) if !periods.contains(&period) => periods.push(period),
                Some(_) => diags.error(file, entry.span, "this period is listed twice"),
                None => diags.error(
                    file,
                    entry.span,
                    format!("unknown period `{}`; use run, week or day", entry.value),
                ),
            }
        }
        if periods.is_empty() {
            diags.error(
                file,
                reader.span_of("periods"),
                "`periods` must list at least one period",
            );
        } else {
            policy.periods = periods;
        }
    }
    policy
}

/// The keys an `[[accounts]]` entry may have.
const ACCOUNT_KEYS: &[&str] = &[
    "name",
    "platform",
    "base_url",
    "credentials",
    "rate",
    "max_chars",
    "chats",
    "max_in_flight",
    "timeout_seconds",
    "audience",
    "segments",
    "locales",
    "templates",
    "template_languages",
    "api_version",
    "sender_name",
    "sender",
    "max_segments",
];

/// One `[[accounts]]` entry. Every key is read (and its problems reported) even when the name
/// or platform is missing; the account itself needs both.
fn parse_account(
    file: &SourceFile,
    table: &toml::de::DeTable<'_>,
    span: std::ops::Range<usize>,
    diags: &mut Diagnostics,
) -> Option<Account> {
    let mut reader = TableReader::new(file, table, span, "account", ACCOUNT_KEYS, diags);
    let name = reader.req_str("name", diags);
    if let Some(name) = &name {
        reader.set_what(format!("account `{}`", name.value));
    }
    let platform_name = reader.req_str("platform", diags);
    let base_url = reader.req_str("base_url", diags);
    let platform = platform_name
        .as_ref()
        .and_then(|p| read_platform(file, p, diags));
    if let Some(url) = &base_url {
        check_base_url(file, url, diags);
    }
    let account_name = name.as_ref().map(|name| name.value.as_str());
    let credentials = read_credentials(file, &reader, platform, account_name, diags);
    let rate = read_rate(file, &reader, diags);
    let max_chars = read_max_chars(file, &reader, diags);
    let chats = read_chats(file, &reader, diags);
    let max_in_flight = read_max_in_flight(file, &reader, diags);
    let timeout = read_timeout(file, &reader, diags);
    let audience = read_audience(file, &reader, diags);
    let enrolment = Enrolment {
        segments: string_list(file, &reader, "segments", diags),
        locales: string_list(file, &reader, "locales", diags),
    };
    let templates = string_map(file, &reader, "templates", diags);
    let template_languages = string_map(file, &reader, "template_languages", diags);
    let api_version = reader
        .opt_str("api_version", diags)
        .map(|v| v.value)
        .unwrap_or_else(|| DEFAULT_GRAPH_API_VERSION.to_string());
    let sender_name = reader.opt_str("sender_name", diags).map(|v| v.value);
    let sms = sms::read_sms(file, &reader, platform, diags);
    let name = name?;
    let platform = platform?;
    let audience = audience.unwrap_or(if platform.messages_subscribers() {
        Audience::Subscribers
    } else {
        Audience::Chats
    });
    if platform == Platform::Telegram && audience == Audience::Chats && chats.is_empty() {
        warn_of_no_chats(file, &reader, &name.value, diags);
    }
    let channel = match ChannelRef::parse(&format!("{}:{}", platform.name(), name.value)) {
        Ok(channel) => channel,
        Err(message) => {
            diags.error(file, name.span, message.to_string());
            return None;
        }
    };
    if let Some(platform_span) = platform_name.map(|p| p.span) {
        check_required_credentials(file, platform_span, &channel, &credentials, diags);
    }
    Some(Account {
        channel,
        base_url: base_url?.value.trim_end_matches('/').to_string(),
        credentials,
        rate,
        max_chars,
        chats,
        max_in_flight,
        timeout,
        audience,
        enrolment,
        templates,
        template_languages,
        api_version,
        sender_name,
        sms,
    })
}

/// The platform an account names, if herald knows it.
fn read_platform(
    file: &SourceFile,
    name: &Located<String>,
    diags: &mut Diagnostics,
) -> Option<Platform> {
    let found = Platform::from_name(&name.value);
    if found.is_none() {
        diags.error(
            file,
            name.span.clone(),
            format!(
                "unknown platform `{}`; known platforms: {}",
                name.value,
                Platform::ALL.map(Platform::name).join(", ")
            ),
        );
    }
    found
}

fn check_base_url(file: &SourceFile, url: &Located<String>, diags: &mut Diagnostics) {
    if !is_http_url(&url.value) {
        diags.error(
            file,
            url.span.clone(),
            "`base_url` must be an http:// or https:// URL",
        );
    }
}

/// `credentials`: credential key to the name of the environment variable that holds it, for
/// the keys the platform knows. A value that is not a variable name may be a pasted secret,
/// and is never echoed back.
fn read_credentials(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    platform: Option<Platform>,
    account: Option<&str>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut credentials = BTreeMap::new();
    let Some((creds, creds_span)) = reader.opt_table("credentials", diags) else {
        return credentials;
    };
    let allowed: Vec<&str> = platform
        .map(account_credentials::nameable_keys)
        .unwrap_or_default();
    let retired = platform
        .map(Platform::retired_credential_keys)
        .unwrap_or(&[]);
    let known: Vec<&str> = allowed
        .iter()
        .copied()
        .chain(retired.iter().map(|(key, _)| *key))
        .chain(crate::channel::ROTATED_CREDENTIALS.iter().copied())
        .collect();
    let creds_reader = TableReader::new(
        file,
        creds,
        creds_span.clone(),
        "credentials",
        &known,
        diags,
    );
    for (key, instead) in retired {
        if let Some(var) = creds_reader.opt_str(key, diags) {
            diags.error(
                file,
                var.span,
                format!(
                    "account `{}:{}` names credential `{key}`: {instead}",
                    platform.map(Platform::name).unwrap_or("?"),
                    account.unwrap_or("?")
                ),
            );
        }
    }
    account_credentials::refuse_rotated(file, &creds_reader, diags);
    for key in &allowed {
        if let Some(var) = creds_reader.opt_str(key, diags) {
            if is_env_var_name(&var.value) {
                credentials.insert(key.to_string(), var.value);
            } else {
                // The value may be a pasted secret: never echo it back.
                diags.error(
                    file,
                    var.span,
                    format!(
                        "credential `{key}` must name an environment variable (for example HERALD_{}_{}), not hold the secret itself",
                        platform.map(Platform::name).unwrap_or("PLATFORM").to_uppercase(),
                        key.to_uppercase()
                    ),
                );
            }
        }
    }
    credentials
}

/// `rate`: the account's limits, each optional.
fn read_rate(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> RateLimit {
    let mut rate = RateLimit::default();
    let Some((rate_table, rate_span)) = reader.opt_table("rate", diags) else {
        return rate;
    };
    let rate_reader = TableReader::new(
        file,
        rate_table,
        rate_span,
        "rate",
        &["per_second", "per_recipient_per_minute", "daily_cap"],
        diags,
    );
    if let Some(n) = rate_reader.opt_number("per_second", diags) {
        if n.value > 0.0 {
            rate.per_second = Some(n.value);
        } else {
            diags.error(file, n.span, "`per_second` must be greater than 0");
        }
    }
    if let Some(n) = rate_reader.opt_int("per_recipient_per_minute", diags) {
        match u32::try_from(n.value) {
            Ok(v) if v > 0 => rate.per_recipient_per_minute = Some(v),
            _ => diags.error(
                file,
                n.span,
                "`per_recipient_per_minute` must be a positive integer",
            ),
        }
    }
    if let Some(n) = rate_reader.opt_int("daily_cap", diags) {
        match u64::try_from(n.value) {
            Ok(v) if v > 0 => rate.daily_cap = Some(v),
            _ => diags.error(file, n.span, "`daily_cap` must be a positive integer"),
        }
    }
    rate
}

fn read_max_chars(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Option<usize> {
    reader.opt_int("max_chars", diags).and_then(|n| {
        let value = usize::try_from(n.value).ok().filter(|v| *v > 0);
        if value.is_none() {
            diags.error(file, n.span, "`max_chars` must be a positive integer");
        }
        value
    })
}

/// `chats`: where posts go, by audience locale (`*` for any other).
fn read_chats(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut chats = BTreeMap::new();
    if let Some((table, _)) = reader.opt_table("chats", diags) {
        for (key, value) in table.iter() {
            let locale: &str = key.get_ref();
            match value.get_ref().as_str() {
                Some(chat) if !chat.trim().is_empty() => {
                    chats.insert(locale.to_string(), chat.to_string());
                }
                _ => diags.error(
                    file,
                    value.span(),
                    format!(
                        "chat for `{locale}` must be a non-empty string (a chat id or @channel)"
                    ),
                ),
            }
        }
    }
    chats
}

fn read_max_in_flight(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> usize {
    match reader.opt_int("max_in_flight", diags) {
        Some(n) if (1..=1024).contains(&n.value) => n.value as usize,
        Some(n) => {
            diags.error(file, n.span, "`max_in_flight` must be between 1 and 1024");
            DEFAULT_MAX_IN_FLIGHT
        }
        None => DEFAULT_MAX_IN_FLIGHT,
    }
}

fn read_timeout(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> std::time::Duration {
    match reader.opt_number("timeout_seconds", diags) {
        Some(n) if n.value > 0.0 && n.value <= 300.0 => std::time::Duration::from_secs_f64(n.value),
        Some(n) => {
            diags.error(
                file,
                n.span,
                "`timeout_seconds` must be more than 0 and at most 300",
            );
            DEFAULT_TIMEOUT
        }
        None => DEFAULT_TIMEOUT,
    }
}

/// `audience`, if set (the platform's default otherwise).
fn read_audience(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Option<Audience> {
    match reader.opt_str("audience", diags) {
        Some(a) if a.value == "chats" => Some(Audience::Chats),
        Some(a) if a.value == "subscribers" => Some(Audience::Subscribers),
        Some(a) => {
            diags.error(
                file,
                a.span,
                format!(
                    "unknown audience `{}`; use `chats` (public posts) or `subscribers` (one message per person who opted in)",
                    a.value
                ),
            );
            None
        }
        None => None,
    }
}

/// A Telegram account that posts to chats but names none: its posts have nowhere to go.
fn warn_of_no_chats(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    name: &str,
    diags: &mut Diagnostics,
) {
    diags.warning(
        file,
        reader.span(),
        format!("telegram account `{name}` has no `chats`: its posts have nowhere to go (add chats = {{ \"*\" = \"@channel\" }})"),
    );
}

/// Every credential the platform needs must be named (an error at the `platform` key).
fn check_required_credentials(
    file: &SourceFile,
    platform_span: std::ops::Range<usize>,
    channel: &ChannelRef,
    credentials: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) {
    let (required, mixed) = account_credentials::keys_to_name(channel, credentials);
    if let Some(mixed) = mixed {
        diags.error(file, platform_span.clone(), mixed);
    }
    for key in required {
        if !credentials.contains_key(key) {
            diags.error(
                file,
                platform_span.clone(),
                format!("account `{channel}` names no environment variable for credential `{key}`"),
            );
        }
    }
}

/// An optional list of non-empty strings.
fn string_list(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    key: &str,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let mut out = Vec::new();
    for item in reader.opt_str_list(key, diags).unwrap_or_default() {
        if item.value.trim().is_empty() {
            diags.error(
                file,
                item.span,
                format!("`{key}` must list non-empty strings"),
            );
        } else {
            out.push(item.value);
        }
    }
    out
}

/// An optional table of strings (`{ key = "value" }`).
fn string_map(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    key: &str,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some((table, _)) = reader.opt_table(key, diags) {
        for (name, value) in table.iter() {
            match value.get_ref().as_str() {
                Some(text) if !text.trim().is_empty() => {
                    out.insert(name.get_ref().to_string(), text.to_string());
                }
                _ => diags.error(
                    file,
                    value.span(),
                    format!("`{key}.{}` must be a non-empty string", name.get_ref()),
                ),
            }
        }
    }
    out
}

fn is_http_url(url: &str) -> bool {
    (url.starts_with("http://") || url.starts_with("https://"))
        && url.split("://").nth(1).is_some_and(|rest| !rest.is_empty())
        && !url.chars().any(char::is_whitespace)
}

/// `UPPER_CASE` with digits, the usual shape of an environment variable name.
fn is_env_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Config, Vec<String>) {
        let mut diags = Diagnostics::default();
        let config = Config::parse(
            &SourceFile::new("herald.toml", text.to_string()),
            &mut diags,
        );
        (
            config,
            diags
                .into_sorted()
                .iter()
                .map(ToString::to_string)
                .collect(),
        )
    }

    #[test]
    fn reads_accounts() {
        let (config, problems) = parse(
            r#"
public_url = "https://herald.example.org/"
[[accounts]]
name = "nl-info"
platform = "telegram"
base_url = "http://127.0.0.1:8090"
credentials = { token = "HERALD_TELEGRAM_TOKEN" }
chats = { ar = "@nl_info_ar", "*" = "@nl_info" }
rate = { per_second = 30, per_recipient_per_minute = 20 }
"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.public_url, "https://herald.example.org");
        let account = &config.accounts[&ChannelRef::parse("telegram:nl-info").unwrap()];
        assert_eq!(account.credentials["token"], "HERALD_TELEGRAM_TOKEN");
        assert_eq!(account.rate.per_second, Some(30.0));
        assert_eq!(account.chat_for("ar"), Some("@nl_info_ar"));
        assert_eq!(account.chat_for("fr"), Some("@nl_info"));
    }

    #[test]
    fn never_echoes_a_pasted_secret() {
        let (_, problems) = parse(
            r#"
[[accounts]]
name = "nl-info"
platform = "telegram"
base_url = "http://127.0.0.1:8090"
credentials = { token = "123456:AAE-secret-token" }
chats = { "*" = "@nl_info" }
"#,
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(
            problems,
            [
                "herald.toml:4:12: error: account `telegram:nl-info` names no environment variable for credential `token`",
                "herald.toml:6:25: error: credential `token` must name an environment variable (for example HERALD_TELEGRAM_TOKEN), not hold the secret itself",
            ]
        );
        assert!(problems.iter().all(|p| !p.contains("AAE-secret")));
    }

    /// An X account needs OAuth 1.0a user context; the old app-only bearer token is named as
    /// such, with what to set instead.
    #[test]
    fn an_x_bearer_token_is_refused_with_what_to_set_instead() {
        let (_, problems) = parse(
            r#"
[[accounts]]
name = "sahel-info"
platform = "x"
base_url = "https://api.x.com"
credentials = { bearer_token = "HERALD_X_TOKEN" }
"#,
        );
        let text = problems.join("\n");
        assert!(
            text.contains("herald.toml:6:32: error: account `x:sahel-info` names credential `bearer_token`: an app-only bearer token cannot post on X (403 Unsupported Authentication); name consumer_key, consumer_secret, access_token and access_token_secret instead"),
            "{text}"
        );
        assert!(!text.contains("unknown key"), "{text}");
        assert!(
            text.contains("names no environment variable for credential `access_token_secret`")
        );
        let (config, problems) = parse(
            r#"
[[accounts]]
name = "sahel-info"
platform = "x"
base_url = "https://api.x.com"
credentials = { consumer_key = "HERALD_X_CK", consumer_secret = "HERALD_X_CS", access_token = "HERALD_X_AT", access_token_secret = "HERALD_X_ATS" }
"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let account = &config.accounts[&ChannelRef::parse("x:sahel-info").unwrap()];
        assert_eq!(account.credentials.len(), 4);
    }

    #[test]
    fn retention_is_seven_days_unless_set_within_bounds() {
        assert_eq!(parse("").0.retention_days, 7);
        assert_eq!(parse("retention_days = 30").0.retention_days, 30);
        let (_, problems) = parse("retention_days = 0");
        assert_eq!(
            problems,
            [
                "herald.toml:1:18: error: `retention_days` must be a whole number of days from 1 to 3650"
            ]
        );
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let (config, problems) = parse(r#"trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]"#);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(config.trusted_proxies.trusts("10.1.2.3".parse().unwrap()));
        assert!(!config.trusted_proxies.trusts("192.0.2.1".parse().unwrap()));
        let (_, problems) = parse(r#"trusted_proxies = ["proxy.internal"]"#);
        assert_eq!(
            problems,
            [
                "herald.toml:1:20: error: `trusted_proxies`: `proxy.internal` is not an IP address or CIDR range"
            ]
        );
    }

    #[test]
    fn the_publication_policy_is_read_and_bounded() {
        let (config, errors) = parse(
            "forwarded_header = \"forwarded\"\n[publication]\nk = 20\nround_to = 5\nmax_noise = 4\nbreakdowns = [\"segment,locale,channel,variant\", \"channel, locale\"]\nperiods = [\"run\", \"week\"]\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let policy = &config.publication;
        assert_eq!(
            (
                policy.protection.k,
                policy.protection.round_to,
                policy.protection.max_noise
            ),
            (20, 5, 4)
        );
        assert_eq!(policy.breakdowns.len(), 2);
        assert_eq!(policy.breakdowns[1].name(), "locale,channel");
        assert_eq!(policy.periods, vec![Period::Run, Period::Week]);

        let (_, errors) = parse(
            "[publication]\nk = 3\nmax_noise = 0\nperiods = [\"fortnight\"]\nbreakdowns = [\"country\"]\nepsilon = 1\n",
        );
        let text = errors.join("\n");
        for expected in [
            "herald.toml:2:5: error: `k` must be a whole number from 5",
            "herald.toml:3:13: error: `max_noise` must be a whole number from 1",
            "herald.toml:4:12: error: unknown period `fortnight`",
            "herald.toml:5:15: error: `breakdowns`: unknown breakdown `country`",
            "herald.toml:6:1: error: unknown key `epsilon` in [publication]",
        ] {
            assert!(text.contains(expected), "{expected} in:\n{text}");
        }
        let (_, errors) = parse("[publication]\nk = 12\nround_to = 5\n");
        assert!(
            errors
                .join("\n")
                .contains("must be a multiple of `round_to`"),
            "{errors:?}"
        );
    }
}
