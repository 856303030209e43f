//! The SQL both dialects share, written once with `$n` placeholders and expanded into each
//! store's `impl Store` block. Each store supplies its pool (`self.pool`), its migrations and
//! the statement (if any) that serialises concurrent migrations.

macro_rules! shared_store_methods {
    (migrations = $migrations:expr, migration_lock = $lock:expr) => {
        async fn migrate(&self) -> Result<$crate::store::MigrationReport, $crate::store::StoreError> {
            use $crate::store::migrations::CREATE_LEDGER;
            let migrations = $migrations;
            let lock: Option<&'static str> = $lock;
            sqlx::raw_sql(CREATE_LEDGER).execute(&self.pool).await?;
            let mut tx = self.pool.begin().await?;
            if let Some(lock) = lock {
                sqlx::query(lock).execute(&mut *tx).await?;
            }
            let current: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM herald_schema_migrations")
                .fetch_one(&mut *tx)
                .await?;
            let current = current.unwrap_or(0);
            let known = migrations.last().map(|m| m.version).unwrap_or(0);
            if current > known {
                return Err($crate::store::StoreError::SchemaTooNew { found: current, known });
            }
            let mut applied = Vec::new();
            for migration in migrations.iter().filter(|m| m.version > current) {
                sqlx::raw_sql(migration.sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO herald_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                    .bind(migration.version)
                    .bind(migration.name)
                    .bind(chrono::Utc::now().timestamp())
                    .execute(&mut *tx)
                    .await?;
                applied.push(migration.version);
            }
            tx.commit().await?;
            Ok($crate::store::MigrationReport {
                applied,
                current: known.max(current),
            })
        }

        async fn save_version(
            &self,
            bundle: &$crate::campaign::VersionBundle,
            at: chrono::DateTime<chrono::Utc>,
        ) -> Result<$crate::store::VersionRecord, $crate::store::StoreError> {
            let hash = bundle.content_hash();
            sqlx::query(
                "INSERT INTO campaign_versions (hash, campaign_id, state, bundle, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (hash) DO NOTHING",
            )
            .bind(hash.as_str().to_string())
            .bind(bundle.campaign_id.clone())
            .bind($crate::campaign::VersionState::Draft.name())
            .bind(bundle.canonical_json())
            .bind(at.timestamp())
            .execute(&self.pool)
            .await?;
            self.version(&hash)
                .await?
                .ok_or($crate::store::StoreError::UnknownVersion(hash))
        }

        async fn version(
            &self,
            hash: &$crate::campaign::ContentHash,
        ) -> Result<Option<$crate::store::VersionRecord>, $crate::store::StoreError> {
            let row: Option<$crate::store::records::VersionRow> = sqlx::query_as(
                "SELECT hash, campaign_id, state, bundle, created_at, updated_at FROM campaign_versions WHERE hash = $1",
            )
            .bind(hash.as_str().to_string())
            .fetch_optional(&self.pool)
            .await?;
            row.map($crate::store::VersionRecord::from_row).transpose()
        }

        async fn versions(
            &self,
            campaign_id: &str,
        ) -> Result<Vec<$crate::store::VersionRecord>, $crate::store::StoreError> {
            let rows: Vec<$crate::store::records::VersionRow> = sqlx::query_as(
                "SELECT hash, campaign_id, state, bundle, created_at, updated_at FROM campaign_versions
                 WHERE campaign_id = $1 ORDER BY created_at, hash",
            )
            .bind(campaign_id.to_string())
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map($crate::store::VersionRecord::from_row).collect()
        }

        async fn transition(
            &self,
            hash: &$crate::campaign::ContentHash,
            to: $crate::campaign::VersionState,
            at: chrono::DateTime<chrono::Utc>,
        ) -> Result<$crate::store::VersionRecord, $crate::store::StoreError> {
            let current = self
                .version(hash)
                .await?
                .ok_or_else(|| $crate::store::StoreError::UnknownVersion(hash.clone()))?;
            current
                .state
                .check_transition(to)
                .map_err($crate::store::StoreError::Transition)?;
            // Compare-and-set: only one of two racing transitions finds the old state.
            let updated = sqlx::query(
                "UPDATE campaign_versions SET state = $1, updated_at = $2 WHERE hash = $3 AND state = $4",
            )
            .bind(to.name())
            .bind(at.timestamp())
            .bind(hash.as_str().to_string())
            .bind(current.state.name())
            .execute(&self.pool)
            .await?;
            if updated.rows_affected() == 0 {
                return Err($crate::store::StoreError::ConcurrentChange {
                    hash: hash.clone(),
                    expected: current.state,
                });
            }
            self.version(hash)
                .await?
                .ok_or_else(|| $crate::store::StoreError::UnknownVersion(hash.clone()))
        }

        async fn insert_jobs(&self, jobs: &[$crate::schedule::PlannedJob]) -> Result<u64, $crate::store::StoreError> {
            // 8 values a row; 500 rows stay far below both dialects' parameter limits.
            const ROWS_PER_STATEMENT: usize = 500;
            let mut inserted = 0;
            let mut tx = self.pool.begin().await?;
            for chunk in jobs.chunks(ROWS_PER_STATEMENT) {
                let mut builder = sqlx::QueryBuilder::new(
                    "INSERT INTO outbox (idempotency_key, version_hash, send_id, segment_id, locale, channel, slot, run_at) ",
                );
                builder.push_values(chunk, |mut row, job| {
                    row.push_bind(job.idempotency_key.clone())
                        .push_bind(job.version.as_str().to_string())
                        .push_bind(job.send.clone())
                        .push_bind(job.segment.clone())
                        .push_bind(job.locale.clone())
                        .push_bind(job.channel.clone())
                        .push_bind(job.slot.timestamp())
                        .push_bind(job.slot.timestamp());
                });
                builder.push(" ON CONFLICT (idempotency_key) DO NOTHING");
                inserted += builder.build().execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
            Ok(inserted)
        }

        async fn planned_until(
            &self,
            hash: &$crate::campaign::ContentHash,
        ) -> Result<Option<chrono::DateTime<chrono::Utc>>, $crate::store::StoreError> {
            let until: Option<i64> = sqlx::query_scalar("SELECT planned_until FROM plan_horizon WHERE version_hash = $1")
                .bind(hash.as_str().to_string())
                .fetch_optional(&self.pool)
                .await?;
            until.map($crate::store::records::timestamp).transpose()
        }

        async fn set_planned_until(
            &self,
            hash: &$crate::campaign::ContentHash,
            until: chrono::DateTime<chrono::Utc>,
        ) -> Result<(), $crate::store::StoreError> {
            sqlx::query(
                "INSERT INTO plan_horizon (version_hash, planned_until) VALUES ($1, $2)
                 ON CONFLICT (version_hash) DO UPDATE SET planned_until = excluded.planned_until
                 WHERE plan_horizon.planned_until < excluded.planned_until",
            )
            .bind(hash.as_str().to_string())
            .bind(until.timestamp())
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn jobs_for_version(
            &self,
            hash: &$crate::campaign::ContentHash,
        ) -> Result<Vec<$crate::store::JobRecord>, $crate::store::StoreError> {
            let rows: Vec<$crate::store::records::JobRow> = sqlx::query_as(
                "SELECT id, idempotency_key, send_id, segment_id, locale, channel, slot, status, run_at, attempts
                 FROM outbox WHERE version_hash = $1 ORDER BY slot, id",
            )
            .bind(hash.as_str().to_string())
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map($crate::store::JobRecord::from_row).collect()
        }
    };
}

pub(crate) use shared_store_methods;
