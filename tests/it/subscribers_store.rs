//! Subscribers and status callbacks in the store, on SQLite always and on PostgreSQL when
//! `HERALD_TEST_POSTGRES_URL` is set: identifiers only sealed, fan-out of a broadcast job into
//! one delivery per subscriber (idempotent), erasure on opt-out, callbacks counted once, and
//! consent events and menu choices applied once and in event-time order, their records pruned
//! when due, and never applied again once the sweep has pruned their time.

use crate::common;

use chrono::{DateTime, TimeZone, Utc};
use common::Project;
use common::lifecycle::schedule_version;
use herald::campaign::{ContentHash, VersionBundle};
use herald::reach::receipt;
use herald::schedule::planned_jobs;
use herald::store::{
    ConsentEvent, ConsentOutcome, ConsentWrite, JobOutcome, LeasedJob, NewSubscriber,
    StatusReceipt, Store,
};
use herald::subscribers::SubscriberVault;

const CHANNEL: &str = "whatsapp:optin";

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn vault() -> SubscriberVault {
    SubscriberVault::from_hex(&"3c".repeat(32)).unwrap()
}

/// A scheduled version of the fixture campaign with the jobs of one Monday in the outbox;
/// returns its hash and the WhatsApp broadcast job for locale `en`, leased.
async fn scheduled_broadcast<S: Store>(store: &S) -> (ContentHash, LeasedJob) {
    let project = Project::valid();
    let loaded = project.load();
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    let version = schedule_version(store, &bundle, utc(2027, 1, 1, 0, 0)).await;
    let jobs = planned_jobs(
        &loaded.campaigns[0].campaign,
        &version.hash,
        utc(2027, 1, 18, 0, 0),
        utc(2027, 1, 18, 23, 0),
    );
    store.insert_jobs(&jobs).await.unwrap();
    let now_ms = utc(2027, 1, 18, 12, 0).timestamp_millis();
    let leased = store
        .lease_due_jobs("worker", now_ms, now_ms + 60_000, 100, &[])
        .await
        .unwrap();
    let broadcast = leased
        .into_iter()
        .find(|j| j.channel == CHANNEL && j.locale == "en")
        .expect("a WhatsApp job for en");
    assert_eq!(broadcast.subscriber_id, None);
    (version.hash, broadcast)
}

async fn subscribe<S: Store>(store: &S, who: &str, locale: &str) -> bool {
    let vault = vault();
    store
        .save_subscriber(&NewSubscriber {
            channel: CHANNEL.into(),
            lookup: vault.lookup(CHANNEL, who),
            sealed: vault.seal(CHANNEL, who).unwrap(),
            locale: locale.into(),
            segment: "in-eu".into(),
            at_ms: 1,
        })
        .await
        .unwrap()
}

async fn broadcasts_fan_out_once_per_subscriber_and_opt_outs_cancel<S: Store>(store: S, url: &str) {
    for n in 0..5 {
        assert!(subscribe(&store, &format!("3161234560{n}"), "en").await);
    }
    assert!(subscribe(&store, "33600000001", "fr").await);
    // Subscribing again changes the locale, never adds a second row.
    assert!(!subscribe(&store, "33600000001", "fr").await);

    let (hash, broadcast) = scheduled_broadcast(&store).await;
    let now_ms = utc(2027, 1, 18, 12, 0).timestamp_millis();
    let mut after = 0;
    let mut pages = 0;
    let mut added = 0;
    while let Some((last, n)) = store
        .expand_broadcast(&broadcast, after, 2, now_ms)
        .await
        .unwrap()
    {
        after = last;
        pages += 1;
        added += n;
    }
    assert_eq!(
        (pages, added),
        (3, 5),
        "5 English subscribers in pages of 2"
    );
    // A crash and a second expansion add nothing.
    assert_eq!(
        store
            .expand_broadcast(&broadcast, 0, 100, now_ms)
            .await
            .unwrap()
            .map(|(_, n)| n),
        Some(0)
    );
    let deliveries: Vec<_> = store
        .jobs_for_version(&hash)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| {
            j.idempotency_key
                .starts_with(&format!("{}/", broadcast.idempotency_key))
        })
        .collect();
    assert_eq!(deliveries.len(), 5);
    assert!(
        deliveries
            .iter()
            .all(|j| j.status == "queued" && j.locale == "en")
    );

    // Opting out erases the row and cancels what was queued for that person.
    let vault = vault();
    let gone = vault.lookup(CHANNEL, "31612345602");
    assert!(
        store
            .erase_subscriber(CHANNEL, &gone, now_ms)
            .await
            .unwrap()
    );
    assert!(
        !store
            .erase_subscriber(CHANNEL, &gone, now_ms)
            .await
            .unwrap()
    );
    let statuses: Vec<String> = store
        .jobs_for_version(&hash)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| {
            j.idempotency_key
                .starts_with(&format!("{}/", broadcast.idempotency_key))
        })
        .map(|j| j.status)
        .collect();
    assert_eq!(statuses.iter().filter(|s| *s == "cancelled").count(), 1);
    let counts = store.subscriber_counts().await.unwrap();
    let by_locale: Vec<(String, i64)> =
        counts.iter().map(|c| (c.locale.clone(), c.count)).collect();
    assert_eq!(by_locale, [("en".to_string(), 4), ("fr".to_string(), 1)]);

    // Nothing in the database holds an identifier in the clear.
    let dump = dump_subscribers(url).await;
    assert!(!dump.contains("3161234560"), "{dump}");
    assert!(!dump.contains("33600000001"));
}

