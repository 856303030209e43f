//! Audience estimates at launch: when a version runs, Meta is asked once per (segment,
//! channel) how many people the segment's targeting reaches, so that reports can state
//! penetration (reach over audience) against the audience as it was at launch.
//!
//! Only Meta channels with an ad account can be asked: a `facebook:*` page whose account names
//! an `ad_account_id` credential, and every `meta_ads:*` account. The estimate covers the
//! segment's countries and ages (clamped to Meta's 18 to 65), in any language: Meta's numeric
//! locale keys are not mapped from herald's locales.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::campaign::model::{Campaign, Segment};
use crate::channel::ChannelRef;
use crate::platforms::{
    ErrorClass, FacebookAdapter, META_MAX_AGE, META_MIN_AGE, PlatformError, Secret, Targeting,
};
use crate::store::{AudienceEstimateRecord, Store, StoreError};

/// How long to wait before asking again after a transient failure or an estimate Meta has not
/// finished computing.
const RETRY_AFTER: Duration = Duration::minutes(10);

/// Where one channel's audience estimates come from.
#[derive(Debug, Clone)]
pub struct EstimateSource {
    pub adapter: FacebookAdapter,
    /// The ad account (with or without `act_`), a credential: never logged.
    pub ad_account: Secret,
    /// The Graph API version the adapter uses (`v21.0`), stored with each estimate.
    pub api_version: String,
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EstimateReport {
    pub asked: usize,
    pub stored: usize,
    /// Failed or not ready: asked again later (or never, for a permanent refusal).
    pub failed: usize,
}

/// (version, segment, channel).
type EstimateKey = (String, String, String);

/// One worker's estimator.
pub struct AudienceEstimator {
    sources: HashMap<String, EstimateSource>,
    /// Keys not to ask about before a time (`None`: not again in this process, because the
    /// estimate is stored, or Meta refused for good and the log says why).
    backoff: Mutex<HashMap<EstimateKey, Option<DateTime<Utc>>>>,
}

/// The targeting of a segment in Meta's terms: its countries, and its ages clamped to what
/// Meta accepts (18 to 65, where 65 means "65 and over").
pub fn targeting_for(segment: &Segment) -> Targeting {
    let clamp = |age: u8| age.clamp(META_MIN_AGE, META_MAX_AGE);
    Targeting {
        countries: segment.countries.clone(),
        age_min: segment.age.map(|(min, _)| clamp(min)),
        age_max: segment.age.map(|(_, max)| clamp(max)),
        locales: Vec::new(),
    }
}

impl AudienceEstimator {
    /// `sources` maps a channel (`meta_ads:sahel-ads`) to where its estimates come from.
    pub fn new(sources: HashMap<String, EstimateSource>) -> AudienceEstimator {
        AudienceEstimator {
            sources,
            backoff: Mutex::new(HashMap::new()),
        }
    }

    /// Whether no channel of this worker can be asked for estimates.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// The (segment, channel) pairs of a campaign's sends that an estimate can be asked for.
    pub fn pairs<'c>(&self, campaign: &'c Campaign) -> Vec<(&'c Segment, String)> {
        let mut seen = HashSet::new();
        let mut pairs = Vec::new();
        for send in &campaign.sends {
            for channel in &send.channels {
                let channel: &ChannelRef = &channel.value;
                let name = channel.to_string();
                if !self.sources.contains_key(&name) {
                    continue;
                }
                for segment in send.segments.iter().filter_map(|id| campaign.segment(id)) {
                    if seen.insert((segment.id.clone(), name.clone())) {
                        pairs.push((segment, name.clone()));
                    }
                }
            }
        }
        pairs
    }

