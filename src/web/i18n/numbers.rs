//! How each language writes numbers: its digits, its group and decimal separators, and from
//! how many digits it groups (CLDR's figures for each). fluent-bundle leaves number formatting
//! to the application, so every bundle gets its language's formatter, and `{ $count }` in a
//! message comes out as the reader writes it (`1,234` in English, `1.234` in German,
//! `1 234` in French, `١٬٢٣٤` in Arabic). Options given with `NUMBER()` (grouping,
//! minimum digits) are honoured.

use fluent_bundle::FluentValue;
use fluent_bundle::types::FluentNumberOptions;

/// A way of writing numbers, shared by the languages that write them alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStyle {
    /// `1,234.5`
    English,
    /// `1 234,5` (a narrow no-break space between groups)
    French,
    /// `1.234,5` (German, Italian, Dutch)
    PointGroups,
    /// `1234,5` and `12.345,5`: groups only from five digits on
    Spanish,
    /// `١٬٢٣٤٫٥`: Arabic-Indic digits and separators
    Arabic,
}

const ARABIC_DIGITS: [char; 10] = ['٠', '١', '٢', '٣', '٤', '٥', '٦', '٧', '٨', '٩'];

impl NumberStyle {
    pub const ENGLISH: NumberStyle = NumberStyle::English;
    pub const FRENCH: NumberStyle = NumberStyle::French;
    pub const POINT_GROUPS: NumberStyle = NumberStyle::PointGroups;
    pub const SPANISH: NumberStyle = NumberStyle::Spanish;
    pub const ARABIC: NumberStyle = NumberStyle::Arabic;

    /// (group separator, decimal separator, fewest integer digits that are grouped).
    fn separators(self) -> (&'static str, &'static str, usize) {
        match self {
            NumberStyle::English => (",", ".", 4),
            NumberStyle::French => ("\u{202F}", ",", 4),
            NumberStyle::PointGroups => (".", ",", 4),
            NumberStyle::Spanish => (".", ",", 5),
            NumberStyle::Arabic => ("٬", "٫", 4),
        }
    }

    /// `value` written in this style, with `options` from `NUMBER()`.
    pub fn format(self, value: f64, options: &FluentNumberOptions) -> String {
        let (group, decimal, min_grouped) = self.separators();
        let plain = fluent_bundle::types::FluentNumber::new(value, options.clone()).as_string();
        let (sign, unsigned) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_ref()),
        };
        let (integer, fraction) = match unsigned.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (unsigned, None),
        };
        let padding = options
            .minimum_integer_digits
            .unwrap_or(0)
            .min(32)
            .saturating_sub(integer.len());
        let integer = format!("{}{integer}", "0".repeat(padding));
        let mut out = String::from(sign);
        if options.use_grouping && integer.len() >= min_grouped {
            for (i, digit) in integer.chars().enumerate() {
                if i > 0 && (integer.len() - i) % 3 == 0 {
                    out.push_str(group);
                }
                out.push(digit);
            }
        } else {
            out.push_str(&integer);
        }
        if let Some(fraction) = fraction {
            out.push_str(decimal);
            out.push_str(fraction);
        }
        self.digits(&out)
    }

    /// ASCII digits in `text` as this style writes them (Arabic-Indic for Arabic).
    pub fn digits(self, text: &str) -> String {
        if self != NumberStyle::Arabic {
            return text.to_string();
        }
        text.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => ARABIC_DIGITS[d as usize],
                None => c,
            })
            .collect()
    }

    /// The formatter a Fluent bundle calls for every value it writes (numbers only; other
    /// values are written as they are). Bundles take a plain function, so one per style.
    pub fn formatter<M>(self) -> fn(&FluentValue, &M) -> Option<String> {
        match self {
            NumberStyle::English => |v, _| number_in(NumberStyle::English, v),
            NumberStyle::French => |v, _| number_in(NumberStyle::French, v),
            NumberStyle::PointGroups => |v, _| number_in(NumberStyle::PointGroups, v),
            NumberStyle::Spanish => |v, _| number_in(NumberStyle::Spanish, v),
            NumberStyle::Arabic => |v, _| number_in(NumberStyle::Arabic, v),
        }
    }
}

fn number_in(style: NumberStyle, value: &FluentValue) -> Option<String> {
    match value {
        FluentValue::Number(n) => Some(style.format(n.value, &n.options)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(style: NumberStyle, value: f64) -> String {
        style.format(value, &FluentNumberOptions::default())
    }

    #[test]
    fn each_style_writes_numbers_as_its_readers_do() {
        assert_eq!(plain(NumberStyle::English, 1234567.0), "1,234,567");
        assert_eq!(plain(NumberStyle::English, 999.0), "999");
        assert_eq!(plain(NumberStyle::PointGroups, 1234.5), "1.234,5");
        assert_eq!(plain(NumberStyle::French, 12345.0), "12\u{202F}345");
        assert_eq!(plain(NumberStyle::Spanish, 1234.0), "1234");
        assert_eq!(plain(NumberStyle::Spanish, 12345.0), "12.345");
        assert_eq!(plain(NumberStyle::Arabic, 1234.5), "١٬٢٣٤٫٥");
        assert_eq!(plain(NumberStyle::English, -1234.0), "-1,234");
        let options = FluentNumberOptions {
            use_grouping: false,
            minimum_integer_digits: Some(2),
            ..Default::default()
        };
        assert_eq!(NumberStyle::PointGroups.format(2027.0, &options), "2027");
        assert_eq!(NumberStyle::Arabic.format(7.0, &options), "٠٧");
    }
}