async fn dump_subscribers(url: &str) -> String {
    let sql = "SELECT channel || ' ' || lookup || ' ' || sealed || ' ' || locale FROM subscribers";
    let rows: Vec<(String,)> = if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query_as(sql).fetch_all(&pool).await.unwrap()
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query_as(sql).fetch_all(&pool).await.unwrap()
    };
    rows.into_iter()
        .map(|(r,)| r)
        .collect::<Vec<_>>()
        .join("\n")
}

fn status(platform_id: &str, recipient: &str, status: &str) -> StatusReceipt {
    StatusReceipt {
        channel: CHANNEL.into(),
        platform_id: platform_id.into(),
        receipt: receipt(CHANNEL, platform_id, recipient, status),
        status: status.into(),
        day: "2027-01-18".into(),
    }
}

/// Records job `id` as sent by a worker, under the partner's id `platform_id`.
async fn record_sent<S: Store>(store: &S, id: i64, platform_id: &str, variant: &str, now_ms: i64) {
    store
        .record_outcomes(
            "worker",
            &[(
                id,
                JobOutcome::Sent {
                    platform_id: Some(platform_id.into()),
                    variant: Some(variant.into()),
                },
            )],
            &[],
            now_ms,
        )
        .await
        .unwrap();
}

async fn status_callbacks_count_once_and_early_ones_wait<S: Store>(store: S, _url: &str) {
    let (_hash, broadcast) = scheduled_broadcast(&store).await;
    let now_ms = utc(2027, 1, 18, 12, 0).timestamp_millis();
    // The broadcast job itself stands in for a delivery here: it is sent as wamid.1.
    record_sent(&store, broadcast.id, "wamid.1", "a", now_ms).await;
    let first = store
        .ingest_statuses(
            &[
                status("wamid.1", "r1", "delivered"),
                status("wamid.1", "r1", "delivered"),
                status("wamid.1", "r1", "read"),
                status("wamid.2", "r2", "delivered"),
            ],
            now_ms,
        )
        .await
        .unwrap();
    assert_eq!((first.counted, first.duplicates, first.pending), (2, 1, 1));
    // A replay of the whole request changes nothing.
    let replay = store
        .ingest_statuses(
            &[
                status("wamid.1", "r1", "delivered"),
                status("wamid.1", "r1", "read"),
            ],
            now_ms,
        )
        .await
        .unwrap();
    assert_eq!((replay.counted, replay.duplicates), (0, 2));

    // wamid.2's send is recorded after its callback arrived: the rematch counts it, once.
    let second = store
        .jobs_for_version(&broadcast.version)
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.channel == CHANNEL && j.locale == "fr")
        .unwrap();
    record_sent(&store, second.id, "wamid.2", "b", now_ms).await;
    let rematched = store.rematch_pending_callbacks(0, now_ms).await.unwrap();
    assert_eq!((rematched.counted, rematched.pending), (1, 0));
    let again = store.rematch_pending_callbacks(0, now_ms).await.unwrap();
    assert_eq!(again.counted, 0);

    let counts = store.delivery_counts("demo").await.unwrap();
    let seen: Vec<(String, String, String, i64)> = counts
        .into_iter()
        .map(|c| (c.locale, c.variant, c.status, c.count))
        .collect();
    assert_eq!(
        seen,
        [
            ("en".into(), "a".into(), "delivered".into(), 1),
            ("en".into(), "a".into(), "read".into(), 1),
            ("fr".into(), "b".into(), "delivered".into(), 1),
        ]
    );
}

