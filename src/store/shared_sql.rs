//! The SQL both dialects share, written once with `$n` placeholders and expanded into each
//! store's `impl Store` block. Each store supplies its pool (`self.pool`), its migrations and
//! the statement (if any) that serialises concurrent migrations.

macro_rules! shared_store_methods {
    (migrations = $migrations:expr, migration_lock = $lock:expr, lease_sql = $lease_sql:expr) => {
        async fn migrate(&self) -> Result<$crate::store::MigrationReport, $crate::store::StoreError> {
            use $crate::store::migrations::CREATE_LEDGER;
            let migrations = $migrations;
            let lock: Option<&'static str> = $lock;
            sqlx::raw_sql(CREATE_LEDGER).execute(&self.pool).await?;
            let mut tx = self.begin_write().await?;
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

        async fn versions_in_states(
            &self,
            states: &[$crate::campaign::VersionState],
        ) -> Result<Vec<$crate::store::VersionRecord>, $crate::store::StoreError> {
            if states.is_empty() {
                return Ok(Vec::new());
            }
            let mut builder = sqlx::QueryBuilder::new(
                "SELECT hash, campaign_id, state, bundle, created_at, updated_at FROM campaign_versions WHERE state IN (",
            );
            let mut names = builder.separated(", ");
            for state in states {
                names.push_bind(state.name());
            }
            builder.push(") ORDER BY created_at, hash");
            let rows: Vec<$crate::store::records::VersionRow> = builder.build_query_as().fetch_all(&self.pool).await?;
            rows.into_iter().map($crate::store::VersionRecord::from_row).collect()
        }

        async fn version_states(
            &self,
            states: &[$crate::campaign::VersionState],
        ) -> Result<Vec<($crate::campaign::ContentHash, $crate::campaign::VersionState)>, $crate::store::StoreError> {
            if states.is_empty() {
                return Ok(Vec::new());
            }
            let mut builder = sqlx::QueryBuilder::new(
                "SELECT hash, state FROM campaign_versions WHERE state IN (",
            );
            let mut names = builder.separated(", ");
            for state in states {
                names.push_bind(state.name());
            }
            builder.push(") ORDER BY created_at, hash");
            let rows: Vec<(String, String)> = builder.build_query_as().fetch_all(&self.pool).await?;
            rows.into_iter()
                .map(|(hash, state)| {
                    let hash = $crate::campaign::ContentHash::parse(&hash).map_err(|e| $crate::store::StoreError::Corrupt(e.to_string()))?;
                    let state = $crate::campaign::VersionState::from_name(&state).ok_or_else(|| {
                        $crate::store::StoreError::Corrupt(format!("unknown version state `{state}`"))
                    })?;
                    Ok((hash, state))
                })
                .collect()
        }

        async fn transition(
            &self,
            hash: &$crate::campaign::ContentHash,
            to: $crate::campaign::VersionState,
            at: chrono::DateTime<chrono::Utc>,
            actor: &str,
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
            let mut tx = self.begin_write().await?;
            let updated = sqlx::query(
                "UPDATE campaign_versions SET state = $1, updated_at = $2 WHERE hash = $3 AND state = $4",
            )
            .bind(to.name())
            .bind(at.timestamp())
            .bind(hash.as_str().to_string())
            .bind(current.state.name())
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err($crate::store::StoreError::ConcurrentChange {
                    hash: hash.clone(),
                    expected: current.state,
                });
            }
            $crate::store::people_sql::audit_append!(tx, $crate::audit::NewAuditEntry {
                at_ms: at.timestamp_millis(),
                actor: actor.to_string(),
                action: format!("version.{}", to.name()),
                subject: current.campaign_id.clone(),
                version: Some(hash.as_str().to_string()),
                details: serde_json::json!({ "from": current.state.name() }),
            });
            tx.commit().await?;
            self.version(hash)
                .await?
                .ok_or_else(|| $crate::store::StoreError::UnknownVersion(hash.clone()))
        }

        async fn insert_jobs(&self, jobs: &[$crate::schedule::PlannedJob]) -> Result<u64, $crate::store::StoreError> {
            // 8 values a row; 500 rows stay far below both dialects' parameter limits.
            const ROWS_PER_STATEMENT: usize = 500;
            let mut inserted = 0;
            let mut tx = self.begin_write().await?;
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
                        .push_bind(job.slot.timestamp_millis());
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
                "SELECT id, idempotency_key, send_id, segment_id, locale, channel, slot, status, run_at, attempts,
                        variant, platform_id, error_code, last_error
                 FROM outbox WHERE version_hash = $1 ORDER BY slot, id",
            )
            .bind(hash.as_str().to_string())
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map($crate::store::JobRecord::from_row).collect()
        }

        async fn lease_due_jobs(
            &self,
            owner: &str,
            now_ms: i64,
            lease_until_ms: i64,
            limit: u32,
        ) -> Result<Vec<$crate::store::LeasedJob>, $crate::store::StoreError> {
            // A stopped worker's leases on jobs it never started are simply given back.
            sqlx::query(
                "UPDATE outbox SET status = 'queued', lease_owner = NULL, lease_until = NULL
                 WHERE status = 'leased' AND lease_until < $1",
            )
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
            let rows: Vec<$crate::store::records::LeasedRow> = sqlx::query_as($lease_sql)
                .bind(owner.to_string())
                .bind(lease_until_ms)
                .bind(now_ms)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
            let mut jobs: Vec<$crate::store::LeasedJob> = rows
                .into_iter()
                .map($crate::store::LeasedJob::from_row)
                .collect::<Result<_, _>>()?;
            jobs.sort_by_key(|j| (j.run_at_ms, j.id));
            Ok(jobs)
        }

        async fn mark_sending(&self, owner: &str, ids: &[i64], lease_until_ms: i64) -> Result<Vec<i64>, $crate::store::StoreError> {
            let mut marked = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(1_000) {
                let mut builder = sqlx::QueryBuilder::new("UPDATE outbox SET status = 'sending', lease_until = ");
                builder.push_bind(lease_until_ms);
                builder.push(" WHERE status = 'leased' AND lease_owner = ");
                builder.push_bind(owner.to_string());
                builder.push(" AND id IN (");
                let mut list = builder.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                builder.push(") RETURNING id");
                let rows: Vec<(i64,)> = builder.build_query_as().fetch_all(&self.pool).await?;
                marked.extend(rows.into_iter().map(|(id,)| id));
            }
            Ok(marked)
        }

        async fn renew_leases(&self, owner: &str, ids: &[i64], lease_until_ms: i64) -> Result<u64, $crate::store::StoreError> {
            let mut renewed = 0;
            let mut tx = self.begin_write().await?;
            for id in ids {
                renewed += sqlx::query(
                    "UPDATE outbox SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND status IN ('leased', 'sending')",
                )
                .bind(lease_until_ms)
                .bind(*id)
                .bind(owner.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            Ok(renewed)
        }

        async fn record_outcomes(
            &self,
            owner: &str,
            outcomes: &[(i64, $crate::store::JobOutcome)],
            counts: &[(i64, $crate::store::DeliveryCount)],
            now_ms: i64,
        ) -> Result<u64, $crate::store::StoreError> {
            use $crate::store::JobOutcome;
            // One statement per kind of outcome and chunk of rows, joined to a VALUES list;
            // fenced by the lease, so a worker whose lease was taken over writes nothing.
            const ROWS: usize = 400;
            let mut sent = Vec::new();
            let mut requeued = Vec::new();
            let mut dead = Vec::new();
            let mut unknown = Vec::new();
            let mut closed: Vec<(i64, &str, String)> = Vec::new();
            for (id, outcome) in outcomes {
                match outcome {
                    JobOutcome::Sent { platform_id, variant } => sent.push((*id, platform_id.clone(), variant.clone())),
                    JobOutcome::Requeue { run_at_ms, counts_as_attempt, error } => {
                        requeued.push((*id, *run_at_ms, i64::from(*counts_as_attempt), error.clone()))
                    }
                    JobOutcome::Dead { code, text } => dead.push((*id, code.clone(), text.clone())),
                    JobOutcome::Unknown { error } => unknown.push((*id, error.clone())),
                    JobOutcome::Expanded { deliveries } => {
                        closed.push((*id, "expanded", format!("{deliveries} deliveries, one per subscriber")))
                    }
                    JobOutcome::Cancelled { reason } => closed.push((*id, "cancelled", reason.clone())),
                }
            }
            let mut recorded = 0;
            // Jobs whose sent or failed outcome this call wrote: only their counters are added,
            // so a worker that lost its lease (and the one that took over) count nothing twice.
            let mut counted: std::collections::HashSet<i64> = std::collections::HashSet::new();
            let mut tx = self.begin_write().await?;
            for chunk in sent.chunks(ROWS) {
                let mut builder = sqlx::QueryBuilder::new(
                    "UPDATE outbox SET status = 'sent', platform_id = v.column2, variant = v.column3, finished_at = ",
                );
                builder.push_bind(now_ms);
                builder.push(", lease_owner = NULL, lease_until = NULL, attempts = attempts + 1 FROM (");
                builder.push_values(chunk, |mut row, (id, platform_id, variant)| {
                    row.push_bind(*id).push_bind(platform_id.clone()).push_bind(variant.clone());
                });
                builder.push(") AS v WHERE outbox.id = v.column1 AND outbox.lease_owner = ");
                builder.push_bind(owner.to_string());
                builder.push(" RETURNING outbox.id");
                let ids: Vec<(i64,)> = builder.build_query_as().fetch_all(&mut *tx).await?;
                recorded += ids.len() as u64;
                counted.extend(ids.into_iter().map(|(id,)| id));
            }
            for chunk in requeued.chunks(ROWS) {
                let mut builder = sqlx::QueryBuilder::new(
                    "UPDATE outbox SET status = 'queued', run_at = v.column2, attempts = attempts + v.column3, \
                     last_error = v.column4, lease_owner = NULL, lease_until = NULL FROM (",
                );
                builder.push_values(chunk, |mut row, (id, run_at, attempt, error)| {
                    row.push_bind(*id).push_bind(*run_at).push_bind(*attempt).push_bind(error.clone());
                });
                builder.push(") AS v WHERE outbox.id = v.column1 AND outbox.lease_owner = ");
                builder.push_bind(owner.to_string());
                recorded += builder.build().execute(&mut *tx).await?.rows_affected();
            }
            for chunk in dead.chunks(ROWS) {
                let mut builder = sqlx::QueryBuilder::new(
                    "UPDATE outbox SET status = 'dead', error_code = v.column2, last_error = v.column3, finished_at = ",
                );
                builder.push_bind(now_ms);
                builder.push(", lease_owner = NULL, lease_until = NULL, attempts = attempts + 1 FROM (");
                builder.push_values(chunk, |mut row, (id, code, text)| {
                    row.push_bind(*id).push_bind(code.clone()).push_bind(text.clone());
                });
                builder.push(") AS v WHERE outbox.id = v.column1 AND outbox.lease_owner = ");
                builder.push_bind(owner.to_string());
                builder.push(" RETURNING outbox.id");
                let ids: Vec<(i64,)> = builder.build_query_as().fetch_all(&mut *tx).await?;
                recorded += ids.len() as u64;
                counted.extend(ids.into_iter().map(|(id,)| id));
            }
            for chunk in unknown.chunks(ROWS) {
                let mut builder = sqlx::QueryBuilder::new(
                    "UPDATE outbox SET status = 'unknown', error_code = 'outcome_unknown', last_error = v.column2, finished_at = ",
                );
                builder.push_bind(now_ms);
                builder.push(", lease_owner = NULL, lease_until = NULL, attempts = attempts + 1 FROM (");
                builder.push_values(chunk, |mut row, (id, error)| {
                    row.push_bind(*id).push_bind(error.clone());
                });
                builder.push(") AS v WHERE outbox.id = v.column1 AND outbox.lease_owner = ");
                builder.push_bind(owner.to_string());
                recorded += builder.build().execute(&mut *tx).await?.rows_affected();
            }
            for chunk in closed.chunks(ROWS) {
                let mut builder = sqlx::QueryBuilder::new(
                    "UPDATE outbox SET status = v.column2, last_error = v.column3, finished_at = ",
                );
                builder.push_bind(now_ms);
                builder.push(", lease_owner = NULL, lease_until = NULL FROM (");
                builder.push_values(chunk, |mut row, (id, status, text)| {
                    row.push_bind(*id).push_bind(status.to_string()).push_bind(text.clone());
                });
                builder.push(") AS v WHERE outbox.id = v.column1 AND outbox.lease_owner = ");
                builder.push_bind(owner.to_string());
                recorded += builder.build().execute(&mut *tx).await?.rows_affected();
            }
            let counts = $crate::store::sum_recorded_counts(counts, &counted);
            add_counts!(tx, &counts);
            tx.commit().await?;
            Ok(recorded)
        }

        async fn abandoned_sends(&self, now_ms: i64, limit: u32) -> Result<Vec<$crate::store::LeasedJob>, $crate::store::StoreError> {
            let rows: Vec<$crate::store::records::LeasedRow> = sqlx::query_as(
                "SELECT o.id, o.idempotency_key, o.version_hash, v.campaign_id, o.send_id, o.segment_id, o.locale, o.channel,
                        o.slot, o.run_at, o.attempts, o.subscriber_id
                 FROM outbox o JOIN campaign_versions v ON v.hash = o.version_hash
                 WHERE o.status = 'sending' AND o.lease_until < $1 ORDER BY o.id LIMIT $2",
            )
            .bind(now_ms)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map($crate::store::LeasedJob::from_row).collect()
        }

        async fn resolve_abandoned(&self, id: i64, resend: bool, now_ms: i64) -> Result<bool, $crate::store::StoreError> {
            let query = if resend {
                sqlx::query(
                    "UPDATE outbox SET status = 'queued', run_at = $1, lease_owner = NULL, lease_until = NULL,
                     last_error = 'worker stopped mid-send; resent with the same idempotency key'
                     WHERE id = $2 AND status = 'sending' AND lease_until < $1",
                )
            } else {
                sqlx::query(
                    "UPDATE outbox SET status = 'unknown', finished_at = $1, lease_owner = NULL, lease_until = NULL,
                     error_code = 'outcome_unknown', last_error = 'worker stopped mid-send; the platform may or may not have published it'
                     WHERE id = $2 AND status = 'sending' AND lease_until < $1",
                )
            };
            Ok(query.bind(now_ms).bind(id).execute(&self.pool).await?.rows_affected() == 1)
        }

        async fn reserve_send_times(
            &self,
            bucket: &str,
            count: u32,
            now_ms: i64,
            interval_ms: i64,
            within_ms: i64,
        ) -> Result<$crate::store::Reservation, $crate::store::StoreError> {
            for _ in 0..32 {
                let row: Option<(i64, i64)> = sqlx::query_as("SELECT next_free_ms, paused_until_ms FROM rate_buckets WHERE bucket = $1")
                    .bind(bucket.to_string())
                    .fetch_optional(&self.pool)
                    .await?;
                let Some((next_free, paused_until)) = row else {
                    sqlx::query("INSERT INTO rate_buckets (bucket, next_free_ms, paused_until_ms) VALUES ($1, 0, 0) ON CONFLICT (bucket) DO NOTHING")
                        .bind(bucket.to_string())
                        .execute(&self.pool)
                        .await?;
                    continue;
                };
                let reservation = $crate::store::Reservation::plan(next_free, paused_until, count, now_ms, interval_ms, within_ms);
                if reservation.times.is_empty() {
                    return Ok(reservation);
                }
                // Compare-and-set: another worker that reserved in between makes us retry.
                let updated = sqlx::query(
                    "UPDATE rate_buckets SET next_free_ms = $1 WHERE bucket = $2 AND next_free_ms = $3 AND paused_until_ms = $4",
                )
                .bind(reservation.next_free_ms)
                .bind(bucket.to_string())
                .bind(next_free)
                .bind(paused_until)
                .execute(&self.pool)
                .await?;
                if updated.rows_affected() == 1 {
                    return Ok(reservation);
                }
            }
            Err($crate::store::StoreError::Contended(bucket.to_string()))
        }

        async fn push_bucket(&self, bucket: &str, expected_ms: i64, next_free_ms: i64) -> Result<bool, $crate::store::StoreError> {
            Ok(sqlx::query("UPDATE rate_buckets SET next_free_ms = $1 WHERE bucket = $2 AND next_free_ms = $3")
                .bind(next_free_ms)
                .bind(bucket.to_string())
                .bind(expected_ms)
                .execute(&self.pool)
                .await?
                .rows_affected()
                == 1)
        }

        async fn pause_bucket(&self, bucket: &str, until_ms: i64) -> Result<(), $crate::store::StoreError> {
            sqlx::query(
                "INSERT INTO rate_buckets (bucket, next_free_ms, paused_until_ms) VALUES ($1, 0, $2)
                 ON CONFLICT (bucket) DO UPDATE SET paused_until_ms = excluded.paused_until_ms
                 WHERE rate_buckets.paused_until_ms < excluded.paused_until_ms",
            )
            .bind(bucket.to_string())
            .bind(until_ms)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn count_daily(&self, channel: &str, day: &str, count: u32, cap: u64) -> Result<bool, $crate::store::StoreError> {
            let cap = i64::try_from(cap).unwrap_or(i64::MAX);
            let count = i64::from(count);
            if count > cap {
                return Ok(false);
            }
            let row: Option<i64> = sqlx::query_scalar(
                "INSERT INTO daily_counts (channel, day, sent) VALUES ($1, $2, $3)
                 ON CONFLICT (channel, day) DO UPDATE SET sent = daily_counts.sent + excluded.sent
                 WHERE daily_counts.sent + excluded.sent <= $4
                 RETURNING sent",
            )
            .bind(channel.to_string())
            .bind(day.to_string())
            .bind(count)
            .bind(cap)
            .fetch_optional(&self.pool)
            .await?;
            Ok(row.is_some())
        }

        async fn kill_campaign(&self, campaign_id: &str, by: &str, at_ms: i64) -> Result<u64, $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            sqlx::query(
                "INSERT INTO campaign_controls (campaign_id, killed_at, killed_by) VALUES ($1, $2, $3)
                 ON CONFLICT (campaign_id) DO UPDATE SET killed_at = excluded.killed_at, killed_by = excluded.killed_by",
            )
            .bind(campaign_id.to_string())
            .bind(at_ms)
            .bind(by.to_string())
            .execute(&mut *tx)
            .await?;
            let cancelled = sqlx::query(
                "UPDATE outbox SET status = 'cancelled', finished_at = $1, lease_owner = NULL, lease_until = NULL,
                 last_error = 'kill switch'
                 WHERE status IN ('queued', 'leased')
                   AND version_hash IN (SELECT hash FROM campaign_versions WHERE campaign_id = $2)",
            )
            .bind(at_ms)
            .bind(campaign_id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            $crate::store::people_sql::audit_append!(tx, $crate::audit::NewAuditEntry {
                at_ms,
                actor: by.to_string(),
                action: "campaign.killed".into(),
                subject: campaign_id.to_string(),
                version: None,
                details: serde_json::json!({ "cancelled_jobs": cancelled }),
            });
            tx.commit().await?;
            Ok(cancelled)
        }

        async fn is_killed(&self, campaign_id: &str) -> Result<bool, $crate::store::StoreError> {
            let killed: Option<Option<i64>> = sqlx::query_scalar("SELECT killed_at FROM campaign_controls WHERE campaign_id = $1")
                .bind(campaign_id.to_string())
                .fetch_optional(&self.pool)
                .await?;
            Ok(killed.flatten().is_some())
        }

        async fn cancel_version_jobs(&self, hash: &$crate::campaign::ContentHash, at_ms: i64) -> Result<u64, $crate::store::StoreError> {
            Ok(sqlx::query(
                "UPDATE outbox SET status = 'cancelled', finished_at = $1, lease_owner = NULL, lease_until = NULL,
                 last_error = 'version cancelled'
                 WHERE version_hash = $2 AND status IN ('queued', 'leased')",
            )
            .bind(at_ms)
            .bind(hash.as_str().to_string())
            .execute(&self.pool)
            .await?
            .rows_affected())
        }

        async fn jobs_ended_as(&self, ended: $crate::store::EndedAs, limit: u32) -> Result<Vec<$crate::store::DeadLetter>, $crate::store::StoreError> {
            let rows: Vec<$crate::store::records::DeadLetterRow> = sqlx::query_as(
                "SELECT o.id, v.campaign_id, o.version_hash, o.send_id, o.segment_id, o.locale, o.channel, o.slot,
                        o.attempts, o.error_code, o.last_error, o.finished_at
                 FROM outbox o JOIN campaign_versions v ON v.hash = o.version_hash
                 WHERE o.status = $1 ORDER BY o.finished_at, o.id LIMIT $2",
            )
            .bind(ended.status())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map($crate::store::DeadLetter::from_row).collect()
        }

        async fn retry_dead(&self, ids: Option<&[i64]>, by: &str, now_ms: i64) -> Result<u64, $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            let retried = match ids {
                None => sqlx::query(
                    "UPDATE outbox SET status = 'queued', run_at = $1, attempts = 0, finished_at = NULL WHERE status = 'dead'",
                )
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
                Some(ids) => {
                    let mut retried = 0;
                    for id in ids {
                        retried += sqlx::query(
                            "UPDATE outbox SET status = 'queued', run_at = $1, attempts = 0, finished_at = NULL WHERE id = $2 AND status = 'dead'",
                        )
                        .bind(now_ms)
                        .bind(*id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    }
                    retried
                }
            };
            if retried > 0 {
                $crate::store::people_sql::audit_append!(tx, $crate::audit::NewAuditEntry {
                    at_ms: now_ms,
                    actor: by.to_string(),
                    action: "deadletters.retried".into(),
                    subject: "outbox".into(),
                    version: None,
                    details: serde_json::json!({ "jobs": retried, "ids": ids }),
                });
            }
            tx.commit().await?;
            Ok(retried)
        }

        async fn add_delivery_counts(&self, counts: &[$crate::store::DeliveryCount]) -> Result<(), $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            add_counts!(tx, counts);
            tx.commit().await?;
            Ok(())
        }

        async fn delivery_counts(&self, campaign_id: &str) -> Result<Vec<$crate::store::DeliveryCount>, $crate::store::StoreError> {
            let rows: Vec<(String, String, String, String, String, String, String, String, String, i64, i64)> = sqlx::query_as(
                "SELECT campaign_id, version_hash, send_id, segment_id, locale, channel, variant, day, status, count, key_sum
                 FROM delivery_counts WHERE campaign_id = $1 ORDER BY day, send_id, segment_id, locale, channel, variant, status",
            )
            .bind(campaign_id.to_string())
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(campaign, version, send, segment, locale, channel, variant, day, status, count, key_sum)| {
                    $crate::store::DeliveryCount { campaign, version, send, segment, locale, channel, variant, day, status, count, key_sum }
                })
                .collect())
        }

        async fn delivery_totals(&self, campaign_id: &str, by_day: bool) -> Result<Vec<$crate::store::DeliveryCount>, $crate::store::StoreError> {
            let sql = if by_day {
                "SELECT segment_id, locale, channel, variant, day, status, CAST(SUM(count) AS BIGINT), CAST(SUM(key_sum) AS BIGINT) FROM delivery_counts
                 WHERE campaign_id = $1 GROUP BY segment_id, locale, channel, variant, day, status"
            } else {
                "SELECT segment_id, locale, channel, variant, '', status, CAST(SUM(count) AS BIGINT), CAST(SUM(key_sum) AS BIGINT) FROM delivery_counts
                 WHERE campaign_id = $1 GROUP BY segment_id, locale, channel, variant, status"
            };
            let rows: Vec<(String, String, String, String, String, String, i64, i64)> =
                sqlx::query_as(sql).bind(campaign_id.to_string()).fetch_all(&self.pool).await?;
            Ok(rows
                .into_iter()
                .map(|(segment, locale, channel, variant, day, status, count, key_sum)| $crate::store::DeliveryCount {
                    campaign: campaign_id.to_string(),
                    version: String::new(),
                    send: String::new(),
                    segment,
                    locale,
                    channel,
                    variant,
                    day,
                    status,
                    count,
                    key_sum,
                })
                .collect())
        }

        async fn add_click_counts(&self, counts: &[($crate::store::ClickKey, $crate::store::ClickCount)]) -> Result<(), $crate::store::StoreError> {
            if counts.is_empty() {
                return Ok(());
            }
            let mut tx = self.begin_write().await?;
            for (click, tally) in counts {
                sqlx::query(
                    "INSERT INTO click_counts (campaign_id, send_id, variant, locale, channel, day, kind, clicks, key_sum)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (campaign_id, send_id, variant, locale, channel, day, kind)
                     DO UPDATE SET clicks = click_counts.clicks + excluded.clicks, key_sum = click_counts.key_sum + excluded.key_sum",
                )
                .bind(click.campaign.clone())
                .bind(click.send.clone())
                .bind(click.variant.clone())
                .bind(click.locale.clone())
                .bind(click.channel.clone())
                .bind(click.day.clone())
                .bind(click.kind.clone())
                .bind(tally.clicks)
                .bind(tally.key_sum)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        }

        async fn click_counts(&self, campaign_id: &str) -> Result<Vec<($crate::store::ClickKey, $crate::store::ClickCount)>, $crate::store::StoreError> {
            let rows: Vec<(String, String, String, String, String, String, String, i64, i64)> = sqlx::query_as(
                "SELECT campaign_id, send_id, variant, locale, channel, day, kind, clicks, key_sum FROM click_counts
                 WHERE campaign_id = $1 ORDER BY day, send_id, variant, locale, channel, kind",
            )
            .bind(campaign_id.to_string())
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(campaign, send, variant, locale, channel, day, kind, clicks, key_sum)| {
                    ($crate::store::ClickKey { campaign, send, variant, locale, channel, day, kind }, $crate::store::ClickCount { clicks, key_sum })
                })
                .collect())
        }

        async fn expire_finished_jobs(&self, before_ms: i64) -> Result<u64, $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            let expired = sqlx::query("DELETE FROM outbox WHERE status IN ('sent', 'cancelled', 'expanded') AND finished_at < $1")
                .bind(before_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM callback_receipts WHERE received_at < $1")
                .bind(before_ms)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(expired)
        }

        async fn next_due_ms(&self) -> Result<Option<i64>, $crate::store::StoreError> {
            Ok(sqlx::query_scalar("SELECT MIN(run_at) FROM outbox WHERE status = 'queued'")
                .fetch_one(&self.pool)
                .await?)
        }

        async fn mark_real_sending(&self, at_ms: i64) -> Result<(), $crate::store::StoreError> {
            sqlx::query(
                "INSERT INTO deployment_marks (name, first_at_ms) VALUES ('real_sending', $1)
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(at_ms)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn real_sending_since(&self) -> Result<Option<i64>, $crate::store::StoreError> {
            Ok(sqlx::query_scalar(
                "SELECT first_at_ms FROM deployment_marks WHERE name = 'real_sending'",
            )
            .fetch_optional(&self.pool)
            .await?)
        }

        async fn job_counts(&self, hash: &$crate::campaign::ContentHash) -> Result<Vec<(String, String, i64)>, $crate::store::StoreError> {
            Ok(sqlx::query_as(
                "SELECT channel, status, COUNT(*) FROM outbox WHERE version_hash = $1 GROUP BY channel, status ORDER BY channel, status",
            )
            .bind(hash.as_str().to_string())
            .fetch_all(&self.pool)
            .await?)
        }
    };
}

/// Adds delivery counters inside transaction `$tx`.
macro_rules! add_counts {
    ($tx:ident, $counts:expr) => {
        for c in $counts {
            sqlx::query(
                "INSERT INTO delivery_counts (campaign_id, version_hash, send_id, segment_id, locale, channel, variant, day, status, count, key_sum)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (version_hash, send_id, segment_id, locale, channel, variant, day, status)
                 DO UPDATE SET count = delivery_counts.count + excluded.count, key_sum = delivery_counts.key_sum + excluded.key_sum",
            )
            .bind(c.campaign.clone())
            .bind(c.version.clone())
            .bind(c.send.clone())
            .bind(c.segment.clone())
            .bind(c.locale.clone())
            .bind(c.channel.clone())
            .bind(c.variant.clone())
            .bind(c.day.clone())
            .bind(c.status.clone())
            .bind(c.count)
            .bind(c.key_sum)
            .execute(&mut *$tx)
            .await?;
        }
    };
}

pub(crate) use add_counts;
pub(crate) use shared_store_methods;
