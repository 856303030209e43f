//! How many SMS a text costs. A text travels as GSM-7 when every character is in the GSM 03.38
//! basic set or its extension table (whose characters take two septets, an escape and the
//! character), and as UCS-2 otherwise: one character outside GSM-7 (an Arabic, Pashto or
//! Tigrinya letter, an emoji, a curly quote) turns the whole text into UCS-2.
//!
//! A single SMS holds 160 septets or 70 UTF-16 units. A longer text is split into concatenated
//! parts, each carrying a 6-byte header, which leaves 153 septets or 67 units per part. A
//! character beyond the Basic Multilingual Plane (most emoji) is a surrogate pair: two units.
//! A part never splits an escape pair or a surrogate pair, so a part may hold one unit less than
//! the maximum; the count here follows that rule, as handsets and carriers do.

use serde::Serialize;

/// GSM 03.38 basic character set, in code order (the escape 0x1B is left out).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// GSM 03.38 extension table: each takes an escape septet and its own, two in all.
const GSM7_EXTENSION: &str = "\u{000C}^{}\\[~]|€";

/// Septets in a single GSM-7 SMS, and in each part of a concatenated one.
const GSM7_SINGLE: usize = 160;
const GSM7_PART: usize = 153;
/// UTF-16 units in a single UCS-2 SMS, and in each part of a concatenated one.
const UCS2_SINGLE: usize = 70;
const UCS2_PART: usize = 67;

/// The encoding a text is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SmsEncoding {
    #[serde(rename = "GSM-7")]
    Gsm7,
    #[serde(rename = "UCS-2")]
    Ucs2,
}

impl SmsEncoding {
    pub fn name(self) -> &'static str {
        match self {
            SmsEncoding::Gsm7 => "GSM-7",
            SmsEncoding::Ucs2 => "UCS-2",
        }
    }
}

/// What a text costs as SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SmsSegments {
    pub encoding: SmsEncoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: usize,
    /// SMS parts the text is sent as (0 for an empty text).
    pub segments: usize,
}

/// Counts `text` as an SMS: its encoding, its length in that encoding's units, and its parts.
pub fn count_segments(text: &str) -> SmsSegments {
    match gsm7_sizes(text) {
        Some(sizes) => SmsSegments {
            encoding: SmsEncoding::Gsm7,
            units: sizes.iter().sum(),
            segments: parts(&sizes, GSM7_SINGLE, GSM7_PART),
        },
        None => {
            let sizes: Vec<usize> = text.chars().map(char::len_utf16).collect();
            SmsSegments {
                encoding: SmsEncoding::Ucs2,
                units: sizes.iter().sum(),
                segments: parts(&sizes, UCS2_SINGLE, UCS2_PART),
            }
        }
    }
}

/// Septets per character, or `None` if a character has no GSM-7 form.
fn gsm7_sizes(text: &str) -> Option<Vec<usize>> {
    text.chars()
        .map(|c| {
            if GSM7_BASIC.contains(c) {
                Some(1)
            } else if GSM7_EXTENSION.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .collect()
}

/// Parts needed for characters of `sizes` units: one if all fit in `single`, else parts of at
/// most `part` units that never split a character.
fn parts(sizes: &[usize], single: usize, part: usize) -> usize {
    let total: usize = sizes.iter().sum();
    if total == 0 {
        return 0;
    }
    if total <= single {
        return 1;
    }
    let mut count = 1;
    let mut used = 0;
    for &size in sizes {
        if used + size > part {
            count += 1;
            used = 0;
        }
        used += size;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(text: &str) -> (SmsEncoding, usize, usize) {
        let counted = count_segments(text);
        (counted.encoding, counted.units, counted.segments)
    }

    #[test]
    fn the_basic_set_and_its_limits() {
        assert_eq!(count(""), (SmsEncoding::Gsm7, 0, 0));
        assert_eq!(count("Hello"), (SmsEncoding::Gsm7, 5, 1));
        let full = "a".repeat(160);
        assert_eq!(count(&full), (SmsEncoding::Gsm7, 160, 1));
        assert_eq!(count(&"a".repeat(161)), (SmsEncoding::Gsm7, 161, 2));
        assert_eq!(count(&"a".repeat(306)), (SmsEncoding::Gsm7, 306, 2));
        assert_eq!(count(&"a".repeat(307)), (SmsEncoding::Gsm7, 307, 3));
        // Accented letters of the basic set stay GSM-7; others do not.
        assert_eq!(count("Éé è à ÄÖÑÜ ß ¿¡ £¥§"), (SmsEncoding::Gsm7, 20, 1));
        assert_eq!(count("ê").0, SmsEncoding::Ucs2);
        assert_eq!(
            count("Ç ç").0,
            SmsEncoding::Ucs2,
            "only upper-case Ç is GSM-7"
        );
    }

    #[test]
    fn extension_characters_take_two_septets_and_never_split() {
        assert_eq!(count("€"), (SmsEncoding::Gsm7, 2, 1));
        assert_eq!(count("[x]{y}|~^\\"), (SmsEncoding::Gsm7, 18, 1));
        assert_eq!(count(&"€".repeat(80)), (SmsEncoding::Gsm7, 160, 1));
        assert_eq!(count(&"€".repeat(81)), (SmsEncoding::Gsm7, 162, 2));
        // 152 septets, then an escape pair that does not fit in the first part's 153.
        let text = format!("{}€{}", "a".repeat(152), "b".repeat(8));
        assert_eq!(count(&text), (SmsEncoding::Gsm7, 162, 2));
        let text = format!("{}€{}", "a".repeat(152), "b".repeat(152));
        assert_eq!(count(&text), (SmsEncoding::Gsm7, 306, 3));
    }

    #[test]
    fn arabic_pashto_and_tigrinya_go_as_ucs2() {
        assert_eq!(count("مرحبا"), (SmsEncoding::Ucs2, 5, 1));
        assert_eq!(count("ښه راغلاست"), (SmsEncoding::Ucs2, 10, 1));
        assert_eq!(count("ሰላም"), (SmsEncoding::Ucs2, 3, 1));
        assert_eq!(count(&"م".repeat(70)), (SmsEncoding::Ucs2, 70, 1));
        assert_eq!(count(&"م".repeat(71)), (SmsEncoding::Ucs2, 71, 2));
        assert_eq!(count(&"م".repeat(134)), (SmsEncoding::Ucs2, 134, 2));
        assert_eq!(count(&"م".repeat(135)), (SmsEncoding::Ucs2, 135, 3));
        // One Arabic word makes a Latin text UCS-2.
        let mixed = format!("{} مرحبا", "a".repeat(100));
        assert_eq!(count(&mixed), (SmsEncoding::Ucs2, 106, 2));
    }

    #[test]
    fn emoji_are_surrogate_pairs_that_never_split() {
        assert_eq!(count("😀"), (SmsEncoding::Ucs2, 2, 1));
        assert_eq!(count(&"😀".repeat(35)), (SmsEncoding::Ucs2, 70, 1));
        assert_eq!(count(&"😀".repeat(36)), (SmsEncoding::Ucs2, 72, 2));
        // 66 units, then a pair that does not fit in the first part's 67.
        let text = format!("{}😀{}", "ا".repeat(66), "ب".repeat(10));
        assert_eq!(count(&text), (SmsEncoding::Ucs2, 78, 2));
        let text = format!("{}😀{}", "ا".repeat(66), "ب".repeat(66));
        assert_eq!(count(&text), (SmsEncoding::Ucs2, 134, 3));
    }
}
