//! The audit entry of a report that left herald (an API answer, a web download): who took
//! which campaigns' figures, in which format and cut, so that the log shows every published
//! report. The entry holds the request, never a figure, a file path or anyone's identifier.

use crate::audit::NewAuditEntry;

use super::ReportRequest;

/// The action of a report-export entry.
pub const REPORT_EXPORTED: &str = "report.exported";

/// The entry for `campaigns`' report in `format`, cut as `request` asked, taken by `actor`
/// through `via` (`api` or `web`).
pub fn export_entry(
    actor: &str,
    campaigns: &[String],
    format: &str,
    via: &str,
    request: &ReportRequest,
    at: chrono::DateTime<chrono::Utc>,
) -> NewAuditEntry {
    let day = |date: Option<chrono::NaiveDate>| date.map(|d| d.to_string());
    let range = request.range.as_ref();
    NewAuditEntry {
        at_ms: at.timestamp_millis(),
        actor: actor.to_string(),
        action: REPORT_EXPORTED.into(),
        subject: campaigns.join(","),
        version: None,
        details: serde_json::json!({
            "format": format,
            "via": via,
            "period": request.period.name(),
            "by": request.by.name(),
            "from": day(range.and_then(|r| r.from)),
            "until": day(range.and_then(|r| r.until)),
        }),
    }
}
