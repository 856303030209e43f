//! Scale-out on PostgreSQL: four separate `herald worker` processes on one database deliver
//! 50,000 jobs to the sandbox. One of them is killed with SIGKILL mid-run; its leases are taken
//! over. None is lost, none is delivered twice (a re-send after the kill carries the same
//! Idempotency-Key, which the partner recognises), and the account's rate limit holds across
//! all processes: the sandbox, enforcing the same limit, never has to answer 429.
//!
//! Runs when `HERALD_TEST_POSTGRES_URL` names a server (CI sets it); skipped otherwise.

use crate::common;

use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use common::due_jobs::{schedule_due_jobs, webhook_config};
use common::workers::{drain_stderr, spawn_worker, stop_gracefully};
use herald::clock::SystemClock;
use herald::sandbox::{Sandbox, SandboxConfig, SandboxLimits};

const JOBS: usize = 50_000;
const WORKERS: usize = 4;
/// The account's budget, which the sandbox also enforces (answering 429 beyond it).
const PER_SECOND: u32 = 2_500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_worker_processes_share_one_postgres_and_survive_a_sigkill() {
    let Some(fresh) = common::stores::postgres().await else {
        eprintln!("HERALD_TEST_POSTGRES_URL is not set: scale-out test skipped");
        return;
    };
    let store = fresh.store.clone();
    let sandbox = Sandbox::new(
        SandboxConfig {
            limits: SandboxLimits {
                webhook_per_second: Some(PER_SECOND),
                ..SandboxLimits::off()
            },
            ..SandboxConfig::default()
        },
        Arc::new(SystemClock),
    );
    let running = sandbox.start(0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("herald.toml");
    let config = webhook_config(&running.base_url(), PER_SECOND);
    std::fs::write(&config_path, &config).unwrap();

    // 50,000 due jobs: six a minute over the last days.
    schedule_due_jobs(&store, &config, "Scale-out", JOBS).await;
    // Jobs are told apart from those the workers' planners add by their slot (in seconds).
    let due_before = Utc::now().timestamp();
    let pool = sqlx::PgPool::connect(&fresh.url).await.unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let n: i64 = sqlx::query_scalar(sql)
                .bind(due_before)
                .fetch_one(&pool)
                .await
                .unwrap();
            n
        }
    };

    let started = Instant::now();
    let mut workers: Vec<Child> = (0..WORKERS)
        .map(|_| {
            spawn_worker(
                &fresh.url,
                &config_path,
                &running.base_url(),
                10,
                Stdio::piped(),
            )
        })
        .collect();
    let mut logs: Vec<_> = workers.iter_mut().map(drain_stderr).collect();
    // Kill one worker once the run is well under way, mid-batch.
    while (sandbox.counts().new_deliveries as usize) < JOBS / 5 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the workers did not get going"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The victim: a worker caught with jobs marked as being sent.
    let victim_index = loop {
        let senders: Vec<(Option<String>,)> =
            sqlx::query_as("SELECT DISTINCT lease_owner FROM outbox WHERE status = 'sending'")
                .fetch_all(&pool)
                .await
                .unwrap();
        let busy = workers.iter().position(|w| {
            senders.iter().any(|(owner,)| {
                owner
                    .as_deref()
                    .is_some_and(|o| o.starts_with(&format!("worker-{}-", w.id())))
            })
        });
        if let Some(index) = busy {
            break index;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let mut victim = workers.remove(victim_index);
    drop(logs.remove(victim_index));
    let victim_pid = victim.id();
    victim.kill().expect("SIGKILL");
    let _ = victim.wait();
    let held: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE lease_owner LIKE $1 AND status IN ('leased', 'sending')",
    )
    .bind(format!("worker-{victim_pid}-%"))
    .fetch_one(&pool)
    .await
    .unwrap();

    // The others finish, taking over the dead worker's jobs when its leases run out.
    loop {
        let done = count("SELECT COUNT(*) FROM outbox WHERE slot <= $1 AND status = 'sent'").await;
        if done as usize == JOBS {
            break;
        }
        if started.elapsed() > Duration::from_secs(240) {
            let stuck: Vec<(String, Option<String>, Option<String>, i32)> = sqlx::query_as(
                "SELECT status, lease_owner, last_error, attempts FROM outbox WHERE slot <= $1 AND status <> 'sent' LIMIT 5",
            )
            .bind(due_before)
            .fetch_all(&pool)
            .await
            .unwrap();
            let alive: Vec<bool> = workers
                .iter_mut()
                .map(|w| w.try_wait().map(|s| s.is_none()).unwrap_or(false))
                .collect();
            panic!("only {done} of {JOBS} sent; workers alive {alive:?}; stuck {stuck:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let elapsed = started.elapsed();
    for (worker, log) in workers.into_iter().zip(logs) {
        stop_gracefully(worker, log);
    }

    // None lost: every due job sent, none dead or unknown.
    let other = count("SELECT COUNT(*) FROM outbox WHERE slot <= $1 AND status <> 'sent'").await;
    assert_eq!(other, 0);
    // None twice: one delivery per job; re-sends after the kill carry a known key.
    let received = sandbox.received();
    let delivered: Vec<&str> = received
        .iter()
        .filter(|r| r.delivered && !r.duplicate)
        .filter_map(|r| r.idempotency_key.as_deref())
        .collect();
    let unique: HashSet<&str> = delivered.iter().copied().collect();
    assert_eq!(delivered.len(), JOBS, "one delivery per job");
    assert_eq!(unique.len(), JOBS);
    let resent = received.iter().filter(|r| r.duplicate).count();
    assert!(held > 0, "the killed worker held jobs");
    assert!(
        resent as i64 <= held,
        "re-sends ({resent}) only for the jobs the killed worker held ({held})"
    );
    // The rate limit held across processes: the sandbox never had to refuse.
    let refused = received.iter().filter(|r| r.status == 429).count();
    assert_eq!(refused, 0, "no 429 from the partner");
    let rate = JOBS as f64 / elapsed.as_secs_f64();
    assert!(rate <= f64::from(PER_SECOND) * 1.05, "{rate:.0}/s");
    eprintln!(
        "{JOBS} jobs by {WORKERS} workers (one killed holding {held} jobs; {resent} re-sent with their key) in {:.1} s = {rate:.0}/s, limit {PER_SECOND}/s",
        elapsed.as_secs_f64()
    );
    running.shutdown().await;
    fresh.cleanup().await;
}
