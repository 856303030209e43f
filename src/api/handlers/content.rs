//! Uploading campaign bundles and reading versions: what authors, approvers and schedulers see.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::find_version;
use crate::api::ApiState;
use crate::api::authenticate::Authenticated;
use crate::api::error::ApiError;
use crate::api::error::ErrorBody;
use crate::api::json::ApiJson;
use crate::api::query::ApiQuery;
use crate::api::responses::{
    DiagnosticLine, Me, Preview, Uploaded, VersionDetail, VersionList, VersionSummary,
};
use crate::audit::NewAuditEntry;
use crate::bounded_work::BoundedWork;
use crate::campaign::diagnostic::Diagnostics;
use crate::campaign::{Locale, VersionBundle};
use crate::channel::Platform;
use crate::config::Config;
use crate::l10n::CompletenessMatrix;
use crate::loaded_version::LoadedVersion;
use crate::project::{Target, load_project_with_config};
use crate::render::{PreviewFilter, Renderer, preview_items};
use crate::store::Store;

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me)))]
pub async fn me(Extension(Authenticated(user)): Extension<Authenticated>) -> impl IntoResponse {
    axum::Json(Me {
        name: user.name,
        roles: user.roles,
    })
}

/// A campaign bundle as uploaded: the campaign file, its Fluent files by locale and any layout
/// overrides by platform.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// The campaign file (TOML).
    pub campaign: String,
    /// Fluent files by locale tag.
    #[serde(default)]
    pub translations: BTreeMap<String, String>,
    /// Handlebars layouts by platform.
    #[serde(default)]
    pub layouts: BTreeMap<String, String>,
}

impl Bundle {
    /// The campaign's id, once the bundle's names are safe to use as file names: the id is a
    /// simple name, every translation key a locale tag and every layout key a platform. The
    /// upload handler calls this before writing anything; the fuzz tests call it on arbitrary
    /// bodies, so it must refuse (never panic on) whatever a client sends.
    pub fn checked_id(&self) -> Result<String, ApiError> {
        let id = campaign_id(&self.campaign)?;
        for tag in self.translations.keys() {
            Locale::parse(tag).map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_locale",
                    e.to_string(),
                )
            })?;
        }
        for name in self.layouts.keys() {
            if Platform::from_name(name).is_none() {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_platform",
                    format!("no platform `{name}` for a layout"),
                ));
            }
        }
        Ok(id)
    }
}

/// Checks a bundle exactly as `herald validate` does, and stores it as a draft version
/// authored by the caller. Invalid bundles get the same diagnostics, with 422. The checking
/// runs as bounded work (off the async threads, a few at a time, within a time budget): it
/// compiles and renders whatever the author wrote.
#[utoipa::path(post, path = "/api/v1/campaigns", request_body = Bundle, responses(
    (status = 201, body = Uploaded),
    (status = 400, body = ErrorBody),
    (status = 409, body = ErrorBody),
    (status = 415, body = ErrorBody),
    (status = 422, description = "Invalid bundle, with the validator's diagnostics", body = ErrorBody),
))]
pub async fn upload(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiJson(bundle): ApiJson<Bundle>,
) -> Result<impl IntoResponse, ApiError> {
    let config = Arc::clone(&state.config);
    let checked = BoundedWork::shared()
        .run(move || check_upload(&bundle, &config))
        .await??;
    let now = state.clock.now();
    let record = state.store.save_version(&checked.bundle, now).await?;
    state.store.add_author(&record.hash, &user.id).await?;
    state
        .store
        .append_audit(&NewAuditEntry {
            at_ms: now.timestamp_millis(),
            actor: user.name.clone(),
            action: "version.uploaded".into(),
            subject: record.campaign_id.clone(),
            version: Some(record.hash.to_string()),
            details: json!({}),
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Uploaded {
            version: record.hash,
            campaign: record.campaign_id,
            state: record.state,
            diagnostics: checked.diagnostics,
            completeness: checked.completeness,
        }),
    ))
}

/// A valid upload, ready to store.
pub(crate) struct CheckedUpload {
    pub(crate) bundle: VersionBundle,
    pub(crate) diagnostics: Vec<DiagnosticLine>,
    pub(crate) completeness: CompletenessMatrix,
}

