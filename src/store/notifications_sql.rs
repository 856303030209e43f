//! Staff notifications as rows: events recorded beside the change they report (in its
//! transaction where there is one), each user's preferences, and digests leased to one sender
//! at a time and marked sent only once accepted.

use sqlx::AnyConnection;

use super::audit_sql::audit_append;
use super::dialect::Dialect;
use super::staff_events::{
    DigestAttempt, DigestRecord, NewStaffEvent, NotificationPreferences, NotificationRecipient,
    NotifyChannel, StaffEvent, StaffEventKind, event_code,
};
use super::statement::Statement;
use super::{SqlStore, StoreError, UserRecord};
use crate::audit::NewAuditEntry;
use crate::auth::Role;

/// Job ids per statement when events are gathered from a batch of outcomes.
const IDS: usize = 400;

/// Inserts events inside the caller's transaction.
pub(super) async fn insert_events(
    tx: &mut AnyConnection,
    events: &[NewStaffEvent],
) -> Result<(), StoreError> {
    for event in events {
        sqlx::query(
            "INSERT INTO staff_events (kind, campaign_id, version_hash, account, code, count, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(event.kind.name())
        .bind(event.campaign_id.clone())
        .bind(event.version_hash.clone())
        .bind(event.account.clone())
        .bind(event.code.as_deref().map(event_code))
        .bind(event.count)
        .bind(event.at_ms)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

pub async fn record_staff_event(store: &SqlStore, event: &NewStaffEvent) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    insert_events(&mut tx, std::slice::from_ref(event)).await?;
    tx.commit().await?;
    Ok(())
}

/// How a batch of jobs ended, for the events it makes.
#[derive(Clone, Copy)]
pub(super) enum JobsEnded {
    Dead,
    Unknown,
}

/// Records, inside the transaction that just wrote them, one event per campaign, version,
/// account and code for jobs that became dead letters (a blocked WhatsApp template is its own
/// kind) or unknown outcomes. Counts only: nothing of the recipients is read.
pub(super) async fn events_for_jobs(
    tx: &mut AnyConnection,
    dialect: &Dialect,
    ended: JobsEnded,
    ids: &[i64],
    at_ms: i64,
) -> Result<(), StoreError> {
    for chunk in ids.chunks(IDS) {
        let mut select = Statement::new(
            dialect,
            "SELECT v.campaign_id, o.version_hash, o.channel, o.error_code, COUNT(*) FROM outbox o
             JOIN campaign_versions v ON v.hash = o.version_hash WHERE o.id IN (",
        );
        select
            .push_list(chunk.iter().copied())
            .push(") GROUP BY v.campaign_id, o.version_hash, o.channel, o.error_code");
        let groups: Vec<(String, String, String, Option<String>, i64)> =
            select.build_query_as()?.fetch_all(&mut *tx).await?;
        let events: Vec<NewStaffEvent> = groups
            .into_iter()
            .map(|(campaign, version, account, code, count)| {
                let kind = match ended {
                    JobsEnded::Unknown => StaffEventKind::UnknownOutcomes,
                    JobsEnded::Dead
                        if code.as_deref().is_some_and(|code| {
                            crate::channel::is_template_blocked(&account, code)
                        }) =>
                    {
                        StaffEventKind::TemplateBlocked
                    }
                    JobsEnded::Dead => StaffEventKind::DeadLetters,
                };
                NewStaffEvent {
                    kind,
                    campaign_id: Some(campaign),
                    version_hash: Some(version),
                    account: Some(account),
                    code,
                    count,
                    at_ms,
                }
            })
            .collect();
        insert_events(tx, &events).await?;
    }
    Ok(())
}

type EventRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

/// Events after `after` up to `upto` (all when `None`), oldest first, at most `limit`.
pub async fn staff_events(
    store: &SqlStore,
    after: i64,
    upto: Option<i64>,
    limit: u32,
) -> Result<Vec<StaffEvent>, StoreError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT id, kind, campaign_id, version_hash, account, code, count, at FROM staff_events
         WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3",
    )
    .bind(after)
    .bind(upto.unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(
            |(id, kind, campaign_id, version_hash, account, code, count, at_ms)| {
                Ok(StaffEvent {
                    id,
                    kind: StaffEventKind::from_name(&kind).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown event kind `{kind}`"))
                    })?,
                    campaign_id,
                    version_hash,
                    account,
                    code,
                    count,
                    at_ms,
                })
            },
        )
        .collect()
}

