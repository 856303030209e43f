//! Pacing: when each call to an account goes. An account's configured limits become rate
//! buckets in the database (the spacing between messages that keeps every sliding window at
//! or under the limit), shared by every worker; calls reserve their send times there, per
//! account and per recipient, and the daily cap is counted. Calls that cannot go now are
//! requeued without using an attempt.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::Dispatcher;
use super::addressing::Addressed;
use super::batch_outcomes::BatchOutcomes;
use super::calls::{Ready, Unit};
use super::route::Route;
use crate::store::{Store, StoreError};

/// Milliseconds between messages so that no window of `window_ms` holds more than `limit`.
/// One millisecond of margin absorbs the inclusive edges of a sliding window.
pub fn interval_ms(limit_per_window: f64, window_ms: i64) -> i64 {
    if limit_per_window <= 0.0 {
        return window_ms;
    }
    (window_ms as f64 / limit_per_window).ceil() as i64 + 1
}

/// The bucket of one account (all of its traffic).
pub fn account_bucket(channel: &str) -> String {
    channel.to_string()
}

/// The bucket of one recipient (chat) of an account.
pub fn recipient_bucket(channel: &str, recipient: &str) -> String {
    format!("{channel}|{recipient}")
}

/// When a call may go.
enum Slot {
    /// At this paced time (ms).
    At(i64),
    /// Not in this batch: its budget is next free at this time (ms).
    NotBefore(i64),
}

/// A call and its paced send time (ms).
type Accepted = (Unit, i64);

impl<S: Store> Dispatcher<S> {
    /// Decides when each call to one account goes: renders the texts, groups jobs into one
    /// call where the platform takes many recipients at once, then applies account pacing,
    /// recipient pacing and the daily cap. Calls that cannot go now are requeued without
    /// using an attempt.
    pub(super) async fn pace_channel(
        &self,
        route: &Arc<Route>,
        jobs: Vec<Addressed>,
        now: DateTime<Utc>,
        ready: &mut Vec<Ready>,
        outcomes: &mut BatchOutcomes,
    ) -> Result<(), StoreError> {
        let now_ms = now.timestamp_millis();
        let units = self.group_into_calls(route, jobs, outcomes).await;
        let accepted = match route.account.rate.per_recipient_per_minute {
            // Without per-recipient limits, the account's times are reserved for the batch at once.
            None => self.pace_account(route, units, now_ms, outcomes).await?,
            Some(limit) => {
                self.pace_recipients(route, units, limit, now_ms, outcomes)
                    .await?
            }
        };
        if !self.within_daily_cap(route, &accepted, now).await? {
            let tomorrow = start_of_next_day_ms(now);
            for (unit, _) in accepted {
                for (job, _) in unit.jobs {
                    outcomes.defer(job.id, tomorrow, Some("daily cap reached".into()));
                }
            }
            return Ok(());
        }
        ready.extend(accepted.into_iter().map(|(unit, send_at_ms)| Ready {
            jobs: unit.jobs,
            send_at_ms,
            text: unit.text,
            route: Arc::clone(route),
            recipient: unit.bucket,
        }));
        Ok(())
    }

    fn pacing_ms(&self) -> i64 {
        self.settings.pacing_window.as_millis() as i64
    }

    /// Account pacing alone: the account's next times within the pacing window, reserved for
    /// all the calls at once (every call now, without a per-second limit).
    async fn pace_account(
        &self,
        route: &Route,
        units: Vec<Unit>,
        now_ms: i64,
        outcomes: &mut BatchOutcomes,
    ) -> Result<Vec<Accepted>, StoreError> {
        let (times, next_free) = match route.account.rate.per_second {
            Some(per_second) => {
                let reservation = self
                    .store
                    .reserve_send_times(
                        &route.bucket,
                        units.len() as u32,
                        now_ms,
                        interval_ms(per_second, 1_000),
                        self.pacing_ms(),
                    )
                    .await?;
                (reservation.times, reservation.next_free_ms)
            }
            None => (vec![now_ms; units.len()], now_ms),
        };
        let mut accepted = Vec::with_capacity(units.len());
        for (index, unit) in units.into_iter().enumerate() {
            match times.get(index) {
                Some(&at) => accepted.push((unit, at)),
                None => defer(unit, next_free, outcomes),
            }
        }
        Ok(accepted)
    }

