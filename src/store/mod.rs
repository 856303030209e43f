//! Storage in domain terms: one [`Store`] trait, and one implementation of it, [`SqlStore`],
//! on SQLite (the embedded default) or PostgreSQL (several worker processes on one database).
//!
//! # One implementation for both databases
//!
//! The database is chosen once, by [`connect`] from the URL, and a [`SqlStore`] holds a pool
//! of sqlx's `Any` driver plus a [`Dialect`]. The SQL is written once with `$n` placeholders,
//! which both databases accept; rows are read into `sqlx::FromRow` structs by column name.
//! Where the two really differ, [`Dialect`] says so, each difference in one method: the
//! transaction that writes (SQLite's `BEGIN IMMEDIATE`), the lock that serialises
//! migrations (PostgreSQL's advisory lock) and the row locks of job leasing (PostgreSQL's
//! `FOR UPDATE SKIP LOCKED`); besides those, each has its own migration files and its own
//! connection settings ([`SqlStore::connect`]).
//!
//! The alternative was one generic `SqlStore<DB: sqlx::Database>` with a backend trait for
//! the differences. It would keep two store types, so a store chosen at run time would still
//! need a layer that passes every call to one of them, and generic sqlx code needs long
//! higher-ranked bounds on executors and arguments that every async method must satisfy while
//! staying `Send`. The `Any` driver (sqlx 0.9) covers everything herald stores: integers
//! (`i32` and `i64`; every timestamp is stored as integer seconds or milliseconds), text and
//! `Option`s of them, bound with typed NULLs. Its costs, and where they are paid:
//! - sqlx's `QueryBuilder` writes `?` placeholders under `Any`, which PostgreSQL refuses:
//!   statements assembled at run time use `Statement` (`statement.rs`), which writes `$n`.
//! - `Any` connects from a URL only: SQLite's journal mode, busy timeout and synchronous level
//!   are set on each new connection instead (see [`SqlStore::connect`]).
//! - Every row is converted into `Any`'s values before it is read: a copy per value, small
//!   next to the query itself.
//!
//! An error about the SQLite file or its disk names the file: every [`Store`] method passes
//! through `SqlStore::named` (see `store_methods.rs`), the one place that knows the file.
//!
//! `AnyStore`, `SqliteStore` and `PostgresStore` are names of [`SqlStore`], kept for the code
//! and tests that used the former per-database types.

mod audit_sql;
mod backlog;
mod callbacks_sql;
mod consent_events;
mod consent_sql;
mod controls_sql;
mod counters_sql;
mod dialect;
mod ended_as;
mod error;
mod file_fault;
mod insight_records;
mod insights_sql;
mod migrations;
mod notifications_sql;
mod oauth_tokens_sql;
mod outbox_sql;
mod outcome_resolution;
mod outcomes_sql;
mod pacing_sql;
mod people_sql;
pub mod record_key;
mod recorded_counts;
mod records;
mod rekeying_sql;
mod resolutions_sql;
mod retention_sql;
mod server_settings;
mod session_records;
mod sessions_sql;
mod sql_store;
mod staff_events;
mod statement;
mod store_methods;
mod subscribers_sql;
mod translation_strings_sql;
mod user_language_sql;
mod versions_sql;

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::campaign::{ContentHash, VersionBundle, VersionState};
use crate::schedule::PlannedJob;

