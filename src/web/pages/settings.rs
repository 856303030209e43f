//! `/ui/settings`: each signed-in user's own settings — for now the language herald's pages are
//! shown in, or "as my browser asks". Saved with the user (audited), so it follows them to any
//! browser; only languages the interface has are accepted.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use crate::store::Store;
use crate::web::WebState;
use crate::web::form::FormFields;
use crate::web::guard::Viewer;
use crate::web::i18n::{Phrase, Place, UiLanguage};
use crate::web::templates::{WebError, page};

/// `?saved=1` after a change, to confirm it.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Shown {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(viewer: Viewer, Query(shown): Query<Shown>) -> Response {
    let languages: Vec<_> = UiLanguage::all()
        .map(|language| {
            json!({
                "tag": language.tag(),
                "dir": language.direction(),
                // Each language named in itself, so a reader finds theirs whatever the page's.
                "name": Phrase::new("language-name").render(language, Place::Attribute),
                "selected": viewer.chose_language && language == viewer.language,
            })
        })
        .collect();
    page(
        StatusCode::OK,
        &Phrase::new("title-settings"),
        Some(&viewer),
        "settings",
        &json!({
            "csrf": viewer.csrf,
            "languages": languages,
            "chosen": viewer.chose_language,
            "saved": shown.saved.is_some(),
        }),
    )
}

/// Stores the chosen language (`browser`: none, follow `Accept-Language`).
pub async fn save(
    State(state): State<WebState>,
    viewer: Viewer,
    form: FormFields,
) -> Result<Response, WebError> {
    let oops = |e: WebError| e.for_viewer(&viewer);
    let language = match form.get("language").unwrap_or("browser") {
        "browser" => None,
        tag => Some(
            UiLanguage::from_tag(tag)
                .ok_or_else(|| {
                    oops(WebError::new(
                        StatusCode::BAD_REQUEST,
                        Phrase::new("error-unknown-language"),
                    ))
                })?
                .tag(),
        ),
    };
    let name = &viewer.user.name;
    let now = state.api.clock.now().timestamp_millis();
    state
        .api
        .store
        .set_user_language(name, language, name, now)
        .await
        .map_err(|e| oops(e.into()))?;
    Ok(Redirect::to("/ui/settings?saved=1").into_response())
}
