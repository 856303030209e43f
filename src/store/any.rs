//! Picking a store from a database URL at run time.

use chrono::{DateTime, Utc};

use super::{
    AudienceEstimateRecord, ClickCount, ClickKey, DeadLetter, Decision, DeliveryCount, EndedAs,
    IngestReport, InsightObservation, InsightPoll, JobOutcome, JobRecord, LeasedJob,
    MigrationReport, NewInsightPoll, NewSubscriber, PollRecord, PostgresStore, Reservation,
    SqliteStore, StatusReceipt, Store, StoreError, SubscriberCount, TokenRecord, UserRecord,
    VersionRecord,
};
use crate::campaign::{ContentHash, VersionBundle, VersionState};
use crate::schedule::PlannedJob;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://herald.db";

/// Either store, chosen by URL scheme.
#[derive(Debug, Clone)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Connects to `sqlite://…` or `postgres://…` (also `postgresql://…`).
pub async fn connect(url: &str) -> Result<AnyStore, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(AnyStore::Sqlite(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(AnyStore::Postgres(PostgresStore::connect(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}

/// Calls the same method on whichever store this is. SQLite errors caused by the file or its
/// disk get the file's name here, the one place every call passes through.
macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($store) => $call
                .await
                .map_err(|error| error.in_sqlite_file($store.file())),
            AnyStore::Postgres($store) => $call.await,
        }
    };
}

impl Store for AnyStore {
    async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        delegate!(self, s => s.migrate())
    }

    async fn save_version(
        &self,
        bundle: &VersionBundle,
        at: DateTime<Utc>,
    ) -> Result<VersionRecord, StoreError> {
        delegate!(self, s => s.save_version(bundle, at))
    }

    async fn version(&self, hash: &ContentHash) -> Result<Option<VersionRecord>, StoreError> {
        delegate!(self, s => s.version(hash))
    }

    async fn versions(&self, campaign_id: &str) -> Result<Vec<VersionRecord>, StoreError> {
        delegate!(self, s => s.versions(campaign_id))
    }

    async fn versions_in_states(
        &self,
        states: &[VersionState],
    ) -> Result<Vec<VersionRecord>, StoreError> {
        delegate!(self, s => s.versions_in_states(states))
    }

    async fn version_states(
        &self,
        states: &[VersionState],
    ) -> Result<Vec<(ContentHash, VersionState)>, StoreError> {
        delegate!(self, s => s.version_states(states))
    }

    async fn transition(
        &self,
        hash: &ContentHash,
        to: VersionState,
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<VersionRecord, StoreError> {
        delegate!(self, s => s.transition(hash, to, at, actor))
    }

    async fn insert_jobs(&self, jobs: &[PlannedJob]) -> Result<u64, StoreError> {
        delegate!(self, s => s.insert_jobs(jobs))
    }

    async fn planned_until(&self, hash: &ContentHash) -> Result<Option<DateTime<Utc>>, StoreError> {
        delegate!(self, s => s.planned_until(hash))
    }

    async fn set_planned_until(
        &self,
        hash: &ContentHash,
        until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.set_planned_until(hash, until))
    }

    async fn jobs_for_version(&self, hash: &ContentHash) -> Result<Vec<JobRecord>, StoreError> {
        delegate!(self, s => s.jobs_for_version(hash))
    }

    async fn lease_due_jobs(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> Result<Vec<LeasedJob>, StoreError> {
        delegate!(self, s => s.lease_due_jobs(owner, now_ms, lease_until_ms, limit))
    }

    async fn mark_sending(
        &self,
        owner: &str,
        ids: &[i64],
        lease_until_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        delegate!(self, s => s.mark_sending(owner, ids, lease_until_ms))
    }

    async fn renew_leases(
        &self,
        owner: &str,
        ids: &[i64],
        lease_until_ms: i64,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.renew_leases(owner, ids, lease_until_ms))
    }

    async fn record_outcomes(
        &self,
        owner: &str,
        outcomes: &[(i64, JobOutcome)],
        counts: &[(i64, DeliveryCount)],
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.record_outcomes(owner, outcomes, counts, now_ms))
    }

    async fn abandoned_sends(&self, now_ms: i64, limit: u32) -> Result<Vec<LeasedJob>, StoreError> {
        delegate!(self, s => s.abandoned_sends(now_ms, limit))
    }

    async fn resolve_abandoned(
        &self,
        id: i64,
        resend: bool,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.resolve_abandoned(id, resend, now_ms))
    }

    async fn reserve_send_times(
        &self,
        bucket: &str,
        count: u32,
        now_ms: i64,
        interval_ms: i64,
        within_ms: i64,
    ) -> Result<Reservation, StoreError> {
        delegate!(self, s => s.reserve_send_times(bucket, count, now_ms, interval_ms, within_ms))
    }

    async fn push_bucket(
        &self,
        bucket: &str,
        expected_ms: i64,
        next_free_ms: i64,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.push_bucket(bucket, expected_ms, next_free_ms))
    }

    async fn pause_bucket(&self, bucket: &str, until_ms: i64) -> Result<(), StoreError> {
        delegate!(self, s => s.pause_bucket(bucket, until_ms))
    }

    async fn count_daily(
        &self,
        channel: &str,
        day: &str,
        count: u32,
        cap: u64,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.count_daily(channel, day, count, cap))
    }

    async fn kill_campaign(
        &self,
        campaign_id: &str,
        by: &str,
        at_ms: i64,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.kill_campaign(campaign_id, by, at_ms))
    }

    async fn is_killed(&self, campaign_id: &str) -> Result<bool, StoreError> {
        delegate!(self, s => s.is_killed(campaign_id))
    }

    async fn cancel_version_jobs(&self, hash: &ContentHash, at_ms: i64) -> Result<u64, StoreError> {
        delegate!(self, s => s.cancel_version_jobs(hash, at_ms))
    }

    async fn jobs_ended_as(
        &self,
        ended: EndedAs,
        limit: u32,
    ) -> Result<Vec<DeadLetter>, StoreError> {
        delegate!(self, s => s.jobs_ended_as(ended, limit))
    }

    async fn retry_dead(
        &self,
        ids: Option<&[i64]>,
        by: &str,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.retry_dead(ids, by, now_ms))
    }

    async fn add_delivery_counts(&self, counts: &[DeliveryCount]) -> Result<(), StoreError> {
        delegate!(self, s => s.add_delivery_counts(counts))
    }

    async fn delivery_counts(&self, campaign_id: &str) -> Result<Vec<DeliveryCount>, StoreError> {
        delegate!(self, s => s.delivery_counts(campaign_id))
    }

    async fn delivery_totals(
        &self,
        campaign_id: &str,
        by_day: bool,
    ) -> Result<Vec<DeliveryCount>, StoreError> {
        delegate!(self, s => s.delivery_totals(campaign_id, by_day))
    }

    async fn add_click_counts(&self, counts: &[(ClickKey, ClickCount)]) -> Result<(), StoreError> {
        delegate!(self, s => s.add_click_counts(counts))
    }

    async fn click_counts(
        &self,
        campaign_id: &str,
    ) -> Result<Vec<(ClickKey, ClickCount)>, StoreError> {
        delegate!(self, s => s.click_counts(campaign_id))
    }

    async fn expire_finished_jobs(&self, before_ms: i64) -> Result<u64, StoreError> {
        delegate!(self, s => s.expire_finished_jobs(before_ms))
    }

    async fn next_due_ms(&self) -> Result<Option<i64>, StoreError> {
        delegate!(self, s => s.next_due_ms())
    }

    async fn mark_real_sending(&self, at_ms: i64) -> Result<(), StoreError> {
        delegate!(self, s => s.mark_real_sending(at_ms))
    }

    async fn real_sending_since(&self) -> Result<Option<i64>, StoreError> {
        delegate!(self, s => s.real_sending_since())
    }

    async fn job_counts(
        &self,
        hash: &ContentHash,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        delegate!(self, s => s.job_counts(hash))
    }

    async fn create_user(
        &self,
        name: &str,
        roles: &[crate::auth::Role],
        at_ms: i64,
    ) -> Result<UserRecord, StoreError> {
        delegate!(self, s => s.create_user(name, roles, at_ms))
    }

    async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        delegate!(self, s => s.user_by_name(name))
    }

    async fn add_token(
        &self,
        token_id: &str,
        user_id: &str,
        secret_hash: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.add_token(token_id, user_id, secret_hash, at_ms))
    }

    async fn token(&self, token_id: &str) -> Result<Option<TokenRecord>, StoreError> {
        delegate!(self, s => s.token(token_id))
    }

    async fn revoke_token(&self, token_id: &str, by: &str, at_ms: i64) -> Result<bool, StoreError> {
        delegate!(self, s => s.revoke_token(token_id, by, at_ms))
    }

    async fn add_author(&self, hash: &ContentHash, user_id: &str) -> Result<(), StoreError> {
        delegate!(self, s => s.add_author(hash, user_id))
    }

    async fn version_authors(&self, hash: &ContentHash) -> Result<Vec<UserRecord>, StoreError> {
        delegate!(self, s => s.version_authors(hash))
    }

    async fn decide(
        &self,
        hash: &ContentHash,
        user: &UserRecord,
        to: VersionState,
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<VersionRecord, StoreError> {
        delegate!(self, s => s.decide(hash, user, to, note, at))
    }

    async fn decisions(&self, hash: &ContentHash) -> Result<Vec<Decision>, StoreError> {
        delegate!(self, s => s.decisions(hash))
    }

    async fn set_account_secret(
        &self,
        channel: &str,
        name: &str,
        nonce: &str,
        sealed: &str,
        by: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.set_account_secret(channel, name, nonce, sealed, by, at_ms))
    }

    async fn account_secrets(&self) -> Result<Vec<(String, String, String, String)>, StoreError> {
        delegate!(self, s => s.account_secrets())
    }

    async fn append_audit(&self, entry: &crate::audit::NewAuditEntry) -> Result<(), StoreError> {
        delegate!(self, s => s.append_audit(entry))
    }

    async fn audit_log(
        &self,
    ) -> Result<(Vec<crate::audit::AuditEntry>, (i64, String)), StoreError> {
        delegate!(self, s => s.audit_log())
    }

    async fn save_subscriber(&self, subscriber: &NewSubscriber) -> Result<bool, StoreError> {
        delegate!(self, s => s.save_subscriber(subscriber))
    }

    async fn erase_subscriber(
        &self,
        channel: &str,
        lookup: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.erase_subscriber(channel, lookup, at_ms))
    }

    async fn apply_consent_event(
        &self,
        event: &super::ConsentEvent,
    ) -> Result<super::ConsentOutcome, StoreError> {
        delegate!(self, s => s.apply_consent_event(event))
    }

    async fn expire_consent_records(&self, now_ms: i64) -> Result<u64, StoreError> {
        delegate!(self, s => s.expire_consent_records(now_ms))
    }

    async fn erase_subscribers(&self, ids: &[i64], at_ms: i64) -> Result<u64, StoreError> {
        delegate!(self, s => s.erase_subscribers(ids, at_ms))
    }

    async fn subscriber_identities(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        delegate!(self, s => s.subscriber_identities(ids))
    }

    async fn subscriber_counts(&self) -> Result<Vec<SubscriberCount>, StoreError> {
        delegate!(self, s => s.subscriber_counts())
    }

    async fn expand_broadcast(
        &self,
        job: &LeasedJob,
        after_id: i64,
        page: u32,
        run_at_ms: i64,
    ) -> Result<Option<(i64, u64)>, StoreError> {
        delegate!(self, s => s.expand_broadcast(job, after_id, page, run_at_ms))
    }

    async fn ingest_statuses(
        &self,
        statuses: &[StatusReceipt],
        now_ms: i64,
    ) -> Result<IngestReport, StoreError> {
        delegate!(self, s => s.ingest_statuses(statuses, now_ms))
    }

    async fn rematch_pending_callbacks(
        &self,
        expire_before_ms: i64,
        now_ms: i64,
    ) -> Result<IngestReport, StoreError> {
        delegate!(self, s => s.rematch_pending_callbacks(expire_before_ms, now_ms))
    }

    async fn add_insight_polls(&self, polls: &[NewInsightPoll]) -> Result<u64, StoreError> {
        delegate!(self, s => s.add_insight_polls(polls))
    }

    async fn lease_insight_polls(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> Result<Vec<InsightPoll>, StoreError> {
        delegate!(self, s => s.lease_insight_polls(owner, now_ms, lease_until_ms, limit))
    }

    async fn record_insight_polls(
        &self,
        owner: &str,
        records: &[PollRecord],
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.record_insight_polls(owner, records, now_ms))
    }

    async fn insight_polls(&self, campaign_id: &str) -> Result<Vec<InsightPoll>, StoreError> {
        delegate!(self, s => s.insight_polls(campaign_id))
    }

    async fn insight_observations(
        &self,
        campaign_id: &str,
    ) -> Result<Vec<InsightObservation>, StoreError> {
        delegate!(self, s => s.insight_observations(campaign_id))
    }

    async fn save_audience_estimate(
        &self,
        estimate: &AudienceEstimateRecord,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.save_audience_estimate(estimate))
    }

    async fn audience_estimates(
        &self,
        campaign_id: &str,
    ) -> Result<Vec<AudienceEstimateRecord>, StoreError> {
        delegate!(self, s => s.audience_estimates(campaign_id))
    }
}