pub use backlog::Backlog;
pub use consent_events::{ConsentEvent, ConsentOutcome, ConsentWrite, PreviousHashes};
pub use dialect::Dialect;
pub use ended_as::EndedAs;
pub use error::StoreError;
pub use file_fault::FileFault;
#[cfg(test)]
pub(crate) use file_fault::real_errors as file_fault_errors;
pub use insight_records::{
    AudienceEstimateRecord, InsightObservation, InsightPoll, NewInsightPoll, PollOutcome,
    PollRecord,
};
pub use migrations::MigrationReport;
pub use oauth_tokens_sql::{OAuthGrantRecord, SealedValue, StoredOAuthTokens};
pub use outcome_resolution::{Resolution, ResolveAnswer, ResolvedOutcome};
pub(crate) use recorded_counts::sum_recorded_counts;
pub use records::{
    ClickCount, ClickKey, DeadLetter, Decision, DeliveryCount, IngestReport, JobOutcome, JobRecord,
    LeasedJob, NewSubscriber, Reservation, StatusReceipt, SubscriberCount, TokenRecord, UserRecord,
    VersionRecord,
};
pub use rekeying_sql::{KeyCount, RekeyedSubscriber, RotationRun, SealedSubscriber};
pub use resolutions_sql::RESENT_AFTER_CHECK;
pub use retention_sql::{ErasedRows, RetentionCutoffs};
pub use session_records::{FoundSession, NewSession, Rotation, SessionListing, UserListing};
pub use sql_store::{DEFAULT_DATABASE_URL, SqlStore, connect};
pub use staff_events::{
    DigestAttempt, DigestRecord, NewStaffEvent, NotificationPreferences, NotificationRecipient,
    NotifyChannel, StaffEvent, StaffEventKind, event_code,
};
pub use translation_strings_sql::StringChange;
pub use versions_sql::SKIPPED_WHILE_PAUSED;

/// The store, on whichever database its URL named.
pub type AnyStore = SqlStore;
/// The store, opened on a SQLite file (the name tests and benches use).
pub type SqliteStore = SqlStore;
/// The store, opened on a PostgreSQL database.
pub type PostgresStore = SqlStore;

