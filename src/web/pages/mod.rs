//! The pages, one file each, and what several of them need: a campaign's versions, a version
//! loaded for rendering and planning, the next send, and where a form goes back to.

pub mod campaign;
pub mod campaigns;
pub mod dead_letters;
pub mod dispatch;
pub mod login;
pub mod notifications;
pub mod preview;
pub mod report;
pub mod schedule;
pub mod settings;
pub mod subscribers;
pub mod translations;
pub mod unknown_outcomes;
pub mod users;

use axum::response::Redirect;
use chrono::{DateTime, Utc};

use super::WebState;
use super::form::FormFields;
use super::guard::Viewer;
use super::i18n::{Phrase, utc_time};
use super::templates::WebError;
use crate::campaign::VersionState;
use crate::loaded_version::LoadedVersion;
use crate::schedule::{campaign_window, slots};
use crate::store::{Store, VersionRecord};

/// A campaign's versions, oldest first; a 404 page for a campaign that has none.
async fn campaign_versions(
    state: &WebState,
    campaign: &str,
) -> Result<Vec<VersionRecord>, WebError> {
    let versions = state.api.store.versions(campaign).await?;
    if versions.is_empty() {
        return Err(WebError::not_found(Phrase::new("error-no-campaign")));
    }
    Ok(versions)
}

/// A version ready to render and plan, with the server's configuration, and `work` done on
/// it: both run as bounded work, shared with the API (compiling and rendering what an author
/// wrote stays off the async threads).
async fn with_version<T, F>(
    state: &WebState,
    record: &VersionRecord,
    work: F,
) -> Result<T, WebError>
where
    F: FnOnce(LoadedVersion) -> T + Send + 'static,
    T: Send + 'static,
{
    crate::api::with_loaded(&state.api, record, work)
        .await
        .map_err(|error| {
            if error.code != "version_unloadable" {
                return WebError::from(error);
            }
            tracing::warn!(error = %error.message, "a stored version could not be loaded");
            WebError::new(
                axum::http::StatusCode::CONFLICT,
                Phrase::new("error-unloadable"),
            )
        })
}

/// States in which a version will (or may again) send.
const LIVE: &[VersionState] = &[
    VersionState::Scheduled,
    VersionState::Running,
    VersionState::Paused,
];

/// The version the schedule and dispatch pages are about: the newest live one, else the
/// newest approved one.
fn active_version(versions: &[VersionRecord]) -> Option<&VersionRecord> {
    versions
        .iter()
        .rev()
        .find(|v| LIVE.contains(&v.state))
        .or_else(|| {
            versions
                .iter()
                .rev()
                .find(|v| v.state == VersionState::Approved)
        })
}

/// When the campaign sends next: its earliest queued job in the outbox, else the first slot
/// the plan gives from now (for a version approved or scheduled but not yet planned).
async fn next_send(
    state: &WebState,
    versions: &[VersionRecord],
) -> Result<Option<DateTime<Utc>>, WebError> {
    let Some(active) = active_version(versions) else {
        return Ok(None);
    };
    if active.state == VersionState::Paused {
        return Ok(None);
    }
    let now = state.api.clock.now();
    let queued = state
        .api
        .store
        .jobs_for_version(&active.hash)
        .await?
        .into_iter()
        .filter(|j| j.status == "queued")
        .map(|j| j.run_at)
        .min();
    if queued.is_some() {
        return Ok(queued);
    }
    let first_slot = with_version(state, active, move |version| {
        let campaign = &version.campaign;
        let end = campaign
            .segments
            .iter()
            .map(|s| campaign_window(campaign, s).1)
            .max();
        end.filter(|end| *end > now)
            .and_then(|end| slots(campaign, now, end).first().map(|s| s.utc))
    })
    .await;
    Ok(first_slot.ok().flatten())
}

/// A moment as the pages hand it to their templates (RFC 3339, UTC), which show it in the
/// reader's language with `{{when …}}`.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A moment as words in the viewer's language, for a message that has it as a placeable.
fn utc_text(viewer: &Viewer, at: DateTime<Utc>) -> String {
    utc_time(viewer.language, at)
}

/// The message id of a version state's name.
fn state_label(state: VersionState) -> String {
    format!("state-{}", state.name())
}

/// After a form: back to the page it came from (one of the campaign's pages, never an
/// address taken from the form).
fn back(form: &FormFields, campaign: &str) -> Redirect {
    let page = match form.get("back") {
        Some("schedule") => "/schedule",
        Some("dispatch") => "/dispatch",
        _ => "",
    };
    Redirect::to(&format!("/ui/campaigns/{}{page}", path_segment(campaign)))
}

/// A campaign id in a path (ids are letters, digits, `-` and `_`; anything else is dropped).
fn path_segment(campaign: &str) -> String {
    campaign
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The campaign's title as written in its stored campaign file (empty if unreadable).
fn title(record: &VersionRecord) -> String {
    #[derive(serde::Deserialize)]
    struct Head {
        title: Option<String>,
    }
    toml::from_str::<Head>(&record.bundle.campaign)
        .ok()
        .and_then(|h| h.title)
        .unwrap_or_default()
}
