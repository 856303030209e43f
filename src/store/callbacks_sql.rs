//! Status callbacks counted exactly once: duplicates and replays recognised by their receipt,
//! callbacks for sends not recorded yet kept aside and matched again later.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::AnyConnection;

use super::counters_sql::add_counts;
use super::statement::Statement;
use super::{
    DeliveryCount, Dialect, IngestReport, SqlStore, StatusReceipt, StoreError, record_key,
};

/// Rows per statement, far below both dialects' parameter limits.
const ROWS: usize = 500;

/// A recorded send as selected: the dimensions its callbacks are counted under, and its
/// idempotency key (whose record key its sent event was counted with).
#[derive(sqlx::FromRow)]
struct SentMessageRow {
    platform_id: String,
    channel: String,
    campaign_id: String,
    version_hash: String,
    send_id: String,
    segment_id: String,
    locale: String,
    variant: String,
    idempotency_key: String,
}

/// What a callback is counted under: (campaign, version, send, segment, locale, variant),
/// and the message's record key.
type Dimensions = ([String; 6], i64);

/// Counts status callbacks inside a write transaction: matches each to its send's
/// dimensions, counts those whose receipt is new, and (when `park`) keeps unmatched ones
/// aside; a rematch (`park` false) removes the ones it counted from the side table.
async fn ingest_statuses_in(
    dialect: &Dialect,
    connection: &mut AnyConnection,
    statuses: &[StatusReceipt],
    now_ms: i64,
    park: bool,
) -> Result<IngestReport, StoreError> {
    let mut report = IngestReport::default();
    let dims = sent_dimensions(dialect, connection, statuses).await?;
    let mut seen = HashSet::new();
    let mut matched = Vec::new();
    let mut unmatched = Vec::new();
    for status in statuses {
        if !seen.insert(status.receipt.clone()) {
            report.duplicates += 1;
            continue;
        }
        match dims.get(&(status.platform_id.clone(), status.channel.clone())) {
            Some(found) => matched.push((status, found)),
            None => unmatched.push(status),
        }
    }
    let fresh = new_receipts(dialect, connection, &matched, now_ms).await?;
    let counts = counts_of(&matched, &fresh, &mut report);
    add_counts(connection, &counts).await?;
    if park {
        report.pending = park_unmatched(dialect, connection, &unmatched, now_ms).await?;
    } else {
        report.pending = unmatched.len() as u64;
        unpark_matched(dialect, connection, &matched).await?;
    }
    Ok(report)
}

