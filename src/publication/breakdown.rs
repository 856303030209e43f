//! Which dimensions a report's tables break counts down by. The policy lists the breakdowns a
//! deployment publishes; how a breakdown lays out its tables is the report's business.

use serde::Serialize;

/// Which breakdowns a report's tables show (`--by`): rows by segment, locale and variant,
/// columns by channel, each one fixed set, so that two reports cannot be differenced to
/// isolate a small group. What is left out is summed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breakdown {
    pub segment: bool,
    pub locale: bool,
    pub channel: bool,
    pub variant: bool,
}

/// A report breakdown names itself (`segment,locale,channel,variant`).
impl Serialize for Breakdown {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

/// A breakdown dimension herald does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownBreakdown(pub String);

impl std::fmt::Display for UnknownBreakdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown breakdown `{}`; use segment, locale, channel and variant, separated by commas",
            self.0
        )
    }
}

impl std::error::Error for UnknownBreakdown {}

impl Breakdown {
    pub const ALL: Breakdown = Breakdown {
        segment: true,
        locale: true,
        channel: true,
        variant: true,
    };

    /// `segment,locale,channel,variant` or any part of it, in any order.
    pub fn parse(text: &str) -> Result<Breakdown, UnknownBreakdown> {
        let mut by = Breakdown {
            segment: false,
            locale: false,
            channel: false,
            variant: false,
        };
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "segment" => by.segment = true,
                "locale" => by.locale = true,
                "channel" => by.channel = true,
                "variant" => by.variant = true,
                other => return Err(UnknownBreakdown(other.to_string())),
            }
        }
        Ok(by)
    }

    /// The breakdown's dimensions in their canonical order, as [`Breakdown::parse`] reads them.
    pub fn name(self) -> String {
        [
            (self.segment, "segment"),
            (self.locale, "locale"),
            (self.channel, "channel"),
            (self.variant, "variant"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(",")
    }
}
