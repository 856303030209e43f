//! The statistics a report publishes: rates, and the lift between two variants with 95%
//! intervals, or "not enough data" below a minimum sample.
//!
//! The difference d = p_B − p_A gets Newcombe's hybrid score interval (method 10 of Newcombe,
//! "Interval estimation for the difference between independent proportions", Statistics in
//! Medicine 1998), built from the two Wilson score intervals. Unlike the Wald interval
//! d ± z·SE, it never collapses to a single point when a rate is 0% or 100%: a sample of 4,000
//! that all arrived still leaves some uncertainty about the next 4,000.
//!
//! The relative lift d / p_A = p_B / p_A − 1 gets the MOVER-R interval for the ratio of two
//! proportions (Donner & Zou, "Closed-form confidence intervals for functions of the normal
//! mean and standard deviation", Statistical Methods in Medical Research 2012; the method of
//! variance estimates recovery applied to a ratio), from the same Wilson intervals, minus 1.
//! It stays defined when either rate is 100%, and when p_B is 0. When p_A is 0 a relative
//! change is not defined, and the report says so instead of a number.

use serde::Serialize;

/// Below this many trials on either side, a comparison says "not enough data".
pub const MIN_SAMPLE: u64 = 100;

/// The standard normal quantile for a two-sided 95% interval.
pub const Z_95: f64 = 1.959964;

/// Why a relative lift has no value.
pub const RELATIVE_UNDEFINED: &str =
    "not defined: variant A's rate is 0, and a change relative to 0 has no size";

/// `part / whole`, or `None` when the whole is zero.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The Wilson score interval of `successes` out of `trials` (no continuity correction):
/// (estimate, low, high). `trials` must be positive.
pub fn wilson(successes: u64, trials: u64, z: f64) -> (f64, f64, f64) {
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    (p, (centre - half).max(0.0), (centre + half).min(1.0))
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
        /// Newcombe's hybrid score interval for d (95%).
        low: f64,
        high: f64,
        /// d / p_A with its MOVER-R interval, or why it is not defined.
        relative: RelativeLift,
    },
}

/// The relative lift d / p_A.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RelativeLift {
    Estimate {
        /// d / p_A.
        value: f64,
        /// The MOVER-R interval for p_B / p_A (95%), minus 1; `high` is `None` when it has no
        /// upper bound.
        low: f64,
        high: Option<f64>,
    },
    NotDefined {
        reason: &'static str,
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
    let a = wilson(successes_a.min(trials_a), trials_a, Z_95);
    let b = wilson(successes_b.min(trials_b), trials_b, Z_95);
    let (low, high) = newcombe_difference(a, b);
    Lift::Estimate {
        p_a: a.0,
        p_b: b.0,
        difference: b.0 - a.0,
        low,
        high,
        relative: relative_lift(a, b),
    }
}

/// Newcombe's method 10 for p_B − p_A from the Wilson intervals (p, l, u) of A and B:
/// [d − √((p_B − l_B)² + (u_A − p_A)²), d + √((u_B − p_B)² + (p_A − l_A)²)].
fn newcombe_difference(a: (f64, f64, f64), b: (f64, f64, f64)) -> (f64, f64) {
    let (p_a, l_a, u_a) = a;
    let (p_b, l_b, u_b) = b;
    let d = p_b - p_a;
    let below = ((p_b - l_b).powi(2) + (u_a - p_a).powi(2)).sqrt();
    let above = ((u_b - p_b).powi(2) + (p_a - l_a).powi(2)).sqrt();
    ((d - below).max(-1.0), (d + above).min(1.0))
}

