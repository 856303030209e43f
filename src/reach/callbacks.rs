//! Status callbacks (delivered, read, failed) become counters, each exactly once. Webhook
//! handlers hand their callbacks to one ingesting task and wait for its answer, so that a
//! partner hears 200 only once its callbacks are committed; meanwhile the task gathers what
//! every concurrent request brought into one transaction (group commit), which is what lets
//! SQLite take tens of thousands of callbacks a second.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use crate::clock::Clock;
use crate::store::{IngestReport, StatusReceipt, Store, StoreError};

/// Callbacks gathered into one transaction at most.
const MAX_GROUP: usize = 5_000;
/// Requests waiting for the ingesting task at most; more wait for room (back-pressure).
const QUEUE: usize = 1_024;
/// How often callbacks that arrived before their send was recorded are matched again.
const REMATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// How long such a callback waits for its send before it is dropped (the retention window).
const PENDING_FOR: chrono::Duration = chrono::Duration::days(7);

/// Why callbacks were not committed; the partner should send them again.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IngestError {
    /// The group's transaction failed. Shared by every request of the group, hence the `Arc`;
    /// kept whole so a hook can tell a full disk or a restarting database from a bug.
    #[error(transparent)]
    Store(Arc<StoreError>),
    /// The ingesting task is gone (the service is stopping).
    #[error("the callback ingester has stopped")]
    Stopped,
}

struct Pending {
    statuses: Vec<StatusReceipt>,
    done: oneshot::Sender<Result<IngestReport, IngestError>>,
    /// The span of the hook request that brought them (its request id), which the group's
    /// span follows from, so a trace leads from an inbound hook to the commit of its counters.
    requested_in: tracing::Span,
}

/// The handle webhook handlers ingest through. Clones share one ingesting task.
#[derive(Clone)]
pub struct CallbackIngestor {
    queue: mpsc::Sender<Pending>,
}

impl CallbackIngestor {
    /// Starts the ingesting task; it ends when every handle is dropped.
    pub fn start<S: Store>(store: S, clock: Arc<dyn Clock>) -> CallbackIngestor {
        CallbackIngestor::spawn(store, clock).0
    }

    /// Starts the ingesting task and gives its handle, so that whoever owns the handles can
    /// wait for the last callbacks to be committed once it has dropped them.
    pub fn spawn<S: Store>(
        store: S,
        clock: Arc<dyn Clock>,
    ) -> (CallbackIngestor, tokio::task::JoinHandle<()>) {
        let (queue, mut incoming) = mpsc::channel::<Pending>(QUEUE);
        let task = tokio::spawn(async move {
            let mut rematch = tokio::time::interval(REMATCH_EVERY);
            rematch.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let first = tokio::select! {
                    first = incoming.recv() => first,
                    _ = rematch.tick() => {
                        let now = clock.now();
                        match store
                            .rematch_pending_callbacks(
                                (now - PENDING_FOR).timestamp_millis(),
                                now.timestamp_millis(),
                            )
                            .await
                        {
                            Ok(report) => crate::metrics::METRICS.callbacks_rematched(&report),
                            Err(error) => tracing::warn!(%error, "callbacks kept aside could not be matched now"),
                        }
                        continue;
                    }
                };
                let Some(first) = first else { break };
                let mut group = vec![first];
                let mut size = group[0].statuses.len();
                while size < MAX_GROUP {
                    match incoming.try_recv() {
                        Ok(next) => {
                            size += next.statuses.len();
                            group.push(next);
                        }
                        Err(_) => break,
                    }
                }
                let statuses: Vec<StatusReceipt> = group
                    .iter_mut()
                    .flat_map(|p| std::mem::take(&mut p.statuses))
                    .collect();
                let span = tracing::info_span!(
                    "count_callbacks",
                    requests = group.len(),
                    callbacks = statuses.len()
                );
                for pending in &group {
                    span.follows_from(&pending.requested_in);
                }
                let result = store
                    .ingest_statuses(&statuses, clock.now().timestamp_millis())
                    .instrument(span)
                    .await
                    .map_err(|e| IngestError::Store(Arc::new(e)));
                match &result {
                    Ok(report) => crate::metrics::METRICS.callbacks_ingested(report),
                    Err(error) => {
                        tracing::error!(%error, callbacks = statuses.len(), "status callbacks could not be stored; partners will send them again")
                    }
                }
                for pending in group {
                    let _ = pending.done.send(result.clone());
                }
            }
        });
        (CallbackIngestor { queue }, task)
    }

    /// Counts `statuses` (once each) and returns when they are committed.
    pub async fn ingest(&self, statuses: Vec<StatusReceipt>) -> Result<IngestReport, IngestError> {
        if statuses.is_empty() {
            return Ok(IngestReport::default());
        }
        let (done, answer) = oneshot::channel();
        let requested_in = tracing::Span::current();
        self.queue
            .send(Pending {
                statuses,
                done,
                requested_in,
            })
            .await
            .map_err(|_| IngestError::Stopped)?;
        let report = answer.await.map_err(|_| IngestError::Stopped)??;
        // In the hook request's span: which counters this request's callbacks changed.
        tracing::debug!(
            counted = report.counted,
            duplicates = report.duplicates,
            kept_aside = report.pending,
            "status callbacks committed"
        );
        Ok(report)
    }
}

/// The receipt of one callback: the same for a duplicate or replay of it, different for
/// another status of the same message or another recipient of the same broadcast. The
/// recipient enters only as its keyed hash.
pub fn receipt(channel: &str, platform_id: &str, recipient_lookup: &str, status: &str) -> String {
    let mut hash = Sha256::new();
    for part in [channel, platform_id, recipient_lookup, status] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::receipt;

    #[test]
    fn receipts_tell_statuses_and_recipients_apart() {
        let a = receipt("viber:nl", "5001", "aa", "delivered");
        assert_eq!(a, receipt("viber:nl", "5001", "aa", "delivered"));
        assert_ne!(a, receipt("viber:nl", "5001", "aa", "read"));
        assert_ne!(a, receipt("viber:nl", "5001", "ab", "delivered"));
        assert_ne!(a, receipt("viber:nl", "50011", "a", "delivered"));
    }
}
