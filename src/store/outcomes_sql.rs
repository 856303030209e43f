//! What became of a batch of leased jobs, written back in one transaction with the delivery
//! counters it adds.

use std::collections::HashSet;

use sqlx::AnyConnection;

use super::counters_sql::add_counts;
use super::notifications_sql::{JobsEnded, events_for_jobs};
use super::statement::Statement;
use super::{DeliveryCount, JobOutcome, SqlStore, StoreError, sum_recorded_counts};

/// Rows per statement: at most 5 values a row stays far below both dialects' parameter limits.
const ROWS: usize = 400;

pub async fn record_outcomes(
    store: &SqlStore,
    owner: &str,
    outcomes: &[(i64, JobOutcome)],
    counts: &[(i64, DeliveryCount)],
    now_ms: i64,
) -> Result<u64, StoreError> {
    // One statement per kind of outcome and chunk of rows, joined to a VALUES list; fenced by
    // the lease, so a worker whose lease was taken over writes nothing.
    let rows = OutcomeRows::sorted(outcomes);
    let fence = Fence {
        dialect: &store.dialect,
        owner,
        now_ms,
    };
    let mut written = Written::default();
    let mut tx = store.begin_write().await?;
    for chunk in rows.sent.chunks(ROWS) {
        written.counted(mark_sent(&mut tx, &fence, chunk).await?);
    }
    for chunk in rows.requeued.chunks(ROWS) {
        written.recorded += requeue(&mut tx, &fence, chunk).await?;
    }
    let mut dead = Vec::new();
    for chunk in rows.dead.chunks(ROWS) {
        let ids = mark_dead(&mut tx, &fence, chunk).await?;
        dead.extend(ids.iter().map(|(id,)| *id));
        written.counted(ids);
    }
    let mut unknown = Vec::new();
    for chunk in rows.unknown.chunks(ROWS) {
        let ids = mark_unknown(&mut tx, &fence, chunk).await?;
        written.recorded += ids.len() as u64;
        unknown.extend(ids.into_iter().map(|(id,)| id));
    }
    // Schedulers hear of the jobs this call ended, from its own transaction.
    events_for_jobs(&mut tx, &store.dialect, JobsEnded::Dead, &dead, now_ms).await?;
    events_for_jobs(
        &mut tx,
        &store.dialect,
        JobsEnded::Unknown,
        &unknown,
        now_ms,
    )
    .await?;
    for chunk in rows.closed.chunks(ROWS) {
        written.recorded += close(&mut tx, &fence, chunk).await?;
    }
    let counts = sum_recorded_counts(counts, &written.counted);
    add_counts(&mut tx, &counts).await?;
    tx.commit().await?;
    Ok(written.recorded)
}

/// A requeued job: id, when it runs again, attempts used (0 or 1), the reason, and why its
/// recipient may get it twice (kept once set).
type Requeued = (i64, i64, i64, Option<String>, Option<&'static str>);

/// What marks a job re-sent after an unknown outcome.
pub const RESENT_AFTER_UNKNOWN: &str =
    "resent with the same idempotency key after an answer that never came";

/// A batch's outcomes sorted by the statement that writes them.
#[derive(Default)]
struct OutcomeRows {
    sent: Vec<(i64, Option<String>, Option<String>)>,
    requeued: Vec<Requeued>,
    dead: Vec<(i64, String, String)>,
    unknown: Vec<(i64, String)>,
    closed: Vec<(i64, &'static str, String)>,
}

impl OutcomeRows {
    fn sorted(outcomes: &[(i64, JobOutcome)]) -> OutcomeRows {
        let mut rows = OutcomeRows::default();
        for (id, outcome) in outcomes {
            match outcome {
                JobOutcome::Sent {
                    platform_id,
                    variant,
                } => rows.sent.push((*id, platform_id.clone(), variant.clone())),
                JobOutcome::Requeue {
                    run_at_ms,
                    counts_as_attempt,
                    error,
                } => rows.requeued.push((
                    *id,
                    *run_at_ms,
                    i64::from(*counts_as_attempt),
                    error.clone(),
                    None,
                )),
                JobOutcome::Resend { run_at_ms, error } => rows.requeued.push((
                    *id,
                    *run_at_ms,
                    1,
                    Some(error.clone()),
                    Some(RESENT_AFTER_UNKNOWN),
                )),
                JobOutcome::Dead { code, text } => {
                    rows.dead.push((*id, code.clone(), text.clone()))
                }
                JobOutcome::Unknown { error } => rows.unknown.push((*id, error.clone())),
                JobOutcome::Expanded { deliveries } => rows.closed.push((
                    *id,
                    "expanded",
                    format!("{deliveries} deliveries, one per subscriber"),
                )),
                JobOutcome::Cancelled { reason } => {
                    rows.closed.push((*id, "cancelled", reason.clone()))
                }
            }
        }
        rows
    }
}

/// What every outcome statement is fenced by: only jobs still leased to `owner` are written.
struct Fence<'a> {
    dialect: &'a super::dialect::Dialect,
    owner: &'a str,
    now_ms: i64,
}

impl Fence<'_> {
    /// Ends an outcome statement: joined to its VALUES on the job id, fenced by the lease.
    fn close(&self, update: &mut Statement) {
        update
            .push(") AS v WHERE outbox.id = v.column1 AND outbox.lease_owner = ")
            .push_bind(self.owner.to_string());
    }
}

