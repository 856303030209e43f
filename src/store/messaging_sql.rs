//! The SQL of messaging channels, shared by both dialects: subscribers (sealed identifiers,
//! keyed-hash lookups, erasure on opt-out), the fan-out of broadcast jobs into one delivery
//! per subscriber, and the counting of status callbacks exactly once.

macro_rules! messaging_store_methods {
    () => {
        async fn save_subscriber(
            &self,
            subscriber: &$crate::store::NewSubscriber,
        ) -> Result<bool, $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            let joined = save_subscriber_in!(tx, subscriber);
            tx.commit().await?;
            Ok(joined)
        }

        async fn erase_subscriber(&self, channel: &str, lookup: &str, at_ms: i64) -> Result<bool, $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            let erased = erase_subscriber_in!(tx, channel, lookup, at_ms);
            tx.commit().await?;
            Ok(erased)
        }

        async fn erase_subscribers(&self, ids: &[i64], at_ms: i64) -> Result<u64, $crate::store::StoreError> {
            let mut erased = 0;
            let mut tx = self.begin_write().await?;
            for chunk in ids.chunks(500) {
                let mut builder = sqlx::QueryBuilder::new("DELETE FROM subscribers WHERE id IN (");
                let mut list = builder.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                builder.push(")");
                erased += builder.build().execute(&mut *tx).await?.rows_affected();
                let mut builder = sqlx::QueryBuilder::new(
                    "UPDATE outbox SET status = 'cancelled', last_error = 'the person left the channel', finished_at = ",
                );
                builder.push_bind(at_ms);
                builder.push(" WHERE status IN ('queued', 'leased') AND subscriber_id IN (");
                let mut list = builder.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                builder.push(")");
                builder.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(erased)
        }

        async fn subscriber_identities(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, $crate::store::StoreError> {
            let mut found = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(500) {
                let mut builder = sqlx::QueryBuilder::new("SELECT id, sealed FROM subscribers WHERE id IN (");
                let mut list = builder.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                builder.push(")");
                let rows: Vec<(i64, String)> = builder.build_query_as().fetch_all(&self.pool).await?;
                found.extend(rows);
            }
            Ok(found)
        }

        async fn subscriber_counts(&self) -> Result<Vec<$crate::store::SubscriberCount>, $crate::store::StoreError> {
            let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
                "SELECT channel, segment_id, locale, CAST(COUNT(*) AS BIGINT) FROM subscribers
                 GROUP BY channel, segment_id, locale ORDER BY channel, segment_id, locale",
            )
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(channel, segment, locale, count)| $crate::store::SubscriberCount { channel, segment, locale, count })
                .collect())
        }

        async fn expand_broadcast(
            &self,
            job: &$crate::store::LeasedJob,
            after_id: i64,
            page: u32,
            run_at_ms: i64,
        ) -> Result<Option<(i64, u64)>, $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            let last: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(id) FROM (SELECT id FROM subscribers WHERE channel = $1 AND segment_id = $2 AND locale = $3
                 AND id > $4 ORDER BY id LIMIT $5) AS page",
            )
            .bind(job.channel.clone())
            .bind(job.segment.clone())
            .bind(job.locale.clone())
            .bind(after_id)
            .bind(i64::from(page))
            .fetch_one(&mut *tx)
            .await?;
            let Some(last) = last else {
                return Ok(None);
            };
            // `AND true` lets SQLite tell the upsert clause from a join condition.
            let added = sqlx::query(
                "INSERT INTO outbox (idempotency_key, version_hash, send_id, segment_id, locale, channel, slot, run_at, subscriber_id)
                 SELECT $1 || '/' || CAST(s.id AS TEXT), $2, $3, $4, $5, $6, $7, $8, s.id FROM subscribers s
                 WHERE s.channel = $6 AND s.segment_id = $4 AND s.locale = $5 AND s.id > $9 AND s.id <= $10 AND true
                 ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(job.idempotency_key.clone())
            .bind(job.version.as_str().to_string())
            .bind(job.send.clone())
            .bind(job.segment.clone())
            .bind(job.locale.clone())
            .bind(job.channel.clone())
            .bind(job.slot.timestamp())
            .bind(run_at_ms)
            .bind(after_id)
            .bind(last)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok(Some((last, added)))
        }

        async fn ingest_statuses(
            &self,
            statuses: &[$crate::store::StatusReceipt],
            now_ms: i64,
        ) -> Result<$crate::store::IngestReport, $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            let report = ingest_statuses_in!(tx, statuses, now_ms, true);
            tx.commit().await?;
            Ok(report)
        }

        async fn rematch_pending_callbacks(
            &self,
            expire_before_ms: i64,
            now_ms: i64,
        ) -> Result<$crate::store::IngestReport, $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            sqlx::query("DELETE FROM pending_callbacks WHERE received_at < $1")
                .bind(expire_before_ms)
                .execute(&mut *tx)
                .await?;
            // Only those whose send is recorded now: callbacks about messages herald never
            // learned of (an answer lost after the partner took the message) wait here until
            // they expire, and must not crowd out the ones that can be counted.
            let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
                "SELECT p.receipt, p.channel, p.platform_id, p.status, p.day FROM pending_callbacks p
                 WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.platform_id = p.platform_id AND o.channel = p.channel)
                 ORDER BY p.received_at LIMIT 5000",
            )
            .fetch_all(&mut *tx)
            .await?;
            let statuses: Vec<$crate::store::StatusReceipt> = rows
                .into_iter()
                .map(|(receipt, channel, platform_id, status, day)| $crate::store::StatusReceipt {
                    channel,
                    platform_id,
                    receipt,
                    status,
                    day,
                })
                .collect();
            let report = ingest_statuses_in!(tx, &statuses, now_ms, false);
            tx.commit().await?;
            Ok(report)
        }
    };
}