/// What herald keeps: campaign versions, their lifecycle, and the outbox of planned jobs.
pub trait Store: Clone + Send + Sync + 'static {
    /// Applies pending migrations; refuses a database whose schema is newer than this binary.
    fn migrate(&self) -> impl Future<Output = Result<MigrationReport, StoreError>> + Send;

    /// Checks, changing nothing, that the schema is exactly this binary's; its version.
    fn check_schema(&self) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Stores a version (as a draft) unless one with the same content hash exists; either way
    /// returns the stored version, so loading the same content twice gives the same version.
    fn save_version(
        &self,
        bundle: &VersionBundle,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<VersionRecord, StoreError>> + Send;

    fn version(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Option<VersionRecord>, StoreError>> + Send;

    /// A campaign's versions, oldest first.
    fn versions(
        &self,
        campaign_id: &str,
    ) -> impl Future<Output = Result<Vec<VersionRecord>, StoreError>> + Send;

    /// Versions in any of these states, oldest first.
    fn versions_in_states(
        &self,
        states: &[VersionState],
    ) -> impl Future<Output = Result<Vec<VersionRecord>, StoreError>> + Send;

    /// The hash and state of the versions in any of these states, oldest first: no bundle,
    /// so cheap enough to ask every few seconds (the click redirector does).
    fn version_states(
        &self,
        states: &[VersionState],
    ) -> impl Future<Output = Result<Vec<(ContentHash, VersionState)>, StoreError>> + Send;

    /// Moves a version to `to` if the lifecycle allows it from its current state, atomically
    /// with its audit entry: two concurrent transitions cannot both succeed from the same state.
    fn transition(
        &self,
        hash: &ContentHash,
        to: VersionState,
        at: DateTime<Utc>,
        actor: &str,
    ) -> impl Future<Output = Result<VersionRecord, StoreError>> + Send;

    /// Inserts jobs in batches; a job whose idempotency key exists is skipped. Returns how
    /// many were new.
    fn insert_jobs(
        &self,
        jobs: &[PlannedJob],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// How far a version's schedule has been planned into jobs.
    fn planned_until(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Option<DateTime<Utc>>, StoreError>> + Send;

    /// Records planning progress; it never moves backwards.
    fn set_planned_until(
        &self,
        hash: &ContentHash,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A version's jobs in slot order.
    fn jobs_for_version(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Vec<JobRecord>, StoreError>> + Send;

    /// Leases up to `limit` due jobs of active (scheduled or running, not killed) versions,
    /// including jobs whose lease expired before their call started, except the jobs of
    /// `waiting_channels` (accounts this worker cannot send to yet: they stay queued, without
    /// using attempts). PostgreSQL skips rows other workers hold; SQLite has one writer at a
    /// time.
    fn lease_due_jobs(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
        waiting_channels: &[String],
    ) -> impl Future<Output = Result<Vec<LeasedJob>, StoreError>> + Send;

    /// Marks leased jobs as being sent, just before their calls: from here on, a crash leaves
    /// an unknown outcome instead of a silent resend. Returns the ids still held.
    fn mark_sending(
        &self,
        owner: &str,
        ids: &[i64],
        lease_until_ms: i64,
    ) -> impl Future<Output = Result<Vec<i64>, StoreError>> + Send;

    fn renew_leases(
        &self,
        owner: &str,
        ids: &[i64],
        lease_until_ms: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Writes a batch of outcomes, and the delivery counters they add, in one transaction; rows
    /// whose lease moved to another worker are left alone, and so are their counters: `counts`
    /// holds each job's own contribution, added only for the jobs this call recorded.
    fn record_outcomes(
        &self,
        owner: &str,
        outcomes: &[(i64, JobOutcome)],
        counts: &[(i64, DeliveryCount)],
        now_ms: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Jobs whose worker stopped after marking them as being sent.
    fn abandoned_sends(
        &self,
        now_ms: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<LeasedJob>, StoreError>> + Send;

    /// Requeues an abandoned job (when the platform deduplicates by idempotency key) or marks
    /// it unknown. False when it was already resolved.
    fn resolve_abandoned(
        &self,
        id: i64,
        resend: bool,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Reserves up to `count` send times in a bucket shared by all workers.
    fn reserve_send_times(
        &self,
        bucket: &str,
        count: u32,
        now_ms: i64,
        interval_ms: i64,
        within_ms: i64,
    ) -> impl Future<Output = Result<Reservation, StoreError>> + Send;

    /// Moves a bucket's next free time from `expected_ms` (what this worker reserved up to) to
    /// `next_free_ms`; false when another worker reserved in between.
    fn push_bucket(
        &self,
        bucket: &str,
        expected_ms: i64,
        next_free_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Pauses a bucket (a throttled account) until a time; never shortens a pause.
    fn pause_bucket(
        &self,
        bucket: &str,
        until_ms: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Until when a bucket is paused (ms; 0 when it never was): how a worker learns of a
    /// throttle another worker met, before a call it booked goes.
    fn bucket_paused_until(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Counts `count` messages against a daily cap; false (and nothing counted) when over it.
    fn count_daily(
        &self,
        channel: &str,
        day: &str,
        count: u32,
        cap: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The kill switch: stops every pending job and retry of a campaign, now and later.
    /// Returns the number of jobs cancelled.
    fn kill_campaign(
        &self,
        campaign_id: &str,
        by: &str,
        at_ms: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    fn is_killed(&self, campaign_id: &str)
    -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Cancels a version's pending jobs (the version was cancelled).
    fn cancel_version_jobs(
        &self,
        hash: &ContentHash,
        at_ms: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Jobs that ended in a state staff must look at (see [`EndedAs`]), oldest first.
    fn jobs_ended_as(
        &self,
        ended: EndedAs,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DeadLetter>, StoreError>> + Send;

    /// One page of the jobs that ended as `ended`, in id order, after the job `after_id`
    /// (0 for the first page): what the API and the web pages list.
    fn jobs_ended_as_page(
        &self,
        ended: EndedAs,
        after_id: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DeadLetter>, StoreError>> + Send;

    /// Records what staff found when they checked an unknown outcome with the partner: the
    /// job's new status, who and when, the counter it adds on the day of the resolution (so
    /// no published figure moves) and its audit entry, in one transaction. A job that is not
    /// an unresolved unknown outcome is left alone and said so; of two racing resolutions
    /// one wins.
    fn resolve_unknown(
        &self,
        id: i64,
        resolution: Resolution,
        by: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<ResolveAnswer, StoreError>> + Send;

    fn dead_letters(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DeadLetter>, StoreError>> + Send {
        self.jobs_ended_as(EndedAs::Dead, limit)
    }

    /// Jobs whose outcome is unknown (the request left, its answer never came): herald never
    /// re-sends them, so staff can check them with the partner one by one.
    fn unknown_outcomes(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DeadLetter>, StoreError>> + Send {
        self.jobs_ended_as(EndedAs::Unknown, limit)
    }

    /// Puts dead jobs (these, or all) back in the queue, due now, with a fresh attempt count;
    /// audited.
    fn retry_dead(
        &self,
        ids: Option<&[i64]>,
        by: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Adds to delivery counters in one transaction (a batch of outcomes or callbacks).
    fn add_delivery_counts(
        &self,
        counts: &[DeliveryCount],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A campaign's delivery counters.
    fn delivery_counts(
        &self,
        campaign_id: &str,
    ) -> impl Future<Output = Result<Vec<DeliveryCount>, StoreError>> + Send;

    /// A campaign's delivery counters summed over versions and sends, per day or (`by_day`
    /// false, `day` empty) over the whole run: what a report reads.
    fn delivery_totals(
        &self,
        campaign_id: &str,
        by_day: bool,
    ) -> impl Future<Output = Result<Vec<DeliveryCount>, StoreError>> + Send;

    /// Adds clicks to their counters in one transaction: the redirector tallies clicks in
    /// memory and writes them in batches, never once per request.
    fn add_click_counts(
        &self,
        counts: &[(ClickKey, ClickCount)],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A campaign's click counters.
    fn click_counts(
        &self,
        campaign_id: &str,
    ) -> impl Future<Output = Result<Vec<(ClickKey, ClickCount)>, StoreError>> + Send;

    /// Deletes the bookkeeping rows of jobs that were sent, cancelled or resolved as not
    /// delivered before `before_ms`: after the retention window only the counters (and the
    /// audit log's record of each resolution) remain. Dead and unknown jobs stay for staff to
    /// resolve.
    fn expire_finished_jobs(
        &self,
        before_ms: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// When the earliest queued job is due (milliseconds), so an idle worker knows how long
    /// it may sleep.
    fn next_due_ms(&self) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;

    /// Records that this database was used to dispatch to the real partners (the first time
    /// is kept), so that no rehearsal runs on it later.
    fn mark_real_sending(&self, at_ms: i64) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// When this database was first used to dispatch to the real partners, if ever.
    fn real_sending_since(&self) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;

    /// Records that a rehearsal dispatched on this database (the first time is kept), so that
    /// no process sending to the real partners takes its jobs later.
    fn mark_rehearsal(&self, at_ms: i64) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// When a rehearsal first dispatched on this database, if ever.
    fn rehearsal_since(&self) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;

    /// Adds a user, audited as added by `admin` (the command line's operator).
    fn create_user(
        &self,
        name: &str,
        roles: &[crate::auth::Role],
        at_ms: i64,
    ) -> impl Future<Output = Result<UserRecord, StoreError>> + Send {
        self.create_user_until(name, roles, None, at_ms)
    }

    /// Adds a user whose tokens stop working at `expires_at_ms` (`None`: never), audited as
    /// added by `admin` (the command line's operator).
    fn create_user_until(
        &self,
        name: &str,
        roles: &[crate::auth::Role],
        expires_at_ms: Option<i64>,
        at_ms: i64,
    ) -> impl Future<Output = Result<UserRecord, StoreError>> + Send {
        self.create_user_by(name, roles, expires_at_ms, "admin", at_ms)
    }

    /// Adds a user whose tokens stop working at `expires_at_ms` (`None`: never), audited as
    /// added by `by`.
    fn create_user_by(
        &self,
        name: &str,
        roles: &[crate::auth::Role],
        expires_at_ms: Option<i64>,
        by: &str,
        at_ms: i64,
    ) -> impl Future<Output = Result<UserRecord, StoreError>> + Send;

    /// Every user by name, with their active token ids and live sessions at `now_ms`.
    fn users(
        &self,
        now_ms: i64,
    ) -> impl Future<Output = Result<Vec<UserListing>, StoreError>> + Send;

    /// Gives `user` the new token `(id, secret hash)` and revokes all their others, ending
    /// those tokens' sessions, at once (audited); a given expiry replaces the user's.
    fn rotate_token(
        &self,
        user: &UserRecord,
        new_token: (&str, &str),
        expires_at_ms: Option<i64>,
        by: &str,
        at_ms: i64,
    ) -> impl Future<Output = Result<Rotation, StoreError>> + Send;

    /// Opens a web session; first ends the user's ended sessions and, when `max_per_user` are
    /// live, the oldest. Returns how many live sessions were ended to make room.
    fn open_session(
        &self,
        session: &NewSession,
        max_per_user: u32,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The session whose cookie secret hashes to `secret_hash`, live or not.
    fn session_by_secret_hash(
        &self,
        secret_hash: &str,
    ) -> impl Future<Output = Result<Option<FoundSession>, StoreError>> + Send;

    /// Records a use: the session's idle end moves to `idle_until_ms` (never back).
    fn touch_session(
        &self,
        id: &str,
        at_ms: i64,
        idle_until_ms: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Ends a session by its public id (signing out); false when there was none.
    fn end_session(&self, id: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// An admin ends a session (audited); whose it was, or `None` when there is none.
    fn end_session_by(
        &self,
        id: &str,
        by: &str,
        at_ms: i64,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Every live session at `now_ms`, by user and age.
    fn live_sessions(
        &self,
        now_ms: i64,
    ) -> impl Future<Output = Result<Vec<SessionListing>, StoreError>> + Send;

    /// Deletes the sessions that have ended by `now_ms` (the retention sweep); how many.
    fn expire_sessions(&self, now_ms: i64) -> impl Future<Output = Result<u64, StoreError>> + Send;

    fn user_by_name(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;

    /// Sets or clears (`None`) the web interface language of the user called `name`
    /// (audited); false when there is no such user.
    fn set_user_language(
        &self,
        name: &str,
        language: Option<&str>,
        by: &str,
        at_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn add_token(
        &self,
        token_id: &str,
        user_id: &str,
        secret_hash: &str,
        at_ms: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn token(
        &self,
        token_id: &str,
    ) -> impl Future<Output = Result<Option<TokenRecord>, StoreError>> + Send;

    fn revoke_token(
        &self,
        token_id: &str,
        by: &str,
        at_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records that a user wrote (uploaded) a version: they may never approve it.
    fn add_author(
        &self,
        hash: &ContentHash,
        user_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn version_authors(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Vec<UserRecord>, StoreError>> + Send;

    /// Records a translator's changes to strings of one locale, with the import's audit entry,
    /// in one transaction.
    fn record_translation_strings(
        &self,
        campaign_id: &str,
        locale: &str,
        changes: &[StringChange],
        user_id: &str,
        at_ms: i64,
        audit: crate::audit::NewAuditEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every per-string record of a campaign, with the name of who made it.
    fn translation_strings(
        &self,
        campaign_id: &str,
    ) -> impl Future<Output = Result<Vec<crate::l10n::RecordedString>, StoreError>> + Send;

    /// An approver's decision: the transition (audited) and the decision record.
    fn decide(
        &self,
        hash: &ContentHash,
        user: &UserRecord,
        to: VersionState,
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<VersionRecord, StoreError>> + Send;

    fn decisions(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Vec<Decision>, StoreError>> + Send;

    /// Stores a sealed credential for an account (audited without its value).
    fn set_account_secret(
        &self,
        channel: &str,
        name: &str,
        nonce: &str,
        sealed: &str,
        by: &str,
        at_ms: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes a stored credential (audited); false when none was stored.
    fn delete_account_secret(
        &self,
        channel: &str,
        name: &str,
        by: &str,
        at_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every stored credential as `(channel, name, nonce, sealed)`, for the dispatcher to open.
    fn account_secrets(
        &self,
    ) -> impl Future<Output = Result<Vec<(String, String, String, String)>, StoreError>> + Send;

    fn append_audit(
        &self,
        entry: &crate::audit::NewAuditEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every audit entry in order, and the recorded head `(seq, hash)`.
    fn audit_log(
        &self,
    ) -> impl Future<Output = Result<(Vec<crate::audit::AuditEntry>, (i64, String)), StoreError>> + Send;

    /// Appends `entry` unless the last entry with its action has the same details (both read
    /// and written under the head's lock, so replicas starting together record it once).
    /// Whether it was appended.
    fn append_audit_on_change(
        &self,
        entry: &crate::audit::NewAuditEntry,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The id of the key the audit chain's last entry is keyed with; `None` while it is plain.
    fn audit_chain_key(&self) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// The outbox's backlog now: jobs per status, the earliest due job (of the channels not in
    /// `waiting_channels`), paused buckets, dead letters by code.
    fn outbox_backlog(
        &self,
        now_ms: i64,
        waiting_channels: &[String],
    ) -> impl Future<Output = Result<Backlog, StoreError>> + Send;

    /// `(channel, status, count)` for a version.
    fn job_counts(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Vec<(String, String, i64)>, StoreError>> + Send;

    /// Stores a person's opt-in, or updates their locale and segment if already subscribed.
    /// Returns whether the person is new.
    fn save_subscriber(
        &self,
        subscriber: &NewSubscriber,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Opt-out: deletes the subscriber (their sealed identifier with them) and cancels every
    /// delivery still waiting for them, in one transaction. Returns whether they existed.
    fn erase_subscriber(
        &self,
        channel: &str,
        lookup: &str,
        at_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Applies an opt-in or opt-out once per partner event id, and only if no later consent
    /// event of the same person was applied before it, in one transaction with the subscriber
    /// change; records the event id and the person's latest event time until
    /// `event.keep_until_ms`.
    fn apply_consent_event(
        &self,
        event: &ConsentEvent,
    ) -> impl Future<Output = Result<ConsentOutcome, StoreError>> + Send;

    /// Records that scheduled, running or paused campaigns could reach these (channel,
    /// segment) audiences at `now_ms`; subscribers of the others are erased after a while.
    fn mark_audience_reach(
        &self,
        audiences: &[(String, String)],
        now_ms: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// How many rows of personal data each retention rule would erase now (a dry run).
    fn count_erasable(
        &self,
        cutoffs: RetentionCutoffs,
    ) -> impl Future<Output = Result<ErasedRows, StoreError>> + Send;

    /// Erases the rows of personal data past their retention rules.
    fn erase_expired(
        &self,
        cutoffs: RetentionCutoffs,
        now_ms: i64,
    ) -> impl Future<Output = Result<ErasedRows, StoreError>> + Send;

    /// Removes the consent event ids and the people's marks kept until before `now_ms` (the
    /// retention sweep); returns how many rows went.
    fn expire_consent_records(
        &self,
        now_ms: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The same as [`Store::erase_subscriber`], by subscriber id (a partner said the person
    /// is gone while sending to them).
    fn erase_subscribers(
        &self,
        ids: &[i64],
        at_ms: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// `(id, sealed identifier)` of the subscribers that still exist among `ids`.
    fn subscriber_identities(
        &self,
        ids: &[i64],
    ) -> impl Future<Output = Result<Vec<(i64, String)>, StoreError>> + Send;

    fn subscriber_counts(
        &self,
    ) -> impl Future<Output = Result<Vec<SubscriberCount>, StoreError>> + Send;

    /// Adds one delivery job per subscriber of the broadcast job's channel, segment and
    /// locale with an id above `after_id`, at most `page` of them, due at `run_at_ms`.
    /// Idempotent (keys are the broadcast's key and the subscriber id), so a crash halfway
    /// through only means the page is added again. Returns the last subscriber id of the
    /// page and how many jobs were added, or `None` when no subscriber is left.
    fn expand_broadcast(
        &self,
        job: &LeasedJob,
        after_id: i64,
        page: u32,
        run_at_ms: i64,
    ) -> impl Future<Output = Result<Option<(i64, u64)>, StoreError>> + Send;

    /// Counts status callbacks, each once: duplicates and replays are recognised by their
    /// receipt; callbacks for sends not recorded yet are kept aside for
    /// [`Store::rematch_pending_callbacks`].
    fn ingest_statuses(
        &self,
        statuses: &[StatusReceipt],
        now_ms: i64,
    ) -> impl Future<Output = Result<IngestReport, StoreError>> + Send;

    /// Counts the callbacks kept aside whose sends are now recorded; drops those received
    /// before `expire_before_ms`.
    fn rematch_pending_callbacks(
        &self,
        expire_before_ms: i64,
        now_ms: i64,
    ) -> impl Future<Output = Result<IngestReport, StoreError>> + Send;

    // Platform-reported reach: posts polled for their metrics, and audience estimates.

    /// Registers published posts for polling; a post already registered is skipped. Returns
    /// how many were new.
    fn add_insight_polls(
        &self,
        polls: &[NewInsightPoll],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Leases up to `limit` polls whose window is due and that no other worker holds.
    fn lease_insight_polls(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<InsightPoll>, StoreError>> + Send;

    /// Writes what a batch of polls read, in one transaction: each poll advances (or waits,
    /// or ends) and its observations are upserted, replacing an earlier reading of the same
    /// window rather than adding to it. Polls whose lease moved to another worker are left
    /// alone, observations included. Returns how many polls were written.
    fn record_insight_polls(
        &self,
        owner: &str,
        records: &[PollRecord],
        now_ms: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// A campaign's polls, finished or not, in publishing order.
    fn insight_polls(
        &self,
        campaign_id: &str,
    ) -> impl Future<Output = Result<Vec<InsightPoll>, StoreError>> + Send;

    /// A campaign's observations: every metric of every post for every window read.
    fn insight_observations(
        &self,
        campaign_id: &str,
    ) -> impl Future<Output = Result<Vec<InsightObservation>, StoreError>> + Send;

    /// Keeps an audience estimate unless one exists for its (version, segment, channel):
    /// the estimate at launch is the one penetration is measured against. Returns whether it
    /// was new.
    fn save_audience_estimate(
        &self,
        estimate: &AudienceEstimateRecord,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A campaign's audience estimates, oldest first.
    fn audience_estimates(
        &self,
        campaign_id: &str,
    ) -> impl Future<Output = Result<Vec<AudienceEstimateRecord>, StoreError>> + Send;

    // Staff notifications: events, each user's preferences, and the digests that carry them.

    /// Records an event that has no transaction of its own to ride in (a partner outage seen
    /// by the dispatcher). Submissions, dead letters, unknown outcomes, blocked templates and
    /// the kill switch are recorded by the store methods that make them.
    fn record_staff_event(
        &self,
        event: &NewStaffEvent,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Events after `after` up to `upto` (all when `None`), oldest first, at most `limit`.
    fn staff_events(
        &self,
        after: i64,
        upto: Option<i64>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StaffEvent>, StoreError>> + Send;

    /// Sets a user's own preferences (audited, without the address).
    fn set_notification_preferences(
        &self,
        user: &UserRecord,
        preferences: &NotificationPreferences,
        at_ms: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Everyone who set preferences, or only the user with this id.
    fn notification_recipients(
        &self,
        user_id: Option<&str>,
    ) -> impl Future<Output = Result<Vec<NotificationRecipient>, StoreError>> + Send;

    /// Opens a digest of a user's events after `seen` up to `upto`, moving their mark by
    /// compare-and-set; false when another sender moved it first.
    fn open_digest(
        &self,
        user_id: &str,
        seen: i64,
        upto: i64,
        channel: NotifyChannel,
        at_ms: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Moves a user's mark past events they do not hear of.
    fn skip_staff_events(
        &self,
        user_id: &str,
        seen: i64,
        upto: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Leases up to `limit` digests due at `now_ms` that no other sender holds.
    fn lease_digests(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DigestRecord>, StoreError>> + Send;

    /// Writes what an attempt to send a digest did; false when `owner` lost its lease.
    fn finish_digest(
        &self,
        id: i64,
        owner: &str,
        attempt: &DigestAttempt,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// `(pending, sent)` digests.
    fn digest_counts(&self) -> impl Future<Output = Result<(i64, i64), StoreError>> + Send;

    /// Deletes sent digests and events older than `before_ms` (the retention sweep).
    fn expire_notifications(
        &self,
        before_ms: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}
