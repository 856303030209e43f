//! The short table `herald demo` ends with: per campaign, what went out, what the partners
//! reported back, and what people did with the links (aggregates only, like the reports).

use std::fmt::Write as _;

use crate::store::{ClickCount, ClickKey, DeliveryCount};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignSummary {
    pub campaign: String,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub failed: i64,
    pub clicks: i64,
    pub previews: i64,
    /// Jobs in the dead letters (a template not approved, a partner refusing for good).
    pub dead: usize,
    /// Why, per channel and code, with one example of the partner's words.
    pub dead_reasons: Vec<String>,
}

impl CampaignSummary {
    pub fn from_counts(
        campaign: &str,
        deliveries: &[DeliveryCount],
        clicks: &[(ClickKey, ClickCount)],
        dead: usize,
    ) -> CampaignSummary {
        let status = |name: &str| {
            deliveries
                .iter()
                .filter(|c| c.status == name)
                .map(|c| c.count)
                .sum()
        };
        let kind = |name: &str| {
            clicks
                .iter()
                .filter(|(k, _)| k.kind == name)
                .map(|(_, n)| n.clicks)
                .sum()
        };
        CampaignSummary {
            campaign: campaign.to_string(),
            sent: status("sent"),
            delivered: status("delivered"),
            read: status("read"),
            failed: status("failed"),
            clicks: kind("person"),
            previews: kind("preview"),
            dead,
            dead_reasons: Vec::new(),
        }
    }
}

/// The summary as an aligned text table.
pub fn table(rows: &[CampaignSummary]) -> String {
    let mut lines = vec![vec![
        "campaign".to_string(),
        "sent".into(),
        "delivered".into(),
        "read".into(),
        "failed".into(),
        "clicks".into(),
        "previews".into(),
        "dead letters".into(),
    ]];
    for row in rows {
        lines.push(vec![
            row.campaign.clone(),
            row.sent.to_string(),
            row.delivered.to_string(),
            row.read.to_string(),
            row.failed.to_string(),
            row.clicks.to_string(),
            row.previews.to_string(),
            row.dead.to_string(),
        ]);
    }
    let mut out = crate::text_table::aligned(&lines, "");
    for row in rows.iter().filter(|r| !r.dead_reasons.is_empty()) {
        let _ = writeln!(
            out,
            "\ndead letters of {} (`herald deadletter list` shows each):",
            row.campaign
        );
        for reason in &row.dead_reasons {
            let _ = writeln!(out, "  {reason}");
        }
    }
    out
}
