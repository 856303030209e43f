//! The validated campaign: what an author wrote, after every field has been parsed into a type
//! that cannot hold an invalid value (a real time zone, a canonical locale, a parsed cron).

use std::ops::Range;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::diagnostic::SourceFile;
use super::locale::Locale;
use super::toml_reader::Located;
use crate::channel::ChannelRef;
use crate::cron::CronSchedule;

/// Separates a message id from its variant in Fluent ids: `avr-intro--a`.
pub const VARIANT_SEPARATOR: &str = "--";

#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: String,
    pub title: String,
    pub authority: String,
    pub purpose: String,
    pub legal_basis: String,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    pub default_locale: Located<Locale>,
    pub segments: Vec<Segment>,
    pub messages: Vec<Message>,
    pub sends: Vec<Send>,
    /// The campaign file as read, for diagnostics and content hashing.
    pub file: SourceFile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SegmentKind {
    /// Migrants in a country outside the EU (origin or transit).
    ThirdCountry,
    /// Migrants already in an EU Member State.
    InEu,
    /// Diaspora communities who relay information to family and friends.
    Diaspora,
}

impl SegmentKind {
    pub const ALL: [SegmentKind; 3] = [
        SegmentKind::ThirdCountry,
        SegmentKind::InEu,
        SegmentKind::Diaspora,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SegmentKind::ThirdCountry => "third_country",
            SegmentKind::InEu => "in_eu",
            SegmentKind::Diaspora => "diaspora",
        }
    }

    pub fn from_name(name: &str) -> Option<SegmentKind> {
        SegmentKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub id: String,
    pub kind: SegmentKind,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    /// The languages this audience receives, each with where it was written.
    pub locales: Vec<Located<Locale>>,
    /// Where a missing translation may come from, in order; empty means a gap blocks sending.
    pub fallback: Vec<Located<Locale>>,
    pub timezone: Tz,
    pub age: Option<(u8, u8)>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone)]
pub struct Message {
    pub id: Located<String>,
    /// A/B variant names; empty when the message has one version.
    pub variants: Vec<String>,
    pub link: Option<String>,
    /// Fixed values for the Fluent variables the message uses (content never varies per person).
    pub args: Vec<(String, ArgValue)>,
}

impl Message {
    /// Each variant (`None` for a message without variants) with its Fluent message id.
    pub fn fluent_ids(&self) -> Vec<(Option<&str>, String)> {
        if self.variants.is_empty() {
            vec![(None, self.id.value.clone())]
        } else {
            self.variants
                .iter()
                .map(|v| {
                    (
                        Some(v.as_str()),
                        format!("{}{VARIANT_SEPARATOR}{v}", self.id.value),
                    )
                })
                .collect()
        }
    }
}

#[derive(Debug, Clone)]
pub struct Send {
    pub id: String,
    pub message: String,
    pub segments: Vec<String>,
    pub channels: Vec<Located<ChannelRef>>,
    pub cron: CronSchedule,
    pub span: Range<usize>,
}

impl Campaign {
    pub fn segment(&self, id: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.id == id)
    }

    pub fn message(&self, id: &str) -> Option<&Message> {
        self.messages.iter().find(|m| m.id.value == id)
    }

    /// Every locale the campaign may need a translation for: the default, the segments'
    /// locales and their fallbacks, in first-mentioned order.
    pub fn locales(&self) -> Vec<Locale> {
        let mut out = vec![self.default_locale.value.clone()];
        for segment in &self.segments {
            for locale in segment.locales.iter().chain(&segment.fallback) {
                if !out.contains(&locale.value) {
                    out.push(locale.value.clone());
                }
            }
        }
        out
    }

    /// The locales that segments send in (without fallback-only locales), in order.
    pub fn audience_locales(&self) -> Vec<Locale> {
        let mut out: Vec<Locale> = Vec::new();
        for segment in &self.segments {
            for locale in &segment.locales {
                if !out.contains(&locale.value) {
                    out.push(locale.value.clone());
                }
            }
        }
        out
    }
}
