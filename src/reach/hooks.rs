//! The routes partners call: `/hooks/{platform}/{account}` for Telegram updates, WhatsApp and
//! Facebook webhooks (with Meta's `hub.challenge` handshake), Viber callbacks and Twilio's SMS
//! webhooks (status callbacks and incoming messages). Each request
//! is checked against the account's secret over the raw body before anything is read; a
//! missing or wrong signature gets 401 and nothing is stored. Status callbacks become counters
//! (each once, so a duplicate or a replay changes nothing); opt-ins, opt-outs and choices of a
//! language or group change the subscriber list at once, each once and in the order the
//! partner stamped them, and only while the partner could still be retrying them (see
//! [`apply`]). A partner hears 200 only
//! when what it sent is committed, so that a failure makes it send again rather than lose a
//! callback: 503 when trying again later can succeed (no key to seal identifiers yet, a full
//! disk, a database restarting), 500 when storing failed for a reason waiting will not fix.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};

use super::callbacks::{CallbackIngestor, IngestError, receipt};
use super::inbound::{
    DeliveryStatus, EventStamp, EventWindow, InboundEvent, ParseError, SignatureError, StatusEvent,
    Timeliness, answer_hub_challenge, parse_telegram, parse_twilio, parse_viber, parse_whatsapp,
    phone_number_ids, read_twilio_form, verify_hub_signature, verify_telegram, verify_twilio,
    verify_viber,
};
use super::live_hook_accounts::LiveHookAccounts;
use crate::channel::Platform;
use crate::clock::Clock;
use crate::config::{Account, Config};
use crate::metrics::{ConsentEventResult, METRICS};
use crate::platforms::{SMS_GONE_CODES, Secret, StoredCredentials, resolve_credentials};
use crate::store::{AnyStore, StatusReceipt, StoreError};
use crate::subscribers::{Consent, ConsentChange, EventOrder, SubscriberVault};

/// Callback bodies above this are refused with 413 (partners send a few kilobytes).
pub const MAX_HOOK_BODY: usize = 1024 * 1024;

/// WhatsApp's code for a message that cannot be delivered to that number: the person is
/// gone, and herald forgets them.
const WHATSAPP_UNDELIVERABLE: &str = "131026";

/// Twilio's delivery error codes that say the number cannot receive SMS at all (30005 unknown
/// handset, 30006 landline or unreachable carrier), besides the send errors of
/// [`SMS_GONE_CODES`] (21610, the person replied STOP, among them).
const SMS_UNDELIVERABLE: [&str; 2] = ["30005", "30006"];

/// Whether a failed delivery with `code` on `platform` means the person is gone.
fn gone_on_failure(platform: Platform, code: &str) -> bool {
    match platform {
        Platform::WhatsApp => code == WHATSAPP_UNDELIVERABLE,
        Platform::Sms => SMS_UNDELIVERABLE.contains(&code) || SMS_GONE_CODES.contains(&code),
        _ => false,
    }
}

/// An account that receives webhooks, with its credentials opened.
pub struct HookAccount {
    pub account: Account,
    credentials: BTreeMap<String, Secret>,
}

impl HookAccount {
    /// A credential of the account, for registering its webhook with the partner.
    pub fn credential(&self, key: &str) -> Option<&Secret> {
        self.credentials.get(key)
    }

    fn secret(&self, key: &str) -> &str {
        self.credentials.get(key).map(Secret::expose).unwrap_or("")
    }
}

/// What the hook routes need.
#[derive(Clone)]
pub struct HookState {
    pub store: AnyStore,
    pub clock: Arc<dyn Clock>,
    /// Seals subscribers' identifiers and makes their lookup hashes; without it, subscriber
    /// events are refused with 503 (the partner retries) while status callbacks are counted.
    pub vault: Option<Arc<SubscriberVault>>,
    pub ingestor: CallbackIngestor,
    /// The accounts whose hooks are served, as of the credentials last read.
    pub accounts: Arc<LiveHookAccounts>,
    /// The deployment's public URL: Twilio signs the URL it called, which is this one's hook
    /// unless a rehearsal's sandbox calls the listener directly.
    pub public_url: String,
}