/// MOVER-R for θ = p_B / p_A: the limits are the roots of
/// (p_B − θ·p_A)² = (p_B − l_B)² + θ²(u_A − p_A)² (lower) and
/// (θ·p_A − p_B)² = (u_B − p_B)² + θ²(p_A − l_A)² (upper), in closed form; minus 1.
fn relative_lift(a: (f64, f64, f64), b: (f64, f64, f64)) -> RelativeLift {
    let (p_a, l_a, u_a) = a;
    let (p_b, l_b, u_b) = b;
    if p_a <= 0.0 {
        return RelativeLift::NotDefined {
            reason: RELATIVE_UNDEFINED,
        };
    }
    let product = p_b * p_a;
    // Lower: a·θ² − 2·product·θ + c = 0, the smaller non-negative root.
    let quadratic = u_a * (2.0 * p_a - u_a);
    let constant = l_b * (2.0 * p_b - l_b);
    let lower = if quadratic.abs() < 1e-15 {
        if product > 0.0 {
            constant / (2.0 * product)
        } else {
            0.0
        }
    } else {
        (product - (product * product - quadratic * constant).max(0.0).sqrt()) / quadratic
    };
    // Upper: l_A(2p_A − l_A) > 0 unless l_A = 0 (then nothing bounds θ from above).
    let quadratic = l_a * (2.0 * p_a - l_a);
    let constant = u_b * (2.0 * p_b - u_b);
    let upper = (quadratic > 1e-15).then(|| {
        (product + (product * product - quadratic * constant).max(0.0).sqrt()) / quadratic
    });
    RelativeLift::Estimate {
        value: p_b / p_a - 1.0,
        low: lower.max(0.0) - 1.0,
        high: upper.map(|u| u - 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() < tolerance
    }

    /// Newcombe (1998), worked example (b): 56/70 against 48/80. The Wilson intervals are
    /// 0.6918 to 0.8770 (56/70) and 0.4905 to 0.7004 (48/80), so d = 0.8 − 0.6 = 0.2000 and
    /// δ = √((0.8 − 0.6918)² + (0.7004 − 0.6)²) = 0.1476, ε = √((0.8770 − 0.8)² + (0.6 −
    /// 0.4905)²) = 0.1339: 0.0524 to 0.3339, the figures the paper's table gives for method 10.
    #[test]
    fn newcombe_method_10_reproduces_the_published_example() {
        let (p, l, u) = wilson(56, 70, Z_95);
        assert!(close(p, 0.8, 1e-12) && close(l, 0.6918, 5e-5) && close(u, 0.8770, 5e-5));
        let (p, l, u) = wilson(48, 80, Z_95);
        assert!(close(p, 0.6, 1e-12) && close(l, 0.4905, 5e-5) && close(u, 0.7004, 5e-5));
        let (low, high) = newcombe_difference(wilson(48, 80, Z_95), wilson(56, 70, Z_95));
        assert!(close(low, 0.0524, 5e-5), "{low}");
        assert!(close(high, 0.3339, 5e-5), "{high}");
    }

    /// A 120 reads of 4,000 deliveries (3.0%), B 150 of 4,000 (3.75%). Wilson: A 0.025148 to
    /// 0.035754, B 0.032042 to 0.043845; d = 0.0075, δ = √(0.005458² + 0.005754²) = 0.007931,
    /// ε = √(0.006345² + 0.004852²) = 0.007988: −0.000431 to 0.015488. MOVER-R for 1.25 gives
    /// 0.987393 to 1.581967, so the relative lift is +25% (−1.26% to +58.20%).
    #[test]
    fn lift_matches_a_hand_computed_example() {
        let Lift::Estimate {
            p_a,
            p_b,
            difference,
            low,
            high,
            relative,
        } = lift(120, 4000, 150, 4000)
        else {
            panic!("enough data");
        };
        assert!(close(p_a, 0.03, 1e-12) && close(p_b, 0.0375, 1e-12));
        assert!(close(difference, 0.0075, 1e-12));
        assert!(close(low, -0.000_430_672, 1e-8), "{low}");
        assert!(close(high, 0.015_487_795, 1e-8), "{high}");
        let RelativeLift::Estimate { value, low, high } = relative else {
            panic!("defined: {relative:?}");
        };
        assert!(close(value, 0.25, 1e-12));
        assert!(close(low, -0.012_606_637, 1e-8), "{low}");
        assert!(close(high.unwrap(), 0.581_967_488, 1e-8), "{high:?}");
    }

    /// Every message of both variants delivered: the Wald interval said "+0.0000 to +0.0000";
    /// the Wilson lower limit of 4000/4000 is 4000 / (4000 + z²) = 0.999041, so the difference
    /// is 0 with ±0.000959 and the ratio 0.999041 to 1/0.999041 = 1.000960.
    #[test]
    fn all_delivered_on_both_sides_is_not_false_certainty() {
        let Lift::Estimate {
            difference,
            low,
            high,
            relative,
            ..
        } = lift(4000, 4000, 4000, 4000)
        else {
            panic!("enough data");
        };
        assert_eq!(difference, 0.0);
        assert!(close(low, -0.000_959_443, 1e-8), "{low}");
        assert!(close(high, 0.000_959_443, 1e-8), "{high}");
        assert!(format!("{low:+.4} to {high:+.4}") == "-0.0010 to +0.0010");
        let RelativeLift::Estimate { value, low, high } = relative else {
            panic!("defined: {relative:?}");
        };
        assert_eq!(value, 0.0);
        assert!(close(low, -0.000_959_443, 1e-8), "{low}");
        assert!(close(high.unwrap(), 0.000_960_365, 1e-8), "{high:?}");
    }

    /// 2 of 100 against 9 of 100: the MOVER-R lower limit comes from the root where
    /// u_A(2p_A − u_A) < 0 (u_A = 0.0700 > 2·0.02); checked against the defining equation
    /// solved by bisection: 1.080402 to 18.130251 for the ratio 4.5.
    #[test]
    fn a_small_baseline_keeps_a_sound_relative_interval() {
        let Lift::Estimate { relative, .. } = lift(2, 100, 9, 100) else {
            panic!("enough data");
        };
        let RelativeLift::Estimate { value, low, high } = relative else {
            panic!("defined: {relative:?}");
        };
        assert!(close(value, 3.5, 1e-12));
        assert!(close(low, 0.080_402_067, 1e-8), "{low}");
        assert!(close(high.unwrap(), 17.130_251_394, 1e-7), "{high:?}");
    }

    #[test]
    fn a_zero_baseline_has_no_relative_lift_and_a_zero_b_is_minus_100_percent() {
        let Lift::Estimate {
            relative,
            low,
            high,
            ..
        } = lift(0, 200, 5, 200)
        else {
            panic!("enough data");
        };
        assert_eq!(
            relative,
            RelativeLift::NotDefined {
                reason: RELATIVE_UNDEFINED
            }
        );
        assert!(low < 0.025 && low > -0.02 && high > 0.025, "{low} {high}");
        let Lift::Estimate { relative, .. } = lift(5, 200, 0, 200) else {
            panic!("enough data");
        };
        let RelativeLift::Estimate { value, low, high } = relative else {
            panic!("defined: {relative:?}");
        };
        assert_eq!((value, low), (-1.0, -1.0));
        assert!(close(high.unwrap(), 0.918_229_096 - 1.0, 1e-8), "{high:?}");
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
