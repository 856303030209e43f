//! The figures a summary states, and how they are worked out from published cells only: a
//! count over several cells says "at least" when some of them are suppressed, and a rate is
//! never shown when the platform does not report it or nothing has arrived yet (never 0).

use serde::Serialize;

use crate::report::plain_numbers::thousands;
use crate::report::published::Cell;

/// A count over one or more published cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Figure {
    /// Every part is published: their sum.
    Published { value: u64 },
    /// Some parts are suppressed: the published ones sum to `value`.
    AtLeast { value: u64 },
    /// The one part is suppressed.
    Suppressed,
    /// Every one of several parts is suppressed: each is small, their sum need not be.
    SuppressedParts { parts: usize },
}

impl Figure {
    /// The figure in words, before a noun; `hidden` stands for a suppressed one.
    pub fn words(self, hidden: &str) -> String {
        match self {
            Figure::Published { value } => thousands(value),
            Figure::AtLeast { value } => format!("at least {}", thousands(value)),
            Figure::Suppressed => hidden.to_string(),
            Figure::SuppressedParts { .. } => "a suppressed number of".to_string(),
        }
    }
}

/// Whether the protection of herald's own counters hides only small counts, so that one
/// suppressed cell can be called "fewer than k + max_noise". It does: cell key perturbation
/// suppresses counts from 1 to k − 1 and counts its noise would take below k, nothing else.
/// (A sum of several suppressed cells is only "a suppressed number of": each part is small,
/// their sum need not be.) (Platform-reported figures such as reach are
/// still protected table by table, where a larger value may be hidden too: a suppressed
/// reach is only ever called "a suppressed number of".)
pub const SUPPRESSION_HIDES_ONLY_SMALL_COUNTS: bool = true;

/// A rate over a platform's channels.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RateFigure {
    Published {
        value: f64,
        numerator: u64,
        denominator: u64,
    },
    /// The platform does not report the receipt the rate counts (never 0).
    NotReported { reason: String },
    /// The platform reports the receipt, but none has arrived yet (never 0).
    NoneReceivedYet,
    /// A count the rate rests on is suppressed.
    Suppressed,
}

/// A published cell's count; `None` when it is not published.
pub(super) fn count(cell: &Cell) -> Option<u64> {
    match cell {
        Cell::Count(n) => Some(*n),
        _ => None,
    }
}

/// The sum of some published cells: `None` when there are none.
pub(super) fn figure<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> Option<Figure> {
    let (mut sum, mut parts, mut hidden) = (0u64, 0usize, 0usize);
    for cell in cells {
        parts += 1;
        match count(cell) {
            Some(n) => sum += n,
            None => hidden += 1,
        }
    }
    match (parts, hidden) {
        (0, _) => None,
        (_, 0) => Some(Figure::Published { value: sum }),
        (1, 1) => Some(Figure::Suppressed),
        (p, h) if p == h => Some(Figure::SuppressedParts { parts: p }),
        _ => Some(Figure::AtLeast { value: sum }),
    }
}

/// numerator / denominator over a platform's channels.
pub(super) fn rate(
    numerator: Option<Figure>,
    denominator: Figure,
    not_reported: Option<&'static str>,
) -> Option<RateFigure> {
    if let Some(reason) = not_reported {
        return Some(RateFigure::NotReported {
            reason: reason.to_string(),
        });
    }
    match (numerator, denominator) {
        (None | Some(Figure::Published { value: 0 }), _) => Some(RateFigure::NoneReceivedYet),
        (Some(Figure::Published { value: top }), Figure::Published { value: bottom }) => {
            // Both published counts carry noise: a numerator is never shown above its
            // denominator, as in the rate tables.
            (bottom > 0).then(|| RateFigure::Published {
                value: top.min(bottom) as f64 / bottom as f64,
                numerator: top.min(bottom),
                denominator: bottom,
            })
        }
        _ => Some(RateFigure::Suppressed),
    }
}