/// The accounts of platforms that call back, with their credentials (the rehearsal's
/// credential in a rehearsal). An account whose credentials needed to send are not all set is
/// left out, with a warning: its hook answers 404 until they are.
pub fn hook_accounts(
    config: &Config,
    rehearsal: Option<&Secret>,
    stored: &StoredCredentials,
) -> HashMap<String, HookAccount> {
    let mut accounts = HashMap::new();
    for (channel, account) in &config.accounts {
        if !matches!(
            channel.platform,
            Platform::Telegram
                | Platform::WhatsApp
                | Platform::Viber
                | Platform::Facebook
                | Platform::Sms
        ) {
            continue;
        }
        match resolve_credentials(account, rehearsal, stored) {
            Ok(credentials) => {
                accounts.insert(
                    channel.to_string(),
                    HookAccount {
                        account: account.clone(),
                        credentials,
                    },
                );
            }
            Err(error) => {
                tracing::warn!(%channel, %error, "webhooks of this account are not served")
            }
        }
    }
    accounts
}

/// `GET` (Meta's handshake) and `POST` on `/hooks/{platform}/{account}`.
pub fn hooks_router(state: HookState) -> Router {
    Router::new()
        .route("/hooks/{platform}/{account}", get(handshake).post(receive))
        .layer(DefaultBodyLimit::max(MAX_HOOK_BODY))
        .with_state(state)
}

/// A refusal with a short plain-text reason (never echoing what was sent).
fn refuse(status: StatusCode, reason: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain")],
        reason.to_string(),
    )
        .into_response()
}

fn signature_refusal(error: SignatureError) -> Response {
    match error {
        SignatureError::NotConfigured => refuse(
            StatusCode::NOT_FOUND,
            "webhooks are not configured for this account",
        ),
        _ => refuse(StatusCode::UNAUTHORIZED, "bad or missing signature"),
    }
}

async fn handshake(
    State(state): State<HookState>,
    Path((platform, name)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let accounts = state.accounts.current();
    let Some(hook) = accounts.get(&format!("{platform}:{name}")) else {
        return refuse(StatusCode::NOT_FOUND, "no such hook");
    };
    if !matches!(
        hook.account.channel.platform,
        Platform::WhatsApp | Platform::Facebook
    ) {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, "use POST");
    }
    match answer_hub_challenge(query.as_deref().unwrap_or(""), hook.secret("verify_token")) {
        Ok(challenge) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain")],
            challenge,
        )
            .into_response(),
        Err(SignatureError::NotConfigured) => signature_refusal(SignatureError::NotConfigured),
        Err(_) => refuse(StatusCode::FORBIDDEN, "verify token does not match"),
    }
}

async fn receive(
    State(state): State<HookState>,
    Path((platform, name)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let accounts = state.accounts.current();
    let Some(hook) = accounts.get(&format!("{platform}:{name}")) else {
        return refuse(StatusCode::NOT_FOUND, "no such hook");
    };
    let parsed: Result<Vec<InboundEvent>, ParseError> = match hook.account.channel.platform {
        Platform::Telegram => {
            if let Err(error) = verify_telegram(&headers, hook.secret("webhook_secret")) {
                return signature_refusal(error);
            }
            parse_telegram(&body)
        }
        Platform::WhatsApp => {
            if let Err(error) = verify_hub_signature(&headers, &body, hook.secret("app_secret")) {
                return signature_refusal(error);
            }
            let own = hook.secret("phone_number_id");
            if phone_number_ids(&body).iter().any(|id| id != own) {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "the callback is for another phone number",
                );
            }
            parse_whatsapp(&body)
        }
        Platform::Viber => {
            if let Err(error) = verify_viber(&headers, &body, hook.secret("token")) {
                return signature_refusal(error);
            }
            parse_viber(&body)
        }
        Platform::Sms => {
            let params = match read_twilio_form(&body) {
                Ok(params) => params,
                Err(error) => return refuse(StatusCode::BAD_REQUEST, &error.to_string()),
            };
            let urls = twilio_urls(&state.public_url, &uri, &headers);
            if let Err(error) = verify_twilio(&headers, &urls, &params, hook.secret("auth_token")) {
                return signature_refusal(error);
            }
            if params
                .iter()
                .any(|(key, value)| key == "AccountSid" && value != hook.secret("account_sid"))
            {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "the webhook is for another account",
                );
            }
            parse_twilio(&params, state.clock.now())
        }
        Platform::Facebook => {
            // Page events are acknowledged; herald takes reach from insights, not from them.
            if let Err(error) = verify_hub_signature(&headers, &body, hook.secret("app_secret")) {
                return signature_refusal(error);
            }
            Ok(Vec::new())
        }
        _ => return refuse(StatusCode::NOT_FOUND, "no such hook"),
    };
    let events = match parsed {
        Ok(events) => events,
        Err(error) => return refuse(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    match apply(&state, hook, events).await {
        Ok(()) => refuse(StatusCode::OK, "ok"),
        Err(not_taken) => not_taken.answer(&hook.account.channel.to_string()),
    }
}

/// The URLs Twilio may have signed for this request: the hook under the configured public URL
/// (behind a proxy too, since Twilio signs the URL it called), and, for a caller on this machine
/// (a rehearsal's sandbox calls the listener itself), the loopback address the request names.
/// Another host named in `Host` is never trusted: a request signed for another application of
/// the same Twilio account must not pass for one to herald.
fn twilio_urls(public_url: &str, uri: &Uri, headers: &HeaderMap) -> Vec<String> {
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string());
    let mut urls = vec![format!("{}{path}", public_url.trim_end_matches('/'))];
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(host) = host.filter(|host| is_loopback_host(host)) {
        let url = format!("http://{host}{path}");
        if !urls.contains(&url) {
            urls.push(url);
        }
    }
    urls
}

