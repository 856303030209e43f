//! Insight polls, observations and audience estimates on both stores: polls registered once,
//! leased by one worker at a time and taken over when a lease expires; a window read twice
//! replaces its value instead of adding to it; a worker whose lease moved writes nothing;
//! an ended poll is never leased again; one estimate per (version, segment, channel).

use herald::store::{
    AudienceEstimateRecord, InsightObservation, InsightPoll, NewInsightPoll, PollOutcome,
    PollRecord, Store,
};

const T0: i64 = 1_804_000_000_000;
const HOUR: i64 = 3_600_000;

fn poll(channel: &str, post: &str, published_at_ms: i64) -> NewInsightPoll {
    NewInsightPoll {
        channel: channel.into(),
        post_id: post.into(),
        campaign: "demo".into(),
        version: "v1".into(),
        send: "weekly".into(),
        segment: "in-eu".into(),
        locale: "ar".into(),
        variant: "a".into(),
        published_at_ms,
        ends_at_ms: published_at_ms + 30 * 24 * HOUR,
        window: "1h".into(),
        due_at_ms: published_at_ms + HOUR,
    }
}

fn observation(poll: &InsightPoll, window: &str, value: i64, at_ms: i64) -> InsightObservation {
    InsightObservation {
        campaign: poll.campaign.clone(),
        version: poll.version.clone(),
        send: poll.send.clone(),
        segment: poll.segment.clone(),
        locale: poll.locale.clone(),
        channel: poll.channel.clone(),
        variant: poll.variant.clone(),
        post_id: poll.post_id.clone(),
        window: window.into(),
        metric: "reach".into(),
        value,
        api_version: "v21.0".into(),
        observed_at_ms: at_ms,
    }
}

fn observed(
    poll: &InsightPoll,
    next: Option<(&str, i64)>,
    seen: Vec<InsightObservation>,
) -> PollRecord {
    PollRecord {
        id: poll.id,
        outcome: PollOutcome::Observed {
            next: next.map(|(w, at)| (w.to_string(), at)),
        },
        observations: seen,
    }
}

async fn reach_of<S: Store>(store: &S, post: &str, window: &str) -> Vec<i64> {
    store
        .insight_observations("demo")
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.post_id == post && o.window == window && o.metric == "reach")
        .map(|o| o.value)
        .collect()
}

