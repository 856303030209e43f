//! The label sets of herald's metrics. Every value comes from a fixed set, so a client or a
//! partner cannot grow the number of series: methods outside HTTP's usual ones count as
//! `other`, routes are the router's templates, platforms and outcomes are herald's own names.

use prometheus_client::encoding::EncodeLabelSet;

/// The request methods counted under their own name.
const KNOWN_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// The method as a label value: one of HTTP's usual methods, or `other`.
pub fn bounded_method(method: &str) -> &'static str {
    KNOWN_METHODS
        .iter()
        .find(|known| **known == method)
        .copied()
        .unwrap_or("other")
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct HttpLabels {
    /// The matched route template (`/api/v1/campaigns/{id}`), or `unmatched`.
    pub route: String,
    pub method: &'static str,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct PartnerCallLabels {
    pub platform: &'static str,
    pub outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct OutcomeLabels {
    pub outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct ResultLabels {
    pub result: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct StatusLabels {
    pub status: String,
}

/// How a partner answered one call, as the latency histogram tells calls apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerCallOutcome {
    Published,
    Throttled,
    Transient,
    Refused,
    RecipientGone,
    Unknown,
}

impl PartnerCallOutcome {
    pub(super) fn label(self) -> &'static str {
        match self {
            PartnerCallOutcome::Published => "published",
            PartnerCallOutcome::Throttled => "throttled",
            PartnerCallOutcome::Transient => "transient",
            PartnerCallOutcome::Refused => "refused",
            PartnerCallOutcome::RecipientGone => "recipient_gone",
            PartnerCallOutcome::Unknown => "unknown",
        }
    }
}