/// `127.0.0.1:8080`, `localhost`, `[::1]:9000`: an address only this machine reaches.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    name == "localhost"
        || name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// Why a callback could not be taken (the partner retries on anything but 2xx).
#[derive(Debug, thiserror::Error)]
enum NotTaken {
    /// A subscriber event arrived, and this process has no key to seal identifiers with.
    #[error(
        "subscriber identifiers cannot be sealed: {} is not set",
        crate::secrets::SECRET_KEY_VARIABLE
    )]
    NoVault,
    /// A subscriber change could not be stored.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The status callbacks could not be committed.
    #[error(transparent)]
    Ingest(#[from] IngestError),
}

impl NotTaken {
    /// The storage failure behind, if storage failed.
    fn store_error(&self) -> Option<&StoreError> {
        match self {
            NotTaken::Store(error) => Some(error),
            NotTaken::Ingest(IngestError::Store(error)) => Some(error),
            NotTaken::NoVault | NotTaken::Ingest(IngestError::Stopped) => None,
        }
    }

    /// The partner's answer, logged for the operator: 503 when the same callback can be taken
    /// later without anyone changing herald (the key gets set, space is freed, the database is
    /// back), 500 when storing failed otherwise (a bug, unreadable stored data). Either way
    /// nothing was acknowledged, so the partner sends the callback again.
    fn answer(&self, channel: &str) -> Response {
        match self.store_error() {
            Some(error) if error.is_disk_full() => {
                tracing::error!(%channel, %error, "a callback could not be stored: the disk is full; the partner will send it again once space is freed");
                refuse(StatusCode::SERVICE_UNAVAILABLE, "try again later")
            }
            Some(error) if !error.is_transient() => {
                tracing::error!(%channel, %error, "a callback could not be stored, and retrying will not help by itself; the partner will send it again");
                refuse(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
            _ => {
                tracing::warn!(%channel, reason = %self, "a callback could not be taken; the partner will send it again");
                refuse(StatusCode::SERVICE_UNAVAILABLE, "try again later")
            }
        }
    }
}

/// Acts on a verified request's events: subscriber changes first, then the statuses in one
/// group commit. An opt-in, opt-out or choice is applied only if its time lies in the
/// platform's [`EventWindow`], only the first time its event id is seen, and only if no later
/// consent event (or, for a choice, no later choice of the same kind) of the same person was
/// applied before it; otherwise it is dropped (counted, and
/// logged without anything that identifies the person) and the partner still hears 200, since
/// a refusal would only make it send the same event again, for days.
async fn apply(
    state: &HookState,
    hook: &HookAccount,
    events: Vec<InboundEvent>,
) -> Result<(), NotTaken> {
    let applying = Applying::new(state, hook);
    let mut statuses = Vec::new();
    for event in events {
        match event {
            InboundEvent::Status(status) => statuses.extend(applying.status(status).await?),
            event => applying.consent_event(event).await?,
        }
    }
    state.ingestor.ingest(statuses).await?;
    Ok(())
}

/// What applying one request's events needs: the account's channel and its platform's
/// [`EventWindow`], the time now, and the subscriber list where there is a vault to seal it.
struct Applying<'a> {
    channel: String,
    platform: Platform,
    now: DateTime<Utc>,
    window: EventWindow,
    vault: Option<&'a SubscriberVault>,
    consent: Option<Consent<'a, AnyStore>>,
}

impl<'a> Applying<'a> {
    fn new(state: &'a HookState, hook: &'a HookAccount) -> Applying<'a> {
        let vault = state.vault.as_deref();
        Applying {
            channel: hook.account.channel.to_string(),
            platform: hook.account.channel.platform,
            now: state.clock.now(),
            window: EventWindow::for_platform(hook.account.channel.platform),
            vault,
            consent: vault.map(|vault| Consent {
                store: &state.store,
                vault,
                account: &hook.account,
            }),
        }
    }

