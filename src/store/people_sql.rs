//! Users, API tokens, authorship, approval decisions and the audit log: the SQL both dialects
//! share, expanded into each store's `impl Store` block (see `shared_sql.rs`).

macro_rules! people_store_methods {
    () => {
        async fn create_user(&self, name: &str, roles: &[$crate::auth::Role], at_ms: i64) -> Result<$crate::store::UserRecord, $crate::store::StoreError> {
            let id = $crate::auth::random_id(12);
            let roles_text = $crate::auth::Role::join(roles);
            let mut tx = self.begin_write().await?;
            sqlx::query("INSERT INTO users (id, name, roles, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id.clone())
                .bind(name.to_string())
                .bind(roles_text.clone())
                .bind(at_ms)
                .execute(&mut *tx)
                .await?;
            audit_append!(tx, $crate::audit::NewAuditEntry {
                at_ms,
                actor: "admin".into(),
                action: "user.added".into(),
                subject: name.to_string(),
                version: None,
                details: serde_json::json!({ "roles": roles_text }),
            });
            tx.commit().await?;
            Ok($crate::store::UserRecord { id, name: name.to_string(), roles: roles.to_vec() })
        }

        async fn user_by_name(&self, name: &str) -> Result<Option<$crate::store::UserRecord>, $crate::store::StoreError> {
            let row: Option<(String, String, String)> = sqlx::query_as("SELECT id, name, roles FROM users WHERE name = $1")
                .bind(name.to_string())
                .fetch_optional(&self.pool)
                .await?;
            Ok(row.map(|(id, name, roles)| $crate::store::UserRecord { id, name, roles: $crate::auth::Role::split(&roles) }))
        }

        async fn add_token(&self, token_id: &str, user_id: &str, secret_hash: &str, at_ms: i64) -> Result<(), $crate::store::StoreError> {
            sqlx::query("INSERT INTO api_tokens (id, user_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)")
                .bind(token_id.to_string())
                .bind(user_id.to_string())
                .bind(secret_hash.to_string())
                .bind(at_ms)
                .execute(&self.pool)
                .await?;
            Ok(())
        }

        async fn token(&self, token_id: &str) -> Result<Option<$crate::store::TokenRecord>, $crate::store::StoreError> {
            let row: Option<(String, Option<i64>, String, String, String)> = sqlx::query_as(
                "SELECT t.secret_hash, t.revoked_at, u.id, u.name, u.roles FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
            )
            .bind(token_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
            Ok(row.map(|(secret_hash, revoked_at, id, name, roles)| $crate::store::TokenRecord {
                secret_hash,
                revoked: revoked_at.is_some(),
                user: $crate::store::UserRecord { id, name, roles: $crate::auth::Role::split(&roles) },
            }))
        }

        async fn revoke_token(&self, token_id: &str, by: &str, at_ms: i64) -> Result<bool, $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            let revoked = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at_ms)
                .bind(token_id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if revoked {
                audit_append!(tx, $crate::audit::NewAuditEntry {
                    at_ms,
                    actor: by.to_string(),
                    action: "token.revoked".into(),
                    subject: token_id.to_string(),
                    version: None,
                    details: serde_json::json!({}),
                });
            }
            tx.commit().await?;
            Ok(revoked)
        }

        async fn add_author(&self, hash: &$crate::campaign::ContentHash, user_id: &str) -> Result<(), $crate::store::StoreError> {
            sqlx::query("INSERT INTO version_authors (version_hash, user_id) VALUES ($1, $2) ON CONFLICT (version_hash, user_id) DO NOTHING")
                .bind(hash.as_str().to_string())
                .bind(user_id.to_string())
                .execute(&self.pool)
                .await?;
            Ok(())
        }

        async fn version_authors(&self, hash: &$crate::campaign::ContentHash) -> Result<Vec<$crate::store::UserRecord>, $crate::store::StoreError> {
            let rows: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT u.id, u.name, u.roles FROM version_authors a JOIN users u ON u.id = a.user_id WHERE a.version_hash = $1 ORDER BY u.name",
            )
            .bind(hash.as_str().to_string())
            .fetch_all(&self.pool)
            .await?;
            Ok(rows.into_iter().map(|(id, name, roles)| $crate::store::UserRecord { id, name, roles: $crate::auth::Role::split(&roles) }).collect())
        }

        async fn decide(
            &self,
            hash: &$crate::campaign::ContentHash,
            user: &$crate::store::UserRecord,
            to: $crate::campaign::VersionState,
            note: Option<&str>,
            at: chrono::DateTime<chrono::Utc>,
        ) -> Result<$crate::store::VersionRecord, $crate::store::StoreError> {
            let record = self.transition(hash, to, at, &user.name).await?;
            sqlx::query("INSERT INTO version_decisions (version_hash, user_id, decision, note, decided_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(hash.as_str().to_string())
                .bind(user.id.clone())
                .bind(to.name())
                .bind(note.map(str::to_string))
                .bind(at.timestamp_millis())
                .execute(&self.pool)
                .await?;
            Ok(record)
        }

        async fn decisions(&self, hash: &$crate::campaign::ContentHash) -> Result<Vec<$crate::store::Decision>, $crate::store::StoreError> {
            let rows: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(
                "SELECT u.name, d.decision, d.note, d.decided_at FROM version_decisions d JOIN users u ON u.id = d.user_id
                 WHERE d.version_hash = $1 ORDER BY d.decided_at",
            )
            .bind(hash.as_str().to_string())
            .fetch_all(&self.pool)
            .await?;
            Ok(rows.into_iter().map(|(user, decision, note, at_ms)| $crate::store::Decision { user, decision, note, at_ms }).collect())
        }

        async fn set_account_secret(
            &self,
            channel: &str,
            name: &str,
            nonce: &str,
            sealed: &str,
            by: &str,
            at_ms: i64,
        ) -> Result<(), $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
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
            audit_append!(tx, $crate::audit::NewAuditEntry {
                at_ms,
                actor: by.to_string(),
                action: "account.credential_set".into(),
                subject: channel.to_string(),
                version: None,
                details: serde_json::json!({ "credential": name }),
            });
            tx.commit().await?;
            Ok(())
        }

        async fn account_secrets(&self) -> Result<Vec<(String, String, String, String)>, $crate::store::StoreError> {
            Ok(sqlx::query_as("SELECT channel, name, nonce, sealed FROM account_secrets ORDER BY channel, name")
                .fetch_all(&self.pool)
                .await?)
        }

        async fn append_audit(&self, entry: &$crate::audit::NewAuditEntry) -> Result<(), $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            audit_append!(tx, entry.clone());
            tx.commit().await?;
            Ok(())
        }

        async fn audit_log(&self) -> Result<(Vec<$crate::audit::AuditEntry>, (i64, String)), $crate::store::StoreError> {
            let rows: Vec<(i64, i64, String, String, String, Option<String>, String, String, String)> = sqlx::query_as(
                "SELECT seq, at, actor, action, subject, version_hash, details, prev_hash, hash FROM audit_log ORDER BY seq",
            )
            .fetch_all(&self.pool)
            .await?;
            let head: (i64, String) = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
            let entries = rows
                .into_iter()
                .map(|(seq, at_ms, actor, action, subject, version, details, prev_hash, hash)| $crate::audit::AuditEntry {
                    seq,
                    at_ms,
                    actor,
                    action,
                    subject,
                    version,
                    details,
                    prev_hash,
                    hash,
                })
                .collect();
            Ok((entries, head))
        }
    };
}

/// Appends an audit entry inside transaction `$tx`, chained to the head, which the first
/// statement locks (an UPDATE takes the row lock in both dialects), so concurrent appends queue.
macro_rules! audit_append {
    ($tx:ident, $entry:expr) => {{
        let entry: $crate::audit::NewAuditEntry = $entry;
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut *$tx).await?;
        let (head_seq, head_hash): (i64, String) = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *$tx)
            .await?;
        let seq = head_seq + 1;
        let details = entry.details.to_string();
        let hash = $crate::audit::entry_hash(&head_hash, seq, entry.at_ms, &entry.actor, &entry.action, &entry.subject, entry.version.as_deref(), &details);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, subject, version_hash, details, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(seq)
        .bind(entry.at_ms)
        .bind(entry.actor.clone())
        .bind(entry.action.clone())
        .bind(entry.subject.clone())
        .bind(entry.version.clone())
        .bind(details)
        .bind(head_hash)
        .bind(hash.clone())
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(hash)
            .execute(&mut *$tx)
            .await?;
    }};
}

pub(crate) use audit_append;
pub(crate) use people_store_methods;
