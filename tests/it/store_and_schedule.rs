//! The store suite, run on SQLite always and on PostgreSQL when `HERALD_TEST_POSTGRES_URL` is
//! set: migrations, content-hashed versions, the lifecycle, and idempotent planning across
//! daylight-saving changes in several time zones.

use crate::common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::Project;
use common::lifecycle::approve_version;
use herald::campaign::{VersionBundle, VersionState};
use herald::dispatch::{DEFAULT_HORIZON, plan_horizon};
use herald::project::LoadedCampaign;
use herald::schedule::planned_jobs;
use herald::store::{Store, StoreError};

/// Loads the fixture campaign after applying `edits` to its file, as a version bundle.
fn campaign(edits: &[(&str, &str)]) -> (LoadedCampaign, VersionBundle, Project) {
    let project = Project::valid();
    for (from, to) in edits {
        project.edit("campaigns/demo.toml", from, to);
    }
    let mut loaded = project.load();
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    (loaded.campaigns.remove(0), bundle, project)
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

async fn migrations_apply_once_and_refuse_a_newer_schema<S: Store>(store: S, url: &str) {
    let again = store.migrate().await.unwrap();
    assert!(again.applied.is_empty(), "already migrated: {again:?}");
    assert_eq!(again.current, 18);
    common::stores::raw_execute(url, "INSERT INTO herald_schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)").await;
    match store.migrate().await {
        Err(StoreError::SchemaTooNew {
            found: 999,
            known: 18,
        }) => {}
        other => panic!("expected a refusal, got {other:?}"),
    }
    let refusal = store.migrate().await.unwrap_err().to_string();
    assert!(
        refusal.contains("newer than this herald knows"),
        "{refusal}"
    );
}

async fn the_same_content_is_the_same_version<S: Store>(store: S, _url: &str) {
    let (_, bundle, _) = campaign(&[]);
    let (_, same, _) = campaign(&[]);
    let at = utc(2027, 1, 1, 12, 0);
    let first = store.save_version(&bundle, at).await.unwrap();
    let second = store
        .save_version(&same, at + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(first.hash, second.hash);
    assert_eq!(
        first.created_at, second.created_at,
        "the first save is kept"
    );
    assert_eq!(first.state, VersionState::Draft);
    assert_eq!(first.bundle, bundle);
    let (_, changed, _) = campaign(&[(
        "title = \"Demo campaign\"",
        "title = \"Demo campaign, revised\"",
    )]);
    let third = store.save_version(&changed, at).await.unwrap();
    assert_ne!(third.hash, first.hash, "any change makes a new version");
    assert_eq!(store.versions("demo").await.unwrap().len(), 2);
}

async fn illegal_transitions_are_refused<S: Store>(store: S, _url: &str) {
    let (_, bundle, _) = campaign(&[]);
    let at = utc(2027, 1, 1, 12, 0);
    let version = store.save_version(&bundle, at).await.unwrap();
    match store
        .transition(&version.hash, VersionState::Approved, at, "tester")
        .await
    {
        Err(StoreError::Transition(error)) => assert_eq!(
            error.to_string(),
            "cannot move a draft version to approved; from draft it can only go to: submitted, cancelled"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        store.version(&version.hash).await.unwrap().unwrap().state,
        VersionState::Draft
    );
    for state in [
        VersionState::Submitted,
        VersionState::Approved,
        VersionState::Scheduled,
        VersionState::Running,
        VersionState::Completed,
    ] {
        let moved = store
            .transition(&version.hash, state, at + Duration::minutes(1), "tester")
            .await
            .unwrap();
        assert_eq!(moved.state, state);
        assert_eq!(moved.updated_at, at + Duration::minutes(1));
    }
    assert!(matches!(
        store
            .transition(&version.hash, VersionState::Running, at, "tester")
            .await,
        Err(StoreError::Transition(_))
    ));
}

async fn racing_transitions_cannot_both_win<S: Store>(store: S, _url: &str) {
    let at = utc(2027, 1, 1, 12, 0);
    for round in 0..10 {
        let purpose = format!("purpose = \"Race {round} {}\"", rand_suffix());
        let (_, bundle, _) = campaign(&[("purpose = \"Exercise the validator\"", &purpose)]);
        let version = store.save_version(&bundle, at).await.unwrap();
        store
            .transition(&version.hash, VersionState::Submitted, at, "tester")
            .await
            .unwrap();
        // Approval and rejection race; neither is allowed after the other.
        let (a, b) = tokio::join!(
            store.transition(&version.hash, VersionState::Approved, at, "tester"),
            store.transition(&version.hash, VersionState::Rejected, at, "tester")
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} / {b:?}");
        let state = store.version(&version.hash).await.unwrap().unwrap().state;
        assert_eq!(
            state,
            if a.is_ok() {
                VersionState::Approved
            } else {
                VersionState::Rejected
            }
        );
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

async fn replanning_never_duplicates_a_job<S: Store>(store: S, url: &str) {
    let (loaded, bundle, _) = campaign(&[]);
    let version = store
        .save_version(&bundle, utc(2027, 1, 1, 0, 0))
        .await
        .unwrap();
    let now = utc(2027, 1, 15, 0, 0);
    let first = plan_horizon(
        &store,
        &version.hash,
        &loaded.campaign,
        now,
        DEFAULT_HORIZON,
    )
    .await
    .unwrap();
    // Mon 10:00 Amsterdam is outside 15–17 Jan; Fri 12:00 (support-x) on the 15th is inside:
    // 1 slot × 3 locales × 1 channel.
    assert_eq!((first.jobs, first.inserted), (3, 3));
    let again = plan_horizon(
        &store,
        &version.hash,
        &loaded.campaign,
        now,
        DEFAULT_HORIZON,
    )
    .await
    .unwrap();
    assert_eq!(again.inserted, 0);
    // A restart: a new connection, the horizon forgotten; planning the same window again.
    let reopened = reconnect::<S>(url).await;
    let all = planned_jobs(&loaded.campaign, &version.hash, now, now + DEFAULT_HORIZON);
    assert_eq!(reopened.insert_jobs(&all).await.unwrap(), 0);
    assert_eq!(
        store.jobs_for_version(&version.hash).await.unwrap().len(),
        3
    );

    // Rolling on, a day at a time, to the campaign's end: every job exactly once.
    let mut clock = now;
    while clock < utc(2027, 5, 2, 0, 0) {
        clock += Duration::hours(24);
        plan_horizon(
            &store,
            &version.hash,
            &loaded.campaign,
            clock,
            DEFAULT_HORIZON,
        )
        .await
        .unwrap();
    }
    let stored = store.jobs_for_version(&version.hash).await.unwrap();
    let expected = planned_jobs(
        &loaded.campaign,
        &version.hash,
        utc(2027, 1, 1, 0, 0),
        utc(2027, 6, 1, 0, 0),
    );
    assert_eq!(stored.len(), expected.len());
    let mut keys: Vec<&str> = stored.iter().map(|j| j.idempotency_key.as_str()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), stored.len(), "no duplicate keys");
    // 15 weeks of Mondays (2 variants share one job) × 3 locales × 2 channels, and Fridays × 3 × 1.
    assert_eq!(
        stored.iter().filter(|j| j.send == "weekly").count(),
        15 * 3 * 2
    );
    assert_eq!(
        stored.iter().filter(|j| j.send == "support-x").count(),
        16 * 3
    );
}

/// The slot times of one send.
fn times(slots: &[(String, DateTime<Utc>)], send: &str) -> Vec<DateTime<Utc>> {
    slots
        .iter()
        .filter(|(s, _)| s == send)
        .map(|(_, t)| *t)
        .collect()
}

/// Jobs in the DST weeks of one time zone, as (UTC slot) per send, from the store.
async fn slots_in_store<S: Store>(
    store: &S,
    timezone: &str,
    cron_weekly: &str,
    cron_x: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<(String, DateTime<Utc>)> {
    let (loaded, bundle, _) = campaign(&[
        ("\"Europe/Amsterdam\"", &format!("\"{timezone}\"")),
        (
            "cron = \"0 10 * * MON\"",
            &format!("cron = \"{cron_weekly}\""),
        ),
        ("cron = \"0 12 * * FRI\"", &format!("cron = \"{cron_x}\"")),
        ("ends = 2027-04-30", "ends = 2027-12-31"),
        // A distinct version per window, so each window is planned on its own.
        (
            "purpose = \"Exercise the validator\"",
            &format!("purpose = \"Window from {from}\""),
        ),
    ]);
    let version = store.save_version(&bundle, from).await.unwrap();
    let mut clock = from;
    while clock < until {
        plan_horizon(
            store,
            &version.hash,
            &loaded.campaign,
            clock,
            Duration::hours(48),
        )
        .await
        .unwrap();
        clock += Duration::hours(6);
    }
    let mut slots: Vec<(String, DateTime<Utc>)> = store
        .jobs_for_version(&version.hash)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.locale == "en" && j.slot < until)
        .map(|j| (j.send, j.slot))
        .collect();
    slots.dedup();
    slots
}

async fn amsterdam_daylight_saving_changes<S: Store>(store: S, _url: &str) {
    // 02:30 does not exist on 28 March 2027 (02:00 → 03:00) and happens twice on 31 October.
    let spring = slots_in_store(
        &store,
        "Europe/Amsterdam",
        "30 2 * * *",
        "0 12 * * *",
        utc(2027, 3, 26, 12, 0),
        utc(2027, 3, 30, 0, 0),
    )
    .await;
    let daily = times(&spring, "weekly");
    assert_eq!(
        daily,
        [
            utc(2027, 3, 27, 1, 30),
            utc(2027, 3, 28, 1, 0),
            utc(2027, 3, 29, 0, 30)
        ],
        "the skipped 02:30 fires once, at 03:00 CEST"
    );
    let autumn = slots_in_store(
        &store,
        "Europe/Amsterdam",
        "30 2 * * *",
        "0 12 * * *",
        utc(2027, 10, 29, 12, 0),
        utc(2027, 11, 2, 0, 0),
    )
    .await;
    let daily = times(&autumn, "weekly");
    assert_eq!(
        daily,
        [
            utc(2027, 10, 30, 0, 30),
            utc(2027, 10, 31, 0, 30),
            utc(2027, 11, 1, 1, 30)
        ],
        "the repeated 02:30 fires once, at its first occurrence"
    );
    let noon = times(&autumn, "support-x");
    assert_eq!(
        noon,
        [
            utc(2027, 10, 30, 10, 0),
            utc(2027, 10, 31, 11, 0),
            utc(2027, 11, 1, 11, 0)
        ]
    );
}

async fn new_york_daylight_saving_changes<S: Store>(store: S, _url: &str) {
    // 14 March 2027: 02:00 → 03:00 EDT. 7 November 2027: 02:00 EDT → 01:00 EST, 01:30 twice.
    let spring = slots_in_store(
        &store,
        "America/New_York",
        "30 2 * * *",
        "30 1 * * *",
        utc(2027, 3, 12, 12, 0),
        utc(2027, 3, 16, 0, 0),
    )
    .await;
    let daily = times(&spring, "weekly");
    assert_eq!(
        daily,
        [
            utc(2027, 3, 13, 7, 30),
            utc(2027, 3, 14, 7, 0),
            utc(2027, 3, 15, 6, 30)
        ]
    );
    let autumn = slots_in_store(
        &store,
        "America/New_York",
        "30 2 * * *",
        "30 1 * * *",
        utc(2027, 11, 5, 12, 0),
        utc(2027, 11, 9, 0, 0),
    )
    .await;
    let early = times(&autumn, "support-x");
    assert_eq!(
        early,
        [
            utc(2027, 11, 6, 5, 30),
            utc(2027, 11, 7, 5, 30),
            utc(2027, 11, 8, 6, 30)
        ],
        "01:30 on 7 November fires once, in EDT"
    );
}

async fn kabul_half_hour_offset<S: Store>(store: S, _url: &str) {
    let slots = slots_in_store(
        &store,
        "Asia/Kabul",
        "0 9 * * *",
        "45 23 * * *",
        utc(2027, 3, 1, 0, 0),
        utc(2027, 3, 3, 0, 0),
    )
    .await;
    let nine = times(&slots, "weekly");
    assert_eq!(
        nine,
        [utc(2027, 3, 1, 4, 30), utc(2027, 3, 2, 4, 30)],
        "09:00 in Kabul is 04:30 UTC"
    );
    let late = times(&slots, "support-x");
    assert_eq!(late, [utc(2027, 3, 1, 19, 15), utc(2027, 3, 2, 19, 15)]);
}

/// Opens a second connection to the same database, as a restarted process would.
async fn reconnect<S: Store>(url: &str) -> herald::store::AnyStore {
    let _ = std::marker::PhantomData::<S>;
    herald::store::connect(url).await.expect("reconnect")
}

/// Which versions are in which states, without their bundles, oldest first: what the click
/// redirector asks every few seconds.
async fn version_states_list_hashes_oldest_first<S: Store>(store: S, _url: &str) {
    let (_, first, _) = campaign(&[]);
    let (_, second, _) = campaign(&[("Demo campaign", "Demo campaign, revised")]);
    let at = utc(2027, 1, 1, 12, 0);
    let first = approve_version(&store, &first, at).await;
    let second = store
        .save_version(&second, at + Duration::hours(1))
        .await
        .unwrap();
    let states = [VersionState::Draft, VersionState::Approved];
    assert_eq!(
        store.version_states(&states).await.unwrap(),
        vec![
            (first.hash.clone(), VersionState::Approved),
            (second.hash.clone(), VersionState::Draft),
        ]
    );
    assert_eq!(
        store
            .version_states(&[VersionState::Approved])
            .await
            .unwrap(),
        vec![(first.hash, VersionState::Approved)]
    );
    assert!(store.version_states(&[]).await.unwrap().is_empty());
}

/// Click counters are written in batches: one batch adds to each counter in one transaction,
/// and a later batch adds to what the first wrote.
async fn click_counts_add_up_in_batches<S: Store>(store: S, _url: &str) {
    let click = |locale: &str, kind: &str| herald::store::ClickKey {
        campaign: "demo".into(),
        send: "weekly".into(),
        variant: "a".into(),
        locale: locale.into(),
        channel: "telegram:info".into(),
        day: "2027-01-18".into(),
        kind: kind.into(),
    };
    let tally = |clicks: i64, key_sum: i64| herald::store::ClickCount { clicks, key_sum };
    store.add_click_counts(&[]).await.unwrap();
    store
        .add_click_counts(&[
            (click("ar", "person"), tally(3, 300)),
            (click("ar", "preview"), tally(1, 17)),
        ])
        .await
        .unwrap();
    store
        .add_click_counts(&[
            (click("ar", "person"), tally(2, 255)),
            (click("en", "person"), tally(5, 600)),
        ])
        .await
        .unwrap();
    let mut counts = store.click_counts("demo").await.unwrap();
    counts.sort_by(|a, b| a.0.cmp(&b.0));
    // Counts and the sums of their record keys add up alike.
    assert_eq!(
        counts,
        vec![
            (click("ar", "person"), tally(5, 555)),
            (click("ar", "preview"), tally(1, 17)),
            (click("en", "person"), tally(5, 600)),
        ]
    );
}

/// Two processes migrating the same fresh PostgreSQL database at once (two `herald worker`s
/// started together): both succeed, one applies every migration and the other none. The
/// migration lock is taken before the ledger is created; the other way round, both could try
/// to create it and one fail. Several rounds, as the race is not certain to show in one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrations_of_a_fresh_postgresql_database_both_succeed() {
    for _round in 0..4 {
        let Some(fresh) = common::stores::postgres_unmigrated().await else {
            eprintln!("HERALD_TEST_POSTGRES_URL is not set: PostgreSQL run skipped");
            return;
        };
        let other = herald::store::connect(&fresh.url)
            .await
            .expect("a second process connects");
        let (first, second) = tokio::join!(fresh.store.migrate(), other.migrate());
        let (first, second) = (
            first.expect("the first process migrates"),
            second.expect("the second process migrates"),
        );
        assert_eq!(first.current, second.current);
        let mut applied = [first.applied.clone(), second.applied.clone()];
        applied.sort_by_key(|versions| versions.len());
        assert!(applied[0].is_empty(), "{first:?} {second:?}");
        assert_eq!(applied[1].last().copied(), Some(first.current));
        assert!(fresh.store.migrate().await.unwrap().applied.is_empty());
        drop(other);
        fresh.cleanup().await;
    }
}

on_both_stores!(
    migrations_apply_once_and_refuse_a_newer_schema,
    the_same_content_is_the_same_version,
    illegal_transitions_are_refused,
    racing_transitions_cannot_both_win,
    replanning_never_duplicates_a_job,
    amsterdam_daylight_saving_changes,
    new_york_daylight_saving_changes,
    kabul_half_hour_offset,
    click_counts_add_up_in_batches,
    version_states_list_hashes_oldest_first,
);

mod horizon {
    use super::*;

    /// After an outage longer than the horizon, slots older than one horizon are skipped,
    /// not sent days late; the ones within it are still planned.
    #[tokio::test]
    async fn an_outage_skips_only_stale_slots() {
        let fresh = common::stores::sqlite().await;
        let store = fresh.store;
        let (loaded, bundle, _) = campaign(&[]);
        let version = store
            .save_version(&bundle, utc(2027, 1, 1, 0, 0))
            .await
            .unwrap();
        plan_horizon(
            &store,
            &version.hash,
            &loaded.campaign,
            utc(2027, 1, 15, 0, 0),
            DEFAULT_HORIZON,
        )
        .await
        .unwrap();
        // Down from the 17th until noon on the 26th: Mon 18 and Fri 22 are more than one horizon
        // (48 h) old; Mon 25 at 10:00 is within it and still goes out.
        let pass = plan_horizon(
            &store,
            &version.hash,
            &loaded.campaign,
            utc(2027, 1, 26, 12, 0),
            DEFAULT_HORIZON,
        )
        .await
        .unwrap();
        assert_eq!(pass.skipped_stale, 3 * 2 + 3); // Mon 18 (weekly: 3 locales × 2 channels) and Fri 22 (3 × 1)
        let sends: Vec<(String, DateTime<Utc>)> = store
            .jobs_for_version(&version.hash)
            .await
            .unwrap()
            .into_iter()
            .filter(|j| j.locale == "en" && j.channel != "whatsapp:optin")
            .map(|j| (j.send, j.slot))
            .collect();
        assert_eq!(
            sends,
            [
                ("support-x".to_string(), utc(2027, 1, 15, 11, 0)),
                ("weekly".to_string(), utc(2027, 1, 25, 9, 0)),
            ]
        );
    }
}