/// Callbacks about messages whose send herald never learned of (a connection dropped after
/// the partner took the message) wait in vain until they expire; however many there are, an
/// early callback whose send is recorded later is still counted at the next rematch.
async fn callbacks_that_never_match_do_not_hold_up_the_others<S: Store>(store: S, _url: &str) {
    let (_hash, broadcast) = scheduled_broadcast(&store).await;
    let now_ms = utc(2027, 1, 18, 12, 0).timestamp_millis();
    let unknown: Vec<StatusReceipt> = (0..6_000)
        .map(|n| status(&format!("wamid.unknown.{n}"), "r", "delivered"))
        .collect();
    let parked = store
        .ingest_statuses(&unknown, now_ms - 60_000)
        .await
        .unwrap();
    assert_eq!(parked.pending, 6_000);
    let early = store
        .ingest_statuses(&[status("wamid.late", "r1", "delivered")], now_ms)
        .await
        .unwrap();
    assert_eq!(early.pending, 1);
    record_sent(&store, broadcast.id, "wamid.late", "a", now_ms).await;
    let rematched = store.rematch_pending_callbacks(0, now_ms).await.unwrap();
    assert_eq!(rematched.counted, 1, "{rematched:?}");
    let delivered: i64 = store
        .delivery_counts("demo")
        .await
        .unwrap()
        .iter()
        .filter(|c| c.status == "delivered")
        .map(|c| c.count)
        .sum();
    assert_eq!(delivered, 1);
}

/// An opt-in (`join`) or opt-out of `who`, in partner event `event_id` stamped `at_ms`, kept
/// for an hour past it.
fn consent_event(who: &str, event_id: &str, at_ms: i64, join: bool) -> ConsentEvent {
    let vault = vault();
    let change = if join {
        ConsentWrite::Join(NewSubscriber {
            channel: CHANNEL.into(),
            lookup: vault.lookup(CHANNEL, who),
            sealed: vault.seal(CHANNEL, who).unwrap(),
            locale: "ar".into(),
            segment: "in-eu".into(),
            at_ms,
        })
    } else {
        ConsentWrite::Leave
    };
    ConsentEvent {
        channel: CHANNEL.into(),
        lookup: vault.lookup(CHANNEL, who),
        event_digest: vault.event_digest(CHANNEL, event_id),
        event_at_ms: at_ms,
        keep_until_ms: at_ms + 3_600_000,
        now_ms: at_ms,
        change,
        previous: None,
    }
}

/// `(consent event ids, consent marks)` stored.
async fn consent_rows(url: &str) -> (i64, i64) {
    let ids = "SELECT COUNT(*) FROM consent_event_ids";
    let marks = "SELECT COUNT(*) FROM consent_marks";
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let ids: i64 = sqlx::query_scalar(ids).fetch_one(&pool).await.unwrap();
        let marks: i64 = sqlx::query_scalar(marks).fetch_one(&pool).await.unwrap();
        (ids, marks)
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let ids: i64 = sqlx::query_scalar(ids).fetch_one(&pool).await.unwrap();
        let marks: i64 = sqlx::query_scalar(marks).fetch_one(&pool).await.unwrap();
        (ids, marks)
    }
}

async fn subscribed<S: Store>(store: &S) -> i64 {
    store
        .subscriber_counts()
        .await
        .unwrap()
        .iter()
        .map(|c| c.count)
        .sum()
}

