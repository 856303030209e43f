//! The click redirector, `/r/{token}`: every link in a message points here, one token per
//! (version, campaign, send, variant, locale, channel). A click is counted on that counter for
//! the day and redirected to the link of the approved version that sent it. Nothing about the
//! person is kept: no cookie, no user agent, and their address only as a keyed hash for an
//! hour (so that one client repeating a click counts once). Link-preview fetchers and
//! prefetchers are counted apart from people.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::click_tally::ClickTally;
use super::link_index::LinkIndex;
use super::repeat_clicks::RepeatClicks;
use crate::clock::Clock;
use crate::config::Config;
use crate::store::{AnyStore, ClickKey};

#[derive(Clone)]
pub struct ClickState {
    pub store: AnyStore,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub index: Arc<LinkIndex>,
    pub repeats: Arc<RepeatClicks>,
    /// Where counted clicks wait to be written; whoever mounts the redirector flushes it once
    /// more when the server stops.
    pub tally: Arc<ClickTally>,
}

impl ClickState {
    /// A fresh index and repeat memory, and a tally writing to `store` (needs a Tokio runtime:
    /// its writer runs in the background).
    pub fn new(store: AnyStore, config: Arc<Config>, clock: Arc<dyn Clock>) -> ClickState {
        ClickState {
            tally: ClickTally::start(store.clone()),
            store,
            config,
            clock,
            index: Arc::new(LinkIndex::default()),
            repeats: Arc::new(RepeatClicks::default()),
        }
    }
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
    request: Request,
) -> Response {
    if token.len() != crate::render::TOKEN_LENGTH || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return (StatusCode::NOT_FOUND, "no such link").into_response();
    }
    let Some(target) = state
        .index
        .resolve(&token, &state.store, &state.config)
        .await
    else {
        return (StatusCode::NOT_FOUND, "no such link").into_response();
    };
    let headers = request.headers();
    // Without the connection's address (a server started without it) every click is one
    // client's: counts err low, never high.
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let client = state.config.trusted_proxies.client_ip(peer, headers);
    let kind = click_kind(request.method(), headers);
    if state.repeats.first_in_window(client, &token, kind) {
        state.tally.add(ClickKey {
            campaign: target.campaign.clone(),
            send: target.send.clone(),
            variant: target.variant.clone().unwrap_or_default(),
            locale: target.locale.clone(),
            channel: target.channel.clone(),
            day: state.clock.now().format("%Y-%m-%d").to_string(),
            kind: kind.to_string(),
        });
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