    /// The subscriber list, or why a consent event cannot be taken without one.
    fn consent(&self) -> Result<&Consent<'a, AnyStore>, NotTaken> {
        self.consent.as_ref().ok_or(NotTaken::NoVault)
    }

    /// A status callback as the receipt to count (none for `sent`: herald counts a message as
    /// sent when the partner accepts it). A WhatsApp or SMS number that cannot be delivered to
    /// is unsubscribed first, since the person is gone.
    async fn status(&self, status: StatusEvent) -> Result<Option<StatusReceipt>, NotTaken> {
        let channel = &self.channel;
        if status.status == DeliveryStatus::Sent {
            return Ok(None);
        }
        // Without a vault nobody can have subscribed, so no delivery can need telling
        // apart by recipient.
        let lookup = match (&status.recipient, self.vault) {
            (Some(recipient), Some(vault)) => vault.lookup(channel, recipient),
            _ => String::new(),
        };
        let gone = status.status == DeliveryStatus::Failed
            && status
                .error
                .as_ref()
                .is_some_and(|(code, _)| gone_on_failure(self.platform, code));
        if let (true, Some(recipient), Some(consent)) = (gone, &status.recipient, &self.consent) {
            // The failure of one sent message is one event: its id is the message's.
            let event_id = format!("failed:{}", status.platform_message_id);
            if let Some(order) = admit(channel, &self.window, &event_id, status.at, self.now) {
                let change = consent.unsubscribe(recipient, order).await?;
                tally(channel, change);
            }
        }
        Ok(Some(StatusReceipt {
            channel: channel.clone(),
            receipt: receipt(
                channel,
                &status.platform_message_id,
                &lookup,
                status.status.name(),
            ),
            platform_id: status.platform_message_id,
            status: status.status.name().to_string(),
            day: status.at.format("%Y-%m-%d").to_string(),
        }))
    }

    /// An opt-in, opt-out or choice applied to the subscriber list, if admitted; any other
    /// text is dropped (herald keeps no conversations).
    async fn consent_event(&self, event: InboundEvent) -> Result<(), NotTaken> {
        let channel = &self.channel;
        let changed = match event {
            InboundEvent::Subscribe {
                user,
                language,
                payload,
                stamp,
            } => {
                let consent = self.consent()?;
                let Some(order) = self.admit(&stamp) else {
                    return Ok(());
                };
                let change = consent
                    .subscribe(&user, language.as_deref(), payload.as_deref(), order)
                    .await;
                change.inspect(|change| tally(channel, *change))
            }
            InboundEvent::Unsubscribe {
                user,
                reason,
                stamp,
            } => {
                let consent = self.consent()?;
                let Some(order) = self.admit(&stamp) else {
                    return Ok(());
                };
                tracing::info!(%channel, reason = reason.name(), "a subscriber left");
                let change = consent.unsubscribe(&user, order).await;
                change.inspect(|change| tally(channel, *change))
            }
            InboundEvent::Choice { user, data, stamp } => {
                let consent = self.consent()?;
                let Some(order) = self.admit(&stamp) else {
                    return Ok(());
                };
                let change = consent.choose(&user, &data, order).await;
                change.inspect(|change| tally(channel, *change))
            }
            InboundEvent::Status(_) | InboundEvent::Text { .. } => return Ok(()),
        };
        let change = changed?;
        tracing::debug!(%channel, ?change, "subscriber event");
        Ok(())
    }

    /// The order a stamped consent event is applied in, if admitted (see [`admit`]).
    fn admit<'e>(&self, stamp: &'e EventStamp) -> Option<EventOrder<'e>> {
        admit(&self.channel, &self.window, &stamp.id, stamp.at, self.now)
    }
}

