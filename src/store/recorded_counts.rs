//! The delivery counters a batch of outcomes adds, restricted to the jobs actually recorded.

use std::collections::{BTreeMap, HashSet};

use super::DeliveryCount;

/// Sums the per-job contributions of the jobs in `recorded` into one counter per dimension,
/// day and status. A job missing from `recorded` had its lease taken over by another worker,
/// which counts it itself; adding it here too would count one message twice.
pub(crate) fn sum_recorded_counts(
    per_job: &[(i64, DeliveryCount)],
    recorded: &HashSet<i64>,
) -> Vec<DeliveryCount> {
    let mut sums: BTreeMap<[&str; 9], (i64, i64)> = BTreeMap::new();
    for (job, count) in per_job {
        if !recorded.contains(job) {
            continue;
        }
        let key = [
            count.campaign.as_str(),
            count.version.as_str(),
            count.send.as_str(),
            count.segment.as_str(),
            count.locale.as_str(),
            count.channel.as_str(),
            count.variant.as_str(),
            count.day.as_str(),
            count.status.as_str(),
        ];
        let sum = sums.entry(key).or_default();
        sum.0 += count.count;
        sum.1 += count.key_sum;
    }
    sums.into_iter()
        .map(
            |(
                [
                    campaign,
                    version,
                    send,
                    segment,
                    locale,
                    channel,
                    variant,
                    day,
                    status,
                ],
                (count, key_sum),
            )| {
                DeliveryCount {
                    campaign: campaign.to_string(),
                    version: version.to_string(),
                    send: send.to_string(),
                    segment: segment.to_string(),
                    locale: locale.to_string(),
                    channel: channel.to_string(),
                    variant: variant.to_string(),
                    day: day.to_string(),
                    status: status.to_string(),
                    count,
                    key_sum,
                }
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(segment: &str, status: &str) -> DeliveryCount {
        DeliveryCount {
            campaign: "c".into(),
            version: "v".into(),
            send: "s".into(),
            segment: segment.into(),
            locale: "fr".into(),
            channel: "whatsapp:main".into(),
            variant: String::new(),
            day: "2027-03-01".into(),
            status: status.into(),
            count: 1,
            key_sum: 7,
        }
    }

    #[test]
    fn only_recorded_jobs_are_summed_per_dimension() {
        let per_job = vec![
            (1, count("a", "sent")),
            (2, count("a", "sent")),
            (3, count("a", "sent")),
            (4, count("b", "failed")),
        ];
        let recorded: HashSet<i64> = [1, 3, 4].into_iter().collect();
        let sums = sum_recorded_counts(&per_job, &recorded);
        assert_eq!(sums.len(), 2);
        assert_eq!((sums[0].segment.as_str(), sums[0].count), ("a", 2));
        assert_eq!(
            sums[0].key_sum, 14,
            "the record keys of the recorded jobs are summed too"
        );
        assert_eq!(
            (sums[1].segment.as_str(), sums[1].status.as_str()),
            ("b", "failed")
        );
        assert!(sum_recorded_counts(&per_job, &HashSet::new()).is_empty());
    }
}
