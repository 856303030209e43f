//! Consent events: each applied once per partner event id and only if it is the person's
//! latest, in one transaction with the subscriber change, and the records pruned once the
//! platform's tolerance for late events has passed.
//!
//! The sweep and a late event race: an event admitted at its last on-time instant could reach
//! its transaction after the sweep deleted its digest, and would then look new. The sweep
//! therefore raises `consent_prune_horizon` in the same transaction as its deletions, and an
//! event whose `keep_until` lies before the horizon is refused inside its own transaction,
//! after inserting its digest. That insert either meets the digest (a repeat) or, if the sweep
//! deleted it, waits for the sweep's commit, so the horizon read next is the raised one. This
//! holds however long admission took and whatever the clocks of several herald processes say,
//! which a pruning margin would not.

use sqlx::AnyConnection;

use super::rekeying_sql::adopt_previous_in;
use super::subscribers_sql::{erase_subscriber_in, save_subscriber_in};
use super::{ConsentEvent, ConsentOutcome, ConsentWrite, NewSubscriber, SqlStore, StoreError};

pub async fn apply_consent_event(
    store: &SqlStore,
    event: &ConsentEvent,
) -> Result<ConsentOutcome, StoreError> {
    let mut tx = store.begin_write().await?;
    if !first_seen(&mut tx, event).await? {
        tx.commit().await?;
        return Ok(ConsentOutcome::Repeated);
    }
    if past_prune_horizon(&mut tx, event).await? {
        tx.rollback().await?;
        return Ok(ConsentOutcome::PastRetention);
    }
    if let Some(previous) = &event.previous {
        adopt_previous_in(
            &mut tx,
            &event.channel,
            &previous.lookup,
            &event.lookup,
            event.now_ms,
        )
        .await?;
    }
    // What an opt-in subscribes (`None` for an opt-out); a choice goes its own way.
    let joining = match &event.change {
        ConsentWrite::Choose { locale, segment } => {
            let outcome = apply_choice_in(&mut tx, event, locale, segment).await?;
            tx.commit().await?;
            return Ok(outcome);
        }
        ConsentWrite::Join(subscriber) => Some(subscriber),
        ConsentWrite::Leave => None,
    };
    if !mark_latest(&mut tx, event).await? {
        tx.commit().await?;
        return Ok(ConsentOutcome::Superseded);
    }
    let outcome = match joining {
        Some(subscriber) => join_in(&mut tx, event, subscriber).await?,
        None => leave_in(&mut tx, event).await?,
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Records the event's digest; false when it was recorded before (a repeat or a replay),
/// under the current key or, during a key rotation, the previous one.
async fn first_seen(tx: &mut AnyConnection, event: &ConsentEvent) -> Result<bool, StoreError> {
    if let Some(previous) = &event.previous {
        let seen: Option<i64> =
            sqlx::query_scalar("SELECT keep_until FROM consent_event_ids WHERE digest = $1")
                .bind(previous.event_digest.clone())
                .fetch_optional(&mut *tx)
                .await?;
        if seen.is_some() {
            return Ok(false);
        }
    }
    let inserted = sqlx::query(
        "INSERT INTO consent_event_ids (digest, keep_until) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING",
    )
    .bind(event.event_digest.clone())
    .bind(event.keep_until_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Whether the sweep may already have removed this event's digest (see the module
/// documentation): such an event is refused.
async fn past_prune_horizon(
    tx: &mut AnyConnection,
    event: &ConsentEvent,
) -> Result<bool, StoreError> {
    let pruned_before: i64 =
        sqlx::query_scalar("SELECT pruned_before FROM consent_prune_horizon WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
    Ok(event.keep_until_ms < pruned_before)
}

/// Makes this event the person's latest consent event; false when a later one was applied.
/// The mark is written first: its row lock makes a concurrent event of the same person wait,
/// then see this one's time. Ties go to the later arrival (partners stamp in whole seconds, so
/// START and STOP can share a second).
async fn mark_latest(tx: &mut AnyConnection, event: &ConsentEvent) -> Result<bool, StoreError> {
    let latest: Option<i64> = sqlx::query_scalar(
        "INSERT INTO consent_marks (channel, lookup, event_at, keep_until) VALUES ($1, $2, $3, $4)
         ON CONFLICT (channel, lookup) DO UPDATE SET event_at = excluded.event_at, keep_until = excluded.keep_until
         WHERE consent_marks.event_at <= excluded.event_at
         RETURNING event_at",
    )
    .bind(event.channel.clone())
    .bind(event.lookup.clone())
    .bind(event.event_at_ms)
    .bind(event.keep_until_ms)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(latest.is_some())
}

/// An opt-in: the person is subscribed, keeping what they chose after this event.
async fn join_in(
    tx: &mut AnyConnection,
    event: &ConsentEvent,
    subscriber: &NewSubscriber,
) -> Result<ConsentOutcome, StoreError> {
    let chosen_later: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM preference_marks WHERE channel = $1 AND lookup = $2 AND event_at > $3",
    )
    .bind(event.channel.clone())
    .bind(event.lookup.clone())
    .bind(event.event_at_ms)
    .fetch_all(&mut *tx)
    .await?;
    let mut subscriber = subscriber.clone();
    if !chosen_later.is_empty() {
        let current: Option<(String, String)> = sqlx::query_as(
            "SELECT locale, segment_id FROM subscribers WHERE channel = $1 AND lookup = $2",
        )
        .bind(event.channel.clone())
        .bind(event.lookup.clone())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((locale, segment)) = current {
            if chosen_later.iter().any(|kind| kind == "locale") {
                subscriber.locale = locale;
            }
            if chosen_later.iter().any(|kind| kind == "segment") {
                subscriber.segment = segment;
            }
        }
    }
    Ok(if save_subscriber_in(tx, &subscriber).await? {
        ConsentOutcome::Joined
    } else {
        ConsentOutcome::Updated
    })
}

/// An opt-out: the person is erased, with what they chose.
async fn leave_in(
    tx: &mut AnyConnection,
    event: &ConsentEvent,
) -> Result<ConsentOutcome, StoreError> {
    let left = erase_subscriber_in(tx, &event.channel, &event.lookup, event.now_ms).await?;
    // What they chose goes with them; the consent mark outranks older choices. Deleted after
    // the erasure, which waits for a choice holding their row (PostgreSQL), so a choice
    // committed meanwhile leaves no mark behind.
    sqlx::query("DELETE FROM preference_marks WHERE channel = $1 AND lookup = $2")
        .bind(event.channel.clone())
        .bind(event.lookup.clone())
        .execute(&mut *tx)
        .await?;
    Ok(if left {
        ConsentOutcome::Left
    } else {
        ConsentOutcome::NotSubscribed
    })
}

pub async fn expire_consent_records(store: &SqlStore, now_ms: i64) -> Result<u64, StoreError> {
    let mut tx = store.begin_write().await?;
    // First, so that an event racing this sweep either finds its digest still here or sees
    // the raised horizon (see the module documentation).
    sqlx::query(
        "UPDATE consent_prune_horizon SET pruned_before = CASE WHEN pruned_before < $1 THEN $1 ELSE pruned_before END
         WHERE id = 1",
    )
    .bind(now_ms)
    .execute(&mut *tx)
    .await?;
    let mut expired = 0;
    for expire in [
        "DELETE FROM consent_event_ids WHERE keep_until < $1",
        "DELETE FROM consent_marks WHERE keep_until < $1",
        "DELETE FROM preference_marks WHERE keep_until < $1",
    ] {
        expired += sqlx::query(expire)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    Ok(expired)
}

/// Applies a choice inside a write transaction, whose event id is already recorded: only if
/// it is not older than the person's latest opt-in or opt-out (an opt-out always wins over an
/// older choice) nor than their latest choice of the same kind, and only to someone
/// subscribed (a choice never subscribes anyone, nor keeps a mark of someone who is not).
async fn apply_choice_in(
    connection: &mut AnyConnection,
    event: &ConsentEvent,
    locale: &Option<String>,
    segment: &Option<String>,
) -> Result<ConsentOutcome, StoreError> {
    // The subscriber row is locked first (by a no-op update): a concurrent opt-in or opt-out
    // of this person, which writes its mark before it touches the row, has then either
    // committed both (and the mark read next is its) or waits for this choice.
    let subscribed =
        sqlx::query("UPDATE subscribers SET locale = locale WHERE channel = $1 AND lookup = $2")
            .bind(event.channel.clone())
            .bind(event.lookup.clone())
            .execute(&mut *connection)
            .await?
            .rows_affected()
            == 1;
    let consented_at: Option<i64> =
        sqlx::query_scalar("SELECT event_at FROM consent_marks WHERE channel = $1 AND lookup = $2")
            .bind(event.channel.clone())
            .bind(event.lookup.clone())
            .fetch_optional(&mut *connection)
            .await?;
    if consented_at.is_some_and(|at| at > event.event_at_ms) {
        return Ok(ConsentOutcome::Superseded);
    }
    if !subscribed {
        return Ok(ConsentOutcome::NotSubscribed);
    }
    let kinds = [("locale", locale.is_some()), ("segment", segment.is_some())];
    let mut applied = true;
    for (kind, _) in kinds.iter().filter(|(_, chosen)| *chosen) {
        let newest: Option<i64> = sqlx::query_scalar(
            "INSERT INTO preference_marks (channel, lookup, kind, event_at, keep_until) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (channel, lookup, kind) DO UPDATE SET event_at = excluded.event_at, keep_until = excluded.keep_until
             WHERE preference_marks.event_at <= excluded.event_at
             RETURNING event_at",
        )
        .bind(event.channel.clone())
        .bind(event.lookup.clone())
        .bind(kind.to_string())
        .bind(event.event_at_ms)
        .bind(event.keep_until_ms)
        .fetch_optional(&mut *connection)
        .await?;
        applied &= newest.is_some();
    }
    if !applied {
        return Ok(ConsentOutcome::Superseded);
    }
    sqlx::query(
        "UPDATE subscribers SET locale = COALESCE($1, locale), segment_id = COALESCE($2, segment_id),
             last_contact_at = $3
         WHERE channel = $4 AND lookup = $5",
    )
    .bind(locale.clone())
    .bind(segment.clone())
    .bind(event.event_at_ms)
    .bind(event.channel.clone())
    .bind(event.lookup.clone())
    .execute(&mut *connection)
    .await?;
    Ok(ConsentOutcome::Updated)
}