/// Lays the bundle out as a project in a private folder and runs the one validator on it.
fn check_upload(bundle: &Bundle, config: &Config) -> Result<CheckedUpload, ApiError> {
    let (checked, diagnostics) = check_bundle(bundle, config)?;
    checked.ok_or_else(|| invalid_campaign(diagnostics))
}

/// The 422 answer for a bundle with errors, with every diagnostic.
pub(crate) fn invalid_campaign(diagnostics: Vec<DiagnosticLine>) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_campaign",
        "the campaign has errors",
    )
    .with_details(json!({"diagnostics": diagnostics}))
}

/// Runs the validator on a bundle: the checked upload when it has no errors, and every
/// diagnostic either way (paths relative to the bundle).
pub(crate) fn check_bundle(
    bundle: &Bundle,
    config: &Config,
) -> Result<(Option<CheckedUpload>, Vec<DiagnosticLine>), ApiError> {
    let id = bundle.checked_id()?;
    let dir = tempfile_dir()?;
    let root = dir.path();
    let write = |relative: String, text: &str| -> Result<(), ApiError> {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(internal)?;
        }
        std::fs::write(path, text).map_err(internal)
    };
    write(format!("campaigns/{id}.toml"), &bundle.campaign)?;
    for (locale, text) in &bundle.translations {
        write(format!("locales/{locale}/{id}.ftl"), text)?;
    }
    for (platform, text) in &bundle.layouts {
        write(format!("campaigns/layouts/{platform}.hbs"), text)?;
    }
    let (project, diags) = load_project_with_config(
        &Target::Folder(root.to_path_buf()),
        config.clone(),
        "the server's configuration",
    );
    let has_errors = diags.has_errors();
    let diagnostics: Vec<DiagnosticLine> = diags
        .into_sorted()
        .into_iter()
        .map(|d| DiagnosticLine {
            path: d
                .path
                .strip_prefix(root)
                .unwrap_or(&d.path)
                .display()
                .to_string(),
            line: d.line,
            column: d.column,
            severity: d.severity,
            message: d.message,
        })
        .collect();
    if has_errors {
        return Ok((None, diagnostics));
    }
    let loaded = project
        .campaigns
        .first()
        .ok_or_else(|| ApiError::bad_request("the bundle holds no campaign"))?;
    let checked = CheckedUpload {
        bundle: VersionBundle::from_loaded(&project, loaded),
        diagnostics: diagnostics.clone(),
        completeness: loaded.completeness.clone(),
    };
    Ok((Some(checked), diagnostics))
}

fn tempfile_dir() -> Result<tempfile::TempDir, ApiError> {
    tempfile::tempdir().map_err(internal)
}

fn internal(error: impl std::fmt::Display) -> ApiError {
    tracing::error!(%error, "upload could not be staged");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the upload could not be staged; see the server log",
    )
}

/// The campaign's `id`, needed to name its files.
fn campaign_id(text: &str) -> Result<String, ApiError> {
    let invalid = |message: String| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_campaign",
            message,
        )
    };
    let table = toml::de::DeTable::parse(text)
        .map_err(|e| invalid(format!("campaign: invalid TOML: {}", e.message())))?;
    let id = table
        .get_ref()
        .get("id")
        .and_then(|v| v.get_ref().as_str())
        .ok_or_else(|| invalid("campaign: missing field `id`".into()))?;
    if id.len() > crate::campaign::parse::MAX_CAMPAIGN_ID {
        return Err(invalid(format!(
            "a campaign id may be at most {} characters long",
            crate::campaign::parse::MAX_CAMPAIGN_ID
        )));
    }
    if !crate::platforms::is_simple_name(id) {
        return Err(invalid(format!(
            "campaign id `{id}` may use only letters, digits, `-` and `_`"
        )));
    }
    Ok(id.to_string())
}

#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/versions",
    params(("campaign" = String, Path, description = "The campaign's id")),
    responses((status = 200, body = VersionList)))]
