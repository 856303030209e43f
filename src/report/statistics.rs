//! The statistics EVALUATION.md defines: rates, and the lift between two variants with a 95%
//! interval, or "not enough data" below a minimum sample.

use serde::Serialize;

/// Below this many trials on either side, a comparison says "not enough data".
pub const MIN_SAMPLE: u64 = 100;

/// `part / whole`, or `None` when the whole is zero.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Variant B against variant A on a rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Lift {
    NotEnoughData {
        n_a: u64,
        n_b: u64,
        minimum: u64,
    },
    Estimate {
        p_a: f64,
        p_b: f64,
        /// d = p_B − p_A.
        difference: f64,
        /// sqrt(p_A(1−p_A)/n_A + p_B(1−p_B)/n_B).
        standard_error: f64,
        /// d ± 1.96·SE.
        low: f64,
        high: f64,
        /// d / p_A, when p_A > 0.
        relative: Option<f64>,
    },
}

/// The lift of B over A, from successes and trials of each.
pub fn lift(successes_a: u64, trials_a: u64, successes_b: u64, trials_b: u64) -> Lift {
    if trials_a < MIN_SAMPLE || trials_b < MIN_SAMPLE {
        return Lift::NotEnoughData {
            n_a: trials_a,
            n_b: trials_b,
            minimum: MIN_SAMPLE,
        };
    }
    let p_a = successes_a as f64 / trials_a as f64;
    let p_b = successes_b as f64 / trials_b as f64;
    let difference = p_b - p_a;
    let standard_error =
        (p_a * (1.0 - p_a) / trials_a as f64 + p_b * (1.0 - p_b) / trials_b as f64).sqrt();
    Lift::Estimate {
        p_a,
        p_b,
        difference,
        standard_error,
        low: difference - 1.96 * standard_error,
        high: difference + 1.96 * standard_error,
        relative: (p_a > 0.0).then(|| difference / p_a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: A 120 clicks of 4,000 impressions (3.0%), B 150 of 4,000 (3.75%).
    /// d = 0.0075; SE = sqrt(0.03·0.97/4000 + 0.0375·0.9625/4000) = sqrt(7.275e-6 + 9.0234375e-6)
    /// = sqrt(1.62984375e-5) = 0.004037132...; interval 0.0075 ± 0.0079128 = [−0.0004128, 0.0154128];
    /// relative lift 0.0075 / 0.03 = 0.25.
    #[test]
    fn lift_matches_a_hand_computed_example() {
        let Lift::Estimate {
            p_a,
            p_b,
            difference,
            standard_error,
            low,
            high,
            relative,
        } = lift(120, 4000, 150, 4000)
        else {
            panic!("enough data");
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-7;
        assert!(close(p_a, 0.03) && close(p_b, 0.0375));
        assert!(close(difference, 0.0075));
        assert!(close(standard_error, 0.004_037_132), "{standard_error}");
        assert!(close(low, -0.000_412_779), "{low}");
        assert!(close(high, 0.015_412_779), "{high}");
        assert!(close(relative.unwrap(), 0.25));
    }

    #[test]
    fn small_samples_say_so() {
        assert_eq!(
            lift(1, 50, 3, 400),
            Lift::NotEnoughData {
                n_a: 50,
                n_b: 400,
                minimum: MIN_SAMPLE
            }
        );
        assert_eq!(rate(3, 0), None);
        assert_eq!(rate(1, 4), Some(0.25));
    }
}
