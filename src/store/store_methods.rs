//! The [`Store`] trait on [`SqlStore`]. Each method runs the SQL of its topic (the `*_sql`
//! modules, written once for both databases) through [`SqlStore::named`], so that an error
//! about the SQLite file or its disk names the file whichever method met it.

use chrono::{DateTime, Utc};

use super::{
    AudienceEstimateRecord, ClickCount, ClickKey, ConsentEvent, ConsentOutcome, DeadLetter,
    Decision, DeliveryCount, DigestAttempt, DigestRecord, EndedAs, ErasedRows, FoundSession,
    IngestReport, InsightObservation, InsightPoll, JobOutcome, JobRecord, LeasedJob,
    MigrationReport, NewInsightPoll, NewSession, NewStaffEvent, NewSubscriber,
    NotificationPreferences, NotificationRecipient, NotifyChannel, PollRecord, Reservation,
    Resolution, ResolveAnswer, RetentionCutoffs, Rotation, SessionListing, SqlStore, StaffEvent,
    StatusReceipt, Store, StoreError, SubscriberCount, TokenRecord, UserListing, UserRecord,
    VersionRecord, audit_sql, callbacks_sql, consent_sql, controls_sql, counters_sql, insights_sql,
    migrations, notifications_sql, outbox_sql, outcomes_sql, pacing_sql, people_sql,
    resolutions_sql, retention_sql, sessions_sql, subscribers_sql, translation_strings_sql,
    user_language_sql, versions_sql,
};
use crate::campaign::{ContentHash, VersionBundle, VersionState};
use crate::schedule::PlannedJob;