/// The order in which a consent event stamped `at` is applied, if its time lies in the
/// platform's window; `None` (counted and logged, without the event id or the person) if not.
fn admit<'e>(
    channel: &str,
    window: &EventWindow,
    event_id: &'e str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<EventOrder<'e>> {
    match window.judge(at, now) {
        Timeliness::OnTime => Some(EventOrder {
            event_id,
            at_ms: at.timestamp_millis(),
            keep_until_ms: window.keep_until(at).timestamp_millis(),
            now_ms: now.timestamp_millis(),
        }),
        timeliness => {
            METRICS.consent_event(match timeliness {
                Timeliness::TooEarly => ConsentEventResult::TooEarly,
                _ => ConsentEventResult::TooOld,
            });
            tracing::warn!(
                %channel,
                timeliness = timeliness.name(),
                late_by_s = (now - at).num_seconds(),
                "a signed consent event outside its platform's time window was not applied (a replay, or a clock far off)"
            );
            None
        }
    }
}

/// Counts what became of an admitted consent event; a repeat or a superseded one is logged.
fn tally(channel: &str, change: ConsentChange) {
    let result = match change {
        ConsentChange::Repeated => ConsentEventResult::Repeated,
        ConsentChange::Superseded => ConsentEventResult::Superseded,
        ConsentChange::PastRetention => ConsentEventResult::TooOld,
        _ => ConsentEventResult::Applied,
    };
    if result != ConsentEventResult::Applied {
        tracing::info!(%channel, ?result, "a consent event was not applied again or out of order");
    }
    METRICS.consent_event(result);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::file_fault_errors;

    #[test]
    fn twilio_is_trusted_for_the_public_url_and_loopback_callers_only() {
        let uri: Uri = "/hooks/sms/nl?x=1".parse().unwrap();
        let with_host = |host: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, host.parse().unwrap());
            twilio_urls("https://herald.example.org", &uri, &headers)
        };
        assert_eq!(
            with_host("127.0.0.1:4000"),
            vec![
                "https://herald.example.org/hooks/sms/nl?x=1".to_string(),
                "http://127.0.0.1:4000/hooks/sms/nl?x=1".to_string()
            ]
        );
        assert_eq!(with_host("[::1]:4000").len(), 2);
        assert_eq!(with_host("localhost").len(), 2);
        for foreign in ["other-app.example", "10.0.0.1:80", "127.0.0.1.evil.example"] {
            assert_eq!(
                with_host(foreign),
                vec!["https://herald.example.org/hooks/sms/nl?x=1".to_string()],
                "{foreign}"
            );
        }
    }

    #[tokio::test]
    async fn a_full_disk_asks_for_a_retry_and_a_bug_says_so() {
        let full = StoreError::from(file_fault_errors::disk_full().await).in_sqlite_file("h.db");
        for full in [
            NotTaken::Store(full),
            NotTaken::Ingest(IngestError::Store(Arc::new(
                StoreError::from(file_fault_errors::disk_full().await).in_sqlite_file("h.db"),
            ))),
        ] {
            assert_eq!(
                full.answer("whatsapp:nl").status(),
                StatusCode::SERVICE_UNAVAILABLE
            );
        }
        let bug = NotTaken::Store(StoreError::Corrupt("a row".into()));
        assert_eq!(
            bug.answer("whatsapp:nl").status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let restarting = NotTaken::Store(StoreError::Database(sqlx::Error::PoolTimedOut));
        assert_eq!(
            restarting.answer("whatsapp:nl").status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        for waiting in [NotTaken::NoVault, NotTaken::Ingest(IngestError::Stopped)] {
            assert_eq!(
                waiting.answer("whatsapp:nl").status(),
                StatusCode::SERVICE_UNAVAILABLE
            );
        }
        assert_eq!(
            NotTaken::NoVault.to_string(),
            "subscriber identifiers cannot be sealed: HERALD_SECRET_KEY is not set"
        );
    }
}
