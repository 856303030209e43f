//! Simulated engagement with published posts, so that insights polling, reports and the demo
//! see plausible numbers. Each post gets an eventual audience drawn from the sandbox's seed and
//! its id, and reaches it along a curve of the time since posting on the sandbox clock: fast
//! in the first hours, nearly all of it within a day or two, all of it after seven days. The
//! numbers are deterministic (the same seed, post and time give the same values) and never
//! decrease as time passes, as a poller on a simulated clock expects.

use chrono::Duration;
use sha2::{Digest, Sha256};

/// How quickly a post reaches its audience: after this long, about 63 % of it.
const TIME_CONSTANT_HOURS: f64 = 14.0;
/// After this long a post's numbers no longer change.
const SATURATION: Duration = Duration::days(7);

/// The engagement model of one sandbox.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Engagement {
    seed: u64,
}

/// A Facebook post's numbers at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FacebookNumbers {
    /// Unique people who saw the post (`post_total_media_view_unique`).
    pub(crate) reach: u64,
    /// Times the post was on screen, repeat views included (`post_media_view`): never fewer
    /// than its reach, as each person reached saw it at least once.
    pub(crate) views: u64,
    /// Clicks anywhere on the post (`post_clicks`): a small fraction of the views.
    pub(crate) clicks: u64,
    /// Reactions by type (`post_reactions_by_type_total`).
    pub(crate) reactions: Vec<(&'static str, u64)>,
}

/// An X post's public metrics at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct XNumbers {
    pub(crate) impressions: u64,
    pub(crate) likes: u64,
    pub(crate) retweets: u64,
    pub(crate) replies: u64,
    pub(crate) quotes: u64,
    pub(crate) bookmarks: u64,
}

/// How Facebook reactions divide among their types.
const REACTION_SHARES: [(&str, f64); 5] = [
    ("like", 0.72),
    ("love", 0.14),
    ("care", 0.06),
    ("wow", 0.05),
    ("sad", 0.03),
];

/// A splitmix64 sequence seeded from the sandbox seed and a post, so each post draws its own
/// numbers whatever order posts are read in.
struct Draws(u64);

impl Draws {
    fn new(seed: u64, platform: &str, id: &str) -> Draws {
        let mut hasher = Sha256::new();
        hasher.update(seed.to_le_bytes());
        hasher.update(platform.as_bytes());
        hasher.update([0]);
        hasher.update(id.as_bytes());
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        Draws(u64::from_le_bytes(first))
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number from `low` to `high`, spread evenly over orders of magnitude (audiences vary
    /// that way: most posts are seen by few, some by many).
    fn log_between(&mut self, low: f64, high: f64) -> f64 {
        low * (high / low).powf(self.unit())
    }

    /// A rate from `low` to `high`.
    fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }
}

impl Engagement {
    pub(crate) fn new(seed: u64) -> Engagement {
        Engagement { seed }
    }

    /// The share of its eventual audience a post has reached `elapsed` after posting: 0 before,
    /// rising as 1 - e^(-t/14 h), exactly 1 from seven days on.
    pub(crate) fn progress(elapsed: Duration) -> f64 {
        if elapsed <= Duration::zero() {
            return 0.0;
        }
        if elapsed >= SATURATION {
            return 1.0;
        }
        let hours = elapsed.num_milliseconds() as f64 / 3_600_000.0;
        1.0 - (-hours / TIME_CONSTANT_HOURS).exp()
    }

