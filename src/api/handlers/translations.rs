//! Translators' routes: one locale's strings exported with the default locale as source (XLIFF
//! 2.0 or Fluent files), and a translator's file imported back as a new draft version. The
//! import takes the base version's campaign file and layouts unchanged and replaces only the
//! locale's Fluent file, so a translator can change words and nothing else; the default
//! locale is the source and is refused. The new version needs an author's submission and
//! another person's approval like every version, and until then nothing it says is sent.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::content::{Bundle, check_bundle, invalid_campaign, with_loaded};
use super::find_version;
use crate::api::ApiState;
use crate::api::authenticate::Authenticated;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::query::ApiQuery;
use crate::api::responses::{DiagnosticLine, TranslationImported};
use crate::audit::NewAuditEntry;
use crate::bounded_work::BoundedWork;
use crate::campaign::{Locale, VersionBundle, VersionState};
use crate::config::Config;
use crate::l10n::{CompletenessMatrix, RecordedString, StringStatus, is_marked_draft};
use crate::source::diagnostic::Diagnostic;
use crate::store::{Store, StringChange, UserRecord, VersionRecord};
use crate::translation::{
    ExchangeFormat, FluentExport, ImportRequest, ImportedTranslation, LocaleStrings, Selection,
    check_import, string_state, text_digest, to_fluent, to_xliff,
};

/// A version and one of its locales.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // Read by the OpenAPI document only; handlers take the path as text.
pub struct TranslationPath {
    /// The version's content hash (64 lower-case hex characters).
    hash: String,
    /// A locale the campaign sends in, other than its default locale.
    locale: String,
}

/// How to export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `xliff` (the default) or `fluent`.
    format: Option<String>,
    /// `missing`: only the strings the locale lacks (XLIFF only; a Fluent export always holds
    /// the whole file, with the missing strings commented out at its end).
    only: Option<String>,
}

/// How to read an import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `xliff` (the default) or `fluent`.
    format: Option<String>,
}

fn format_of(name: Option<&str>) -> Result<ExchangeFormat, ApiError> {
    ExchangeFormat::from_name(name.unwrap_or("xliff")).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_format",
            "format must be `xliff` or `fluent`",
        )
    })
}

/// The campaign's default locale and the locale named, once it is one the campaign sends in.
async fn locales_of(
    state: &ApiState,
    record: &VersionRecord,
    locale: &str,
) -> Result<(Locale, Locale), ApiError> {
    let target = Locale::parse(locale).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_locale",
            e.to_string(),
        )
    })?;
    let (default, used) = with_loaded(state, record, |version| {
        (
            version.campaign.default_locale.value.clone(),
            version.campaign.locales(),
        )
    })
    .await?;
    if !used.contains(&target) {
        return Err(ApiError::not_found(format!(
            "campaign `{}` sends nothing in `{target}`",
            record.campaign_id
        )));
    }
    Ok((default, target))
}

fn locale_strings(
    record: &VersionRecord,
    default: &Locale,
    target: &Locale,
    records: &[RecordedString],
) -> LocaleStrings {
    let bundle = &record.bundle;
    LocaleStrings::new(
        &record.campaign_id,
        default.as_str(),
        target.as_str(),
        bundle
            .translations
            .get(default.as_str())
            .map_or("", String::as_str),
        bundle.translations.get(target.as_str()).map(String::as_str),
        records,
    )
}

/// One locale's strings of a version, with the default locale's as source and herald's
/// per-string records (shared with the web interface's downloads).
pub(crate) async fn exported_strings(
    state: &ApiState,
    hash: &str,
    locale: &str,
) -> Result<LocaleStrings, ApiError> {
    let record = find_version(state, hash).await?;
    let (default, target) = locales_of(state, &record, locale).await?;
    if target == default {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "default_locale",
            format!(
                "`{target}` is the campaign's default locale: the source every translation is made from"
            ),
        ));
    }
    let records = state.store.translation_strings(&record.campaign_id).await?;
    Ok(locale_strings(&record, &default, &target, &records))
}

