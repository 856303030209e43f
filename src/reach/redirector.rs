//! The click redirector, `/r/{token}`: every link in a message points here, one token per
//! (campaign, send, variant, locale, channel). A click is counted on that counter for the day
//! and redirected to the real link. Nothing about the person is kept: no cookie, no address,
//! no user agent. Link-preview fetchers and prefetchers are counted apart from people.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::campaign::VersionState;
use crate::clock::Clock;
use crate::config::Config;
use crate::dispatch::LoadedVersion;
use crate::render::{PreviewFilter, combinations};
use crate::store::{AnyStore, ClickKey, Store};

/// Where a token leads, and what it counts towards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    pub campaign: String,
    pub send: String,
    pub variant: Option<String>,
    pub locale: String,
    pub channel: String,
    pub link: String,
}

/// Tokens of every stored version, rebuilt (at most every few seconds) when an unknown token
/// arrives: tokens are derived, not stored, so the index is a cache of the versions.
#[derive(Default)]
pub struct LinkIndex {
    targets: RwLock<HashMap<String, LinkTarget>>,
    refreshed: Mutex<Option<Instant>>,
}

const REFRESH_AT_MOST_EVERY: Duration = Duration::from_secs(5);

impl LinkIndex {
    fn get(&self, token: &str) -> Option<LinkTarget> {
        self.targets
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(token)
            .cloned()
    }

    async fn refresh(
        &self,
        store: &AnyStore,
        config: &Config,
    ) -> Result<(), crate::store::StoreError> {
        {
            let mut refreshed = self.refreshed.lock().unwrap_or_else(|p| p.into_inner());
            if refreshed.is_some_and(|at| at.elapsed() < REFRESH_AT_MOST_EVERY) {
                return Ok(());
            }
            *refreshed = Some(Instant::now());
        }
        let mut targets = HashMap::new();
        // Oldest first, so a newer version's link wins for the same token.
        for record in store.versions_in_states(&VersionState::ALL).await? {
            let Ok(version) =
                LoadedVersion::from_bundle(record.hash.clone(), &record.bundle, config)
            else {
                continue;
            };
            for combo in combinations(
                &version.campaign,
                &version.catalog,
                &PreviewFilter::default(),
            ) {
                let Some(link) = &combo.message.link else {
                    continue;
                };
                let url = combo.tracking_url(&version.campaign, &config.public_url);
                let Some(token) = url.rsplit('/').next() else {
                    continue;
                };
                targets.insert(
                    token.to_string(),
                    LinkTarget {
                        campaign: version.campaign.id.clone(),
                        send: combo.send.id.clone(),
                        variant: combo.variant.map(str::to_string),
                        locale: combo.locale.to_string(),
                        channel: combo.channel.to_string(),
                        link: link.clone(),
                    },
                );
            }
        }
        *self.targets.write().unwrap_or_else(|p| p.into_inner()) = targets;
        Ok(())
    }
}

#[derive(Clone)]
pub struct ClickState {
    pub store: AnyStore,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub index: Arc<LinkIndex>,
}

/// `GET` and `HEAD /r/{token}`, public: people follow these links without an account.
pub fn redirector_router(state: ClickState) -> Router {
    Router::new()
        .route("/r/{token}", get(follow).head(follow))
        .with_state(state)
}

/// User agents of link-preview fetchers (messaging apps and social sites unfurling a link).
const PREVIEW_AGENTS: &[&str] = &[
    "facebookexternalhit",
    "facebot",
    "telegrambot",
    "whatsapp",
    "twitterbot",
    "slackbot",
    "discordbot",
    "linkedinbot",
    "skypeuripreview",
    "viber",
    "googlebot",
    "bingbot",
    "bot/",
    "crawler",
    "spider",
];

/// `person` or `preview`: HEAD requests, prefetch hints and known preview fetchers are not people.
pub fn click_kind(method: &Method, headers: &HeaderMap) -> &'static str {
    let header_has = |name: &str, needle: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains(needle))
    };
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if method == Method::HEAD
        || header_has("purpose", "prefetch")
        || header_has("sec-purpose", "prefetch")
        || header_has("x-moz", "prefetch")
        || PREVIEW_AGENTS.iter().any(|bot| agent.contains(bot))
    {
        "preview"
    } else {
        "person"
    }
}

async fn follow(
    State(state): State<ClickState>,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    if token.len() != crate::render::TOKEN_LENGTH || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return (StatusCode::NOT_FOUND, "no such link").into_response();
    }
    let mut target = state.index.get(&token);
    if target.is_none() {
        if let Err(error) = state.index.refresh(&state.store, &state.config).await {
            tracing::error!(%error, "the link index could not be rebuilt");
        }
        target = state.index.get(&token);
    }
    let Some(target) = target else {
        return (StatusCode::NOT_FOUND, "no such link").into_response();
    };
    let click = ClickKey {
        campaign: target.campaign.clone(),
        send: target.send.clone(),
        variant: target.variant.clone().unwrap_or_default(),
        locale: target.locale.clone(),
        channel: target.channel.clone(),
        day: state.clock.now().format("%Y-%m-%d").to_string(),
        kind: click_kind(&method, &headers).to_string(),
    };
    // A failed count must not keep a person from the information they asked for.
    if let Err(error) = state.store.count_click(&click).await {
        tracing::error!(%error, "a click could not be counted");
    }
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, target.link),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::REFERRER_POLICY, "no-referrer".to_string()),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_and_prefetches_are_not_people() {
        let mut headers = HeaderMap::new();
        assert_eq!(click_kind(&Method::GET, &headers), "person");
        assert_eq!(click_kind(&Method::HEAD, &headers), "preview");
        headers.insert(
            header::USER_AGENT,
            "TelegramBot (like TwitterBot)".parse().unwrap(),
        );
        assert_eq!(click_kind(&Method::GET, &headers), "preview");
        let mut prefetch = HeaderMap::new();
        prefetch.insert("sec-purpose", "prefetch;prerender".parse().unwrap());
        assert_eq!(click_kind(&Method::GET, &prefetch), "preview");
    }
}
