//! Users, API tokens, authorship, approval decisions and account credentials; each change
//! that matters is audited in its own transaction.

use chrono::{DateTime, Utc};

use super::audit_sql::audit_append;
use super::session_records::{Rotation, UserListing};
use super::{Decision, SqlStore, StoreError, TokenRecord, UserRecord, VersionRecord};
use crate::audit::NewAuditEntry;
use crate::auth::Role;
use crate::campaign::{ContentHash, VersionState};

/// A user as selected: their roles as stored, in one text.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    name: String,
    roles: String,
}

impl From<UserRow> for UserRecord {
    fn from(row: UserRow) -> UserRecord {
        UserRecord {
            id: row.id,
            name: row.name,
            roles: Role::split(&row.roles),
        }
    }
}

pub async fn create_user(
    store: &SqlStore,
    name: &str,
    roles: &[Role],
    expires_at_ms: Option<i64>,
    by: &str,
    at_ms: i64,
) -> Result<UserRecord, StoreError> {
    let id = crate::auth::random_id(12);
    let roles_text = Role::join(roles);
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO users (id, name, roles, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.clone())
    .bind(name.to_string())
    .bind(roles_text.clone())
    .bind(at_ms)
    .bind(expires_at_ms)
    .execute(&mut *tx)
    .await?;
    let mut details = serde_json::json!({ "roles": roles_text });
    if let Some(until) = expires_at_ms {
        details["expires_at"] = until.into();
    }
    audit_append(
        &mut tx,
        store.audit_key(),
        NewAuditEntry {
            at_ms,
            actor: by.to_string(),
            action: "user.added".into(),
            subject: name.to_string(),
            version: None,
            details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(UserRecord {
        id,
        name: name.to_string(),
        roles: roles.to_vec(),
    })
}

pub async fn user_by_name(store: &SqlStore, name: &str) -> Result<Option<UserRecord>, StoreError> {
    let row: Option<UserRow> = sqlx::query_as("SELECT id, name, roles FROM users WHERE name = $1")
        .bind(name.to_string())
        .fetch_optional(&store.pool)
        .await?;
    Ok(row.map(UserRecord::from))
}

pub async fn add_token(
    store: &SqlStore,
    token_id: &str,
    user_id: &str,
    secret_hash: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_id.to_string())
    .bind(user_id.to_string())
    .bind(secret_hash.to_string())
    .bind(at_ms)
    .execute(&store.pool)
    .await?;
    Ok(())
}

/// A token as selected, with its user.
#[derive(sqlx::FromRow)]
struct TokenRow {
    secret_hash: String,
    revoked_at: Option<i64>,
    expires_at: Option<i64>,
    #[sqlx(flatten)]
    user: UserRow,
}

pub async fn token(store: &SqlStore, token_id: &str) -> Result<Option<TokenRecord>, StoreError> {
    let row: Option<TokenRow> = sqlx::query_as(
        "SELECT t.secret_hash, t.revoked_at, u.expires_at, u.id, u.name, u.roles
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
    )
    .bind(token_id.to_string())
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.map(|row| TokenRecord {
        secret_hash: row.secret_hash,
        revoked: row.revoked_at.is_some(),
        expires_at_ms: row.expires_at,
        user: row.user.into(),
    }))
}