/// One locale's strings with the default locale's as source.
#[utoipa::path(get, path = "/api/v1/versions/{hash}/translations/{locale}",
    params(TranslationPath, ExportQuery),
    responses(
        (status = 200, description = "XLIFF 2.0 (format=xliff), or the two Fluent files (format=fluent)",
            content(
                (String = "application/xliff+xml"),
                (FluentExport = "application/json"),
            )),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_translation(
    State(state): State<ApiState>,
    Path((hash, locale)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = format_of(query.format.as_deref())?;
    let selection = match query.only.as_deref() {
        None | Some("all") => Selection::All,
        Some("missing") => Selection::Missing,
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_selection",
                "only must be `missing` or `all`",
            ));
        }
    };
    let strings = exported_strings(&state, &hash, &locale).await?;
    Ok(match format {
        ExchangeFormat::Xliff => (
            [(header::CONTENT_TYPE, "application/xliff+xml; charset=utf-8")],
            to_xliff(&strings, selection),
        )
            .into_response(),
        ExchangeFormat::Fluent => axum::Json(to_fluent(&strings)).into_response(),
    })
}

/// A translator's file for one locale, taken as a new draft version of the campaign.
#[utoipa::path(post, path = "/api/v1/versions/{hash}/translations/{locale}",
    params(TranslationPath, ImportQuery),
    request_body(content = String, description = "The XLIFF 2.0 document or the Fluent file", content_type = "text/plain"),
    responses(
        (status = 200, description = "Nothing changed: the content is the base version's", body = TranslationImported),
        (status = 201, description = "A new version (a draft, unless that content already was a version)", body = TranslationImported),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, description = "Refused, with every problem at its place in the file", body = ErrorBody)))]
pub async fn import_translation(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path((hash, locale)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let format = format_of(query.format.as_deref())?;
    let text = String::from_utf8(body.to_vec()).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_translation",
            format!("the file is not UTF-8 text: {e}"),
        )
    })?;
    let record = find_version(&state, &hash).await?;
    let (default, target) = locales_of(&state, &record, &locale).await?;
    if target == default {
        return Err(ApiError::forbidden(
            "default_locale",
            format!(
                "`{target}` is the campaign's default locale: its texts are the campaign's own, changed by an author's upload, not by a translation import"
            ),
        ));
    }
    let records = state.store.translation_strings(&record.campaign_id).await?;
    let config = std::sync::Arc::clone(&state.config);
    let (base_bundle, locale_tag) = (record.bundle.clone(), target.to_string());
    let checked = BoundedWork::shared()
        .run(move || import_checked(&base_bundle, &default, &locale_tag, format, &text, &config))
        .await??;
    store_import(&state, &user, &record, &target, format, checked, &records).await
}

/// What a checked import makes.
struct CheckedImport {
    bundle: VersionBundle,
    imported: ImportedTranslation,
    diagnostics: Vec<DiagnosticLine>,
    completeness: CompletenessMatrix,
}

/// The import checked string by string, then the campaign with the new file checked whole
/// (lengths on every platform included), its findings pointed back at the uploaded file.
fn import_checked(
    base: &VersionBundle,
    default: &Locale,
    locale: &str,
    format: ExchangeFormat,
    text: &str,
    config: &Config,
) -> Result<CheckedImport, ApiError> {
    let file_name = match format {
        ExchangeFormat::Xliff => format!("{}.{locale}.xlf", base.campaign_id),
        ExchangeFormat::Fluent => format!("locales/{locale}/{}.ftl", base.campaign_id),
    };
    let request = ImportRequest {
        campaign: &base.campaign_id,
        source_locale: default.as_str(),
        target_locale: locale,
        source_file: base
            .translations
            .get(default.as_str())
            .map_or("", String::as_str),
        base_target: base.translations.get(locale).map(String::as_str),
        file_name: &file_name,
        text,
        format,
    };
    let imported = check_import(&request).map_err(|problems| {
        invalid_translation(problems.into_iter().map(diagnostic_line).collect())
    })?;
    let mut translations = base.translations.clone();
    translations.insert(locale.to_string(), imported.ftl.clone());
    let bundle = Bundle {
        campaign: base.campaign.clone(),
        translations,
        layouts: base.layouts.clone(),
    };
    let (checked, diagnostics) = check_bundle(&bundle, config)?;
    let target_path = format!("locales/{locale}/{}.ftl", base.campaign_id);
    let diagnostics: Vec<DiagnosticLine> = diagnostics
        .into_iter()
        .map(|line| {
            if line.path == target_path {
                diagnostic_line(imported.relocate(Diagnostic {
                    path: line.path.into(),
                    line: line.line,
                    column: line.column,
                    severity: line.severity,
                    message: line.message,
                }))
            } else {
                line
            }
        })
        .collect();
    let Some(checked) = checked else {
        return Err(invalid_campaign(diagnostics));
    };
    Ok(CheckedImport {
        bundle: checked.bundle,
        imported,
        diagnostics,
        completeness: checked.completeness,
    })
}

