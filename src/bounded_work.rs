//! Where heavy work on what authors wrote runs: validating an upload, compiling a stored
//! version's translations and layouts, rendering previews. On the async worker threads such
//! work would stall every other request those threads serve (the API, the web interface,
//! partners' hooks, tracking links), and a thread that dies on it takes the process with it.
//! Here it runs on tokio's blocking pool instead; at most [`MAX_CONCURRENT`] jobs at once, so a
//! burst of uploads cannot occupy every core; a caller waits at most [`QUEUE_WAIT`] for a slot
//! and [`TIME_BUDGET`] for the work, then gets an answer it can show (busy, or too slow). Work
//! past its budget finishes on its own in the background and keeps its slot until then, so the
//! limit counts the threads really busy.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::Semaphore;

/// Jobs running at once in the shared instance.
pub const MAX_CONCURRENT: usize = 2;
/// How long a job waits for a free slot before the caller is told to come back later.
pub const QUEUE_WAIT: Duration = Duration::from_secs(5);
/// How long a caller waits for a job's result (less than the API's request timeout, so the
/// caller hears why).
pub const TIME_BUDGET: Duration = Duration::from_secs(20);
/// What a busy answer suggests as `Retry-After`.
pub const RETRY_AFTER: Duration = Duration::from_secs(10);

/// Why a job gave no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkRefused {
    /// Every slot stayed taken for the whole wait; nothing was done.
    Busy,
    /// The job ran past the time budget; its result will be dropped.
    OverBudget(Duration),
    /// The job panicked (a bug, reported in the log); nothing came of it.
    Failed,
}

impl fmt::Display for WorkRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkRefused::Busy => write!(
                f,
                "the server is busy checking other campaigns; try again in {} seconds",
                RETRY_AFTER.as_secs()
            ),
            WorkRefused::OverBudget(budget) => write!(
                f,
                "checking this campaign took longer than {} seconds, so it was given up; make it smaller (fewer messages, locales, sends or shorter texts)",
                budget.as_secs()
            ),
            WorkRefused::Failed => {
                f.write_str("the campaign could not be processed; see the server log")
            }
        }
    }
}

impl std::error::Error for WorkRefused {}

/// A limit on concurrent blocking jobs, with a wait bound and a time budget.
pub struct BoundedWork {
    slots: Arc<Semaphore>,
    queue_wait: Duration,
    budget: Duration,
}

impl BoundedWork {
    pub fn new(concurrency: usize, queue_wait: Duration, budget: Duration) -> BoundedWork {
        BoundedWork {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            queue_wait,
            budget,
        }
    }

    /// The instance every request handler shares (API and web interface alike), so that the
    /// limit holds for the process whichever door the work came through.
    pub fn shared() -> &'static BoundedWork {
        static SHARED: OnceLock<BoundedWork> = OnceLock::new();
        SHARED.get_or_init(|| BoundedWork::new(MAX_CONCURRENT, QUEUE_WAIT, TIME_BUDGET))
    }

    /// Runs `work` on the blocking pool within this instance's limits.
    pub async fn run<T, F>(&self, work: F) -> Result<T, WorkRefused>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = tokio::time::timeout(self.queue_wait, Arc::clone(&self.slots).acquire_owned())
            .await
            .map_err(|_| WorkRefused::Busy)?
            .map_err(|_| WorkRefused::Busy)?;
        let job = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work()
        });
        match tokio::time::timeout(self.budget, job).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                tracing::error!(%error, "a bounded job failed");
                Err(WorkRefused::Failed)
            }
            Err(_) => {
                tracing::warn!(
                    budget_s = self.budget.as_secs(),
                    "a bounded job ran past its time budget; it finishes in the background"
                );
                Err(WorkRefused::OverBudget(self.budget))
            }
        }
    }
}

/// Runs `work` on the blocking pool without a slot or a budget: for the dispatcher, which
/// loads versions that were bounded when they were uploaded, must never be refused (a refusal
/// would dead-letter a job), but must not stall the async threads either.
pub async fn off_the_runtime<T, F>(work: F) -> Result<T, WorkRefused>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        tracing::error!(%error, "a blocking job failed");
        WorkRefused::Failed
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_pool_answers_busy_and_slow_work_over_budget() {
        let work = Arc::new(BoundedWork::new(
            1,
            Duration::from_millis(50),
            Duration::from_millis(200),
        ));
        let (release, held) = mpsc::channel::<()>();
        let finished = Arc::new(AtomicUsize::new(0));
        let slow = {
            let work = Arc::clone(&work);
            let finished = Arc::clone(&finished);
            tokio::spawn(async move {
                work.run(move || {
                    let _ = held.recv();
                    finished.fetch_add(1, Ordering::SeqCst);
                })
                .await
            })
        };
        // The slow job holds the only slot: another one is refused after the wait.
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(work.run(|| 1).await, Err(WorkRefused::Busy));
        assert_eq!(
            slow.await.unwrap(),
            Err(WorkRefused::OverBudget(Duration::from_millis(200)))
        );
        // Past its budget the job still holds its slot, until it finishes on its own.
        assert_eq!(work.run(|| 2).await, Err(WorkRefused::Busy));
        release.send(()).unwrap();
        let mut answer = Err(WorkRefused::Busy);
        for _ in 0..400 {
            answer = work.run(|| 3).await;
            if answer.is_ok() {
                break;
            }
        }
        assert_eq!(answer, Ok(3));
        assert_eq!(finished.load(Ordering::SeqCst), 1);
        // A generous budget: printing a panic's backtrace on a busy machine takes a while.
        let patient = BoundedWork::new(1, Duration::from_secs(60), Duration::from_secs(60));
        assert_eq!(
            patient.run(|| panic!("a bug")).await,
            Err::<(), _>(WorkRefused::Failed)
        );
        assert_eq!(off_the_runtime(|| 4).await, Ok(4));
    }
}
