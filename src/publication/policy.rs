//! The deployment's publication policy: how counts are protected, and which breakdowns and
//! periods exist. Admins set it once in `herald.toml` (`[publication]`); evaluators choose
//! among what it allows and never set k, rounding or noise themselves, so two requests cut
//! differently on purpose cannot be differenced to isolate a small group. Every report states
//! the policy it was published under.

use serde::Serialize;

use super::{Breakdown, Period, Protection};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicationPolicy {
    pub protection: Protection,
    /// The breakdowns reports may be cut by; the first is the default.
    pub breakdowns: Vec<Breakdown>,
    /// The periods reports may be grouped by; the first is the default.
    pub periods: Vec<Period>,
}

/// An evaluator asked for a cut the policy does not publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotPublished {
    Breakdown {
        asked: String,
        allowed: String,
    },
    Period {
        asked: String,
        allowed: String,
    },
    /// A protection setting (k, rounding, noise) asked for per report.
    Fixed {
        setting: &'static str,
    },
}

impl std::fmt::Display for NotPublished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotPublished::Breakdown { asked, allowed } => write!(
                f,
                "breakdown `{asked}` is not published by this deployment; it publishes {allowed}"
            ),
            NotPublished::Period { asked, allowed } => write!(
                f,
                "period `{asked}` is not published by this deployment; it publishes {allowed}"
            ),
            NotPublished::Fixed { setting } => write!(
                f,
                "{setting} is set by the deployment's publication policy (herald.toml, [publication]), not per report"
            ),
        }
    }
}

impl std::error::Error for NotPublished {}

impl Default for PublicationPolicy {
    /// k = 10, no rounding, noise up to ±3; the full breakdown (segment, locale, channel and
    /// variant); periods run and week. Days are left to admins who need them: a day of a
    /// small segment on one channel is often a handful of people.
    fn default() -> Self {
        PublicationPolicy {
            protection: Protection::DEFAULT,
            breakdowns: vec![Breakdown::ALL],
            periods: vec![Period::Run, Period::Week],
        }
    }
}

impl PublicationPolicy {
    /// The breakdown `asked` (`segment,locale,…` in any order), or the default, if the policy
    /// publishes it.
    pub fn breakdown(&self, asked: Option<&str>) -> Result<Breakdown, NotPublished> {
        let Some(text) = asked else {
            return Ok(self.breakdowns.first().copied().unwrap_or(Breakdown::ALL));
        };
        let refusal = || NotPublished::Breakdown {
            asked: text.to_string(),
            allowed: self.allowed_breakdowns(),
        };
        let by = Breakdown::parse(text).map_err(|_| refusal())?;
        if self.breakdowns.contains(&by) {
            Ok(by)
        } else {
            Err(refusal())
        }
    }

    /// The period `asked`, or the default, if the policy publishes it.
    pub fn period(&self, asked: Option<&str>) -> Result<Period, NotPublished> {
        let Some(text) = asked else {
            return Ok(self.periods.first().copied().unwrap_or(Period::Run));
        };
        match Period::parse(text) {
            Some(period) if self.periods.contains(&period) => Ok(period),
            _ => Err(NotPublished::Period {
                asked: text.to_string(),
                allowed: self
                    .periods
                    .iter()
                    .map(|p| format!("`{}`", p.name()))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    fn allowed_breakdowns(&self) -> String {
        self.breakdowns
            .iter()
            .map(|b| format!("`{}`", b.name()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluators_choose_among_what_the_policy_publishes() {
        let policy = PublicationPolicy {
            breakdowns: vec![
                Breakdown::ALL,
                Breakdown::parse("locale,channel").expect("a breakdown"),
            ],
            periods: vec![Period::Run, Period::Week],
            ..PublicationPolicy::default()
        };
        assert_eq!(policy.breakdown(None), Ok(Breakdown::ALL));
        assert_eq!(
            policy.breakdown(Some("channel, locale")).map(|b| b.name()),
            Ok("locale,channel".to_string())
        );
        let refused = policy.breakdown(Some("segment")).unwrap_err().to_string();
        assert!(
            refused.contains("`segment,locale,channel,variant`, `locale,channel`"),
            "{refused}"
        );
        assert_eq!(policy.period(Some("week")), Ok(Period::Week));
        assert!(policy.period(Some("day")).is_err());
        assert!(policy.period(Some("fortnight")).is_err());
    }
}
