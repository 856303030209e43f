//! Moving what is kept of people and partner credentials from one `HERALD_SECRET_KEY` to the
//! next. Sealed values say which key sealed them (`crate::sealed_format`), so what is left to
//! re-seal is found without opening anything, and a rotation that stopped halfway resumes by
//! selecting the same way. Lookup hashes carry no key id; a subscriber's is recomputed with
//! their identifier, and the consent marks kept under the old hash move with them, so that an
//! older opt-in arriving late still never undoes a newer opt-out.

use sqlx::AnyConnection;

use super::audit_sql::audit_append;
use super::subscribers_sql::erase_subscriber_in;
use super::{SqlStore, StoreError};
use crate::audit::NewAuditEntry;

/// A subscriber as a rotation reads them: what is needed to re-key the row and no more.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SealedSubscriber {
    pub id: i64,
    pub channel: String,
    pub lookup: String,
    pub sealed: String,
}

/// A subscriber re-keyed: the row as read, with its new lookup hash and sealed identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RekeyedSubscriber {
    pub read: SealedSubscriber,
    pub lookup: String,
    pub sealed: String,
}

/// How many rows of one kind carry one key id (`None`: sealed before key ids).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyCount {
    pub records: &'static str,
    pub key_id: Option<String>,
    pub rows: i64,
}

/// What one rotation run did, for its audit entry (key ids and counts only).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RotationRun {
    pub to_key: String,
    pub from_key: Option<String>,
    pub subscribers: u64,
    pub credentials: u64,
    pub unopenable: u64,
    pub remaining: i64,
}

/// Rows per key id ('' before key ids) of each table holding sealed values.
const KEY_COUNTS: [(&str, &str); 2] = [
    (
        "subscribers",
        "SELECT CASE WHEN sealed LIKE 'v2:%' THEN SUBSTR(sealed, 4, 8) ELSE '' END AS key_id,
           CAST(COUNT(*) AS BIGINT) AS n FROM subscribers GROUP BY 1 ORDER BY 1",
    ),
    (
        "credentials",
        "SELECT CASE WHEN sealed LIKE 'v2:%' THEN SUBSTR(sealed, 4, 8) ELSE '' END AS key_id,
           CAST(COUNT(*) AS BIGINT) AS n FROM account_secrets GROUP BY 1 ORDER BY 1",
    ),
];

/// The latest `keep_until` of each table of consent records.
const CONSENT_RECORDS_KEPT_UNTIL: [&str; 3] = [
    "SELECT MAX(keep_until) FROM consent_event_ids",
    "SELECT MAX(keep_until) FROM consent_marks",
    "SELECT MAX(keep_until) FROM preference_marks",
];

/// Moves a person's marks from hash `$2` to hash `$3` on channel `$1`: the mark under `$3`
/// takes the later time of both, the one under `$2` goes if `$3` has one, else is renamed.
const MOVE_MARKS: [&str; 6] = [
    "UPDATE consent_marks AS t SET
       event_at = (SELECT MAX(m.event_at) FROM consent_marks m
                   WHERE m.channel = $1 AND m.lookup IN ($2, $3)),
       keep_until = (SELECT MAX(m.keep_until) FROM consent_marks m
                     WHERE m.channel = $1 AND m.lookup IN ($2, $3))
     WHERE t.channel = $1 AND t.lookup = $3",
    "DELETE FROM consent_marks AS t WHERE t.channel = $1 AND t.lookup = $2 AND EXISTS
       (SELECT 1 FROM consent_marks m WHERE m.channel = $1 AND m.lookup = $3)",
    "UPDATE consent_marks SET lookup = $3 WHERE channel = $1 AND lookup = $2",
    "UPDATE preference_marks AS t SET
       event_at = (SELECT MAX(m.event_at) FROM preference_marks m
                   WHERE m.channel = $1 AND m.lookup IN ($2, $3) AND m.kind = t.kind),
       keep_until = (SELECT MAX(m.keep_until) FROM preference_marks m
                     WHERE m.channel = $1 AND m.lookup IN ($2, $3) AND m.kind = t.kind)
     WHERE t.channel = $1 AND t.lookup = $3",
    "DELETE FROM preference_marks AS t WHERE t.channel = $1 AND t.lookup = $2 AND EXISTS
       (SELECT 1 FROM preference_marks m WHERE m.channel = $1 AND m.lookup = $3 AND m.kind = t.kind)",
    "UPDATE preference_marks SET lookup = $3 WHERE channel = $1 AND lookup = $2",
];

