//! The notifier: every few seconds it gathers each user's new events into a digest when the
//! digest is due (the oldest waiting event is a digest interval old, or one is urgent), then
//! sends the digests due now. A digest row is written before anything is sent and marked sent
//! only after the SMTP server or webhook accepted it, so a crash or a refusal means a later
//! attempt, never a lost digest; a sender that loses its lease records nothing.

use std::sync::Arc;
use std::time::Duration;

use lettre::{AsyncSmtpTransport, Tokio1Executor};
use tokio::sync::watch;

use super::compose::compose;
use super::delivery::{send_email, send_webhook, smtp_transport};
use super::settings::NotifierSettings;
use super::{NotifyError, SendError};
use crate::clock::Clock;
use crate::store::{
    DigestAttempt, DigestRecord, NotificationRecipient, NotifyChannel, StaffEvent, Store,
    StoreError,
};

/// Events read per pass; more wait for the next one.
const EVENTS_PER_PASS: u32 = 1000;
/// Digests sent per pass.
const DIGESTS_PER_PASS: u32 = 50;

pub struct Notifier<S> {
    store: S,
    settings: Arc<NotifierSettings>,
    clock: Arc<dyn Clock>,
    /// This process, as a lease owner.
    owner: String,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    http: reqwest::Client,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NotifyReport {
    pub opened: u64,
    pub sent: u64,
    pub failed: u64,
}

impl<S: Store> Notifier<S> {
    pub fn new(
        store: S,
        settings: Arc<NotifierSettings>,
        clock: Arc<dyn Clock>,
    ) -> Result<Notifier<S>, NotifyError> {
        let smtp = settings.email.as_ref().map(smtp_transport).transpose()?;
        Ok(Notifier {
            store,
            settings,
            clock,
            owner: format!("notifier-{}", crate::auth::random_id(8)),
            smtp,
            http: crate::platforms::partner_client()?,
        })
    }

