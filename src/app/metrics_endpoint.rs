//! `GET /metrics` on the metrics listener: herald's metrics, with the outbox gauges read from
//! the database first. The read is bounded, since anyone who reaches the listener can ask as
//! often as they like and the database is the one dispatch needs: at most one read at a time,
//! a read at most every [`FRESH_FOR`] (later scrapes get the figures already read), and a read
//! that takes longer than [`READ_BUDGET`] is abandoned and counted as failed.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::sync::Mutex;

use crate::dispatch::Dispatcher;
use crate::metrics::{BacklogFigures, METRICS, OPENMETRICS};
use crate::platforms::TEMPLATE_BLOCKED_CODES;
use crate::store::{AnyStore, Backlog, Store};

/// How long backlog figures serve later scrapes before they are read again.
pub const FRESH_FOR: Duration = Duration::from_secs(10);
/// The longest a scrape waits for the database.
pub const READ_BUDGET: Duration = Duration::from_secs(2);

#[derive(Clone)]
struct Scrape {
    store: AnyStore,
    /// Knows which accounts wait for credentials (as of its last batch).
    dispatcher: Arc<Dispatcher<AnyStore>>,
    /// When the backlog was last read; held while a read is in progress.
    last_read: Arc<Mutex<Option<Instant>>>,
}

pub fn metrics_router(store: AnyStore, dispatcher: Arc<Dispatcher<AnyStore>>) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(Scrape {
            store,
            dispatcher,
            last_read: Arc::new(Mutex::new(None)),
        })
}

async fn scrape(State(scrape): State<Scrape>) -> impl IntoResponse {
    refresh_backlog(&scrape).await;
    ([("content-type", OPENMETRICS)], METRICS.render())
}

/// Reads the backlog unless another scrape is reading it or it was read recently.
async fn refresh_backlog(scrape: &Scrape) {
    let Ok(mut last_read) = scrape.last_read.try_lock() else {
        return;
    };
    if last_read.is_some_and(|at| at.elapsed() < FRESH_FOR) {
        return;
    }
    *last_read = Some(Instant::now());
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let waiting = scrape.dispatcher.waiting_channels();
    let read = scrape.store.outbox_backlog(now_ms, &waiting);
    match tokio::time::timeout(READ_BUDGET, read).await {
        Ok(Ok(backlog)) => METRICS.record_backlog(&figures(&backlog, now_ms, waiting.len())),
        Ok(Err(error)) => {
            tracing::warn!(%error, "metrics: cannot read the outbox backlog");
            METRICS.backlog_read_failed();
        }
        Err(_) => {
            tracing::warn!(
                budget_ms = READ_BUDGET.as_millis() as u64,
                "metrics: reading the outbox backlog took too long"
            );
            METRICS.backlog_read_failed();
        }
    }
}

/// The gauges' figures from the database's backlog at `now_ms`, with `waiting` accounts.
fn figures(backlog: &Backlog, now_ms: i64, waiting: usize) -> BacklogFigures {
    BacklogFigures {
        jobs_by_status: backlog.jobs_by_status.clone(),
        oldest_due_age_seconds: backlog
            .oldest_due_ms
            .map_or(0.0, |due| now_ms.saturating_sub(due).max(0) as f64 / 1000.0),
        paused_buckets: backlog.paused_buckets,
        template_blocked: template_blocked(backlog),
        accounts_waiting: waiting as i64,
    }
}

/// Dead letters of WhatsApp channels refused because their template cannot be used.
fn template_blocked(backlog: &Backlog) -> i64 {
    backlog
        .dead_by_code
        .iter()
        .filter(|(channel, code, _)| {
            channel.starts_with("whatsapp:")
                && code
                    .as_deref()
                    .is_some_and(|code| TEMPLATE_BLOCKED_CODES.contains(&code))
        })
        .map(|(_, _, jobs)| jobs)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whatsapp_template_codes_count_as_blocked_and_age_counts_from_due() {
        let backlog = Backlog {
            jobs_by_status: vec![("queued".into(), 7)],
            oldest_due_ms: Some(1_000),
            paused_buckets: 1,
            dead_by_code: vec![
                ("whatsapp:optin".into(), Some("132015".into()), 3),
                ("whatsapp:optin".into(), Some("131009".into()), 4),
                ("telegram:news".into(), Some("132015".into()), 5),
                ("whatsapp:optin".into(), None, 6),
            ],
        };
        let figures = figures(&backlog, 91_000, 1);
        assert_eq!(figures.accounts_waiting, 1);
        assert_eq!(figures.template_blocked, 3);
        assert_eq!(figures.oldest_due_age_seconds, 90.0);
        assert_eq!(figures.jobs_by_status, vec![("queued".to_string(), 7)]);
    }
}
