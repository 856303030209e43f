//! How late a partner's event may arrive and still change anyone's consent.
//!
//! A signed request stays valid for ever: whoever captured one (a log, a proxy, a leaked
//! backup) could send it again years later. Refusing events stamped too long ago bounds that,
//! and bounds how long herald must remember event ids to recognise a replay. But a partner
//! retries a callback herald did not answer, so the bound must be at least the partner's own
//! retry horizon: herald must never refuse a genuine opt-out only because it was down.
//!
//! * Viber retries a callback "several times for an hour": 2 hours.
//! * Telegram keeps an update it could not deliver for 24 hours: 25 hours. Telegram signs
//!   nothing, but its `date` comes with the secret header, and with the `update_id` it is what
//!   there is.
//! * Meta (WhatsApp, and Facebook Pages) retries for up to 7 days: 7 days and 1 hour.
//! * Twilio's SMS webhooks carry no time of their own: herald stamps them when they arrive, so
//!   no SMS event is ever too old, and a replay is recognised only by its `MessageSid`. Those
//!   ids (and the person's last consent time) are kept for 30 days: a request captured and
//!   sent again within 30 days changes nothing; one sent again later counts as new.
//!
//! Events stamped more than 5 minutes in the future are refused too (partners' clocks are
//! synchronised; a stamp far ahead would let its mark outlive every real event).

use chrono::{DateTime, Duration, Utc};

use crate::channel::Platform;

/// How far before and after herald's clock an event's time may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventWindow {
    /// The oldest event applied, relative to now.
    pub late: Duration,
    /// The furthest ahead of now an event may be stamped.
    pub early: Duration,
}

/// Whether an event's time lies in its platform's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    OnTime,
    /// Older than the partner would still retry it: a replay.
    TooOld,
    /// Stamped too far in the future.
    TooEarly,
}

impl Timeliness {
    /// `on_time`, `too_old` or `too_early`, as logged.
    pub fn name(self) -> &'static str {
        match self {
            Timeliness::OnTime => "on_time",
            Timeliness::TooOld => "too_old",
            Timeliness::TooEarly => "too_early",
        }
    }
}

/// How far ahead of herald's clock a partner's stamp may be.
const EARLY: Duration = Duration::minutes(5);

impl EventWindow {
    /// The window for events from `platform` (see the module documentation for why).
    pub fn for_platform(platform: Platform) -> EventWindow {
        let late = match platform {
            Platform::Viber => Duration::hours(2),
            Platform::Telegram => Duration::hours(25),
            Platform::Sms => Duration::days(30),
            // Meta, and any platform whose retries herald does not know: the longest.
            _ => Duration::days(7) + Duration::hours(1),
        };
        EventWindow { late, early: EARLY }
    }

    /// Whether an event stamped `at` may be applied `now`.
    pub fn judge(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> Timeliness {
        if at < now - self.late {
            Timeliness::TooOld
        } else if at > now + self.early {
            Timeliness::TooEarly
        } else {
            Timeliness::OnTime
        }
    }

    /// Until when an event stamped `at`, and the mark it leaves on a person, must be kept:
    /// the last moment at which the same event, or any older one, could still be on time.
    pub fn keep_until(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        at + self.late
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_events_are_judged_against_the_partners_retry_horizon() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let viber = EventWindow::for_platform(Platform::Viber);
        assert_eq!(
            viber.judge(now - Duration::minutes(59), now),
            Timeliness::OnTime
        );
        assert_eq!(
            viber.judge(now - Duration::hours(2), now),
            Timeliness::OnTime
        );
        assert_eq!(
            viber.judge(now - Duration::hours(2) - Duration::seconds(1), now),
            Timeliness::TooOld
        );
        assert_eq!(
            viber.judge(now + Duration::minutes(5), now),
            Timeliness::OnTime
        );
        assert_eq!(
            viber.judge(now + Duration::minutes(6), now),
            Timeliness::TooEarly
        );
        let telegram = EventWindow::for_platform(Platform::Telegram);
        assert_eq!(
            telegram.judge(now - Duration::hours(24), now),
            Timeliness::OnTime
        );
        assert_eq!(
            telegram.judge(now - Duration::hours(26), now),
            Timeliness::TooOld
        );
        let whatsapp = EventWindow::for_platform(Platform::WhatsApp);
        assert_eq!(
            whatsapp.judge(now - Duration::days(7), now),
            Timeliness::OnTime
        );
        assert_eq!(
            whatsapp.judge(now - Duration::days(8), now),
            Timeliness::TooOld
        );
        // What is kept lasts exactly as long as an event that old could be on time.
        for window in [viber, telegram, whatsapp] {
            let at = now - Duration::minutes(30);
            let until = window.keep_until(at);
            assert_eq!(window.judge(at, until), Timeliness::OnTime);
            assert_eq!(
                window.judge(at, until + Duration::milliseconds(1)),
                Timeliness::TooOld
            );
        }
    }
}
