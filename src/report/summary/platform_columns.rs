//! The report's columns read as platforms: the summary speaks of WhatsApp or Telegram, while
//! the tables have a column per channel (`whatsapp:optin`), so the columns of one platform
//! are gathered, and their totals and rate verdicts read together.

use serde::Serialize;

use crate::channel::{ChannelRef, Platform};
use crate::report::build::Report;
use crate::report::published::{Cell, PublishedTable};
use crate::report::rates::RateCell;

/// What one "sent" is on a platform, as herald's accounts send by default: a message to each
/// subscriber (WhatsApp, Viber), or one post to a channel, chat or page (the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SendKind {
    Messages,
    Posts,
    /// A column that sums channels of several platforms.
    MessagesAndPosts,
}

impl SendKind {
    fn of(platform: Platform) -> SendKind {
        if platform.messages_subscribers() {
            SendKind::Messages
        } else {
            SendKind::Posts
        }
    }

    /// The plural noun a count of them reads with.
    pub fn noun(self) -> &'static str {
        match self {
            SendKind::Messages => "messages",
            SendKind::Posts => "posts",
            SendKind::MessagesAndPosts => "messages and posts",
        }
    }
}

/// A column of the report's tables read as a platform: a channel (`whatsapp:optin`) belongs
/// to its platform; a column that names no channel (`all channels`) stands for itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Group {
    Platform(Platform),
    Column(String),
}

impl Group {
    pub(super) fn of(column: &str) -> Group {
        match ChannelRef::parse(column) {
            Ok(channel) => Group::Platform(channel.platform),
            Err(_) => Group::Column(column.to_string()),
        }
    }

    pub(super) fn name(&self) -> String {
        match self {
            Group::Platform(platform) => platform_name(*platform).to_string(),
            Group::Column(column) => capitalised(column),
        }
    }

    pub(super) fn sends_are(&self) -> SendKind {
        match self {
            Group::Platform(platform) => SendKind::of(*platform),
            Group::Column(_) => SendKind::MessagesAndPosts,
        }
    }
}

/// The platform's name as its users write it.
fn platform_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Telegram => "Telegram",
        Platform::WhatsApp => "WhatsApp",
        Platform::Viber => "Viber",
        Platform::Facebook => "Facebook",
        Platform::MetaAds => "Meta ads",
        Platform::X => "X",
        Platform::Sms => "SMS",
        Platform::Webhook => "Partner webhooks",
    }
}

pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn table<'a>(report: &'a Report, metric: &str) -> Option<&'a PublishedTable> {
    report.tables.iter().find(|t| t.metric == metric)
}

/// The column totals of `metric` over `columns` (those the table has).
pub(super) fn column_totals<'a>(
    report: &'a Report,
    metric: &str,
    columns: &[String],
) -> Vec<&'a Cell> {
    let Some(table) = table(report, metric) else {
        return Vec::new();
    };
    table
        .columns
        .iter()
        .zip(&table.column_totals)
        .filter(|(column, _)| columns.contains(column))
        .map(|(_, cell)| cell)
        .collect()
}

/// Why the platforms of `columns` do not report `rate`, if every cell of those columns in the
/// report's rate table says so (the report's own verdict, per channel).
pub(super) fn not_reported(
    report: &Report,
    rate: &str,
    columns: &[String],
) -> Option<&'static str> {
    let table = report.rates.iter().find(|r| r.rate == rate)?;
    let mut reason = None;
    for (c, column) in table.columns.iter().enumerate() {
        if !columns.contains(column) {
            continue;
        }
        for row in &table.cells {
            match row.get(c) {
                Some(RateCell::NotReported { reason: why, .. }) => {
                    reason.get_or_insert(*why);
                }
                _ => return None,
            }
        }
    }
    reason
}