    /// Asks for every (segment, channel) of a running version that has no estimate yet, and
    /// stores the answers. Failures are logged and asked again later (never again in this
    /// process when Meta refused for good).
    pub async fn estimate_version<S: Store>(
        &self,
        store: &S,
        version: &str,
        campaign: &Campaign,
        now: DateTime<Utc>,
    ) -> Result<EstimateReport, StoreError> {
        let mut report = EstimateReport::default();
        let due: Vec<(&Segment, String)> = self
            .pairs(campaign)
            .into_iter()
            .filter(|(segment, channel)| {
                self.may_ask(
                    &(version.to_string(), segment.id.clone(), channel.clone()),
                    now,
                )
            })
            .collect();
        if due.is_empty() {
            return Ok(report);
        }
        let existing: HashSet<(String, String)> = store
            .audience_estimates(&campaign.id)
            .await?
            .into_iter()
            .filter(|e| e.version == version)
            .map(|e| (e.segment, e.channel))
            .collect();
        for (segment, channel) in due {
            let key = (version.to_string(), segment.id.clone(), channel.clone());
            if existing.contains(&(segment.id.clone(), channel.clone())) {
                // Taken (by this worker or another): not asked about again.
                self.back_off(key, None);
                continue;
            }
            let Some(source) = self.sources.get(&channel) else {
                continue;
            };
            report.asked += 1;
            let answer = source
                .adapter
                .delivery_estimate(source.ad_account.expose(), &targeting_for(segment))
                .await;
            match answer {
                Ok(estimate) if estimate.ready => {
                    let record = AudienceEstimateRecord {
                        campaign: campaign.id.clone(),
                        version: version.to_string(),
                        segment: segment.id.clone(),
                        channel: channel.clone(),
                        lower: i64::try_from(estimate.lower).unwrap_or(i64::MAX),
                        upper: i64::try_from(estimate.upper).unwrap_or(i64::MAX),
                        daily: estimate.daily.map(|d| i64::try_from(d).unwrap_or(i64::MAX)),
                        api_version: source.api_version.clone(),
                        estimated_at_ms: now.timestamp_millis(),
                    };
                    self.back_off(key, None);
                    if store.save_audience_estimate(&record).await? {
                        report.stored += 1;
                        tracing::info!(
                            campaign = %campaign.id,
                            segment = %segment.id,
                            %channel,
                            lower = record.lower,
                            upper = record.upper,
                            "audience estimate stored"
                        );
                    }
                }
                Ok(_) => {
                    report.failed += 1;
                    self.back_off(key, Some(now + RETRY_AFTER));
                    tracing::info!(segment = %segment.id, %channel, "Meta is still computing the audience estimate; asking again later");
                }
                Err(error) => {
                    report.failed += 1;
                    let text = redact(&error, source.ad_account.expose());
                    let until = match &error.class {
                        ErrorClass::Throttled { wait } => Some(
                            now + Duration::from_std(*wait)
                                .unwrap_or(RETRY_AFTER)
                                .max(Duration::seconds(1)),
                        ),
                        ErrorClass::Transient => Some(now + RETRY_AFTER),
                        ErrorClass::Permanent => None,
                    };
                    match until {
                        Some(_) => {
                            tracing::warn!(segment = %segment.id, %channel, error = %text, "audience estimate failed; asking again later")
                        }
                        None => {
                            tracing::error!(segment = %segment.id, %channel, error = %text, "audience estimate refused; penetration will not be reported for this segment and channel")
                        }
                    }
                    self.back_off(key, until);
                }
            }
        }
        Ok(report)
    }

    fn may_ask(&self, key: &EstimateKey, now: DateTime<Utc>) -> bool {
        let backoff = self.backoff.lock().unwrap_or_else(|e| e.into_inner());
        match backoff.get(key) {
            None => true,
            Some(Some(until)) => *until <= now,
            Some(None) => false,
        }
    }

    fn back_off(&self, key: EstimateKey, until: Option<DateTime<Utc>>) {
        let mut backoff = self.backoff.lock().unwrap_or_else(|e| e.into_inner());
        backoff.insert(key, until);
    }
}

/// The error's words without the ad account id (a credential), which Meta may quote.
fn redact(error: &PlatformError, ad_account: &str) -> String {
    let text = error.to_string();
    let id = ad_account.trim().trim_start_matches("act_");
    if id.is_empty() {
        text
    } else {
        text.replace(id, "***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_clamped_to_metas_bounds() {
        let segment = |age: Option<(u8, u8)>| Segment {
            id: "sahel".into(),
            kind: crate::campaign::model::SegmentKind::ThirdCountry,
            countries: vec!["NE".into(), "ML".into()],
            locales: Vec::new(),
            fallback: Vec::new(),
            timezone: chrono_tz::UTC,
            age,
            span: 0..0,
        };
        let wide = targeting_for(&segment(Some((16, 70))));
        assert_eq!((wide.age_min, wide.age_max), (Some(18), Some(65)));
        assert_eq!(wide.countries, ["NE", "ML"]);
        assert!(wide.spec().is_ok());
        let any = targeting_for(&segment(None));
        assert_eq!((any.age_min, any.age_max), (None, None));
        let young = targeting_for(&segment(Some((12, 16))));
        assert_eq!((young.age_min, young.age_max), (Some(18), Some(18)));
    }

    #[test]
    fn the_ad_account_never_shows_in_an_error() {
        let error = PlatformError::refused("100", "Object with ID 'act_4455667788' does not exist");
        let text = redact(&error, "4455667788");
        assert!(!text.contains("4455667788"), "{text}");
        assert!(text.contains("act_***"));
    }
}