/// Counts status callbacks inside transaction `$tx`: matches each to its send's dimensions,
/// counts those whose receipt is new, and (when `$park`) keeps unmatched ones aside; a
/// rematch removes the ones it counted from the side table.
macro_rules! ingest_statuses_in {
    ($tx:ident, $statuses:expr, $now_ms:expr, $park:expr) => {{
        use std::collections::{BTreeMap, HashMap, HashSet};
        let statuses: &[$crate::store::StatusReceipt] = $statuses;
        let mut report = $crate::store::IngestReport::default();
        // (platform id, channel) to (campaign, version, send, segment, locale, variant), and the
        // message's record key (from its idempotency key, as when it was counted sent).
        let mut dims: HashMap<(String, String), ([String; 6], i64)> = HashMap::new();
        let mut wanted: Vec<String> = statuses.iter().map(|s| s.platform_id.clone()).collect();
        wanted.sort();
        wanted.dedup();
        for chunk in wanted.chunks(500) {
            let mut builder = sqlx::QueryBuilder::new(
                "SELECT DISTINCT o.platform_id, o.channel, v.campaign_id, o.version_hash, o.send_id, o.segment_id, o.locale,
                        COALESCE(o.variant, ''), o.idempotency_key
                 FROM outbox o JOIN campaign_versions v ON v.hash = o.version_hash WHERE o.platform_id IN (",
            );
            let mut list = builder.separated(", ");
            for id in chunk {
                list.push_bind(id.clone());
            }
            builder.push(")");
            let rows: Vec<(String, String, String, String, String, String, String, String, String)> =
                builder.build_query_as().fetch_all(&mut *$tx).await?;
            for (platform_id, channel, campaign, version, send, segment, locale, variant, idempotency_key) in rows {
                let key = $crate::store::record_key::of_message(&idempotency_key);
                dims.insert((platform_id, channel), ([campaign, version, send, segment, locale, variant], key));
            }
        }
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
        let mut fresh: HashSet<String> = HashSet::new();
        for chunk in matched.chunks(500) {
            let mut builder = sqlx::QueryBuilder::new("INSERT INTO callback_receipts (receipt, received_at) ");
            builder.push_values(chunk, |mut row, (status, _)| {
                row.push_bind(status.receipt.clone()).push_bind($now_ms);
            });
            builder.push(" ON CONFLICT (receipt) DO NOTHING RETURNING receipt");
            let rows: Vec<(String,)> = builder.build_query_as().fetch_all(&mut *$tx).await?;
            fresh.extend(rows.into_iter().map(|(receipt,)| receipt));
        }
        let mut sums: BTreeMap<(Vec<String>, String, String), (i64, i64)> = BTreeMap::new();
        for (status, (found, key)) in &matched {
            if fresh.contains(&status.receipt) {
                report.counted += 1;
                let sum = sums
                    .entry((found.to_vec(), status.channel.clone(), format!("{}\u{0}{}", status.day, status.status)))
                    .or_default();
                sum.0 += 1;
                sum.1 += key;
            } else {
                report.duplicates += 1;
            }
        }
        let counts: Vec<$crate::store::DeliveryCount> = sums
            .into_iter()
            .map(|((found, channel, day_status), (count, key_sum))| {
                let (day, status) = day_status.split_once('\u{0}').unwrap_or((day_status.as_str(), ""));
                $crate::store::DeliveryCount {
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
            .collect();
        add_counts!($tx, &counts);
        if $park {
            for chunk in unmatched.chunks(500) {
                let mut builder = sqlx::QueryBuilder::new(
                    "INSERT INTO pending_callbacks (receipt, channel, platform_id, status, day, received_at) ",
                );
                builder.push_values(chunk, |mut row, status| {
                    row.push_bind(status.receipt.clone())
                        .push_bind(status.channel.clone())
                        .push_bind(status.platform_id.clone())
                        .push_bind(status.status.clone())
                        .push_bind(status.day.clone())
                        .push_bind($now_ms);
                });
                builder.push(" ON CONFLICT (receipt) DO NOTHING");
                report.pending += builder.build().execute(&mut *$tx).await?.rows_affected();
            }
        } else {
            report.pending = unmatched.len() as u64;
            for chunk in matched.chunks(500) {
                let mut builder = sqlx::QueryBuilder::new("DELETE FROM pending_callbacks WHERE receipt IN (");
                let mut list = builder.separated(", ");
                for (status, _) in chunk {
                    list.push_bind(status.receipt.clone());
                }
                builder.push(")");
                builder.build().execute(&mut *$tx).await?;
            }
        }
        report
    }};
}

/// Stores a person's opt-in inside transaction `$tx`, or updates their locale and segment if
/// they are subscribed already; evaluates to whether the person is new.
macro_rules! save_subscriber_in {
    ($tx:ident, $subscriber:expr) => {{
        let subscriber: &$crate::store::NewSubscriber = $subscriber;
        let inserted = sqlx::query(
            "INSERT INTO subscribers (channel, lookup, sealed, locale, segment_id, subscribed_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (channel, lookup) DO NOTHING",
        )
        .bind(subscriber.channel.clone())
        .bind(subscriber.lookup.clone())
        .bind(subscriber.sealed.clone())
        .bind(subscriber.locale.clone())
        .bind(subscriber.segment.clone())
        .bind(subscriber.at_ms)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            sqlx::query("UPDATE subscribers SET locale = $1, segment_id = $2 WHERE channel = $3 AND lookup = $4")
                .bind(subscriber.locale.clone())
                .bind(subscriber.segment.clone())
                .bind(subscriber.channel.clone())
                .bind(subscriber.lookup.clone())
                .execute(&mut *$tx)
                .await?;
        }
        inserted == 1
    }};
}

/// Erases a subscriber inside transaction `$tx` (their sealed identifier with them) and cancels
/// every delivery still waiting for them; evaluates to whether they existed.
macro_rules! erase_subscriber_in {
    ($tx:ident, $channel:expr, $lookup:expr, $at_ms:expr) => {{
        let id: Option<i64> = sqlx::query_scalar("DELETE FROM subscribers WHERE channel = $1 AND lookup = $2 RETURNING id")
            .bind($channel.to_string())
            .bind($lookup.to_string())
            .fetch_optional(&mut *$tx)
            .await?;
        if let Some(id) = id {
            sqlx::query(
                "UPDATE outbox SET status = 'cancelled', finished_at = $1, last_error = 'the person opted out'
                 WHERE subscriber_id = $2 AND status IN ('queued', 'leased')",
            )
            .bind($at_ms)
            .bind(id)
            .execute(&mut *$tx)
            .await?;
        }
        id.is_some()
    }};
}

pub(crate) use erase_subscriber_in;
pub(crate) use ingest_statuses_in;
pub(crate) use messaging_store_methods;
pub(crate) use save_subscriber_in;
