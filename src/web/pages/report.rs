//! `/ui/campaigns/{id}/report`, for evaluators: the reach report exactly as
//! `herald report --format html` draws it (its charts and tables, embedded), protected under the
//! deployment's publication policy, with the same choices as the CLI and the API (a period and
//! a breakdown the policy publishes, dates to narrow it to, campaigns to compare it with), and
//! downloads of what is shown as CSV and HTML.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::path_segment;
use crate::percent_encoding::percent_encode;
use crate::report::{
    Comparison, Period, ReportError, ReportRequest, campaign_report, campaigns_compared,
    compared_ids, export_entry, to_csv, to_html,
};
use crate::store::Store;
use crate::web::WebState;
use crate::web::guard::Viewer;
use crate::web::i18n::{Phrase, UiLanguage, date_text};
use crate::web::templates::{WebError, page};

/// The choices of the report page's form; every one optional.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ReportChoices {
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    until: Option<String>,
    /// Other campaigns to show beside this one, `ID,ID`.
    #[serde(default)]
    compare: Option<String>,
}

impl ReportChoices {
    /// Empty form fields count as not chosen.
    fn field(value: &Option<String>) -> Option<&str> {
        value.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }

    /// The query string that asks for the same report again (for the downloads).
    fn query(&self) -> String {
        let pairs: Vec<String> = [
            ("period", &self.period),
            ("by", &self.by),
            ("from", &self.from),
            ("until", &self.until),
            ("compare", &self.compare),
        ]
        .iter()
        .filter_map(|(name, value)| {
            Self::field(value).map(|v| format!("{name}={}", percent_encode(v)))
        })
        .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }
}

/// What the page shows: one campaign's report, or it beside others.
enum Shown {
    One(Box<crate::report::Report>),
    Compared(Comparison),
}

impl Shown {
    fn html(&self) -> String {
        match self {
            Shown::One(report) => to_html(report),
            Shown::Compared(comparison) => comparison.to_html(),
        }
    }

    fn csv(&self) -> String {
        match self {
            Shown::One(report) => to_csv(report),
            Shown::Compared(comparison) => comparison.to_csv(),
        }
    }
}

/// A report made for the page or a download: what it shows, a notice when the page shows
/// other periods than asked, and the request and campaigns it was made for.
struct Made {
    shown: Shown,
    notice: Option<String>,
    request: ReportRequest,
    ids: Vec<String>,
}

async fn report(
    state: &WebState,
    viewer: &Viewer,
    campaign: &str,
    choices: &ReportChoices,
) -> Result<Made, WebError> {
    let refused =
        |message: String| WebError::worded(StatusCode::BAD_REQUEST, message).for_viewer(viewer);
    let policy = &state.api.config.publication;
    let request = ReportRequest::checked(
        policy,
        ReportChoices::field(&choices.period),
        ReportChoices::field(&choices.by),
        ReportChoices::field(&choices.from),
        ReportChoices::field(&choices.until),
    )
    .map_err(|e| refused(e.to_string()))?;
    let failed = |error: ReportError| match error {
        ReportError::NoCampaign(_) => {
            WebError::not_found(Phrase::new("error-no-campaign")).for_viewer(viewer)
        }
        ReportError::Store(error) => WebError::from(error).for_viewer(viewer),
        other => refused(other.to_string()),
    };
    let now = state.api.clock.now();
    let store = &state.api.store;
    let ids = match ReportChoices::field(&choices.compare) {
        None => vec![campaign.to_string()],
        Some(others) => {
            compared_ids(&format!("{campaign},{others}")).map_err(|e| refused(e.to_string()))?
        }
    };
    let make = |request: ReportRequest| {
        let ids = ids.clone();
        async move {
            match ids.as_slice() {
                [one] => campaign_report(store, one, policy, request, now)
                    .await
                    .map(|report| Shown::One(Box::new(report))),
                many => campaigns_compared(store, many, policy, request, now)
                    .await
                    .map(Shown::Compared),
            }
        }
    };
    match make(request).await {
        // Nobody chose the whole run, and it has not settled: the page shows the closed weeks
        // instead, and says when the run comes.
        Err(ReportError::NotSettled(not_yet))
            if ReportChoices::field(&choices.period).is_none()
                && policy.periods.contains(&Period::Week) =>
        {
            let weeks = ReportRequest {
                period: Period::Week,
                ..request
            };
            let shown = make(weeks).await.map_err(failed)?;
            Ok(Made {
                shown,
                notice: Some(date_text(viewer.language, not_yet.from)),
                request: weeks,
                ids,
            })
        }
        made => made
            .map(|shown| Made {
                shown,
                notice: None,
                request,
                ids: ids.clone(),
            })
            .map_err(failed),
    }
}