/// Sets a user's preferences (audited without the address). A user who had none starts
/// after the latest event: preferences never bring old news.
pub async fn set_preferences(
    store: &SqlStore,
    user: &UserRecord,
    preferences: &NotificationPreferences,
    at_ms: i64,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let latest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM staff_events")
        .fetch_one(&mut *tx)
        .await?;
    let kinds = StaffEventKind::join(&preferences.kinds);
    sqlx::query(
        "INSERT INTO notification_preferences (user_id, channel, kinds, email, seen_event, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id) DO UPDATE SET channel = excluded.channel, kinds = excluded.kinds,
           email = excluded.email, updated_at = excluded.updated_at",
    )
    .bind(user.id.clone())
    .bind(preferences.channel.name())
    .bind(kinds.clone())
    .bind(preferences.email.clone())
    .bind(latest)
    .bind(at_ms)
    .execute(&mut *tx)
    .await?;
    audit_append(
        &mut tx,
        store.audit_key(),
        NewAuditEntry {
            at_ms,
            actor: user.name.clone(),
            action: "notifications.preferences".into(),
            subject: user.name.clone(),
            version: None,
            details: serde_json::json!({
                "channel": preferences.channel.name(),
                "kinds": kinds,
                "email_set": preferences.email.is_some(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

type RecipientRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
);

/// Everyone who set preferences (or only `user_id`), by name.
pub async fn recipients(
    store: &SqlStore,
    user_id: Option<&str>,
) -> Result<Vec<NotificationRecipient>, StoreError> {
    let rows: Vec<RecipientRow> = sqlx::query_as(
        "SELECT u.id, u.name, u.roles, p.channel, p.kinds, p.email, p.seen_event, p.updated_at
         FROM notification_preferences p JOIN users u ON u.id = p.user_id
         WHERE $1 = '' OR u.id = $1 ORDER BY u.name",
    )
    .bind(user_id.unwrap_or("").to_string())
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(
            |(id, name, roles, channel, kinds, email, seen_event, updated_at_ms)| {
                Ok(NotificationRecipient {
                    user: UserRecord {
                        id,
                        name,
                        roles: Role::split(&roles),
                    },
                    preferences: NotificationPreferences {
                        channel: NotifyChannel::from_name(&channel).ok_or_else(|| {
                            StoreError::Corrupt(format!("unknown notification channel `{channel}`"))
                        })?,
                        kinds: StaffEventKind::split(&kinds),
                        email,
                    },
                    seen_event,
                    updated_at_ms,
                })
            },
        )
        .collect()
}

/// Puts a user's events after `seen` up to `upto` into a new digest, if nobody else did:
/// the user's mark moves from `seen` to `upto` in the same transaction, so two senders
/// cannot both open one. False when the mark had moved.
pub async fn open_digest(
    store: &SqlStore,
    user_id: &str,
    seen: i64,
    upto: i64,
    channel: NotifyChannel,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let moved = sqlx::query(
        "UPDATE notification_preferences SET seen_event = $1 WHERE user_id = $2 AND seen_event = $3",
    )
    .bind(upto)
    .bind(user_id.to_string())
    .bind(seen)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO notification_digests (user_id, channel, after_event, last_event, next_attempt, created_at)
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(user_id.to_string())
    .bind(channel.name())
    .bind(seen)
    .bind(upto)
    .bind(at_ms)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Moves a user's mark past events they do not hear of, so they are not read again.
pub async fn skip_events(
    store: &SqlStore,
    user_id: &str,
    seen: i64,
    upto: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE notification_preferences SET seen_event = $1 WHERE user_id = $2 AND seen_event = $3",
    )
    .bind(upto)
    .bind(user_id.to_string())
    .bind(seen)
    .execute(&store.pool)
    .await?;
    Ok(())
}

type DigestRow = (i64, String, String, i64, i64, i64);

/// Leases up to `limit` digests due now that no other sender holds.
pub async fn lease_digests(
    store: &SqlStore,
    owner: &str,
    now_ms: i64,
    lease_until_ms: i64,
    limit: u32,
) -> Result<Vec<DigestRecord>, StoreError> {
    // The outer conditions are checked again on the row another sender may just have
    // leased (PostgreSQL re-reads it after the lock), so a digest is held by one at a time.
    let rows: Vec<DigestRow> = sqlx::query_as(
        "UPDATE notification_digests SET lease_owner = $1, lease_until = $2
         WHERE id IN (SELECT id FROM notification_digests WHERE status = 'pending'
                        AND next_attempt <= $3 AND (lease_until IS NULL OR lease_until < $3)
                        ORDER BY id LIMIT $4)
           AND status = 'pending' AND (lease_until IS NULL OR lease_until < $3)
         RETURNING id, user_id, channel, after_event, last_event, attempts",
    )
    .bind(owner.to_string())
    .bind(lease_until_ms)
    .bind(now_ms)
    .bind(i64::from(limit))
    .fetch_all(&store.pool)
    .await?;
    let mut digests = rows
        .into_iter()
        .map(
            |(id, user_id, channel, after_event, last_event, attempts)| {
                Ok(DigestRecord {
                    id,
                    user_id,
                    channel: NotifyChannel::from_name(&channel).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown notification channel `{channel}`"))
                    })?,
                    after_event,
                    last_event,
                    attempts,
                })
            },
        )
        .collect::<Result<Vec<_>, StoreError>>()?;
    digests.sort_by_key(|d| d.id);
    Ok(digests)
}

/// Writes what one attempt did, if `owner` still holds the digest. False otherwise.
pub async fn finish_digest(
    store: &SqlStore,
    id: i64,
    owner: &str,
    attempt: &DigestAttempt,
) -> Result<bool, StoreError> {
    let query = match attempt {
        DigestAttempt::Sent { at_ms } => sqlx::query(
            "UPDATE notification_digests SET status = 'sent', sent_at = $1, lease_owner = NULL,
             lease_until = NULL, last_error = NULL WHERE id = $2 AND lease_owner = $3 AND status = 'pending'",
        )
        .bind(*at_ms),
        DigestAttempt::Failed { retry_at_ms, .. } => sqlx::query(
            "UPDATE notification_digests SET attempts = attempts + 1, next_attempt = $1,
             last_error = $4, lease_owner = NULL, lease_until = NULL
             WHERE id = $2 AND lease_owner = $3 AND status = 'pending'",
        )
        .bind(*retry_at_ms),
    };
    let mut query = query.bind(id).bind(owner.to_string());
    if let DigestAttempt::Failed { error, .. } = attempt {
        query = query.bind(error.chars().take(500).collect::<String>());
    }
    Ok(query.execute(&store.pool).await?.rows_affected() == 1)
}

/// `(pending, sent)` digests, for the metrics and the tests.
pub async fn digest_counts(store: &SqlStore) -> Result<(i64, i64), StoreError> {
    let (pending, sent): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), 0)
         FROM notification_digests",
    )
    .fetch_one(&store.pool)
    .await?;
    Ok((pending, sent))
}

/// Deletes sent digests and the events older than `before_ms` that no pending digest still
/// needs (the retention sweep); returns how many rows went.
pub async fn expire_notifications(store: &SqlStore, before_ms: i64) -> Result<u64, StoreError> {
    let mut tx = store.begin_write().await?;
    let digests =
        sqlx::query("DELETE FROM notification_digests WHERE status = 'sent' AND sent_at < $1")
            .bind(before_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    let events = sqlx::query(
        "DELETE FROM staff_events WHERE at < $1 AND id <= COALESCE(
           (SELECT MIN(after_event) FROM notification_digests WHERE status = 'pending'), id)",
    )
    .bind(before_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(digests + events)
}
