//! Resolving unknown outcomes and retrying dead letters in the store, on SQLite and PostgreSQL:
//! a resolution is recorded once with who and when, counted on its own day (never on the day
//! the answer was lost), audited, refused for a job that is not an unresolved unknown outcome;
//! of resolutions racing for the same job exactly one wins and the counters count it once; a
//! re-send goes out with the same idempotency key and keeps its re-send mark, as does a retried
//! dead letter; finished jobs are listed a page at a time without overlap.

use crate::common;

use std::collections::BTreeSet;

use common::due_jobs::{schedule_due_jobs, webhook_config};
use herald::store::{
    EndedAs, JobOutcome, LeasedJob, RESENT_AFTER_CHECK, Resolution, ResolveAnswer, Store,
};

/// 1 March 2030, 12:00 UTC: when the resolutions happen, well after the jobs ended.
const RESOLVED_AT_MS: i64 = 1_898_596_800_000;
const RESOLUTION_DAY: &str = "2030-03-01";

/// `count` due jobs leased by `worker`, in id order.
async fn leased<S: Store>(store: &S, count: usize) -> Vec<LeasedJob> {
    schedule_due_jobs(
        store,
        &webhook_config("http://127.0.0.1:9", 100),
        "resolutions",
        count,
    )
    .await;
    let now = chrono::Utc::now().timestamp_millis();
    let mut jobs = store
        .lease_due_jobs("worker", now, now + 60_000, 1000, &[])
        .await
        .unwrap();
    jobs.sort_by_key(|j| j.id);
    assert_eq!(jobs.len(), count);
    jobs
}

/// Records `outcome` for each job, as the worker holding them.
async fn record<S: Store>(store: &S, jobs: &[&LeasedJob], outcome: JobOutcome) {
    let outcomes: Vec<(i64, JobOutcome)> = jobs.iter().map(|j| (j.id, outcome.clone())).collect();
    let ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
    let now = chrono::Utc::now().timestamp_millis();
    store
        .mark_sending("worker", &ids, now + 60_000)
        .await
        .unwrap();
    let written = store
        .record_outcomes("worker", &outcomes, &[], now)
        .await
        .unwrap();
    assert_eq!(written as usize, jobs.len());
}

fn unknown() -> JobOutcome {
    JobOutcome::Unknown {
        error: "unknown: the connection closed before an answer".into(),
    }
}

/// Counters of the campaign: (day, status) → count.
async fn counters<S: Store>(store: &S) -> Vec<(String, String, i64)> {
    let mut out: Vec<(String, String, i64)> = store
        .delivery_counts("scale")
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.day, c.status, c.count))
        .collect();
    out.sort();
    out
}

async fn status_of<S: Store>(store: &S, id: i64) -> herald::store::JobRecord {
    let version = store.versions("scale").await.unwrap()[0].hash.clone();
    store
        .jobs_for_version(&version)
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.id == id)
        .expect("the job is still stored")
}

