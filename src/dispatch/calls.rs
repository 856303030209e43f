//! Forming the calls to a partner from addressed jobs: one call per job, one per text and up
//! to the batch size where the platform takes many recipients at once (Viber), and one public
//! post shared by the segments that would post the same words to the same page at once.

use std::collections::HashMap;
use std::sync::Arc;

use super::Dispatcher;
use super::addressing::Addressed;
use super::batch_outcomes::BatchOutcomes;
use super::recent_posts::refuses_repeats;
use super::route::Route;
use crate::campaign::PreparedText;
use crate::channel::Platform;
use crate::config::Audience;
use crate::store::{JobOutcome, LeasedJob, Store};

/// One call to a partner: one job, or several sharing a text (a Viber broadcast, or a public
/// post reaching several segments).
pub(super) struct Unit {
    pub(super) jobs: Vec<(LeasedJob, Option<String>)>,
    /// The per-recipient rate bucket of a call to one recipient.
    pub(super) bucket: Option<String>,
    pub(super) text: Arc<PreparedText>,
}

/// A call with its paced time.
pub(super) struct Ready {
    pub(super) jobs: Vec<(LeasedJob, Option<String>)>,
    pub(super) send_at_ms: i64,
    pub(super) text: Arc<PreparedText>,
    pub(super) route: Arc<Route>,
    /// The recipient's key in per-recipient pacing, for a call to one recipient.
    pub(super) recipient: Option<String>,
}

impl Ready {
    pub(super) fn job_ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.jobs.iter().map(|(job, _)| job.id)
    }
}

/// The calls of one account being formed.
struct Calls {
    units: Vec<Unit>,
    max_batch: usize,
    /// Public posts by (text, chat, slot): the unit that segments with the same words share.
    posts: HashMap<(String, Option<String>, i64), usize>,
    /// Batched calls still taking recipients, by their text (its address).
    open_batches: HashMap<usize, usize>,
}

impl Calls {
    fn push(&mut self, addressed: Addressed, text: Arc<PreparedText>) {
        self.units.push(Unit {
            jobs: vec![(addressed.job, addressed.recipient)],
            bucket: if self.max_batch > 1 {
                None
            } else {
                addressed.bucket
            },
            text,
        });
    }

    /// A message to one recipient: its own call, or a place in an open batch with its text.
    fn add_message(&mut self, addressed: Addressed, text: Arc<PreparedText>) {
        if self.max_batch > 1 {
            let key = Arc::as_ptr(&text) as usize;
            if let Some(&index) = self.open_batches.get(&key) {
                let unit = &mut self.units[index];
                unit.jobs.push((addressed.job, addressed.recipient));
                if unit.jobs.len() >= self.max_batch {
                    self.open_batches.remove(&key);
                }
                return;
            }
            self.open_batches.insert(key, self.units.len());
        }
        self.push(addressed, text);
    }
}

impl<S: Store> Dispatcher<S> {
    /// Renders each job's text, then forms the calls: one per job, or, where the platform
    /// takes many recipients at once, one per text and up to its batch size.
    pub(super) async fn group_into_calls(
        &self,
        route: &Arc<Route>,
        jobs: Vec<Addressed>,
        outcomes: &mut BatchOutcomes,
    ) -> Vec<Unit> {
        let mut calls = Calls {
            units: Vec::with_capacity(jobs.len()),
            max_batch: route.adapter.max_batch().max(1),
            posts: HashMap::new(),
            open_batches: HashMap::new(),
        };
        // Public posts: segments that share a chat or page and a slot share one post, instead
        // of the page showing the same text twice (partners refuse such duplicates anyway). A
        // webhook partner gets every job, with its segment, to route as it needs.
        let public_posts = route.account.audience == Audience::Chats
            && route.account.channel.platform != Platform::Webhook;
        for addressed in jobs {
            let text = match self.prepare(&addressed.job).await {
                Ok(text) => text,
                Err(reason) => {
                    outcomes.dead(addressed.job.id, "render", reason.to_string());
                    continue;
                }
            };
            if public_posts {
                self.add_post(route, &mut calls, addressed, text, outcomes);
            } else {
                calls.add_message(addressed, text);
            }
        }
        calls.units
    }

    /// A public post: joins the call of the same words to the same chat in the same slot, or
    /// shares the post this worker published within the day where the partner refuses
    /// repeats, or makes its own call.
    fn add_post(
        &self,
        route: &Route,
        calls: &mut Calls,
        addressed: Addressed,
        text: Arc<PreparedText>,
        outcomes: &mut BatchOutcomes,
    ) {
        let key = (
            text.text.clone(),
            addressed.recipient.clone(),
            addressed.job.slot.timestamp(),
        );
        if let Some(&index) = calls.posts.get(&key) {
            calls.units[index]
                .jobs
                .push((addressed.job, addressed.recipient));
            return;
        }
        let channel = &route.account.channel;
        let earlier = refuses_repeats(channel.platform)
            .then(|| {
                let post = (channel.to_string(), key.1.clone(), key.0.clone());
                self.recent_posts.earlier(&post, self.clock.now())
            })
            .flatten();
        if let Some(platform_id) = earlier {
            outcomes.add(
                addressed.job.id,
                JobOutcome::Sent {
                    platform_id,
                    variant: text.variant.clone(),
                },
            );
            return;
        }
        calls.posts.insert(key, calls.units.len());
        calls.push(addressed, text);
    }
}