async fn consent_events_apply_once_in_event_time_order_and_expire<S: Store>(store: S, url: &str) {
    let t = utc(2027, 1, 18, 12, 0).timestamp_millis();
    let apply = |event: ConsentEvent| {
        let store = store.clone();
        async move { store.apply_consent_event(&event).await.unwrap() }
    };
    // The opt-out (t + 2 s) overtakes the opt-in (t + 1 s) it follows: the person stays out.
    assert_eq!(
        apply(consent_event("31612345678", "wamid.stop", t + 2_000, false)).await,
        ConsentOutcome::NotSubscribed
    );
    assert_eq!(
        apply(consent_event("31612345678", "wamid.start", t + 1_000, true)).await,
        ConsentOutcome::Superseded
    );
    assert_eq!(subscribed(&store).await, 0);
    // A newer opt-in subscribes; the same event again changes nothing, even stamped later.
    assert_eq!(
        apply(consent_event("31612345678", "wamid.again", t + 3_000, true)).await,
        ConsentOutcome::Joined
    );
    assert_eq!(
        apply(consent_event(
            "31612345678",
            "wamid.again",
            t + 9_000,
            false
        ))
        .await,
        ConsentOutcome::Repeated
    );
    assert_eq!(subscribed(&store).await, 1);
    // Events stamped the same second apply in arrival order.
    assert_eq!(
        apply(consent_event("31612345678", "wamid.same", t + 3_000, false)).await,
        ConsentOutcome::Left
    );
    assert_eq!(subscribed(&store).await, 0);
    // Another person is not held back by the first one's mark.
    assert_eq!(
        apply(consent_event("31687654321", "wamid.other", t, true)).await,
        ConsentOutcome::Joined
    );
    assert_eq!(consent_rows(url).await, (5, 2));
    // The sweep keeps what may still be needed and removes what is past its time.
    assert_eq!(
        store.expire_consent_records(t + 3_600_000).await.unwrap(),
        0
    );
    assert_eq!(
        store.expire_consent_records(t + 3_601_500).await.unwrap(),
        3,
        "the other person's id and mark (kept until t + 1 h) and the superseded opt-in's id"
    );
    assert_eq!(consent_rows(url).await, (3, 1));
    assert_eq!(
        store.expire_consent_records(t + 3_610_000).await.unwrap(),
        4
    );
    assert_eq!(consent_rows(url).await, (0, 0));
    assert!(!dump_subscribers(url).await.contains("31687654321"));
}

/// How many people's latest choices are kept.
async fn preference_mark_rows(url: &str) -> i64 {
    let count = "SELECT COUNT(*) FROM preference_marks";
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query_scalar(count).fetch_one(&pool).await.unwrap()
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query_scalar(count).fetch_one(&pool).await.unwrap()
    }
}

/// A choice of locale by `who` in partner event `event_id` stamped `at_ms`.
fn locale_choice(who: &str, event_id: &str, at_ms: i64, locale: &str) -> ConsentEvent {
    let mut event = consent_event(who, event_id, at_ms, true);
    event.change = ConsentWrite::Choose {
        locale: Some(locale.into()),
        segment: None,
    };
    event
}

async fn locales<S: Store>(store: &S) -> Vec<String> {
    let counts = store.subscriber_counts().await.unwrap();
    counts.into_iter().map(|c| c.locale).collect()
}