fn diagnostic_line(d: Diagnostic) -> DiagnosticLine {
    DiagnosticLine {
        path: d.path.display().to_string(),
        line: d.line,
        column: d.column,
        severity: d.severity,
        message: d.message,
    }
}

fn invalid_translation(diagnostics: Vec<DiagnosticLine>) -> ApiError {
    let first = diagnostics
        .first()
        .map(|d| format!("{}:{}:{}: {}", d.path, d.line, d.column, d.message))
        .unwrap_or_default();
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_translation",
        format!("the translation is refused: {first}"),
    )
    .with_details(json!({"diagnostics": diagnostics}))
}

/// Stores the new version (authored by the importer while it is a draft), the per-string
/// records and the audit entry.
async fn store_import(
    state: &ApiState,
    user: &UserRecord,
    base: &VersionRecord,
    locale: &Locale,
    format: ExchangeFormat,
    checked: CheckedImport,
    records: &[RecordedString],
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let new_hash = checked.bundle.content_hash();
    let saved = if new_hash == base.hash {
        base.clone()
    } else {
        state.store.save_version(&checked.bundle, now).await?
    };
    if saved.hash != base.hash && saved.state == VersionState::Draft {
        state.store.add_author(&saved.hash, &user.id).await?;
    }
    let base_draft = base
        .bundle
        .translations
        .get(locale.as_str())
        .is_some_and(|t| is_marked_draft(t));
    let changes: Vec<StringChange> = checked
        .imported
        .strings
        .iter()
        .filter(|s| {
            let current =
                string_state(locale.as_str(), &s.id, Some(&s.text), base_draft, records).status;
            s.changed || (format == ExchangeFormat::Xliff && current != s.status)
        })
        .map(|s| StringChange {
            string_id: s.id.clone(),
            text_sha256: text_digest(&s.text),
            status: s.status,
        })
        .collect();
    let audit = NewAuditEntry {
        at_ms: now.timestamp_millis(),
        actor: user.name.clone(),
        action: "translation.imported".into(),
        subject: base.campaign_id.clone(),
        version: Some(saved.hash.to_string()),
        details: json!({
            "locale": locale.as_str(),
            "from": base.hash.as_str(),
            "format": if format == ExchangeFormat::Xliff { "xliff" } else { "fluent" },
            "changed": checked.imported.changed(),
            "reviewed": changes.iter().filter(|c| c.status == StringStatus::Reviewed).count(),
        }),
    };
    state
        .store
        .record_translation_strings(
            &base.campaign_id,
            locale.as_str(),
            &changes,
            &user.id,
            now.timestamp_millis(),
            audit,
        )
        .await?;
    let status = if saved.hash == base.hash {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        axum::Json(TranslationImported {
            base: base.hash.clone(),
            campaign: saved.campaign_id.clone(),
            changed: checked.imported.changed(),
            completeness: checked.completeness,
            diagnostics: checked.diagnostics,
            locale: locale.to_string(),
            recorded: changes.len(),
            state: saved.state,
            version: saved.hash,
        }),
    )
        .into_response())
}
