//! What staff found when they checked a job whose outcome was unknown with its partner, and
//! what the store answers when asked to record it.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A resolution of an unknown outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The partner has the message: counted as sent on the day it is resolved.
    Delivered,
    /// The message never reached the partner: counted as failed on the day it is resolved.
    NotDelivered,
    /// The message never reached the partner, and staff confirmed sending it again: the job
    /// goes back in the queue (its own outcome is counted when it is sent).
    NotDeliveredResent,
}

impl Resolution {
    /// The name stored in `outbox.resolved_as` and shown to staff.
    pub fn name(self) -> &'static str {
        match self {
            Resolution::Delivered => "delivered",
            Resolution::NotDelivered => "not_delivered",
            Resolution::NotDeliveredResent => "not_delivered_resent",
        }
    }

    /// How staff read it.
    pub fn label(self) -> &'static str {
        match self {
            Resolution::Delivered => "delivered",
            Resolution::NotDelivered => "not delivered",
            Resolution::NotDeliveredResent => "not delivered, sent again",
        }
    }

    /// The delivery counter a resolution adds, if any.
    pub(super) fn counted_as(self) -> Option<&'static str> {
        match self {
            Resolution::Delivered => Some("sent"),
            Resolution::NotDelivered => Some("failed"),
            Resolution::NotDeliveredResent => None,
        }
    }

    /// The job's status once resolved.
    pub(super) fn status(self) -> &'static str {
        match self {
            Resolution::Delivered => "sent",
            Resolution::NotDelivered => "failed",
            Resolution::NotDeliveredResent => "queued",
        }
    }
}

/// A resolution that was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ResolvedOutcome {
    pub id: i64,
    pub campaign_id: String,
    pub resolution: Resolution,
    pub by: String,
    pub at: DateTime<Utc>,
    /// The UTC day whose delivery counter the resolution added to (none for a re-send).
    pub counted_on: Option<String>,
}

/// What became of a request to resolve an unknown outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveAnswer {
    Resolved(ResolvedOutcome),
    /// No job has this id (or it expired).
    NoSuchJob,
    /// Someone resolved it before: the first resolution stands.
    AlreadyResolved {
        resolution: String,
        by: String,
        at: Option<DateTime<Utc>>,
    },
    /// The job's outcome is known: there is nothing to resolve.
    NotUnknown {
        status: String,
    },
}