async fn choices_apply_in_event_time_order_and_their_marks_expire<S: Store>(store: S, url: &str) {
    let t = utc(2027, 1, 18, 12, 0).timestamp_millis();
    let apply = |event: ConsentEvent| {
        let store = store.clone();
        async move { store.apply_consent_event(&event).await.unwrap() }
    };
    // Nobody to choose for: nothing is kept of the person.
    assert_eq!(
        apply(locale_choice("31612345678", "wamid.early", t - 1_000, "fr")).await,
        ConsentOutcome::NotSubscribed
    );
    assert_eq!(preference_mark_rows(url).await, 0);
    assert_eq!(
        apply(consent_event("31612345678", "wamid.start", t, true)).await,
        ConsentOutcome::Joined
    );
    // French (t + 2 s) overtakes Arabic (t + 1 s); French again is a repeat.
    assert_eq!(
        apply(locale_choice("31612345678", "wamid.fr", t + 2_000, "fr")).await,
        ConsentOutcome::Updated
    );
    assert_eq!(
        apply(locale_choice("31612345678", "wamid.ar", t + 1_000, "en")).await,
        ConsentOutcome::Superseded
    );
    assert_eq!(
        apply(locale_choice("31612345678", "wamid.fr", t + 2_000, "fr")).await,
        ConsentOutcome::Repeated
    );
    assert_eq!(locales(&store).await, ["fr"]);
    assert_eq!(preference_mark_rows(url).await, 1);
    // The mark is pruned once the choice is past its window; the subscriber stays.
    assert_eq!(
        store
            .expire_consent_records(t + 2_000 + 3_600_000)
            .await
            .unwrap(),
        4,
        "the ids of the early choice, the opt-in and the superseded choice, and the opt-in's mark"
    );
    assert_eq!(preference_mark_rows(url).await, 1);
    store
        .expire_consent_records(t + 2_000 + 3_600_001)
        .await
        .unwrap();
    assert_eq!(preference_mark_rows(url).await, 0);
    assert_eq!(consent_rows(url).await, (0, 0));
    assert_eq!(locales(&store).await, ["fr"]);

    // An opt-out takes the person's choices with it at once.
    let t = t + 10_000_000;
    apply(locale_choice("31612345678", "wamid.en", t, "en")).await;
    assert_eq!(preference_mark_rows(url).await, 1);
    assert_eq!(
        apply(consent_event("31612345678", "wamid.stop", t + 1_000, false)).await,
        ConsentOutcome::Left
    );
    assert_eq!(preference_mark_rows(url).await, 0);
}

/// The race between the retention sweep and an event admitted at the last instant of its
/// window: the sweep runs just past that instant and deletes the event's digest and the
/// person's mark before the event reaches the store. The event must not look new.
async fn an_event_whose_records_the_sweep_removed_is_not_applied_again<S: Store>(
    store: S,
    url: &str,
) {
    let t = utc(2027, 1, 18, 12, 0).timestamp_millis();
    let start = consent_event("31612345678", "wamid.start", t, true);
    let stop = consent_event("31612345678", "wamid.stop", t + 1_000, false);
    assert_eq!(
        store.apply_consent_event(&start).await.unwrap(),
        ConsentOutcome::Joined
    );
    assert_eq!(
        store.apply_consent_event(&stop).await.unwrap(),
        ConsentOutcome::Left
    );
    // The opt-in is replayed at `start.keep_until_ms`, its last on-time instant, and passes
    // the window; the sweep, a millisecond later by its clock, removes both events' records.
    assert_eq!(
        store
            .expire_consent_records(stop.keep_until_ms + 1)
            .await
            .unwrap(),
        3
    );
    assert_eq!(consent_rows(url).await, (0, 0));
    assert_eq!(
        store.apply_consent_event(&start).await.unwrap(),
        ConsentOutcome::PastRetention
    );
    assert_eq!(subscribed(&store).await, 0, "the opt-out stands");
    assert_eq!(consent_rows(url).await, (0, 0), "nothing recorded for it");
    // A choice at its boundary likewise.
    let mut choice = consent_event("31612345678", "wamid.choice", t + 500, true);
    choice.change = ConsentWrite::Choose {
        locale: Some("fr".into()),
        segment: None,
    };
    assert_eq!(
        store.apply_consent_event(&choice).await.unwrap(),
        ConsentOutcome::PastRetention
    );
    // An event still inside its window after the sweep is applied as usual.
    let again = consent_event(
        "31612345678",
        "wamid.again",
        stop.keep_until_ms + 1 - 3_600_000,
        true,
    );
    assert_eq!(
        store.apply_consent_event(&again).await.unwrap(),
        ConsentOutcome::Joined
    );
    assert_eq!(subscribed(&store).await, 1);
}

on_both_stores!(
    consent_events_apply_once_in_event_time_order_and_expire,
    an_event_whose_records_the_sweep_removed_is_not_applied_again,
    choices_apply_in_event_time_order_and_their_marks_expire,
    broadcasts_fan_out_once_per_subscriber_and_opt_outs_cancel,
    status_callbacks_count_once_and_early_ones_wait,
    callbacks_that_never_match_do_not_hold_up_the_others,
);