impl SqlStore {
    /// Rows per key id: subscribers and stored credentials.
    pub async fn key_counts(&self) -> Result<Vec<KeyCount>, StoreError> {
        self.named(async {
            let mut counts = Vec::new();
            for (records, select) in KEY_COUNTS {
                let rows: Vec<(String, i64)> = sqlx::query_as(select).fetch_all(&self.pool).await?;
                counts.extend(rows.into_iter().map(|(key_id, rows)| KeyCount {
                    records,
                    key_id: Some(key_id).filter(|id| !id.is_empty()),
                    rows,
                }));
            }
            Ok(counts)
        })
        .await
    }

    /// Until when consent records (partner event ids, consent and choice marks) are kept:
    /// those written under the previous key are only recognised with it until then.
    pub async fn consent_records_kept_until(&self) -> Result<Option<i64>, StoreError> {
        self.named(async {
            let mut latest: Option<i64> = None;
            for select in CONSENT_RECORDS_KEPT_UNTIL {
                let kept: Option<i64> = sqlx::query_scalar(select).fetch_one(&self.pool).await?;
                latest = latest.max(kept);
            }
            Ok(latest)
        })
        .await
    }

    /// Up to `limit` subscribers after id `after_id` whose identifier is not sealed under the
    /// key whose sealed values start with `current_prefix`, by id.
    pub async fn subscribers_to_rekey(
        &self,
        current_prefix: &str,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<SealedSubscriber>, StoreError> {
        self.named(async {
            Ok(sqlx::query_as(
                "SELECT id, channel, lookup, sealed FROM subscribers
                 WHERE id > $1 AND sealed NOT LIKE $2 ORDER BY id LIMIT $3",
            )
            .bind(after_id)
            .bind(format!("{current_prefix}%"))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?)
        })
        .await
    }

    /// How many subscribers are not sealed under the key of `current_prefix`.
    pub async fn subscribers_left_to_rekey(&self, current_prefix: &str) -> Result<i64, StoreError> {
        self.named(async {
            Ok(sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM subscribers WHERE sealed NOT LIKE $1",
            )
            .bind(format!("{current_prefix}%"))
            .fetch_one(&self.pool)
            .await?)
        })
        .await
    }

    /// Writes a batch of re-keyed subscribers in one transaction; how many rows changed. A
    /// row re-sealed or erased since it was read is left alone (a later pass sees it again).
    pub async fn rekey_subscribers(
        &self,
        batch: &[RekeyedSubscriber],
        at_ms: i64,
    ) -> Result<u64, StoreError> {
        self.named(async {
            let mut tx = self.begin_write().await?;
            let mut changed = 0;
            for subscriber in batch {
                changed += u64::from(rekey_subscriber_in(&mut tx, subscriber, at_ms).await?);
            }
            tx.commit().await?;
            Ok(changed)
        })
        .await
    }