async fn polls_are_leased_once_and_windows_never_count_twice<S: Store>(store: S, _url: &str) {
    let first = poll("facebook:page", "111_1", T0);
    let second = poll("x:updates", "1880000000000000001", T0 + HOUR);
    assert_eq!(
        store
            .add_insight_polls(&[first.clone(), second.clone()])
            .await
            .unwrap(),
        2
    );
    // Registering a post again (a retried batch) changes nothing.
    assert_eq!(
        store
            .add_insight_polls(std::slice::from_ref(&first))
            .await
            .unwrap(),
        0
    );

    // At T0 + 1h only the first is due, and only one worker gets it.
    let now = T0 + HOUR;
    let leased = store
        .lease_insight_polls("a", now, now + 60_000, 10)
        .await
        .unwrap();
    assert_eq!(leased.len(), 1);
    let p1 = leased[0].clone();
    assert_eq!(
        (p1.post_id.as_str(), p1.window.as_deref(), p1.due_at_ms),
        ("111_1", Some("1h"), Some(T0 + HOUR))
    );
    assert!(
        store
            .lease_insight_polls("b", now, now + 60_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let written = store
        .record_insight_polls(
            "a",
            &[observed(
                &p1,
                Some(("24h", T0 + 24 * HOUR)),
                vec![observation(&p1, "1h", 100, now)],
            )],
            now,
        )
        .await
        .unwrap();
    assert_eq!(written, 1);
    assert_eq!(reach_of(&store, "111_1", "1h").await, [100]);

    // The 24h window: worker a leases it and stalls; its lease expires and b takes over.
    let day = T0 + 24 * HOUR;
    let stalled = store
        .lease_insight_polls("a", day, day + 60_000, 10)
        .await
        .unwrap();
    assert_eq!(stalled.len(), 2, "both posts are due by now");
    let taken = store
        .lease_insight_polls("b", day + 120_000, day + 180_000, 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 2, "expired leases are taken over");
    let p1 = taken.iter().find(|p| p.post_id == "111_1").unwrap().clone();
    let p2 = taken.iter().find(|p| p.post_id != "111_1").unwrap().clone();
    assert_eq!(p1.window.as_deref(), Some("24h"));
    store
        .record_insight_polls(
            "b",
            &[
                observed(
                    &p1,
                    Some(("7d", T0 + 7 * 24 * HOUR)),
                    vec![observation(&p1, "24h", 150, day + 120_000)],
                ),
                PollRecord {
                    id: p2.id,
                    outcome: PollOutcome::Ended {
                        reason: "X no longer has the post (deleted)".into(),
                    },
                    observations: Vec::new(),
                },
            ],
            day + 120_000,
        )
        .await
        .unwrap();
    // The stalled worker finally writes: its lease moved, so nothing of it is kept.
    let stale = stalled.iter().find(|p| p.post_id == "111_1").unwrap();
    let late = store
        .record_insight_polls(
            "a",
            &[observed(
                stale,
                Some(("7d", T0 + 7 * 24 * HOUR)),
                vec![observation(stale, "24h", 999, day + 200_000)],
            )],
            day + 200_000,
        )
        .await
        .unwrap();
    assert_eq!(late, 0);
    assert_eq!(reach_of(&store, "111_1", "24h").await, [150]);

    // A transient failure leaves the poll due for the same window, counting the attempt.
    let week = T0 + 7 * 24 * HOUR;
    let leased = store
        .lease_insight_polls("b", week, week + 60_000, 10)
        .await
        .unwrap();
    assert_eq!(leased.len(), 1, "the ended poll is never leased again");
    let p1 = leased[0].clone();
    assert_eq!(p1.window.as_deref(), Some("7d"));
    store
        .record_insight_polls(
            "b",
            &[PollRecord {
                id: p1.id,
                outcome: PollOutcome::Retry {
                    due_at_ms: week,
                    error: "transient: HTTP 503 (503)".into(),
                },
                observations: Vec::new(),
            }],
            week,
        )
        .await
        .unwrap();
    let again = store
        .lease_insight_polls("b", week + 60_000, week + 120_000, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].window.as_deref(), again[0].attempts),
        (Some("7d"), 1)
    );
    assert_eq!(
        again[0].last_error.as_deref(),
        Some("transient: HTTP 503 (503)")
    );
    // Reading the 7d window, with a repeated (later) reading of 24h: replaced, not added.
    let p1 = again[0].clone();
    store
        .record_insight_polls(
            "b",
            &[observed(
                &p1,
                Some(("end", p1.ends_at_ms)),
                vec![
                    observation(&p1, "7d", 400, week + 60_000),
                    observation(&p1, "24h", 160, week + 60_000),
                    observation(&p1, "24h", 155, week + 30_000),
                ],
            )],
            week + 60_000,
        )
        .await
        .unwrap();
    assert_eq!(reach_of(&store, "111_1", "24h").await, [160]);
    assert_eq!(reach_of(&store, "111_1", "7d").await, [400]);

    // The end window closes the poll.
    let end = p1.ends_at_ms;
    let last = store
        .lease_insight_polls("b", end, end + 60_000, 10)
        .await
        .unwrap();
    assert_eq!(last[0].window.as_deref(), Some("end"));
    store
        .record_insight_polls(
            "b",
            &[observed(
                &last[0],
                None,
                vec![observation(&last[0], "end", 420, end)],
            )],
            end,
        )
        .await
        .unwrap();
    assert!(
        store
            .lease_insight_polls("b", end + 365 * 24 * HOUR, end + 366 * 24 * HOUR, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let polls = store.insight_polls("demo").await.unwrap();
    assert_eq!(polls.len(), 2);
    let done = polls.iter().find(|p| p.post_id == "111_1").unwrap();
    assert_eq!(
        (done.window.as_deref(), done.due_at_ms, done.finished_at_ms),
        (None, None, Some(end))
    );
    let gone = polls.iter().find(|p| p.post_id != "111_1").unwrap();
    assert_eq!(gone.window, None);
    assert_eq!(
        gone.last_error.as_deref(),
        Some("X no longer has the post (deleted)")
    );
    let windows: Vec<String> = store
        .insight_observations("demo")
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.window)
        .collect();
    assert_eq!(windows, ["1h", "24h", "7d", "end"]);
    assert!(
        store
            .insight_observations("other")
            .await
            .unwrap()
            .is_empty()
    );
}

async fn one_audience_estimate_per_version_segment_and_channel<S: Store>(store: S, _url: &str) {
    let estimate = AudienceEstimateRecord {
        campaign: "demo".into(),
        version: "v1".into(),
        segment: "in-eu".into(),
        channel: "facebook:page".into(),
        lower: 8_800_000,
        upper: 13_000_000,
        daily: Some(6_000_000),
        api_version: "v21.0".into(),
        estimated_at_ms: T0,
    };
    assert!(store.save_audience_estimate(&estimate).await.unwrap());
    let later = AudienceEstimateRecord {
        lower: 1,
        upper: 2,
        daily: None,
        estimated_at_ms: T0 + HOUR,
        ..estimate.clone()
    };
    assert!(
        !store.save_audience_estimate(&later).await.unwrap(),
        "the estimate at launch stays"
    );
    let other_channel = AudienceEstimateRecord {
        channel: "meta_ads:ads".into(),
        daily: None,
        ..estimate.clone()
    };
    assert!(store.save_audience_estimate(&other_channel).await.unwrap());
    let stored = store.audience_estimates("demo").await.unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.contains(&estimate));
    assert!(stored.contains(&other_channel));
    assert!(store.audience_estimates("other").await.unwrap().is_empty());
}

on_both_stores!(
    polls_are_leased_once_and_windows_never_count_twice,
    one_audience_estimate_per_version_segment_and_channel
);
