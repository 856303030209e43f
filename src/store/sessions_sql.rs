//! Web sessions in the database, shared by every replica and kept across restarts: opened
//! within a per-user bound, found by the hash of their cookie, moved forward as they are used,
//! listed and ended by admins (audited), and deleted once ended.

use super::audit_sql::audit_append;
use super::session_records::{FoundSession, NewSession, SessionListing};
use super::{SqlStore, StoreError, UserRecord};
use crate::audit::NewAuditEntry;
use crate::auth::Role;

/// Opens a session, first ending the user's sessions that have ended on their own and then,
/// when `max_per_user` are still live, the oldest of them: so a flood of sign-ins with one
/// token cannot fill the table. Returns how many live sessions were ended to make room.
pub async fn open_session(
    store: &SqlStore,
    session: &NewSession,
    max_per_user: u32,
) -> Result<u64, StoreError> {
    let mut tx = store.begin_write().await?;
    // Locks the user's row (PostgreSQL), so two sign-ins of one user take turns here and the
    // bound holds; SQLite's write transaction has the whole database already.
    sqlx::query("UPDATE users SET id = id WHERE id = $1")
        .bind(session.user_id.clone())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "DELETE FROM web_sessions WHERE user_id = $1 AND (idle_until <= $2 OR expires_at <= $2)",
    )
    .bind(session.user_id.clone())
    .bind(session.at_ms)
    .execute(&mut *tx)
    .await?;
    let live: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM web_sessions WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(session.user_id.clone())
    .fetch_all(&mut *tx)
    .await?;
    let keep = usize::try_from(max_per_user.max(1) - 1).unwrap_or(usize::MAX);
    let mut ended = 0;
    for (id,) in live.iter().skip(keep) {
        ended += sqlx::query("DELETE FROM web_sessions WHERE id = $1")
            .bind(id.clone())
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    sqlx::query(
        "INSERT INTO web_sessions (id, secret_hash, token_id, user_id, created_at, last_seen_at, idle_until, expires_at)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
    )
    .bind(session.id.clone())
    .bind(session.secret_hash.clone())
    .bind(session.token_id.clone())
    .bind(session.user_id.clone())
    .bind(session.at_ms)
    .bind(session.idle_until_ms)
    .bind(session.expires_at_ms)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// A session with its token's and user's standing, as selected.
#[derive(sqlx::FromRow)]
struct FoundRow {
    session_id: String,
    token_id: String,
    last_seen_at: i64,
    idle_until: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    user_expires_at: Option<i64>,
    user_id: String,
    user_name: String,
    roles: String,
    language: Option<String>,
}

/// The session whose secret hashes to `secret_hash`, live or not (the caller decides, and
/// ends one that is not).
pub async fn session_by_secret_hash(
    store: &SqlStore,
    secret_hash: &str,
) -> Result<Option<FoundSession>, StoreError> {
    let row: Option<FoundRow> = sqlx::query_as(
        "SELECT s.id AS session_id, s.token_id, s.last_seen_at, s.idle_until, s.expires_at,
                t.revoked_at, u.expires_at AS user_expires_at,
                u.id AS user_id, u.name AS user_name, u.roles, u.language
         FROM web_sessions s
         JOIN api_tokens t ON t.id = s.token_id
         JOIN users u ON u.id = s.user_id
         WHERE s.secret_hash = $1",
    )
    .bind(secret_hash.to_string())
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.map(|row| FoundSession {
        id: row.session_id,
        token_id: row.token_id,
        last_seen_ms: row.last_seen_at,
        idle_until_ms: row.idle_until,
        expires_at_ms: row.expires_at,
        token_revoked: row.revoked_at.is_some(),
        user_expires_at_ms: row.user_expires_at,
        language: row.language,
        user: UserRecord {
            id: row.user_id,
            name: row.user_name,
            roles: Role::split(&row.roles),
        },
    }))
}

/// Records a use of the session: its idle end moves to `idle_until_ms` (never back).
pub async fn touch_session(
    store: &SqlStore,
    id: &str,
    at_ms: i64,
    idle_until_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE web_sessions SET last_seen_at = $1, idle_until = $2
         WHERE id = $3 AND idle_until < $2",
    )
    .bind(at_ms)
    .bind(idle_until_ms)
    .bind(id.to_string())
    .execute(&store.pool)
    .await?;
    Ok(())
}

/// Ends a session (signing out, or found ended); false when there was none.
pub async fn end_session(store: &SqlStore, id: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query("DELETE FROM web_sessions WHERE id = $1")
        .bind(id.to_string())
        .execute(&store.pool)
        .await?
        .rows_affected()
        == 1)
}

/// An admin ends someone's session, audited with whose it was; the user's name, or `None`
/// when there was no such session.
pub async fn end_session_by(
    store: &SqlStore,
    id: &str,
    by: &str,
    at_ms: i64,
) -> Result<Option<String>, StoreError> {
    let mut tx = store.begin_write().await?;
    let owner: Option<(String, String)> = sqlx::query_as(
        "SELECT u.name, s.token_id FROM web_sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user, token_id)) = owner else {
        return Ok(None);
    };
    sqlx::query("DELETE FROM web_sessions WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit_append(
        &mut tx,
        store.audit_key(),
        NewAuditEntry {
            at_ms,
            actor: by.to_string(),
            action: "session.ended".into(),
            subject: user.clone(),
            version: None,
            details: serde_json::json!({ "session": id, "token": token_id }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(user))
}

/// Every live session at `now_ms`, by user and age.
pub async fn live_sessions(
    store: &SqlStore,
    now_ms: i64,
) -> Result<Vec<SessionListing>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT s.id, u.name AS user_name, s.token_id, s.created_at, s.last_seen_at,
                s.idle_until, s.expires_at
         FROM web_sessions s
         JOIN api_tokens t ON t.id = s.token_id
         JOIN users u ON u.id = s.user_id
         WHERE s.idle_until > $1 AND s.expires_at > $1 AND t.revoked_at IS NULL
           AND (u.expires_at IS NULL OR u.expires_at > $1)
         ORDER BY u.name, s.created_at, s.id",
    )
    .bind(now_ms)
    .fetch_all(&store.pool)
    .await?)
}

/// Deletes every session that has ended by `now_ms`: unused too long, past its lifetime, or
/// opened with a token since revoked or of a user since expired (the retention sweep).
pub async fn expire_sessions(store: &SqlStore, now_ms: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "DELETE FROM web_sessions
         WHERE idle_until <= $1 OR expires_at <= $1
            OR token_id IN (SELECT id FROM api_tokens WHERE revoked_at IS NOT NULL)
            OR user_id IN (SELECT id FROM users WHERE expires_at IS NOT NULL AND expires_at <= $1)",
    )
    .bind(now_ms)
    .execute(&store.pool)
    .await?
    .rows_affected())
}