async fn unknown_outcomes_are_resolved_once_and_counted_on_their_own_day<S: Store>(
    store: S,
    _url: &str,
) {
    let jobs = leased(&store, 6).await;
    let lost: Vec<&LeasedJob> = jobs[..4].iter().collect();
    record(&store, &lost, unknown()).await;
    record(
        &store,
        &[&jobs[4]],
        JobOutcome::Sent {
            platform_id: None,
            variant: None,
        },
    )
    .await;
    record(
        &store,
        &[&jobs[5]],
        JobOutcome::Dead {
            code: "403".into(),
            text: "refused".into(),
        },
    )
    .await;
    let before = counters(&store).await;
    assert!(
        before.iter().all(|(day, ..)| day != RESOLUTION_DAY),
        "{before:?}"
    );

    // Listed a page at a time, in id order, without overlap.
    let mut listed = Vec::new();
    let mut after = 0;
    loop {
        let page = store
            .jobs_ended_as_page(EndedAs::Unknown, after, 3)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        after = page.last().unwrap().id;
        listed.extend(page.into_iter().map(|l| l.id));
    }
    assert_eq!(listed, lost.iter().map(|j| j.id).collect::<Vec<_>>());

    // Delivered: sent, by whom and when, counted as sent on the resolution's day.
    let answer = store
        .resolve_unknown(jobs[0].id, Resolution::Delivered, "sam", RESOLVED_AT_MS)
        .await
        .unwrap();
    let ResolveAnswer::Resolved(resolved) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(
        (
            resolved.by.as_str(),
            resolved.counted_on.as_deref(),
            resolved.campaign_id.as_str()
        ),
        ("sam", Some(RESOLUTION_DAY), "scale")
    );
    assert_eq!(status_of(&store, jobs[0].id).await.status, "sent");
    let mut expected = before.clone();
    expected.push((RESOLUTION_DAY.into(), "sent".into(), 1));
    expected.sort();
    assert_eq!(
        counters(&store).await,
        expected,
        "the day lost is untouched"
    );

    // Once only; and only an unknown outcome.
    let again = store
        .resolve_unknown(
            jobs[0].id,
            Resolution::NotDelivered,
            "ana",
            RESOLVED_AT_MS + 1,
        )
        .await
        .unwrap();
    assert!(
        matches!(&again, ResolveAnswer::AlreadyResolved { resolution, by, at: Some(_) } if resolution == "delivered" && by == "sam"),
        "{again:?}"
    );
    for (id, status) in [(jobs[4].id, "sent"), (jobs[5].id, "dead")] {
        let answer = store
            .resolve_unknown(id, Resolution::Delivered, "sam", RESOLVED_AT_MS)
            .await
            .unwrap();
        assert_eq!(
            answer,
            ResolveAnswer::NotUnknown {
                status: status.into()
            }
        );
    }
    assert_eq!(
        store
            .resolve_unknown(i64::MAX, Resolution::Delivered, "sam", RESOLVED_AT_MS)
            .await
            .unwrap(),
        ResolveAnswer::NoSuchJob
    );
    assert_eq!(counters(&store).await, expected, "refusals count nothing");

    // Not delivered: failed, counted as failed on the resolution's day.
    let answer = store
        .resolve_unknown(jobs[1].id, Resolution::NotDelivered, "sam", RESOLVED_AT_MS)
        .await
        .unwrap();
    assert!(matches!(answer, ResolveAnswer::Resolved(_)), "{answer:?}");
    assert_eq!(status_of(&store, jobs[1].id).await.status, "failed");

    // Not delivered, sent again: the same job (same idempotency key), queued, marked.
    let answer = store
        .resolve_unknown(
            jobs[2].id,
            Resolution::NotDeliveredResent,
            "sam",
            RESOLVED_AT_MS,
        )
        .await
        .unwrap();
    let ResolveAnswer::Resolved(resent) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(resent.counted_on, None);
    let job = status_of(&store, jobs[2].id).await;
    assert_eq!(job.status, "queued");
    assert_eq!(job.idempotency_key, jobs[2].idempotency_key);
    assert_eq!(job.may_repeat.as_deref(), Some(RESENT_AFTER_CHECK));
    let resent_list = store.jobs_ended_as(EndedAs::Resent, 100).await.unwrap();
    assert!(resent_list.iter().any(|l| l.id == jobs[2].id));
    let due = store
        .lease_due_jobs("next", RESOLVED_AT_MS, RESOLVED_AT_MS + 60_000, 100, &[])
        .await
        .unwrap();
    assert_eq!(
        due.iter().map(|j| j.id).collect::<Vec<_>>(),
        [jobs[2].id],
        "the re-send is due at once, and only it"
    );
    expected.push((RESOLUTION_DAY.into(), "failed".into(), 1));
    expected.sort();
    assert_eq!(counters(&store).await, expected);

    // The list holds what is left; the audit log holds each resolution, by whom.
    let left: Vec<i64> = store
        .jobs_ended_as_page(EndedAs::Unknown, 0, 100)
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(left, [jobs[3].id]);
    let (entries, head) = store.audit_log().await.unwrap();
    herald::audit::verify(&entries, (head.0, &head.1), None).unwrap();
    let resolutions: Vec<(String, String)> = entries
        .iter()
        .filter(|e| e.action == "outcome.resolved")
        .map(|e| (e.actor.clone(), e.details.clone()))
        .collect();
    assert_eq!(resolutions.len(), 3, "{resolutions:?}");
    assert!(resolutions.iter().all(|(actor, _)| actor == "sam"));
    assert!(resolutions[0].1.contains("\"resolution\":\"delivered\""));

    // A failed job's row goes with the retention window, like a sent one.
    store
        .expire_finished_jobs(RESOLVED_AT_MS + 1)
        .await
        .unwrap();
    let version = store.versions("scale").await.unwrap()[0].hash.clone();
    let kept: BTreeSet<i64> = store
        .jobs_for_version(&version)
        .await
        .unwrap()
        .iter()
        .map(|j| j.id)
        .collect();
    assert!(!kept.contains(&jobs[1].id) && !kept.contains(&jobs[0].id));
    assert!(kept.contains(&jobs[3].id) && kept.contains(&jobs[5].id));
}

