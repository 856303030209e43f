//! The users list admins read: each user, their roles and their tokens (ids and dates only,
//! never a secret or its hash).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::records::timestamp_ms;
use super::{SqlStore, StoreError};
use crate::auth::Role;

/// Users listed at most: staff, never the audience, so far fewer in any deployment.
pub const MAX_LISTED_USERS: i64 = 1000;

/// A user as an admin sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserListing {
    pub name: String,
    pub roles: Vec<Role>,
    pub created_at: DateTime<Utc>,
    /// Oldest first.
    pub tokens: Vec<TokenListing>,
}

impl UserListing {
    /// Whether any of the user's tokens still opens herald.
    pub fn active(&self) -> bool {
        self.tokens.iter().any(|t| t.revoked_at.is_none())
    }
}

/// One of a user's tokens: its id (the part before the dot, not secret) and dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenListing {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct UserTokenRow {
    name: String,
    roles: String,
    created_at: i64,
    token_id: Option<String>,
    token_created_at: Option<i64>,
    revoked_at: Option<i64>,
}

pub async fn users(store: &SqlStore) -> Result<Vec<UserListing>, StoreError> {
    let rows: Vec<UserTokenRow> = sqlx::query_as(
        "SELECT u.name, u.roles, u.created_at, t.id AS token_id,
                t.created_at AS token_created_at, t.revoked_at
         FROM (SELECT id, name, roles, created_at FROM users ORDER BY name LIMIT $1) u
         LEFT JOIN api_tokens t ON t.user_id = u.id
         ORDER BY u.name, t.created_at, t.id",
    )
    .bind(MAX_LISTED_USERS)
    .fetch_all(&store.pool)
    .await?;
    let mut users: Vec<UserListing> = Vec::new();
    for row in rows {
        if users.last().is_none_or(|u| u.name != row.name) {
            users.push(UserListing {
                name: row.name.clone(),
                roles: Role::split(&row.roles),
                created_at: timestamp_ms(row.created_at)?,
                tokens: Vec::new(),
            });
        }
        if let (Some(id), Some(created_at), Some(user)) =
            (row.token_id, row.token_created_at, users.last_mut())
        {
            user.tokens.push(TokenListing {
                id,
                created_at: timestamp_ms(created_at)?,
                revoked_at: row.revoked_at.map(timestamp_ms).transpose()?,
            });
        }
    }
    Ok(users)
}