    /// Passes until `shutdown` says stop; a database failure is logged and tried again at
    /// the next pass.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(
            digest_minutes = self.settings.digest_interval.as_secs() / 60,
            email = self.settings.email.is_some(),
            webhook = self.settings.webhook.is_some(),
            "staff notifications on"
        );
        while !*shutdown.borrow() {
            if let Err(error) = self.tick().await {
                crate::metrics::METRICS.store_failed();
                tracing::error!(%error, "staff notifications: the database failed; trying again at the next pass");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.settings.tick) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// One pass: open the digests that are due, send those due now, expire old rows.
    pub async fn tick(&self) -> Result<NotifyReport, StoreError> {
        let mut report = NotifyReport {
            opened: self.open_due_digests().await?,
            ..NotifyReport::default()
        };
        let now_ms = self.clock.now().timestamp_millis();
        let lease_until = now_ms + self.settings.lease.as_millis() as i64;
        let digests = self
            .store
            .lease_digests(&self.owner, now_ms, lease_until, DIGESTS_PER_PASS)
            .await?;
        for digest in digests {
            if self.send(&digest).await? {
                report.sent += 1;
            } else {
                report.failed += 1;
            }
        }
        let before = now_ms - self.settings.retention.as_millis() as i64;
        self.store.expire_notifications(before).await?;
        Ok(report)
    }

    /// Opens a digest for each user whose new events are due; moves the mark of users with
    /// nothing to hear past the events they do not hear of.
    async fn open_due_digests(&self) -> Result<u64, StoreError> {
        let recipients = self.store.notification_recipients(None).await?;
        let Some(from) = recipients.iter().map(|r| r.seen_event).min() else {
            return Ok(0);
        };
        let events = self.store.staff_events(from, None, EVENTS_PER_PASS).await?;
        let Some(upto) = events.last().map(|e| e.id) else {
            return Ok(0);
        };
        let now = self.clock.now().timestamp_millis();
        let interval = self.settings.digest_interval.as_millis() as i64;
        let mut opened = 0;
        for recipient in recipients.iter().filter(|r| r.seen_event < upto) {
            let mine: Vec<&StaffEvent> = events
                .iter()
                .filter(|e| e.id > recipient.seen_event && hears_of(recipient, e))
                .collect();
            let user = &recipient.user.id;
            let Some(oldest) = mine.first() else {
                self.store
                    .skip_staff_events(user, recipient.seen_event, upto)
                    .await?;
                continue;
            };
            let due = mine.iter().any(|e| e.kind.is_urgent()) || now - oldest.at_ms >= interval;
            if due
                && self
                    .store
                    .open_digest(
                        user,
                        recipient.seen_event,
                        upto,
                        recipient.preferences.channel,
                        now,
                    )
                    .await?
            {
                opened += 1;
            }
        }
        Ok(opened)
    }

    /// One attempt at one digest; whether it went.
    async fn send(&self, digest: &DigestRecord) -> Result<bool, StoreError> {
        let content = self.content(digest).await?;
        let now = self.clock.now();
        let outcome = match &content {
            Some((recipient, events)) => self.deliver(digest, recipient, events).await,
            // The user is gone or turned these kinds off since: nothing is left to say.
            None => Ok(()),
        };
        let attempt = match &outcome {
            Ok(()) => DigestAttempt::Sent {
                at_ms: now.timestamp_millis(),
            },
            Err(error) => {
                let attempt = u32::try_from(digest.attempts + 1).unwrap_or(u32::MAX);
                let delay = crate::dispatch::retry_delay(
                    attempt,
                    self.settings.retry_base,
                    self.settings.retry_max,
                    &format!("digest-{}", digest.id),
                );
                tracing::warn!(
                    digest = digest.id,
                    attempt,
                    channel = digest.channel.name(),
                    retry_in_seconds = delay.as_secs(),
                    %error,
                    "a staff notification digest was not accepted; it is tried again later"
                );
                DigestAttempt::Failed {
                    retry_at_ms: now.timestamp_millis() + delay.as_millis() as i64,
                    error: error.to_string(),
                }
            }
        };
        if content.is_some() {
            crate::metrics::METRICS.digest_attempt(outcome.is_ok());
        }
        let recorded = self
            .store
            .finish_digest(digest.id, &self.owner, &attempt)
            .await?;
        if !recorded {
            tracing::warn!(
                digest = digest.id,
                "the digest's lease passed to another sender before its attempt was recorded"
            );
        } else if outcome.is_ok() && content.is_some() {
            tracing::info!(
                digest = digest.id,
                channel = digest.channel.name(),
                "staff notification digest sent"
            );
        }
        Ok(outcome.is_ok())
    }

    /// The digest's reader and the events they still hear of; `None` when there is nobody or
    /// nothing.
    async fn content(
        &self,
        digest: &DigestRecord,
    ) -> Result<Option<(NotificationRecipient, Vec<StaffEvent>)>, StoreError> {
        let Some(recipient) = self
            .store
            .notification_recipients(Some(&digest.user_id))
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let events: Vec<StaffEvent> = self
            .store
            .staff_events(digest.after_event, Some(digest.last_event), u32::MAX)
            .await?
            .into_iter()
            .filter(|e| hears_of(&recipient, e))
            .collect();
        Ok((!events.is_empty()).then_some((recipient, events)))
    }

    async fn deliver(
        &self,
        digest: &DigestRecord,
        recipient: &NotificationRecipient,
        events: &[StaffEvent],
    ) -> Result<(), SendError> {
        let message = compose(
            digest.id,
            &recipient.user.name,
            events,
            &self.settings.public_url,
        );
        match digest.channel {
            NotifyChannel::Email => {
                let (Some(smtp), Some(email)) = (&self.smtp, &self.settings.email) else {
                    return Err(SendError::NotConfigured("smtp"));
                };
                let to = recipient
                    .preferences
                    .email
                    .as_deref()
                    .ok_or(SendError::NoAddress)?;
                send_email(smtp, email, to, &message).await
            }
            NotifyChannel::Webhook => {
                let Some(webhook) = &self.settings.webhook else {
                    return Err(SendError::NotConfigured("webhook"));
                };
                let timestamp = self.clock.now().timestamp();
                send_webhook(&self.http, webhook, digest.id, timestamp, &message).await
            }
            NotifyChannel::None => Ok(()),
        }
    }

    /// How long a pass waits for the next.
    pub fn tick_every(&self) -> Duration {
        self.settings.tick
    }
}

/// Whether this user hears of this event: a kind they chose, and their role's to hear.
fn hears_of(recipient: &NotificationRecipient, event: &StaffEvent) -> bool {
    recipient.preferences.channel != NotifyChannel::None
        && recipient.preferences.kinds.contains(&event.kind)
        && recipient.user.has(event.kind.audience())
}