async fn racing_resolutions_have_one_winner<S: Store>(store: S, _url: &str) {
    let jobs = leased(&store, 8).await;
    let all: Vec<&LeasedJob> = jobs.iter().collect();
    record(&store, &all, unknown()).await;
    let before: i64 = counters(&store).await.iter().map(|(_, _, n)| n).sum();
    let mut tasks = Vec::new();
    for job in &jobs {
        for (n, resolution) in [
            Resolution::Delivered,
            Resolution::NotDelivered,
            Resolution::Delivered,
        ]
        .into_iter()
        .enumerate()
        {
            let store = store.clone();
            let id = job.id;
            tasks.push(tokio::spawn(async move {
                let by = format!("staff{n}");
                store
                    .resolve_unknown(id, resolution, &by, RESOLVED_AT_MS)
                    .await
                    .unwrap()
            }));
        }
    }
    let mut won = 0;
    let mut lost = 0;
    for task in tasks {
        match task.await.unwrap() {
            ResolveAnswer::Resolved(_) => won += 1,
            ResolveAnswer::AlreadyResolved { .. } => lost += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((won, lost), (jobs.len(), 2 * jobs.len()));
    let after: i64 = counters(&store).await.iter().map(|(_, _, n)| n).sum();
    assert_eq!(after - before, jobs.len() as i64, "each job counted once");
    let (entries, _) = store.audit_log().await.unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "outcome.resolved")
            .count(),
        jobs.len()
    );
}

async fn a_retried_dead_letter_keeps_its_key_and_its_resend_mark<S: Store>(store: S, _url: &str) {
    let jobs = leased(&store, 2).await;
    // The first answer never came; the partner deduplicates, so it was re-sent with its key,
    // and then refused for good.
    record(
        &store,
        &[&jobs[0]],
        JobOutcome::Resend {
            run_at_ms: 0,
            error: "unknown: timed out".into(),
        },
    )
    .await;
    let now = chrono::Utc::now().timestamp_millis();
    let again = store
        .lease_due_jobs("worker", now, now + 60_000, 10, &[])
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    record(
        &store,
        &[&again[0]],
        JobOutcome::Dead {
            code: "503".into(),
            text: "gave up".into(),
        },
    )
    .await;
    let marked = status_of(&store, jobs[0].id).await;
    assert_eq!(marked.status, "dead");
    let mark = marked.may_repeat.clone().expect("marked as re-sent");

    assert_eq!(
        store
            .retry_dead(Some(&[jobs[0].id, jobs[1].id]), "sam", now)
            .await
            .unwrap(),
        1,
        "only the dead letter is retried"
    );
    let retried = status_of(&store, jobs[0].id).await;
    assert_eq!(retried.status, "queued");
    assert_eq!(retried.attempts, 0);
    assert_eq!(retried.idempotency_key, jobs[0].idempotency_key);
    assert_eq!(retried.may_repeat.as_deref(), Some(mark.as_str()));
    let (entries, _) = store.audit_log().await.unwrap();
    let entry = entries
        .iter()
        .rfind(|e| e.action == "deadletters.retried")
        .expect("audited");
    assert_eq!(entry.actor, "sam");
}

on_both_stores!(
    unknown_outcomes_are_resolved_once_and_counted_on_their_own_day,
    racing_resolutions_have_one_winner,
    a_retried_dead_letter_keeps_its_key_and_its_resend_mark,
);
