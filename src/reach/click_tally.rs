//! Click counters kept in memory and written to the database in batches: a click costs a map
//! update, not a database write, so a stream of requests cannot turn into a stream of writes.
//!
//! A background task writes what accumulated every few seconds in one transaction; stopping
//! the server writes what is left. A failed write keeps the counts for the next try. The
//! counters held are bounded: one per (link, day, kind) of versions that passed approval, and
//! at most [`MAX_PENDING_COUNTERS`] of them; a click for a further counter while that many wait
//! (the database has been unreachable for long) is dropped and logged.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use crate::store::{AnyStore, ClickCount, ClickKey, Store, StoreError, record_key};

/// How often accumulated clicks are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(2);

/// Distinct counters waiting to be written at most.
pub const MAX_PENDING_COUNTERS: usize = 50_000;

pub struct ClickTally {
    store: AnyStore,
    pending: Mutex<HashMap<ClickKey, ClickCount>>,
    /// Held for the whole of a write, so the final write at shutdown waits for one in flight.
    writing: tokio::sync::Mutex<()>,
    dropped: AtomicU64,
}

impl ClickTally {
    /// A tally writing to `store`, with its background writer running (it stops once the
    /// tally is dropped).
    pub fn start(store: AnyStore) -> Arc<ClickTally> {
        let tally = Arc::new(ClickTally {
            store,
            pending: Mutex::new(HashMap::new()),
            writing: tokio::sync::Mutex::new(()),
            dropped: AtomicU64::new(0),
        });
        tokio::spawn(write_periodically(Arc::downgrade(&tally)));
        tally
    }

    /// Adds one click to its counter, in memory, with a fresh random record key.
    pub fn add(&self, click: ClickKey) {
        let key = record_key::random();
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let full = pending.len() >= MAX_PENDING_COUNTERS;
        match pending.get_mut(&click) {
            Some(count) => count.add(key),
            None if full => {
                drop(pending);
                let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                if dropped.is_power_of_two() {
                    tracing::error!(
                        dropped,
                        "clicks are not counted: too many counters wait to be written"
                    );
                }
            }
            None => {
                pending.entry(click).or_default().add(key);
            }
        }
    }

    /// Writes every pending count in one transaction. On failure the counts are kept for the
    /// next write (within the bound).
    pub async fn flush(&self) -> Result<(), StoreError> {
        let _writing = self.writing.lock().await;
        let batch: Vec<(ClickKey, ClickCount)> = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::take(&mut *pending).into_iter().collect()
        };
        if batch.is_empty() {
            return Ok(());
        }
        let mut batch = batch;
        // One order for every writer, so concurrent instances never deadlock on the rows.
        batch.sort_by(|a, b| a.0.cmp(&b.0));
        match self.store.add_click_counts(&batch).await {
            Ok(()) => Ok(()),
            Err(error) => {
                let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
                for (click, count) in batch {
                    let full = pending.len() >= MAX_PENDING_COUNTERS;
                    match pending.get_mut(&click) {
                        Some(held) => {
                            held.clicks += count.clicks;
                            held.key_sum += count.key_sum;
                        }
                        None if full => {
                            self.dropped.fetch_add(
                                u64::try_from(count.clicks).unwrap_or(0),
                                Ordering::Relaxed,
                            );
                        }
                        None => {
                            pending.insert(click, count);
                        }
                    }
                }
                Err(error)
            }
        }
    }

    /// Clicks waiting to be written.
    pub fn pending(&self) -> i64 {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .map(|count| count.clicks)
            .sum()
    }
}

/// Writes every [`FLUSH_EVERY`] for as long as the tally exists.
async fn write_periodically(tally: Weak<ClickTally>) {
    let mut ticks = tokio::time::interval(FLUSH_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let Some(tally) = tally.upgrade() else {
            return;
        };
        if let Err(error) = tally.flush().await {
            tracing::error!(%error, pending = tally.pending(), "clicks could not be written; they are kept for the next try");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click(locale: &str) -> ClickKey {
        ClickKey {
            campaign: "demo".into(),
            send: "weekly".into(),
            variant: "a".into(),
            locale: locale.into(),
            channel: "telegram:info".into(),
            day: "2027-01-18".into(),
            kind: "person".into(),
        }
    }

    #[tokio::test]
    async fn a_failed_write_keeps_the_counts_and_the_next_one_writes_them() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("herald.db").display());
        let store = crate::store::SqliteStore::connect(&url).await.unwrap();
        // Not migrated yet: the write fails, as with a database that is down.
        let tally = ClickTally::start(AnyStore::Sqlite(store.clone()));
        tally.add(click("ar"));
        tally.add(click("ar"));
        tally.add(click("en"));
        assert!(tally.flush().await.is_err());
        assert_eq!(tally.pending(), 3);
        store.migrate().await.unwrap();
        tally.add(click("ar"));
        tally.flush().await.unwrap();
        assert_eq!(tally.pending(), 0);
        let mut counts = store.click_counts("demo").await.unwrap();
        counts.sort_by(|a, b| a.0.cmp(&b.0));
        let clicks: Vec<(ClickKey, i64)> =
            counts.iter().map(|(k, n)| (k.clone(), n.clicks)).collect();
        assert_eq!(clicks, vec![(click("ar"), 3), (click("en"), 1)]);
        // Each click brought a record key from 0 to 255, kept beside the count.
        assert!(
            counts
                .iter()
                .all(|(_, n)| (0..=255 * n.clicks).contains(&n.key_sum))
        );
    }
}
