//! What became of a batch of leased jobs, written back in one transaction with the delivery
//! counters it adds.

use std::collections::HashSet;

use super::counters_sql::add_counts;
use super::statement::Statement;
use super::{DeliveryCount, JobOutcome, SqlStore, StoreError, sum_recorded_counts};

/// Rows per statement: at most 4 values a row stays far below both dialects' parameter limits.
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
    let mut sent = Vec::new();
    let mut requeued = Vec::new();
    let mut dead = Vec::new();
    let mut unknown = Vec::new();
    let mut closed: Vec<(i64, &str, String)> = Vec::new();
    for (id, outcome) in outcomes {
        match outcome {
            JobOutcome::Sent {
                platform_id,
                variant,
            } => sent.push((*id, platform_id.clone(), variant.clone())),
            JobOutcome::Requeue {
                run_at_ms,
                counts_as_attempt,
                error,
            } => requeued.push((
                *id,
                *run_at_ms,
                i64::from(*counts_as_attempt),
                error.clone(),
            )),
            JobOutcome::Dead { code, text } => dead.push((*id, code.clone(), text.clone())),
            JobOutcome::Unknown { error } => unknown.push((*id, error.clone())),
            JobOutcome::Expanded { deliveries } => closed.push((
                *id,
                "expanded",
                format!("{deliveries} deliveries, one per subscriber"),
            )),
            JobOutcome::Cancelled { reason } => closed.push((*id, "cancelled", reason.clone())),
        }
    }
    let mut recorded = 0;
    // Jobs whose sent or failed outcome this call wrote: only their counters are added, so a
    // worker that lost its lease (and the one that took over) count nothing twice.
    let mut counted: HashSet<i64> = HashSet::new();
    let mut tx = store.begin_write().await?;
    for chunk in sent.chunks(ROWS) {
        let mut update = Statement::new(
            &store.dialect,
            "UPDATE outbox SET status = 'sent', platform_id = v.column2, variant = v.column3, finished_at = ",
        );
        update
            .push_bind(now_ms)
            .push(", lease_owner = NULL, lease_until = NULL, attempts = attempts + 1 FROM (");
        update.push_values(chunk, |row, (id, platform_id, variant)| {
            row.push_bind(*id)
                .push_bind(platform_id.clone())
                .push_bind(variant.clone());
        });
        update
            .push(") AS v WHERE outbox.id = v.column1 AND outbox.lease_owner = ")
            .push_bind(owner.to_string())
            .push(" RETURNING outbox.id");
        let ids: Vec<(i64,)> = update.build_query_as()?.fetch_all(&mut *tx).await?;
        recorded += ids.len() as u64;
        counted.extend(ids.into_iter().map(|(id,)| id));
    }
    for chunk in requeued.chunks(ROWS) {
        let mut update = Statement::new(
            &store.dialect,
            "UPDATE outbox SET status = 'queued', run_at = v.column2, attempts = attempts + v.column3, \
             last_error = v.column4, lease_owner = NULL, lease_until = NULL FROM (",
        );
        update.push_values(chunk, |row, (id, run_at, attempt, error)| {
            row.push_bind(*id)
                .push_bind(*run_at)
                .push_bind(*attempt)
                .push_bind(error.clone());
        });
        update
            .push(") AS v WHERE outbox.id = v.column1 AND outbox.lease_owner = ")
            .push_bind(owner.to_string());
        recorded += update.build()?.execute(&mut *tx).await?.rows_affected();
    }
    for chunk in dead.chunks(ROWS) {
        let mut update = Statement::new(
            &store.dialect,
            "UPDATE outbox SET status = 'dead', error_code = v.column2, last_error = v.column3, finished_at = ",
        );
        update
            .push_bind(now_ms)
            .push(", lease_owner = NULL, lease_until = NULL, attempts = attempts + 1 FROM (");
        update.push_values(chunk, |row, (id, code, text)| {
            row.push_bind(*id)
                .push_bind(code.clone())
                .push_bind(text.clone());
        });
        update
            .push(") AS v WHERE outbox.id = v.column1 AND outbox.lease_owner = ")
            .push_bind(owner.to_string())
            .push(" RETURNING outbox.id");
        let ids: Vec<(i64,)> = update.build_query_as()?.fetch_all(&mut *tx).await?;
        recorded += ids.len() as u64;
        counted.extend(ids.into_iter().map(|(id,)| id));
    }
    for chunk in unknown.chunks(ROWS) {
        let mut update = Statement::new(
            &store.dialect,
            "UPDATE outbox SET status = 'unknown', error_code = 'outcome_unknown', last_error = v.column2, finished_at = ",
        );
        update
            .push_bind(now_ms)
            .push(", lease_owner = NULL, lease_until = NULL, attempts = attempts + 1 FROM (");
        update.push_values(chunk, |row, (id, error)| {
            row.push_bind(*id).push_bind(error.clone());
        });
        update
            .push(") AS v WHERE outbox.id = v.column1 AND outbox.lease_owner = ")
            .push_bind(owner.to_string());
        recorded += update.build()?.execute(&mut *tx).await?.rows_affected();
    }
    for chunk in closed.chunks(ROWS) {
        let mut update = Statement::new(
            &store.dialect,
            "UPDATE outbox SET status = v.column2, last_error = v.column3, finished_at = ",
        );
        update
            .push_bind(now_ms)
            .push(", lease_owner = NULL, lease_until = NULL FROM (");
        update.push_values(chunk, |row, (id, status, text)| {
            row.push_bind(*id)
                .push_bind(status.to_string())
                .push_bind(text.clone());
        });
        update
            .push(") AS v WHERE outbox.id = v.column1 AND outbox.lease_owner = ")
            .push_bind(owner.to_string());
        recorded += update.build()?.execute(&mut *tx).await?.rows_affected();
    }
    let counts = sum_recorded_counts(counts, &counted);
    add_counts(&mut tx, &counts).await?;
    tx.commit().await?;
    Ok(recorded)
}
