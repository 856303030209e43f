//! Numbers as a reader expects them in a sentence: counts with thousands separators, rates
//! as percentages with one decimal, differences of rates in percentage points.

/// `1204` → `1,204`.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A proportion as a percentage with one decimal: `0.97561` → `97.6%`.
pub fn percent(proportion: f64) -> String {
    without_negative_zero(format!("{:.1}%", proportion * 100.0))
}

/// A signed proportion as a percentage with one decimal: `0.25` → `+25.0%`.
pub fn signed_percent(proportion: f64) -> String {
    signed(format!("{:.1}", proportion * 100.0)) + "%"
}

/// A difference of two proportions in percentage points, signed, with two decimals (a
/// difference is often a fraction of a point): `0.0075` → `+0.75`.
pub fn signed_points(difference: f64) -> String {
    signed(format!("{:.2}", difference * 100.0))
}

/// A number as `format!` wrote it, with `+` before a positive value and a true minus sign
/// before a negative one; zero has no sign.
fn signed(text: String) -> String {
    let text = without_negative_zero(text);
    if let Some(magnitude) = text.strip_prefix('-') {
        format!("−{magnitude}")
    } else if text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{text}")
    } else {
        text
    }
}

/// `-0.0` (a tiny negative value rounded away) reads as `0.0`.
pub fn without_negative_zero(text: String) -> String {
    match text.strip_prefix('-') {
        Some(rest) if !rest.chars().any(|c| c.is_ascii_digit() && c != '0') => rest.to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_in_a_sentence() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(175_569), "175,569");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(percent(0.975_609), "97.6%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent(-0.000_01), "0.0%");
        assert_eq!(signed_percent(0.25), "+25.0%");
        assert_eq!(signed_percent(-0.012_606), "−1.3%");
        assert_eq!(signed_points(0.0075), "+0.75");
        assert_eq!(signed_points(-0.000_430_672), "−0.04");
        assert_eq!(signed_points(0.000_01), "0.00");
        assert_eq!(without_negative_zero("-0.0000".into()), "0.0000");
        assert_eq!(without_negative_zero("-0.0004".into()), "-0.0004");
    }
}
