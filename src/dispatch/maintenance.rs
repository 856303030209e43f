//! The dispatcher's periodic upkeep, everything it does besides sending: planning the jobs of
//! active versions, expiring rows past their retention (ended web sessions too), counting
//! status callbacks that came before their sends, asking for audience estimates and reading
//! post metrics; and, at the start of every tick, settling the sends of workers that stopped.

use std::sync::Arc;

use super::planner::{PlannerReport, plan_active_versions};
use super::{Dispatcher, TickReport};
use crate::campaign::VersionState;
use crate::loaded_version::LoadedVersion;
use crate::store::{Store, StoreError};

impl<S: Store> Dispatcher<S> {
    /// Plans jobs for every active version (see [`plan_active_versions`]), expires the rows of
    /// jobs finished longer ago than the retention window, the consent event records past
    /// their platform's window for late events and the web sessions that ended, takes the
    /// audience estimates of versions that started running, and reads the metrics of posts
    /// whose window is due.
    pub async fn plan(&self) -> Result<PlannerReport, StoreError> {
        let now = self.clock.now();
        let expired = self
            .store
            .expire_finished_jobs((now - self.settings.retention).timestamp_millis())
            .await?;
        if expired > 0 {
            tracing::info!(
                expired,
                "finished jobs past the retention window removed; their counters remain"
            );
        }
        // Consent event ids and people's latest-consent marks outlive only the platforms'
        // tolerance for late events (see `reach::inbound::EventWindow`), not `retention_days`.
        self.store
            .expire_consent_records(now.timestamp_millis())
            .await?;
        // Web sessions go as soon as they end (unused too long, past their lifetime, their
        // token revoked or expired): every replica serving `/ui` reads them from here.
        let sessions = self.store.expire_sessions(now.timestamp_millis()).await?;
        if sessions > 0 {
            tracing::debug!(sessions, "ended web sessions removed");
        }
        let rematched = self
            .store
            .rematch_pending_callbacks(
                (now - self.settings.retention).timestamp_millis(),
                now.timestamp_millis(),
            )
            .await?;
        if rematched.counted > 0 {
            tracing::info!(
                counted = rematched.counted,
                "status callbacks that arrived before their sends were recorded are now counted"
            );
        }
        let planned = self.plan_versions().await?;
        self.estimate_audiences().await?;
        let accounts = self.accounts.current();
        let polled = accounts
            .insights
            .poll(&self.store, self.clock.now())
            .await?;
        if polled.leased > 0 {
            tracing::info!(
                observed = polled.observed,
                retried = polled.retried,
                ended = polled.ended,
                observations = polled.observations,
                "post metrics read"
            );
        }
        Ok(planned)
    }

    /// Plans the jobs of the scheduled and running versions alone (see
    /// [`plan_active_versions`]), as a worker does at once when a version is scheduled.
    pub async fn plan_versions(&self) -> Result<PlannerReport, StoreError> {
        plan_active_versions(
            &self.store,
            &self.versions,
            &self.config,
            self.clock.now(),
            self.settings.horizon,
        )
        .await
    }

    /// Asks for the audience estimates that running versions do not have yet.
    async fn estimate_audiences(&self) -> Result<(), StoreError> {
        let accounts = self.accounts.current();
        if accounts.estimator.is_empty() {
            return Ok(());
        }
        for record in self
            .store
            .versions_in_states(&[VersionState::Running])
            .await?
        {
            let version = match self.versions.get(&record.hash) {
                Some(version) => version,
                None => match LoadedVersion::load_off_the_runtime(
                    record.hash.clone(),
                    record.bundle.clone(),
                    Arc::clone(&self.config),
                )
                .await
                {
                    Ok(version) => self.versions.insert(version),
                    Err(error) => {
                        tracing::error!(version = record.hash.short(), %error, "cannot estimate a version's audiences");
                        continue;
                    }
                },
            };
            accounts
                .estimator
                .estimate_version(
                    &self.store,
                    record.hash.as_str(),
                    &version.campaign,
                    self.clock.now(),
                )
                .await?;
        }
        Ok(())
    }

    /// Jobs a stopped worker had marked as being sent: resent where the partner deduplicates
    /// by idempotency key, otherwise marked unknown for staff (never re-sent blindly).
    pub(super) async fn recover_abandoned(
        &self,
        now_ms: i64,
        report: &mut TickReport,
    ) -> Result<(), StoreError> {
        let accounts = self.accounts.current();
        for job in self
            .store
            .abandoned_sends(now_ms, self.settings.batch_size)
            .await?
        {
            let resend = accounts
                .routes
                .get(&job.channel)
                .is_some_and(|r| r.adapter.resend_is_safe());
            if self.store.resolve_abandoned(job.id, resend, now_ms).await? {
                if resend {
                    report.recovered_resent += 1;
                } else {
                    report.recovered_unknown += 1;
                    tracing::warn!(job = job.id, channel = %job.channel, "a stopped worker may have sent this job: outcome unknown");
                }
            }
        }
        Ok(())
    }
}
