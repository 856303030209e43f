//! Jobs already due for a webhook partner, for tests that start real `herald worker`
//! processes on a database: a campaign that sent every minute and ended two days ago (over in
//! every segment's time zone, New York's too, whatever the hour), scheduled, with as many of
//! its past slots in the outbox as the test asks for. The workers find them due at once, and
//! their planners add nothing while the test counts.
//!
//! The version is scheduled only once its jobs are in: a planner completes a scheduled
//! version of an ended campaign that has nothing left to send.

use chrono::Utc;
use herald::campaign::diagnostic::{Diagnostics, SourceFile};
use herald::campaign::parse::parse_campaign;
use herald::campaign::{ContentHash, VersionBundle, VersionState};
use herald::config::Config;
use herald::schedule::planned_jobs;
use herald::store::Store;

use super::lifecycle::approve_version;

/// `herald.toml`: one webhook account at `sandbox`, allowed `per_second` calls a second.
pub fn webhook_config(sandbox: &str, per_second: u32) -> String {
    format!(
        r#"public_url = "https://herald.example.org"

[[accounts]]
name = "sms"
platform = "webhook"
base_url = "{sandbox}"
credentials = {{ secret = "HERALD_SCALE_SECRET" }}
rate = {{ per_second = {per_second} }}
max_in_flight = 32
"#
    )
}

fn campaign_text(title: &str) -> String {
    let today = Utc::now().date_naive();
    format!(
        r#"id = "scale"
title = "{title}"
authority = "Ministry of Examples"
purpose = "Several workers on one database"
legal_basis = "public task"
starts = {}
ends = {}
default_locale = "en"

[[segments]]
id = "a"
kind = "in_eu"
countries = ["NL"]
locales = ["ar", "fr", "en"]
timezone = "Europe/Amsterdam"

[[segments]]
id = "b"
kind = "diaspora"
countries = ["US"]
locales = ["ar", "fr", "en"]
timezone = "America/New_York"

[[messages]]
id = "alert"

[[sends]]
id = "every-minute"
message = "alert"
segments = ["a", "b"]
channels = ["webhook:sms"]
cron = "* * * * *"
"#,
        today - chrono::Duration::days(60),
        // Ended two days ago (UTC dates): over in every segment's time zone, whatever the
        // hour. ("Yesterday" left New York's evening running from midnight to 05:00 UTC.)
        today - chrono::Duration::days(2)
    )
}

/// Saves a version of the campaign, under the accounts of `config` (a [`webhook_config`]),
/// puts `count` of its past slots in the outbox as due jobs (six a minute: two segments ×
/// three locales), and only then schedules it: a running worker's planner that saw it
/// scheduled without jobs would complete it at once, and leave jobs added later unsent.
/// `title` tells versions apart: the same content is the same version.
pub async fn schedule_due_jobs<S: Store>(
    store: &S,
    config: &str,
    title: &str,
    count: usize,
) -> ContentHash {
    let mut diags = Diagnostics::default();
    let parsed = Config::parse(
        &SourceFile::new("herald.toml", config.to_string()),
        &mut diags,
    );
    let text = campaign_text(title);
    let campaign = parse_campaign(
        SourceFile::new("scale.toml", text.clone()),
        Some("scale"),
        &parsed,
        "herald.toml",
        &mut diags,
    )
    .unwrap_or_else(|| panic!("{:?}", diags.into_sorted()));
    let bundle = VersionBundle {
        format: 1,
        campaign_id: "scale".into(),
        campaign: text,
        translations: ["ar", "fr", "en"]
            .iter()
            .map(|l| {
                (
                    l.to_string(),
                    format!("alert = Safe and legal options ({l}).\n"),
                )
            })
            .collect(),
        layouts: Default::default(),
        channels: vec!["webhook:sms".into()],
    };
    let version = approve_version(store, &bundle, Utc::now()).await.hash;
    let mut inserted = 0;
    let mut until = Utc::now() - chrono::Duration::minutes(2);
    while inserted < count {
        let from = until - chrono::Duration::days(1);
        let mut day = planned_jobs(&campaign, &version, from, until);
        day.truncate(count - inserted);
        inserted += store.insert_jobs(&day).await.unwrap() as usize;
        until = from;
    }
    store
        .transition(&version, VersionState::Scheduled, Utc::now(), "tester")
        .await
        .unwrap();
    version
}