    /// Recipient and account pacing, call by call (see [`Dispatcher::recipient_slot`]).
    async fn pace_recipients(
        &self,
        route: &Route,
        units: Vec<Unit>,
        per_minute: u32,
        now_ms: i64,
        outcomes: &mut BatchOutcomes,
    ) -> Result<Vec<Accepted>, StoreError> {
        let recipient_interval = interval_ms(f64::from(per_minute), 60_000);
        let mut accepted = Vec::with_capacity(units.len());
        for unit in units {
            let slot = self
                .recipient_slot(route, unit.bucket.as_deref(), recipient_interval, now_ms)
                .await?;
            match slot {
                Slot::At(at) => accepted.push((unit, at)),
                Slot::NotBefore(at) => defer(unit, at, outcomes),
            }
        }
        Ok(accepted)
    }

    /// One call's time under recipient pacing: the recipient's next time, then the account's
    /// first time not before it; the recipient's spacing then starts from the actual send.
    async fn recipient_slot(
        &self,
        route: &Route,
        recipient: Option<&str>,
        recipient_interval: i64,
        now_ms: i64,
    ) -> Result<Slot, StoreError> {
        let channel = route.account.channel.to_string();
        let pacing_ms = self.pacing_ms();
        let mut send_at = now_ms;
        let mut recipient_slot = None;
        if let Some(key) = recipient {
            let bucket = recipient_bucket(&channel, key);
            let reservation = self
                .store
                .reserve_send_times(&bucket, 1, now_ms, recipient_interval, pacing_ms)
                .await?;
            let Some(&at) = reservation.times.first() else {
                return Ok(Slot::NotBefore(reservation.next_free_ms));
            };
            send_at = at;
            recipient_slot = Some((bucket, reservation.next_free_ms));
        }
        let Some(per_second) = route.account.rate.per_second else {
            return Ok(Slot::At(send_at));
        };
        let within = (pacing_ms - (send_at - now_ms)).max(0);
        let reservation = self
            .store
            .reserve_send_times(
                &account_bucket(&channel),
                1,
                send_at,
                interval_ms(per_second, 1_000),
                within,
            )
            .await?;
        let Some(&at) = reservation.times.first() else {
            return Ok(Slot::NotBefore(reservation.next_free_ms));
        };
        if let Some((bucket, reserved_until)) = &recipient_slot {
            let moved = at == send_at
                || self
                    .store
                    .push_bucket(bucket, *reserved_until, at + recipient_interval)
                    .await?;
            if !moved {
                return Ok(Slot::NotBefore(at));
            }
        }
        Ok(Slot::At(at))
    }

    /// Whether the account's daily cap takes the accepted calls' messages today (they are
    /// counted if it does).
    async fn within_daily_cap(
        &self,
        route: &Route,
        accepted: &[Accepted],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let Some(cap) = route.account.rate.daily_cap else {
            return Ok(true);
        };
        let messages: usize = accepted.iter().map(|(unit, _)| unit.jobs.len()).sum();
        if messages == 0 {
            return Ok(true);
        }
        let day = now.format("%Y-%m-%d").to_string();
        self.store
            .count_daily(
                &route.account.channel.to_string(),
                &day,
                messages as u32,
                cap,
            )
            .await
    }
}

/// Requeues a call's jobs to `at_ms` without using an attempt.
fn defer(unit: Unit, at_ms: i64, outcomes: &mut BatchOutcomes) {
    for (job, _) in unit.jobs {
        outcomes.defer(job.id, at_ms, None);
    }
}

/// Midnight (UTC) after `now`, when a daily cap starts again.
fn start_of_next_day_ms(now: DateTime<Utc>) -> i64 {
    (now.date_naive() + chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(now.timestamp_millis() + 86_400_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_keeps_windows_under_the_limit() {
        for (limit, window) in [(30.0, 1_000), (20.0, 60_000), (80.0, 1_000), (1.0, 1_000)] {
            let interval = interval_ms(limit, window);
            // Messages at 0, interval, 2·interval, ...: how many fit in one closed window?
            let in_window = window / interval + 1;
            assert!(in_window as f64 <= limit, "{limit}/{window}: {in_window}");
        }
    }
}
