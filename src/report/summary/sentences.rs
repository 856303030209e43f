//! The summary in plain sentences, as the HTML report and the web interface show it: the
//! opening total, one sentence per platform, and how a suppressed count reads ("fewer than
//! 10" only where that is true).

use super::figures::RateFigure;
use super::platform_columns::capitalised;
use super::reach::reach_words;
use super::{PlatformSummary, Summary};
use crate::report::plain_numbers::{percent, thousands};

impl PlatformSummary {
    /// The platform's figures as one or two sentences: what was sent, how much of it was
    /// delivered and read, and the largest reach of a post; `hidden` stands for a suppressed
    /// count ([`Summary::hidden`]).
    pub fn sentence(&self, hidden: &str) -> String {
        let mut parts = Vec::new();
        if let Some(sent) = self.sent {
            parts.push(format!(
                "{} {} sent",
                sent.words(hidden),
                self.sends_are.noun()
            ));
        }
        parts.extend(self.rate_phrases());
        let mut sentence = capitalised(&parts.join("; "));
        if !sentence.is_empty() {
            sentence.push('.');
        }
        if let Some(reach) = &self.reach {
            if !sentence.is_empty() {
                sentence.push(' ');
            }
            sentence.push_str(&reach_words(reach, hidden));
        }
        sentence
    }

    /// The delivery and read rates as phrases of the sentence, or why they are not shown.
    fn rate_phrases(&self) -> Vec<String> {
        let mut parts = Vec::new();
        match (&self.delivery_rate, &self.read_rate) {
            (Some(RateFigure::NotReported { .. }), _) => {
                parts.push("delivery and read rates not reported by this platform".to_string());
            }
            (Some(RateFigure::NoneReceivedYet), _) => {
                parts.push("no delivery callbacks received yet".to_string());
            }
            (Some(delivery), read) => {
                parts.push(match delivery {
                    RateFigure::Published { value, .. } => format!("{} delivered", percent(*value)),
                    _ => {
                        "delivery rate not published (it rests on a suppressed figure)".to_string()
                    }
                });
                match read {
                    Some(RateFigure::Published { value, .. }) => {
                        parts.push(format!("{} of those delivered were read", percent(*value)));
                    }
                    Some(RateFigure::NoneReceivedYet) => {
                        parts.push("no read receipts received yet".to_string());
                    }
                    Some(_) => parts.push(
                        "read rate not published (it rests on a suppressed figure)".to_string(),
                    ),
                    None => {}
                }
            }
            (None, _) => {}
        }
        parts
    }
}

/// How a suppressed count reads before a noun: fewer than `below` where that is known.
pub(super) fn hidden_words(below: u64, fewer_than_k: bool) -> String {
    if fewer_than_k {
        format!("fewer than {}", thousands(below))
    } else {
        "a suppressed number of".to_string()
    }
}

impl Summary {
    /// How a suppressed count reads before a noun: "fewer than 13" (k + max_noise) where
    /// that is known, else "a suppressed number of".
    pub fn hidden(&self) -> String {
        hidden_words(self.suppressed_below, self.suppressed_is_fewer_than_k)
    }

    /// The opening sentence: everything sent, on how many platforms.
    pub fn overall(&self) -> String {
        let platforms = self.platforms.iter().filter(|p| p.sent.is_some()).count();
        match self.sent {
            Some(sent) if platforms > 1 => format!(
                "{} messages and posts sent in all, on {platforms} platforms.",
                capitalised(&sent.words(&self.hidden()))
            ),
            Some(sent) => format!(
                "{} messages and posts sent in all.",
                capitalised(&sent.words(&self.hidden()))
            ),
            None => "Nothing has been sent yet.".to_string(),
        }
    }
}