    /// Replaces a stored credential's sealed value by the same value sealed under the new
    /// key, unless it changed since it was read; whether it was replaced. Not audited one by
    /// one: the rotation's own entry counts them.
    pub async fn reseal_account_secret(
        &self,
        channel: &str,
        name: &str,
        read_sealed: &str,
        nonce: &str,
        sealed: &str,
    ) -> Result<bool, StoreError> {
        self.named(async {
            Ok(sqlx::query(
                "UPDATE account_secrets SET nonce = $1, sealed = $2
                 WHERE channel = $3 AND name = $4 AND sealed = $5",
            )
            .bind(nonce.to_string())
            .bind(sealed.to_string())
            .bind(channel.to_string())
            .bind(name.to_string())
            .bind(read_sealed.to_string())
            .execute(&self.pool)
            .await?
            .rows_affected()
                == 1)
        })
        .await
    }

    /// Audits a rotation run: key ids and counts, never a key.
    pub async fn record_key_rotation(
        &self,
        run: &RotationRun,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.named(async {
            let mut tx = self.begin_write().await?;
            audit_append(
                &mut tx,
                self.audit_key(),
                NewAuditEntry {
                    at_ms,
                    actor: "operator".into(),
                    action: crate::audit::KEYS_ROTATED.into(),
                    subject: run.to_key.clone(),
                    version: None,
                    details: serde_json::to_value(run)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                },
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}

/// Re-keys one subscriber inside a write transaction; whether the row changed. Should the new
/// hash already name another row (written by a process that lacked the previous key), that
/// newer duplicate is erased and this row, which earlier deliveries are keyed by, kept.
async fn rekey_subscriber_in(
    tx: &mut AnyConnection,
    subscriber: &RekeyedSubscriber,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let read = &subscriber.read;
    let duplicate: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM subscribers WHERE channel = $1 AND lookup = $2 AND id <> $3",
    )
    .bind(read.channel.clone())
    .bind(subscriber.lookup.clone())
    .bind(read.id)
    .fetch_optional(&mut *tx)
    .await?;
    if duplicate.is_some() {
        erase_subscriber_in(tx, &read.channel, &subscriber.lookup, at_ms).await?;
    }
    let changed = sqlx::query(
        "UPDATE subscribers SET lookup = $1, sealed = $2 WHERE id = $3 AND sealed = $4",
    )
    .bind(subscriber.lookup.clone())
    .bind(subscriber.sealed.clone())
    .bind(read.id)
    .bind(read.sealed.clone())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if changed {
        move_marks_in(tx, &read.channel, &read.lookup, &subscriber.lookup).await?;
    }
    Ok(changed)
}

/// During a rotation, before a consent event of a person is applied under their current
/// hash: moves their subscription and marks from their previous hash to it, so the event
/// finds them whether or not the rotation reached their row yet, and an opt-in adds no second
/// row. The sealed identifier stays as it is (the previous key still opens it) until the
/// rotation re-seals it.
pub(super) async fn adopt_previous_in(
    tx: &mut AnyConnection,
    channel: &str,
    previous: &str,
    current: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    if previous == current {
        return Ok(());
    }
    let both: Option<i64> =
        sqlx::query_scalar("SELECT id FROM subscribers WHERE channel = $1 AND lookup = $2")
            .bind(channel.to_string())
            .bind(current.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    if both.is_some() {
        erase_subscriber_in(tx, channel, previous, at_ms).await?;
    } else {
        sqlx::query("UPDATE subscribers SET lookup = $1 WHERE channel = $2 AND lookup = $3")
            .bind(current.to_string())
            .bind(channel.to_string())
            .bind(previous.to_string())
            .execute(&mut *tx)
            .await?;
    }
    move_marks_in(tx, channel, previous, current).await
}

/// Moves a person's consent mark and choice marks from hash `from` to hash `to`; where both
/// hold a mark, the later one is kept.
async fn move_marks_in(
    tx: &mut AnyConnection,
    channel: &str,
    from: &str,
    to: &str,
) -> Result<(), StoreError> {
    if from == to {
        return Ok(());
    }
    for statement in MOVE_MARKS {
        sqlx::query(statement)
            .bind(channel.to_string())
            .bind(from.to_string())
            .bind(to.to_string())
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