/// The body of the stand-alone HTML report, without its page head and its heading (the
/// page has its own).
fn report_body(html: &str) -> &str {
    let start = html.find("<body>").map(|i| i + "<body>".len()).unwrap_or(0);
    let end = html.rfind("</body>").unwrap_or(html.len());
    let body = html.get(start..end).unwrap_or_default();
    match body.find("</h1>") {
        Some(i) if body.trim_start().starts_with("<h1>") => &body[i + "</h1>".len()..],
        _ => body,
    }
}

pub async fn show(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(choices): Query<ReportChoices>,
) -> Result<Response, WebError> {
    let Made { shown, notice, .. } = report(&state, &viewer, &campaign, &choices).await?;
    let html = shown.html();
    let policy = &state.api.config.publication;
    let option = |value: String, chosen: Option<&str>, default: bool| json!({"value": value, "selected": chosen.map_or(default, |c| c == value)});
    let periods: Vec<_> = policy
        .periods
        .iter()
        .enumerate()
        .map(|(i, p)| {
            option(
                p.name().to_string(),
                ReportChoices::field(&choices.period),
                i == 0,
            )
        })
        .collect();
    let breakdowns: Vec<_> = policy
        .breakdowns
        .iter()
        .enumerate()
        .map(|(i, b)| option(b.name(), ReportChoices::field(&choices.by), i == 0))
        .collect();
    Ok(page(
        StatusCode::OK,
        &Phrase::new("title-report").text("campaign", campaign.clone()),
        Some(&viewer),
        "report",
        &json!({
            "id": campaign,
            "path": path_segment(&campaign),
            "query": choices.query(),
            "periods": periods,
            "breakdowns": breakdowns,
            "from": ReportChoices::field(&choices.from),
            "until": ReportChoices::field(&choices.until),
            "compare": ReportChoices::field(&choices.compare),
            "notice": notice,
            "report_in_english": viewer.language != UiLanguage::ENGLISH,
            "report": report_body(&html),
        }),
    ))
}

/// The report as a file to download, recorded in the audit log before it leaves (no entry, no
/// download).
async fn download(
    state: &WebState,
    viewer: &Viewer,
    made: Made,
    extension: &str,
    content_type: &str,
) -> Result<Response, WebError> {
    let body = match extension {
        "csv" => made.shown.csv(),
        _ => made.shown.html(),
    };
    let entry = export_entry(
        &viewer.user.name,
        &made.ids,
        extension,
        "web",
        &made.request,
        state.api.clock.now(),
    );
    state
        .api
        .store
        .append_audit(&entry)
        .await
        .map_err(|error| WebError::from(error).for_viewer(viewer))?;
    let campaign = made.ids.first().map(String::as_str).unwrap_or_default();
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"reach-{}.{extension}\"",
                    path_segment(campaign)
                ),
            ),
        ],
        body,
    )
        .into_response())
}

/// The report as CSV, to download.
pub async fn csv(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(choices): Query<ReportChoices>,
) -> Result<Response, WebError> {
    let made = report(&state, &viewer, &campaign, &choices).await?;
    download(&state, &viewer, made, "csv", "text/csv; charset=utf-8").await
}

/// The stand-alone HTML report, to download.
pub async fn html(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(choices): Query<ReportChoices>,
) -> Result<Response, WebError> {
    let made = report(&state, &viewer, &campaign, &choices).await?;
    download(&state, &viewer, made, "html", "text/html; charset=utf-8").await
}