/// The dimensions of the sends these callbacks report on, by (platform id, channel).
async fn sent_dimensions(
    dialect: &Dialect,
    connection: &mut AnyConnection,
    statuses: &[StatusReceipt],
) -> Result<HashMap<(String, String), Dimensions>, StoreError> {
    let mut dims = HashMap::new();
    let mut wanted: Vec<String> = statuses.iter().map(|s| s.platform_id.clone()).collect();
    wanted.sort();
    wanted.dedup();
    for chunk in wanted.chunks(ROWS) {
        let mut select = Statement::new(
            dialect,
            "SELECT DISTINCT o.platform_id, o.channel, v.campaign_id, o.version_hash, o.send_id, o.segment_id, o.locale,
                    COALESCE(o.variant, '') AS variant, o.idempotency_key
             FROM outbox o JOIN campaign_versions v ON v.hash = o.version_hash WHERE o.platform_id IN (",
        );
        select.push_list(chunk.iter().cloned()).push(")");
        let rows: Vec<SentMessageRow> =
            select.build_query_as()?.fetch_all(&mut *connection).await?;
        for row in rows {
            let key = record_key::of_message(&row.idempotency_key);
            dims.insert(
                (row.platform_id, row.channel),
                (
                    [
                        row.campaign_id,
                        row.version_hash,
                        row.send_id,
                        row.segment_id,
                        row.locale,
                        row.variant,
                    ],
                    key,
                ),
            );
        }
    }
    Ok(dims)
}

/// Records the receipts of matched callbacks; returns those not seen before.
async fn new_receipts(
    dialect: &Dialect,
    connection: &mut AnyConnection,
    matched: &[(&StatusReceipt, &Dimensions)],
    now_ms: i64,
) -> Result<HashSet<String>, StoreError> {
    let mut fresh = HashSet::new();
    for chunk in matched.chunks(ROWS) {
        let mut insert = Statement::new(
            dialect,
            "INSERT INTO callback_receipts (receipt, received_at) ",
        );
        insert.push_values(chunk, |row, (status, _)| {
            row.push_bind(status.receipt.clone()).push_bind(now_ms);
        });
        insert.push(" ON CONFLICT (receipt) DO NOTHING RETURNING receipt");
        let rows: Vec<(String,)> = insert.build_query_as()?.fetch_all(&mut *connection).await?;
        fresh.extend(rows.into_iter().map(|(receipt,)| receipt));
    }
    Ok(fresh)
}

/// The counters the fresh callbacks add, summed per cell with their record keys; the others
/// are counted as duplicates.
fn counts_of(
    matched: &[(&StatusReceipt, &Dimensions)],
    fresh: &HashSet<String>,
    report: &mut IngestReport,
) -> Vec<DeliveryCount> {
    let mut sums: BTreeMap<(Vec<String>, String, String), (i64, i64)> = BTreeMap::new();
    for (status, (found, key)) in matched {
        if fresh.contains(&status.receipt) {
            report.counted += 1;
            let sum = sums
                .entry((
                    found.to_vec(),
                    status.channel.clone(),
                    format!("{}\u{0}{}", status.day, status.status),
                ))
                .or_default();
            sum.0 += 1;
            sum.1 += key;
        } else {
            report.duplicates += 1;
        }
    }
    sums.into_iter()
        .map(|((found, channel, day_status), (count, key_sum))| {
            let (day, status) = day_status
                .split_once('\u{0}')
                .unwrap_or((day_status.as_str(), ""));
            DeliveryCount {
                campaign: found[0].clone(),
                version: found[1].clone(),
                send: found[2].clone(),
                segment: found[3].clone(),
                locale: found[4].clone(),
                channel,
                variant: found[5].clone(),
                day: day.to_string(),
                status: status.to_string(),
                count,
                key_sum,
            }
        })
        .collect()
}

/// Keeps callbacks that arrived before their send was recorded, to be matched again later;
/// returns how many were new.
async fn park_unmatched(
    dialect: &Dialect,
    connection: &mut AnyConnection,
    unmatched: &[&StatusReceipt],
    now_ms: i64,
) -> Result<u64, StoreError> {
    let mut parked = 0;
    for chunk in unmatched.chunks(ROWS) {
        let mut insert = Statement::new(
            dialect,
            "INSERT INTO pending_callbacks (receipt, channel, platform_id, status, day, received_at) ",
        );
        insert.push_values(chunk, |row, status| {
            row.push_bind(status.receipt.clone())
                .push_bind(status.channel.clone())
                .push_bind(status.platform_id.clone())
                .push_bind(status.status.clone())
                .push_bind(status.day.clone())
                .push_bind(now_ms);
        });
        insert.push(" ON CONFLICT (receipt) DO NOTHING");
        parked += insert
            .build()?
            .execute(&mut *connection)
            .await?
            .rows_affected();
    }
    Ok(parked)
}

/// Removes the callbacks a rematch has now matched from the side table.
async fn unpark_matched(
    dialect: &Dialect,
    connection: &mut AnyConnection,
    matched: &[(&StatusReceipt, &Dimensions)],
) -> Result<(), StoreError> {
    for chunk in matched.chunks(ROWS) {
        let mut delete =
            Statement::new(dialect, "DELETE FROM pending_callbacks WHERE receipt IN (");
        delete
            .push_list(chunk.iter().map(|(status, _)| status.receipt.clone()))
            .push(")");
        delete.build()?.execute(&mut *connection).await?;
    }
    Ok(())
}

pub async fn ingest_statuses(
    store: &SqlStore,
    statuses: &[StatusReceipt],
    now_ms: i64,
) -> Result<IngestReport, StoreError> {
    let mut tx = store.begin_write().await?;
    let report = ingest_statuses_in(&store.dialect, &mut tx, statuses, now_ms, true).await?;
    tx.commit().await?;
    Ok(report)
}

pub async fn rematch_pending_callbacks(
    store: &SqlStore,
    expire_before_ms: i64,
    now_ms: i64,
) -> Result<IngestReport, StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("DELETE FROM pending_callbacks WHERE received_at < $1")
        .bind(expire_before_ms)
        .execute(&mut *tx)
        .await?;
    // Only those whose send is recorded now: callbacks about messages herald never learned of
    // (an answer lost after the partner took the message) wait here until they expire, and
    // must not crowd out the ones that can be counted.
    let statuses: Vec<StatusReceipt> = sqlx::query_as(
        "SELECT p.receipt, p.channel, p.platform_id, p.status, p.day FROM pending_callbacks p
         WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.platform_id = p.platform_id AND o.channel = p.channel)
         ORDER BY p.received_at LIMIT 5000",
    )
    .fetch_all(&mut *tx)
    .await?;
    let report = ingest_statuses_in(&store.dialect, &mut tx, &statuses, now_ms, false).await?;
    tx.commit().await?;
    Ok(report)
}
