//! What a partner's answer means for each job of a call: sent, retried with backoff (or dead
//! after the last attempt), requeued without using an attempt while an account is throttled
//! or unreachable (pausing the account for every worker), dead, or unknown. Also remembers the
//! public posts other segments may share, and the subscribers a partner said are gone.

use super::Dispatcher;
use super::backoff::retry_delay;
use super::batch_outcomes::BatchOutcomes;
use super::calls::Ready;
use super::pacing::account_bucket;
use super::publish::Called;
use super::recent_posts::public_post_key;
use crate::platforms::{CONNECT_FAILED, PublishResult};
use crate::store::{JobOutcome, LeasedJob, Store};

impl<S: Store> Dispatcher<S> {
    /// Takes the results of a published chunk into `outcomes`.
    pub(super) async fn take_results(
        &self,
        results: Vec<(Ready, Called)>,
        outcomes: &mut BatchOutcomes,
    ) {
        for (ready, called) in results {
            let results = match called {
                Called::Answered(results) => results,
                Called::HeldBack { until_ms } => {
                    hold_back(&ready, until_ms, outcomes);
                    continue;
                }
            };
            if let (Some(key), Some(PublishResult::Published { platform_id })) =
                (public_post_key(&ready), results.first())
            {
                self.recent_posts
                    .remember(key, platform_id.clone(), self.clock.now());
            }
            let mut paused = false;
            for ((job, _), result) in ready.jobs.iter().zip(results) {
                if matches!(result, PublishResult::RecipientGone { .. }) {
                    if let Some(subscriber) = job.subscriber_id {
                        outcomes.gone.push(subscriber);
                    }
                }
                let (outcome, pause_until) = self.outcome_for(job, &ready, result, outcomes);
                if let (Some(until), false) = (pause_until, paused) {
                    paused = true;
                    // The jobs are requeued to `until` anyway; the shared pause only spares
                    // the partner other workers' calls meanwhile.
                    if let Err(error) = self
                        .store
                        .pause_bucket(&account_bucket(&job.channel), until)
                        .await
                    {
                        tracing::warn!(%error, channel = %job.channel, "cannot share the account's pause with other workers");
                    }
                }
                outcomes.add(job.id, outcome);
            }
        }
    }

    /// The outcome to record for one job, and how long to pause the account if the partner
    /// throttled.
    fn outcome_for(
        &self,
        job: &LeasedJob,
        ready: &Ready,
        result: PublishResult,
        outcomes: &mut BatchOutcomes,
    ) -> (JobOutcome, Option<i64>) {
        let now_ms = self.clock.now().timestamp_millis();
        if !matches!(result, PublishResult::Transient { .. }) {
            ready.route.reached(self.clock.now());
        }
        match result {
            PublishResult::Published { platform_id } => (
                JobOutcome::Sent {
                    platform_id,
                    variant: ready.text.variant.clone(),
                },
                None,
            ),
            PublishResult::Throttled { wait, text } => {
                let until = now_ms + wait.as_millis() as i64;
                (
                    JobOutcome::Requeue {
                        run_at_ms: until,
                        counts_as_attempt: false,
                        error: Some(format!("throttled: {text}")),
                    },
                    Some(until),
                )
            }
            PublishResult::RecipientThrottled { wait, text } => (
                JobOutcome::Requeue {
                    run_at_ms: now_ms + wait.as_millis() as i64,
                    counts_as_attempt: false,
                    error: Some(format!("recipient throttled: {text}")),
                },
                None,
            ),
            PublishResult::RecipientGone { code, text } => (JobOutcome::Dead { code, text }, None),
            PublishResult::Transient { code, text } if code == CONNECT_FAILED => {
                let (pause, began) = ready
                    .route
                    .outage_pause(self.clock.now(), self.settings.retry_base);
                if began {
                    outcomes
                        .outages
                        .push(ready.route.account.channel.to_string());
                }
                let until = now_ms + pause.as_millis() as i64;
                (
                    JobOutcome::Requeue {
                        run_at_ms: until,
                        counts_as_attempt: false,
                        error: Some(format!("partner unreachable: {text}")),
                    },
                    Some(until),
                )
            }
            PublishResult::Transient { code, text } => {
                ready.route.reached(self.clock.now());
                (self.retry(job, code, text, now_ms), None)
            }
            PublishResult::Permanent { code, text } => (JobOutcome::Dead { code, text }, None),
            PublishResult::Unknown { error } if ready.route.adapter.resend_is_safe() => (
                as_resend(self.retry(job, "unknown".into(), error, now_ms)),
                None,
            ),
            PublishResult::Unknown { error } => (JobOutcome::Unknown { error }, None),
        }
    }

    /// Another attempt later, with backoff; dead letters after the last attempt.
    fn retry(&self, job: &LeasedJob, code: String, text: String, now_ms: i64) -> JobOutcome {
        let attempt = job.attempts + 1;
        if attempt >= self.settings.max_attempts {
            return JobOutcome::Dead {
                code,
                text: format!("gave up after {attempt} attempts: {text}"),
            };
        }
        let delay = retry_delay(
            attempt as u32,
            self.settings.retry_base,
            self.settings.retry_max,
            &job.idempotency_key,
        );
        JobOutcome::Requeue {
            run_at_ms: now_ms + delay.as_millis() as i64,
            counts_as_attempt: true,
            error: Some(format!("{code}: {text}")),
        }
    }
}

/// A retry after an unknown outcome: the job keeps the mark that it may arrive twice.
fn as_resend(retry: JobOutcome) -> JobOutcome {
    match retry {
        JobOutcome::Requeue {
            run_at_ms, error, ..
        } => JobOutcome::Resend {
            run_at_ms,
            error: error.unwrap_or_default(),
        },
        other => other,
    }
}

/// Requeues a call's jobs for when the partner's throttle ends, without using an attempt: the
/// call was booked before the partner said to wait, and was not made.
pub(super) fn hold_back(ready: &Ready, until_ms: i64, outcomes: &mut BatchOutcomes) {
    let until = chrono::DateTime::from_timestamp_millis(until_ms)
        .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| until_ms.to_string());
    for (job, _) in &ready.jobs {
        outcomes.add(
            job.id,
            JobOutcome::Requeue {
                run_at_ms: until_ms,
                counts_as_attempt: false,
                error: Some(format!(
                    "held back: the partner throttled or could not be reached until {until}"
                )),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_after_an_unknown_outcome_keeps_the_repeat_mark() {
        let retry = JobOutcome::Requeue {
            run_at_ms: 7,
            counts_as_attempt: true,
            error: Some("unknown: timed out".into()),
        };
        assert_eq!(
            as_resend(retry),
            JobOutcome::Resend {
                run_at_ms: 7,
                error: "unknown: timed out".into()
            }
        );
        let dead = JobOutcome::Dead {
            code: "unknown".into(),
            text: "gave up".into(),
        };
        assert_eq!(as_resend(dead.clone()), dead);
    }
}