impl Store for SqlStore {
    async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        self.named(migrations::migrate(self)).await
    }

    async fn check_schema(&self) -> Result<i64, StoreError> {
        self.named(migrations::check_schema(self)).await
    }

    async fn save_version(
        &self,
        bundle: &VersionBundle,
        at: DateTime<Utc>,
    ) -> Result<VersionRecord, StoreError> {
        self.named(versions_sql::save_version(self, bundle, at))
            .await
    }

    async fn version(&self, hash: &ContentHash) -> Result<Option<VersionRecord>, StoreError> {
        self.named(versions_sql::version(self, hash)).await
    }

    async fn versions(&self, campaign_id: &str) -> Result<Vec<VersionRecord>, StoreError> {
        self.named(versions_sql::versions(self, campaign_id)).await
    }

    async fn versions_in_states(
        &self,
        states: &[VersionState],
    ) -> Result<Vec<VersionRecord>, StoreError> {
        self.named(versions_sql::versions_in_states(self, states))
            .await
    }

    async fn version_states(
        &self,
        states: &[VersionState],
    ) -> Result<Vec<(ContentHash, VersionState)>, StoreError> {
        self.named(versions_sql::version_states(self, states)).await
    }

    async fn transition(
        &self,
        hash: &ContentHash,
        to: VersionState,
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<VersionRecord, StoreError> {
        self.named(versions_sql::transition(self, hash, to, at, actor))
            .await
    }

    async fn insert_jobs(&self, jobs: &[PlannedJob]) -> Result<u64, StoreError> {
        self.named(outbox_sql::insert_jobs(self, jobs)).await
    }

    async fn planned_until(&self, hash: &ContentHash) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.named(versions_sql::planned_until(self, hash)).await
    }

    async fn set_planned_until(
        &self,
        hash: &ContentHash,
        until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.named(versions_sql::set_planned_until(self, hash, until))
            .await
    }

    async fn jobs_for_version(&self, hash: &ContentHash) -> Result<Vec<JobRecord>, StoreError> {
        self.named(outbox_sql::jobs_for_version(self, hash)).await
    }

    async fn lease_due_jobs(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
        waiting_channels: &[String],
    ) -> Result<Vec<LeasedJob>, StoreError> {
        self.named(outbox_sql::lease_due_jobs(
            self,
            owner,
            now_ms,
            lease_until_ms,
            limit,
            waiting_channels,
        ))
        .await
    }

    async fn mark_sending(
        &self,
        owner: &str,
        ids: &[i64],
        lease_until_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        self.named(outbox_sql::mark_sending(self, owner, ids, lease_until_ms))
            .await
    }

    async fn renew_leases(
        &self,
        owner: &str,
        ids: &[i64],
        lease_until_ms: i64,
    ) -> Result<u64, StoreError> {
        self.named(outbox_sql::renew_leases(self, owner, ids, lease_until_ms))
            .await
    }

    async fn record_outcomes(
        &self,
        owner: &str,
        outcomes: &[(i64, JobOutcome)],
        counts: &[(i64, DeliveryCount)],
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        self.named(outcomes_sql::record_outcomes(
            self, owner, outcomes, counts, now_ms,
        ))
        .await
    }

    async fn abandoned_sends(&self, now_ms: i64, limit: u32) -> Result<Vec<LeasedJob>, StoreError> {
        self.named(outbox_sql::abandoned_sends(self, now_ms, limit))
            .await
    }

    async fn resolve_abandoned(
        &self,
        id: i64,
        resend: bool,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.named(outbox_sql::resolve_abandoned(self, id, resend, now_ms))
            .await
    }

    async fn reserve_send_times(
        &self,
        bucket: &str,
        count: u32,
        now_ms: i64,
        interval_ms: i64,
        within_ms: i64,
    ) -> Result<Reservation, StoreError> {
        self.named(pacing_sql::reserve_send_times(
            self,
            bucket,
            count,
            now_ms,
            interval_ms,
            within_ms,
        ))
        .await
    }

    async fn push_bucket(
        &self,
        bucket: &str,
        expected_ms: i64,
        next_free_ms: i64,
    ) -> Result<bool, StoreError> {
        self.named(pacing_sql::push_bucket(
            self,
            bucket,
            expected_ms,
            next_free_ms,
        ))
        .await
    }

    async fn pause_bucket(&self, bucket: &str, until_ms: i64) -> Result<(), StoreError> {
        self.named(pacing_sql::pause_bucket(self, bucket, until_ms))
            .await
    }

    async fn bucket_paused_until(&self, bucket: &str) -> Result<i64, StoreError> {
        self.named(pacing_sql::bucket_paused_until(self, bucket))
            .await
    }

    async fn count_daily(
        &self,
        channel: &str,
        day: &str,
        count: u32,
        cap: u64,
    ) -> Result<bool, StoreError> {
        self.named(pacing_sql::count_daily(self, channel, day, count, cap))
            .await
    }

    async fn kill_campaign(
        &self,
        campaign_id: &str,
        by: &str,
        at_ms: i64,
    ) -> Result<u64, StoreError> {
        self.named(controls_sql::kill_campaign(self, campaign_id, by, at_ms))
            .await
    }

    async fn is_killed(&self, campaign_id: &str) -> Result<bool, StoreError> {
        self.named(controls_sql::is_killed(self, campaign_id)).await
    }

    async fn cancel_version_jobs(&self, hash: &ContentHash, at_ms: i64) -> Result<u64, StoreError> {
        self.named(controls_sql::cancel_version_jobs(self, hash, at_ms))
            .await
    }

    async fn jobs_ended_as(
        &self,
        ended: EndedAs,
        limit: u32,
    ) -> Result<Vec<DeadLetter>, StoreError> {
        self.named(controls_sql::jobs_ended_as(self, ended, limit))
            .await
    }

    async fn retry_dead(
        &self,
        ids: Option<&[i64]>,
        by: &str,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        self.named(controls_sql::retry_dead(self, ids, by, now_ms))
            .await
    }

    async fn add_delivery_counts(&self, counts: &[DeliveryCount]) -> Result<(), StoreError> {
        self.named(counters_sql::add_delivery_counts(self, counts))
            .await
    }

    async fn delivery_counts(&self, campaign_id: &str) -> Result<Vec<DeliveryCount>, StoreError> {
        self.named(counters_sql::delivery_counts(self, campaign_id))
            .await
    }

    async fn delivery_totals(
        &self,
        campaign_id: &str,
        by_day: bool,
    ) -> Result<Vec<DeliveryCount>, StoreError> {
        self.named(counters_sql::delivery_totals(self, campaign_id, by_day))
            .await
    }

    async fn add_click_counts(&self, counts: &[(ClickKey, ClickCount)]) -> Result<(), StoreError> {
        self.named(counters_sql::add_click_counts(self, counts))
            .await
    }

    async fn click_counts(
        &self,
        campaign_id: &str,
    ) -> Result<Vec<(ClickKey, ClickCount)>, StoreError> {
        self.named(counters_sql::click_counts(self, campaign_id))
            .await
    }

    async fn expire_finished_jobs(&self, before_ms: i64) -> Result<u64, StoreError> {
        self.named(outbox_sql::expire_finished_jobs(self, before_ms))
            .await
    }

    async fn next_due_ms(&self) -> Result<Option<i64>, StoreError> {
        self.named(outbox_sql::next_due_ms(self)).await
    }

    async fn mark_real_sending(&self, at_ms: i64) -> Result<(), StoreError> {
        self.named(controls_sql::mark_real_sending(self, at_ms))
            .await
    }

    async fn real_sending_since(&self) -> Result<Option<i64>, StoreError> {
        self.named(controls_sql::real_sending_since(self)).await
    }

    async fn mark_rehearsal(&self, at_ms: i64) -> Result<(), StoreError> {
        self.named(controls_sql::mark_rehearsal(self, at_ms)).await
    }

    async fn rehearsal_since(&self) -> Result<Option<i64>, StoreError> {
        self.named(controls_sql::rehearsal_since(self)).await
    }

    async fn create_user_by(
        &self,
        name: &str,
        roles: &[crate::auth::Role],
        expires_at_ms: Option<i64>,
        by: &str,
        at_ms: i64,
    ) -> Result<UserRecord, StoreError> {
        self.named(people_sql::create_user(
            self,
            name,
            roles,
            expires_at_ms,
            by,
            at_ms,
        ))
        .await
    }

    async fn users(&self, now_ms: i64) -> Result<Vec<UserListing>, StoreError> {
        self.named(people_sql::users(self, now_ms)).await
    }

    async fn rotate_token(
        &self,
        user: &UserRecord,
        new_token: (&str, &str),
        expires_at_ms: Option<i64>,
        by: &str,
        at_ms: i64,
    ) -> Result<Rotation, StoreError> {
        self.named(people_sql::rotate_token(
            self,
            user,
            new_token,
            expires_at_ms,
            by,
            at_ms,
        ))
        .await
    }

    async fn open_session(
        &self,
        session: &NewSession,
        max_per_user: u32,
    ) -> Result<u64, StoreError> {
        self.named(sessions_sql::open_session(self, session, max_per_user))
            .await
    }

    async fn session_by_secret_hash(
        &self,
        secret_hash: &str,
    ) -> Result<Option<FoundSession>, StoreError> {
        self.named(sessions_sql::session_by_secret_hash(self, secret_hash))
            .await
    }

    async fn touch_session(
        &self,
        id: &str,
        at_ms: i64,
        idle_until_ms: i64,
    ) -> Result<(), StoreError> {
        self.named(sessions_sql::touch_session(self, id, at_ms, idle_until_ms))
            .await
    }

    async fn end_session(&self, id: &str) -> Result<bool, StoreError> {
        self.named(sessions_sql::end_session(self, id)).await
    }

    async fn end_session_by(
        &self,
        id: &str,
        by: &str,
        at_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        self.named(sessions_sql::end_session_by(self, id, by, at_ms))
            .await
    }

    async fn live_sessions(&self, now_ms: i64) -> Result<Vec<SessionListing>, StoreError> {
        self.named(sessions_sql::live_sessions(self, now_ms)).await
    }

    async fn expire_sessions(&self, now_ms: i64) -> Result<u64, StoreError> {
        self.named(sessions_sql::expire_sessions(self, now_ms))
            .await
    }

    async fn jobs_ended_as_page(
        &self,
        ended: EndedAs,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<DeadLetter>, StoreError> {
        self.named(controls_sql::jobs_ended_as_page(
            self, ended, after_id, limit,
        ))
        .await
    }

    async fn resolve_unknown(
        &self,
        id: i64,
        resolution: Resolution,
        by: &str,
        now_ms: i64,
    ) -> Result<ResolveAnswer, StoreError> {
        self.named(resolutions_sql::resolve_unknown(
            self, id, resolution, by, now_ms,
        ))
        .await
    }

    async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        self.named(people_sql::user_by_name(self, name)).await
    }

    async fn set_user_language(
        &self,
        name: &str,
        language: Option<&str>,
        by: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        self.named(user_language_sql::set_user_language(
            self, name, language, by, at_ms,
        ))
        .await
    }

    async fn add_token(
        &self,
        token_id: &str,
        user_id: &str,
        secret_hash: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.named(people_sql::add_token(
            self,
            token_id,
            user_id,
            secret_hash,
            at_ms,
        ))
        .await
    }

    async fn token(&self, token_id: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.named(people_sql::token(self, token_id)).await
    }

    async fn revoke_token(&self, token_id: &str, by: &str, at_ms: i64) -> Result<bool, StoreError> {
        self.named(people_sql::revoke_token(self, token_id, by, at_ms))
            .await
    }

    async fn add_author(&self, hash: &ContentHash, user_id: &str) -> Result<(), StoreError> {
        self.named(people_sql::add_author(self, hash, user_id))
            .await
    }

    async fn version_authors(&self, hash: &ContentHash) -> Result<Vec<UserRecord>, StoreError> {
        self.named(people_sql::version_authors(self, hash)).await
    }

    async fn record_translation_strings(
        &self,
        campaign_id: &str,
        locale: &str,
        changes: &[super::StringChange],
        user_id: &str,
        at_ms: i64,
        audit: crate::audit::NewAuditEntry,
    ) -> Result<(), StoreError> {
        self.named(translation_strings_sql::record_translation_strings(
            self,
            campaign_id,
            locale,
            changes,
            user_id,
            at_ms,
            audit,
        ))
        .await
    }

    async fn translation_strings(
        &self,
        campaign_id: &str,
    ) -> Result<Vec<crate::l10n::RecordedString>, StoreError> {
        self.named(translation_strings_sql::translation_strings(
            self,
            campaign_id,
        ))
        .await
    }

    async fn decide(
        &self,
        hash: &ContentHash,
        user: &UserRecord,
        to: VersionState,
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<VersionRecord, StoreError> {
        self.named(people_sql::decide(self, hash, user, to, note, at))
            .await
    }

    async fn decisions(&self, hash: &ContentHash) -> Result<Vec<Decision>, StoreError> {
        self.named(people_sql::decisions(self, hash)).await
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
        self.named(people_sql::set_account_secret(
            self, channel, name, nonce, sealed, by, at_ms,
        ))
        .await
    }

    async fn delete_account_secret(
        &self,
        channel: &str,
        name: &str,
        by: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        self.named(people_sql::delete_account_secret(
            self, channel, name, by, at_ms,
        ))
        .await
    }

    async fn account_secrets(&self) -> Result<Vec<(String, String, String, String)>, StoreError> {
        self.named(people_sql::account_secrets(self)).await
    }

    async fn append_audit(&self, entry: &crate::audit::NewAuditEntry) -> Result<(), StoreError> {
        self.named(audit_sql::append_audit(self, entry)).await
    }

    async fn audit_log(
        &self,
    ) -> Result<(Vec<crate::audit::AuditEntry>, (i64, String)), StoreError> {
        self.named(audit_sql::audit_log(self)).await
    }

    async fn append_audit_on_change(
        &self,
        entry: &crate::audit::NewAuditEntry,
    ) -> Result<bool, StoreError> {
        self.named(audit_sql::append_audit_on_change(self, entry))
            .await
    }

    async fn audit_chain_key(&self) -> Result<Option<String>, StoreError> {
        self.named(audit_sql::audit_chain_key(self)).await
    }

    async fn outbox_backlog(
        &self,
        now_ms: i64,
        waiting_channels: &[String],
    ) -> Result<super::Backlog, StoreError> {
        self.named(outbox_sql::outbox_backlog(self, now_ms, waiting_channels))
            .await
    }

    async fn job_counts(
        &self,
        hash: &ContentHash,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        self.named(outbox_sql::job_counts(self, hash)).await
    }

    async fn save_subscriber(&self, subscriber: &NewSubscriber) -> Result<bool, StoreError> {
        self.named(subscribers_sql::save_subscriber(self, subscriber))
            .await
    }

    async fn erase_subscriber(
        &self,
        channel: &str,
        lookup: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        self.named(subscribers_sql::erase_subscriber(
            self, channel, lookup, at_ms,
        ))
        .await
    }

    async fn apply_consent_event(
        &self,
        event: &ConsentEvent,
    ) -> Result<ConsentOutcome, StoreError> {
        self.named(consent_sql::apply_consent_event(self, event))
            .await
    }

    async fn mark_audience_reach(
        &self,
        audiences: &[(String, String)],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.named(retention_sql::mark_audience_reach(self, audiences, now_ms))
            .await
    }

    async fn count_erasable(&self, cutoffs: RetentionCutoffs) -> Result<ErasedRows, StoreError> {
        self.named(retention_sql::count_erasable(self, cutoffs))
            .await
    }

    async fn erase_expired(
        &self,
        cutoffs: RetentionCutoffs,
        now_ms: i64,
    ) -> Result<ErasedRows, StoreError> {
        self.named(retention_sql::erase_expired(self, cutoffs, now_ms))
            .await
    }

    async fn expire_consent_records(&self, now_ms: i64) -> Result<u64, StoreError> {
        self.named(consent_sql::expire_consent_records(self, now_ms))
            .await
    }

    async fn erase_subscribers(&self, ids: &[i64], at_ms: i64) -> Result<u64, StoreError> {
        self.named(subscribers_sql::erase_subscribers(self, ids, at_ms))
            .await
    }

    async fn subscriber_identities(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        self.named(subscribers_sql::subscriber_identities(self, ids))
            .await
    }

    async fn subscriber_counts(&self) -> Result<Vec<SubscriberCount>, StoreError> {
        self.named(subscribers_sql::subscriber_counts(self)).await
    }

    async fn expand_broadcast(
        &self,
        job: &LeasedJob,
        after_id: i64,
        page: u32,
        run_at_ms: i64,
    ) -> Result<Option<(i64, u64)>, StoreError> {
        self.named(subscribers_sql::expand_broadcast(
            self, job, after_id, page, run_at_ms,
        ))
        .await
    }

    async fn ingest_statuses(
        &self,
        statuses: &[StatusReceipt],
        now_ms: i64,
    ) -> Result<IngestReport, StoreError> {
        self.named(callbacks_sql::ingest_statuses(self, statuses, now_ms))
            .await
    }

    async fn rematch_pending_callbacks(
        &self,
        expire_before_ms: i64,
        now_ms: i64,
    ) -> Result<IngestReport, StoreError> {
        self.named(callbacks_sql::rematch_pending_callbacks(
            self,
            expire_before_ms,
            now_ms,
        ))
        .await
    }

    async fn add_insight_polls(&self, polls: &[NewInsightPoll]) -> Result<u64, StoreError> {
        self.named(insights_sql::add_insight_polls(self, polls))
            .await
    }

    async fn lease_insight_polls(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> Result<Vec<InsightPoll>, StoreError> {
        self.named(insights_sql::lease_insight_polls(
            self,
            owner,
            now_ms,
            lease_until_ms,
            limit,
        ))
        .await
    }

    async fn record_insight_polls(
        &self,
        owner: &str,
        records: &[PollRecord],
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        self.named(insights_sql::record_insight_polls(
            self, owner, records, now_ms,
        ))
        .await
    }

    async fn insight_polls(&self, campaign_id: &str) -> Result<Vec<InsightPoll>, StoreError> {
        self.named(insights_sql::insight_polls(self, campaign_id))
            .await
    }

    async fn insight_observations(
        &self,
        campaign_id: &str,
    ) -> Result<Vec<InsightObservation>, StoreError> {
        self.named(insights_sql::insight_observations(self, campaign_id))
            .await
    }

    async fn save_audience_estimate(
        &self,
        estimate: &AudienceEstimateRecord,
    ) -> Result<bool, StoreError> {
        self.named(insights_sql::save_audience_estimate(self, estimate))
            .await
    }

    async fn audience_estimates(
        &self,
        campaign_id: &str,
    ) -> Result<Vec<AudienceEstimateRecord>, StoreError> {
        self.named(insights_sql::audience_estimates(self, campaign_id))
            .await
    }

    async fn record_staff_event(&self, event: &NewStaffEvent) -> Result<(), StoreError> {
        self.named(notifications_sql::record_staff_event(self, event))
            .await
    }

    async fn staff_events(
        &self,
        after: i64,
        upto: Option<i64>,
        limit: u32,
    ) -> Result<Vec<StaffEvent>, StoreError> {
        self.named(notifications_sql::staff_events(self, after, upto, limit))
            .await
    }

    async fn set_notification_preferences(
        &self,
        user: &UserRecord,
        preferences: &NotificationPreferences,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.named(notifications_sql::set_preferences(
            self,
            user,
            preferences,
            at_ms,
        ))
        .await
    }

    async fn notification_recipients(
        &self,
        user_id: Option<&str>,
    ) -> Result<Vec<NotificationRecipient>, StoreError> {
        self.named(notifications_sql::recipients(self, user_id))
            .await
    }

    async fn open_digest(
        &self,
        user_id: &str,
        seen: i64,
        upto: i64,
        channel: NotifyChannel,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        self.named(notifications_sql::open_digest(
            self, user_id, seen, upto, channel, at_ms,
        ))
        .await
    }

    async fn skip_staff_events(
        &self,
        user_id: &str,
        seen: i64,
        upto: i64,
    ) -> Result<(), StoreError> {
        self.named(notifications_sql::skip_events(self, user_id, seen, upto))
            .await
    }

    async fn lease_digests(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> Result<Vec<DigestRecord>, StoreError> {
        self.named(notifications_sql::lease_digests(
            self,
            owner,
            now_ms,
            lease_until_ms,
            limit,
        ))
        .await
    }

    async fn finish_digest(
        &self,
        id: i64,
        owner: &str,
        attempt: &DigestAttempt,
    ) -> Result<bool, StoreError> {
        self.named(notifications_sql::finish_digest(self, id, owner, attempt))
            .await
    }

    async fn digest_counts(&self) -> Result<(i64, i64), StoreError> {
        self.named(notifications_sql::digest_counts(self)).await
    }

    async fn expire_notifications(&self, before_ms: i64) -> Result<u64, StoreError> {
        self.named(notifications_sql::expire_notifications(self, before_ms))
            .await
    }
}