pub async fn versions(
    State(state): State<ApiState>,
    Path(campaign): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let versions = state.store.versions(&campaign).await?;
    let versions = versions
        .into_iter()
        .map(|v| VersionSummary {
            version: v.hash,
            state: v.state,
            created_at: v.created_at,
            updated_at: v.updated_at,
        })
        .collect();
    Ok(axum::Json(VersionList { campaign, versions }))
}

#[utoipa::path(get, path = "/api/v1/versions/{hash}", params(VersionPath),
    responses((status = 200, body = VersionDetail), (status = 404, body = ErrorBody)))]
pub async fn version(
    State(state): State<ApiState>,
    Path(hash): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let record = find_version(&state, &hash).await?;
    let authors: Vec<String> = state
        .store
        .version_authors(&record.hash)
        .await?
        .into_iter()
        .map(|u| u.name)
        .collect();
    let decisions = state.store.decisions(&record.hash).await?;
    Ok(axum::Json(VersionDetail {
        bundle: record.bundle,
        version: record.hash,
        campaign: record.campaign_id,
        state: record.state,
        authors,
        decisions,
        created_at: record.created_at,
        updated_at: record.updated_at,
    }))
}

/// Loads a stored version and works on it as bounded work: compiling its translations and
/// layouts and rendering them is as heavy as checking an upload.
pub(crate) async fn with_loaded<T, F>(
    state: &ApiState,
    record: &crate::store::VersionRecord,
    work: F,
) -> Result<T, ApiError>
where
    F: FnOnce(LoadedVersion) -> T + Send + 'static,
    T: Send + 'static,
{
    let (hash, bundle) = (record.hash.clone(), record.bundle.clone());
    let config = Arc::clone(&state.config);
    BoundedWork::shared()
        .run(move || LoadedVersion::from_bundle(hash, &bundle, &config).map(work))
        .await?
        .map_err(|e| ApiError::new(StatusCode::CONFLICT, "version_unloadable", e.to_string()))
}

#[utoipa::path(get, path = "/api/v1/versions/{hash}/completeness", params(VersionPath),
    responses((status = 200, body = CompletenessMatrix), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn completeness(
    State(state): State<ApiState>,
    Path(hash): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let record = find_version(&state, &hash).await?;
    let mut matrix = with_loaded(&state, &record, |version| {
        let mut diags = Diagnostics::default();
        CompletenessMatrix::build(
            &version.campaign,
            &version.catalog,
            std::path::Path::new(""),
            &mut diags,
        )
    })
    .await?;
    let records = state.store.translation_strings(&record.campaign_id).await?;
    crate::translation::annotate_matrix(&mut matrix, &record.bundle.translations, &records);
    Ok(axum::Json(matrix))
}

/// A version named by its content hash.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // Read by the OpenAPI document only; handlers take the path as text.
pub struct VersionPath {
    /// The version's content hash (64 lower-case hex characters).
    hash: String,
}

/// Which texts to preview; each narrows the selection.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PreviewQuery {
    segment: Option<String>,
    locale: Option<String>,
    channel: Option<String>,
    variant: Option<String>,
    send: Option<String>,
}

/// Every text the version sends (or the selection), exactly as recipients will get it.
#[utoipa::path(get, path = "/api/v1/versions/{hash}/preview", params(VersionPath, PreviewQuery),
    responses((status = 200, body = Preview), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn preview(
    State(state): State<ApiState>,
    Path(hash): Path<String>,
    ApiQuery(query): ApiQuery<PreviewQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let record = find_version(&state, &hash).await?;
    let filter = PreviewFilter {
        send: query.send,
        segment: query.segment,
        locale: query.locale,
        channel: query.channel,
        variant: query.variant,
    };
    let public_url = state.config.public_url.clone();
    let hash = record.hash.clone();
    let items = with_loaded(&state, &record, move |version| {
        let mut renderer = Renderer::new(&version.layouts);
        preview_items(
            &hash,
            &version.campaign,
            &version.catalog,
            &public_url,
            &mut renderer,
            &filter,
        )
    })
    .await?;
    Ok(axum::Json(Preview {
        version: record.hash,
        items,
    }))
}
