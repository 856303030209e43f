//! The PostgreSQL server settings herald relies on, checked once when a process connects.
//!
//! The outbox is a queue: every job is updated three or four times on its way out, and each
//! update leaves a dead row version behind, with entries in the indexes leasing walks. Only
//! VACUUM removes them. With autovacuum off they pile up, and each lease scans past every job
//! sent so far: measured here, 1,000,000 jobs went out at 1,487 a second with autovacuum off
//! and 3,148 with it on. herald does not change server settings; it says so in its log.

use sqlx::AnyPool;

/// Warns when the server's autovacuum is off (see the module's documentation). A server that
/// cannot be asked is left alone: the question is advice, not a condition of starting.
pub(super) async fn warn_if_autovacuum_is_off(pool: &AnyPool) {
    let setting: Result<(String,), sqlx::Error> =
        sqlx::query_as("SELECT setting FROM pg_settings WHERE name = 'autovacuum'")
            .fetch_one(pool)
            .await;
    if let Ok((value,)) = setting
        && value == "off"
    {
        tracing::warn!(
            "PostgreSQL's autovacuum is off: dead rows of sent jobs will pile up in the outbox and dispatch will slow down as they do; turn it on (see docs/OPERATIONS.md)"
        );
    }
}