    /// Facebook post `post_id`'s numbers `elapsed` after it was posted.
    pub(crate) fn facebook(&self, post_id: &str, elapsed: Duration) -> FacebookNumbers {
        let mut draws = Draws::new(self.seed, "facebook", post_id);
        let audience = draws.log_between(300.0, 30_000.0);
        let click_rate = draws.between(0.005, 0.035);
        let reaction_rate = draws.between(0.01, 0.05);
        // Drawn last, so the other numbers stay what they were before views were read.
        let frequency = draws.between(1.2, 4.5);
        let progress = Engagement::progress(elapsed);
        let reactions = audience * reaction_rate;
        FacebookNumbers {
            reach: reached(audience, progress),
            views: reached(audience * frequency, progress),
            clicks: reached(audience * click_rate, progress),
            reactions: REACTION_SHARES
                .iter()
                .map(|(kind, share)| (*kind, reached(reactions * share, progress)))
                .collect(),
        }
    }

    /// X post `id`'s public metrics `elapsed` after it was posted.
    pub(crate) fn x(&self, id: &str, elapsed: Duration) -> XNumbers {
        let mut draws = Draws::new(self.seed, "x", id);
        let impressions = draws.log_between(200.0, 20_000.0);
        let progress = Engagement::progress(elapsed);
        let mut share = |low, high| reached(impressions * draws.between(low, high), progress);
        let likes = share(0.005, 0.03);
        let retweets = share(0.001, 0.006);
        let replies = share(0.0005, 0.003);
        let quotes = share(0.0002, 0.001);
        let bookmarks = share(0.001, 0.005);
        XNumbers {
            impressions: reached(impressions, progress),
            likes,
            retweets,
            replies,
            quotes,
            bookmarks,
        }
    }
}

/// The whole part of `eventual × progress`: never decreasing as progress grows.
fn reached(eventual: f64, progress: f64) -> u64 {
    (eventual * progress).floor().max(0.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_rises_fast_then_saturates() {
        assert_eq!(Engagement::progress(Duration::zero()), 0.0);
        assert_eq!(Engagement::progress(Duration::hours(-1)), 0.0);
        let hour = Engagement::progress(Duration::hours(1));
        let six = Engagement::progress(Duration::hours(6));
        let day = Engagement::progress(Duration::days(1));
        assert!(hour > 0.03 && hour < 0.15, "{hour}");
        assert!(six > 0.3 && six < 0.5, "{six}");
        assert!(day > 0.8, "{day}");
        assert!(Engagement::progress(Duration::days(6)) > 0.999);
        assert_eq!(Engagement::progress(Duration::days(7)), 1.0);
        assert_eq!(Engagement::progress(Duration::days(90)), 1.0);
    }

    #[test]
    fn numbers_are_deterministic_monotonic_and_plausible() {
        let engagement = Engagement::new(42);
        let mut last = engagement.facebook("1_2", Duration::zero());
        assert_eq!((last.reach, last.views), (0, 0));
        for minutes in (10..=14 * 24 * 60).step_by(50) {
            let now = engagement.facebook("1_2", Duration::minutes(minutes));
            assert!(now.reach >= last.reach && now.clicks >= last.clicks);
            assert!(now.views >= last.views && now.views >= now.reach, "{now:?}");
            assert!(now.views as f64 <= now.reach as f64 * 4.5 + 4.5, "{now:?}");
            assert!(now.clicks <= now.reach / 20 + 1, "{now:?}");
            last = now;
        }
        assert!((300..=30_000).contains(&last.reach), "{last:?}");
        assert!(
            last.views as f64 >= last.reach as f64 * 1.2 - 1.0,
            "{last:?}"
        );
        assert_eq!(
            engagement.facebook("1_2", Duration::days(3)),
            Engagement::new(42).facebook("1_2", Duration::days(3))
        );
        assert_ne!(
            engagement.facebook("1_2", Duration::days(3)),
            Engagement::new(43).facebook("1_2", Duration::days(3))
        );

        let early = engagement.x("1880000000000000001", Duration::hours(2));
        let late = engagement.x("1880000000000000001", Duration::days(8));
        assert!(early.impressions < late.impressions);
        assert!(early.likes <= late.likes && early.bookmarks <= late.bookmarks);
        assert!(late.likes < late.impressions / 10 + 1);
        assert!((200..=20_000).contains(&late.impressions));
    }
}
