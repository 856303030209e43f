//! The public posts a worker published in the last day. Facebook and X refuse the same text
//! posted twice within a day, so a job for another segment with the same words on the same
//! page shares the earlier post instead of failing.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::calls::Ready;
use crate::channel::Platform;
use crate::config::Audience;

/// A post's (channel, chat, text).
pub(super) type PostKey = (String, Option<String>, String);

/// A public post published lately: what a job with the same words on the same page shares.
struct RecentPost {
    platform_id: Option<String>,
    at: DateTime<Utc>,
}

/// Posts published in the last day, by (channel, chat, text).
#[derive(Default)]
pub(super) struct RecentPosts(Mutex<HashMap<PostKey, RecentPost>>);

impl RecentPosts {
    /// The partner's id of the same post published less than a day before `now`, if there was
    /// one (the outer `Option`; the partner may not have said its id).
    pub(super) fn earlier(&self, key: &PostKey, now: DateTime<Utc>) -> Option<Option<String>> {
        let recent = self.0.lock().unwrap_or_else(|p| p.into_inner());
        recent
            .get(key)
            .filter(|post| now - post.at < chrono::Duration::hours(24))
            .map(|post| post.platform_id.clone())
    }

    /// Remembers a post published at `at`, forgetting those older than a day.
    pub(super) fn remember(&self, key: PostKey, platform_id: Option<String>, at: DateTime<Utc>) {
        let mut recent = self.0.lock().unwrap_or_else(|p| p.into_inner());
        recent.retain(|_, post| at - post.at < chrono::Duration::hours(24));
        recent.insert(key, RecentPost { platform_id, at });
    }
}

/// Whether a platform refuses the same text posted twice within a day.
pub(super) fn refuses_repeats(platform: Platform) -> bool {
    matches!(platform, Platform::Facebook | Platform::X)
}

/// The key a post is remembered by; `None` for calls on platforms that take repeats, and for
/// calls that are not public posts.
pub(super) fn public_post_key(ready: &Ready) -> Option<PostKey> {
    let account = &ready.route.account;
    if account.audience != Audience::Chats || !refuses_repeats(account.channel.platform) {
        return None;
    }
    let (_, recipient) = ready.jobs.first()?;
    Some((
        account.channel.to_string(),
        recipient.clone(),
        ready.text.text.clone(),
    ))
}
