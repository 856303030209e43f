//! Expanding sends' cron schedules into concrete slots, in each segment's own time zone and
//! within the campaign's dates, and turning slots into outbox jobs with idempotency keys.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::campaign::model::{Campaign, Send};
use crate::campaign::{ContentHash, Segment};

/// One firing of one send for one segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub send: String,
    pub message: String,
    pub segment: String,
    pub timezone: String,
    pub utc: DateTime<Utc>,
    /// The audience's wall-clock time, with its offset.
    pub local: DateTime<chrono::FixedOffset>,
}

/// A job to put in the outbox: one slot × locale × channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedJob {
    pub idempotency_key: String,
    pub version: ContentHash,
    pub send: String,
    pub segment: String,
    pub locale: String,
    pub channel: String,
    pub slot: DateTime<Utc>,
}

/// The first instant of `date` in `tz` (midnight, or the first valid time if a DST jump
/// skips midnight there).
fn local_day_start(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let mut time = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    for _ in 0..4 {
        if let Some(start) = tz.from_local_datetime(&time).earliest() {
            return start.with_timezone(&Utc);
        }
        time += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&time)
}

/// The campaign's own window for a segment: from its first day's start to the end of its last
/// day, in the segment's time zone.
pub fn campaign_window(campaign: &Campaign, segment: &Segment) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = local_day_start(segment.timezone, campaign.starts);
    let end = local_day_start(segment.timezone, campaign.ends + Duration::days(1));
    (start, end)
}

/// Every slot of every send in `[from, until)`, sorted by time, then send and segment.
pub fn slots(campaign: &Campaign, from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<Slot> {
    let mut out = Vec::new();
    for send in &campaign.sends {
        for segment in send.segments.iter().filter_map(|id| campaign.segment(id)) {
            send_slots(campaign, send, segment, from, until, &mut out);
        }
    }
    out.sort_by(|a, b| (a.utc, &a.send, &a.segment).cmp(&(b.utc, &b.send, &b.segment)));
    out
}

fn send_slots(
    campaign: &Campaign,
    send: &Send,
    segment: &Segment,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    out: &mut Vec<Slot>,
) {
    let (window_start, window_end) = campaign_window(campaign, segment);
    let from = from.max(window_start);
    let until = until.min(window_end);
    if from >= until {
        return;
    }
    for at in send.cron.firings_between(segment.timezone, from, until) {
        out.push(Slot {
            send: send.id.clone(),
            message: send.message.clone(),
            segment: segment.id.clone(),
            timezone: segment.timezone.name().to_string(),
            utc: at.with_timezone(&Utc),
            local: at.fixed_offset(),
        });
    }
}

/// The outbox key: one job per (version, send, segment, locale, channel, slot), whoever plans
/// it and however often.
pub fn idempotency_key(
    version: &ContentHash,
    send: &str,
    segment: &str,
    locale: &str,
    channel: &str,
    slot: DateTime<Utc>,
) -> String {
    format!(
        "{}/{send}/{segment}/{locale}/{channel}/{}",
        version.as_str(),
        slot.timestamp()
    )
}

/// The jobs for slots in `[from, until)`: one per slot × segment locale × send channel.
pub fn planned_jobs(
    campaign: &Campaign,
    version: &ContentHash,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<PlannedJob> {
    let mut jobs = Vec::new();
    for slot in slots(campaign, from, until) {
        let (Some(send), Some(segment)) = (
            campaign.sends.iter().find(|s| s.id == slot.send),
            campaign.segment(&slot.segment),
        ) else {
            continue;
        };
        for locale in &segment.locales {
            for channel in &send.channels {
                let locale = locale.value.to_string();
                let channel = channel.value.to_string();
                jobs.push(PlannedJob {
                    idempotency_key: idempotency_key(
                        version,
                        &send.id,
                        &segment.id,
                        &locale,
                        &channel,
                        slot.utc,
                    ),
                    version: version.clone(),
                    send: send.id.clone(),
                    segment: segment.id.clone(),
                    locale,
                    channel,
                    slot: slot.utc,
                });
            }
        }
    }
    jobs
}