/// Revokes a token and ends the web sessions it opened, in one transaction, audited with
/// whose token it was and how many sessions ended.
pub async fn revoke_token(
    store: &SqlStore,
    token_id: &str,
    by: &str,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let revoked =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at_ms)
            .bind(token_id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
    if revoked {
        let sessions_ended = end_token_sessions(&mut tx, token_id).await?;
        let user: Option<(String,)> = sqlx::query_as(
            "SELECT u.name FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
        )
        .bind(token_id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        audit_append(
            &mut tx,
            store.audit_key(),
            NewAuditEntry {
                at_ms,
                actor: by.to_string(),
                action: "token.revoked".into(),
                subject: token_id.to_string(),
                version: None,
                details: serde_json::json!({
                    "user": user.map(|(name,)| name),
                    "sessions_ended": sessions_ended,
                }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(revoked)
}

/// Deletes the web sessions a token opened; how many.
async fn end_token_sessions(
    connection: &mut sqlx::AnyConnection,
    token_id: &str,
) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM web_sessions WHERE token_id = $1")
        .bind(token_id.to_string())
        .execute(&mut *connection)
        .await?
        .rows_affected())
}

/// Gives a user a new token and revokes every token they had, ending those tokens'
/// sessions, in one transaction (audited as `token.rotated`, naming token ids only). A new
/// expiry, when given, replaces the user's.
pub async fn rotate_token(
    store: &SqlStore,
    user: &UserRecord,
    new_token: (&str, &str),
    expires_at_ms: Option<i64>,
    by: &str,
    at_ms: i64,
) -> Result<Rotation, StoreError> {
    let (new_id, secret_hash) = new_token;
    let mut tx = store.begin_write().await?;
    let old: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id",
    )
    .bind(user.id.clone())
    .fetch_all(&mut *tx)
    .await?;
    let mut rotation = Rotation {
        revoked: Vec::new(),
        sessions_ended: 0,
    };
    for (id,) in old {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(at_ms)
            .bind(id.clone())
            .execute(&mut *tx)
            .await?;
        rotation.sessions_ended += end_token_sessions(&mut tx, &id).await?;
        rotation.revoked.push(id);
    }
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(new_id.to_string())
    .bind(user.id.clone())
    .bind(secret_hash.to_string())
    .bind(at_ms)
    .execute(&mut *tx)
    .await?;
    let mut details = serde_json::json!({
        "revoked": rotation.revoked,
        "new_token": new_id,
        "sessions_ended": rotation.sessions_ended,
    });
    if let Some(until) = expires_at_ms {
        sqlx::query("UPDATE users SET expires_at = $1 WHERE id = $2")
            .bind(until)
            .bind(user.id.clone())
            .execute(&mut *tx)
            .await?;
        details["expires_at"] = until.into();
    }
    audit_append(
        &mut tx,
        store.audit_key(),
        NewAuditEntry {
            at_ms,
            actor: by.to_string(),
            action: "token.rotated".into(),
            subject: user.name.clone(),
            version: None,
            details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(rotation)
}

/// A user as listed, their active token ids in one text.
#[derive(sqlx::FromRow)]
struct ListedUserRow {
    id: String,
    name: String,
    roles: String,
    created_at: i64,
    expires_at: Option<i64>,
}

/// Every user, by name, with their active token ids and live sessions at `now_ms`.
pub async fn users(store: &SqlStore, now_ms: i64) -> Result<Vec<UserListing>, StoreError> {
    let rows: Vec<ListedUserRow> =
        sqlx::query_as("SELECT id, name, roles, created_at, expires_at FROM users ORDER BY name")
            .fetch_all(&store.pool)
            .await?;
    let tokens: Vec<(String, String)> = sqlx::query_as(
        "SELECT user_id, id FROM api_tokens WHERE revoked_at IS NULL ORDER BY created_at, id",
    )
    .fetch_all(&store.pool)
    .await?;
    let sessions: Vec<(String, i64)> = sqlx::query_as(
        "SELECT user_id, COUNT(*) FROM web_sessions
         WHERE idle_until > $1 AND expires_at > $1 GROUP BY user_id",
    )
    .bind(now_ms)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| UserListing {
            active_tokens: tokens
                .iter()
                .filter(|(user, _)| *user == row.id)
                .map(|(_, id)| id.clone())
                .collect(),
            sessions: sessions
                .iter()
                .find(|(user, _)| *user == row.id)
                .map_or(0, |(_, count)| *count),
            name: row.name,
            roles: Role::split(&row.roles),
            created_ms: row.created_at,
            expires_at_ms: row.expires_at,
        })
        .collect())
}

pub async fn add_author(
    store: &SqlStore,
    hash: &ContentHash,
    user_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO version_authors (version_hash, user_id) VALUES ($1, $2)
         ON CONFLICT (version_hash, user_id) DO NOTHING",
    )
    .bind(hash.as_str().to_string())
    .bind(user_id.to_string())
    .execute(&store.pool)
    .await?;
    Ok(())
}

pub async fn version_authors(
    store: &SqlStore,
    hash: &ContentHash,
) -> Result<Vec<UserRecord>, StoreError> {
    let rows: Vec<UserRow> = sqlx::query_as(
        "SELECT u.id, u.name, u.roles FROM version_authors a JOIN users u ON u.id = a.user_id
         WHERE a.version_hash = $1 ORDER BY u.name",
    )
    .bind(hash.as_str().to_string())
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(UserRecord::from).collect())
}

pub async fn decide(
    store: &SqlStore,
    hash: &ContentHash,
    user: &UserRecord,
    to: VersionState,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> Result<VersionRecord, StoreError> {
    let record = super::versions_sql::transition(store, hash, to, at, &user.name).await?;
    sqlx::query(
        "INSERT INTO version_decisions (version_hash, user_id, decision, note, decided_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash.as_str().to_string())
    .bind(user.id.clone())
    .bind(to.name())
    .bind(note.map(str::to_string))
    .bind(at.timestamp_millis())
    .execute(&store.pool)
    .await?;
    Ok(record)
}

pub async fn decisions(store: &SqlStore, hash: &ContentHash) -> Result<Vec<Decision>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT u.name AS user_name, d.decision, d.note, d.decided_at
         FROM version_decisions d JOIN users u ON u.id = d.user_id
         WHERE d.version_hash = $1 ORDER BY d.decided_at",
    )
    .bind(hash.as_str().to_string())
    .fetch_all(&store.pool)
    .await?)
}

pub async fn set_account_secret(
    store: &SqlStore,
    channel: &str,
    name: &str,
    nonce: &str,
    sealed: &str,
    by: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO account_secrets (channel, name, nonce, sealed, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (channel, name) DO UPDATE SET nonce = excluded.nonce, sealed = excluded.sealed,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(channel.to_string())
    .bind(name.to_string())
    .bind(nonce.to_string())
    .bind(sealed.to_string())
    .bind(at_ms)
    .bind(by.to_string())
    .execute(&mut *tx)
    .await?;
    audit_append(
        &mut tx,
        store.audit_key(),
        NewAuditEntry {
            at_ms,
            actor: by.to_string(),
            action: "account.credential_set".into(),
            subject: channel.to_string(),
            version: None,
            details: serde_json::json!({ "credential": name }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_account_secret(
    store: &SqlStore,
    channel: &str,
    name: &str,
    by: &str,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let deleted = sqlx::query("DELETE FROM account_secrets WHERE channel = $1 AND name = $2")
        .bind(channel.to_string())
        .bind(name.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected()
        > 0;
    if deleted {
        audit_append(
            &mut tx,
            store.audit_key(),
            NewAuditEntry {
                at_ms,
                actor: by.to_string(),
                action: "account.credential_deleted".into(),
                subject: channel.to_string(),
                version: None,
                details: serde_json::json!({ "credential": name }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(deleted)
}

pub async fn account_secrets(
    store: &SqlStore,
) -> Result<Vec<(String, String, String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT channel, name, nonce, sealed FROM account_secrets ORDER BY channel, name",
    )
    .fetch_all(&store.pool)
    .await?)
}