/// What the statements wrote so far.
#[derive(Default)]
struct Written {
    recorded: u64,
    /// Jobs whose sent or failed outcome this call wrote: only their counters are added, so a
    /// worker that lost its lease (and the one that took over) count nothing twice.
    counted: HashSet<i64>,
}

impl Written {
    fn counted(&mut self, ids: Vec<(i64,)>) {
        self.recorded += ids.len() as u64;
        self.counted.extend(ids.into_iter().map(|(id,)| id));
    }
}

async fn mark_sent(
    tx: &mut AnyConnection,
    fence: &Fence<'_>,
    chunk: &[(i64, Option<String>, Option<String>)],
) -> Result<Vec<(i64,)>, StoreError> {
    let mut update = Statement::new(
        fence.dialect,
        "UPDATE outbox SET status = 'sent', platform_id = v.column2, variant = v.column3, finished_at = ",
    );
    update
        .push_bind(fence.now_ms)
        .push(", lease_owner = NULL, lease_until = NULL, attempts = attempts + 1 FROM (");
    update.push_values(chunk, |row, (id, platform_id, variant)| {
        row.push_bind(*id)
            .push_bind(platform_id.clone())
            .push_bind(variant.clone());
    });
    fence.close(&mut update);
    update.push(" RETURNING outbox.id");
    Ok(update.build_query_as()?.fetch_all(&mut *tx).await?)
}

async fn requeue(
    tx: &mut AnyConnection,
    fence: &Fence<'_>,
    chunk: &[Requeued],
) -> Result<u64, StoreError> {
    let mut update = Statement::new(
        fence.dialect,
        "UPDATE outbox SET status = 'queued', run_at = v.column2, attempts = attempts + v.column3, \
         last_error = v.column4, may_repeat = COALESCE(v.column5, may_repeat), \
         lease_owner = NULL, lease_until = NULL FROM (",
    );
    update.push_values(chunk, |row, (id, run_at, attempt, error, repeat)| {
        row.push_bind(*id)
            .push_bind(*run_at)
            .push_bind(*attempt)
            .push_bind(error.clone())
            .push_bind(repeat.map(str::to_string));
    });
    fence.close(&mut update);
    Ok(update.build()?.execute(&mut *tx).await?.rows_affected())
}

async fn mark_dead(
    tx: &mut AnyConnection,
    fence: &Fence<'_>,
    chunk: &[(i64, String, String)],
) -> Result<Vec<(i64,)>, StoreError> {
    let mut update = Statement::new(
        fence.dialect,
        "UPDATE outbox SET status = 'dead', error_code = v.column2, last_error = v.column3, finished_at = ",
    );
    update
        .push_bind(fence.now_ms)
        .push(", lease_owner = NULL, lease_until = NULL, attempts = attempts + 1 FROM (");
    update.push_values(chunk, |row, (id, code, text)| {
        row.push_bind(*id)
            .push_bind(code.clone())
            .push_bind(text.clone());
    });
    fence.close(&mut update);
    update.push(" RETURNING outbox.id");
    Ok(update.build_query_as()?.fetch_all(&mut *tx).await?)
}

async fn mark_unknown(
    tx: &mut AnyConnection,
    fence: &Fence<'_>,
    chunk: &[(i64, String)],
) -> Result<Vec<(i64,)>, StoreError> {
    let mut update = Statement::new(
        fence.dialect,
        "UPDATE outbox SET status = 'unknown', error_code = 'outcome_unknown', last_error = v.column2, finished_at = ",
    );
    update
        .push_bind(fence.now_ms)
        .push(", lease_owner = NULL, lease_until = NULL, attempts = attempts + 1 FROM (");
    update.push_values(chunk, |row, (id, error)| {
        row.push_bind(*id).push_bind(error.clone());
    });
    fence.close(&mut update);
    update.push(" RETURNING outbox.id");
    Ok(update.build_query_as()?.fetch_all(&mut *tx).await?)
}

/// Expanded and cancelled jobs: closed with the reason, no attempt used.
async fn close(
    tx: &mut AnyConnection,
    fence: &Fence<'_>,
    chunk: &[(i64, &'static str, String)],
) -> Result<u64, StoreError> {
    let mut update = Statement::new(
        fence.dialect,
        "UPDATE outbox SET status = v.column2, last_error = v.column3, finished_at = ",
    );
    update
        .push_bind(fence.now_ms)
        .push(", lease_owner = NULL, lease_until = NULL FROM (");
    update.push_values(chunk, |row, (id, status, text)| {
        row.push_bind(*id)
            .push_bind(status.to_string())
            .push_bind(text.clone());
    });
    fence.close(&mut update);
    Ok(update.build()?.execute(&mut *tx).await?.rows_affected())
}
