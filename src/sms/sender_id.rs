//! Who an SMS says it is from: a phone number (E.164, `+31970...`), a short code (`12345`), or
//! an alphanumeric sender id (`GEMEENTE`). Twilio takes an alphanumeric sender id of at most 11
//! characters (letters, digits, space, `-`, `+`, `_`, `&`, not only digits), and only where
//! the destination country's networks allow one: elsewhere the message is refused or delivered
//! from a number the recipient cannot answer, so STOP would never reach herald.
//!
//! The countries below are those whose page in Twilio's per-country SMS guidelines
//! (twilio.com/guidelines/<country>/sms, "Alphanumeric: Not Supported") said so when this list
//! was written: the United States and the territories its guidelines cover, Canada, China, and
//! several Latin American countries. Twilio's pages change; an operator who sends to a country
//! should read its page, and herald's list only grows with them.

use std::fmt;

/// ISO 3166-1 alpha-2 codes of countries where Twilio delivers no alphanumeric sender id.
pub const ALPHANUMERIC_FORBIDDEN: &[&str] = &[
    "US", "PR", "GU", "VI", "AS", "MP", // United States and its territories
    "CA", // Canada
    "CN", // China
    "AR", "CL", "CO", "CR", // Argentina, Chile, Colombia, Costa Rica
];

/// Longest alphanumeric sender id Twilio accepts.
const MAX_ALPHANUMERIC: usize = 11;

/// A sender, by its form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderId {
    /// `+` and 8 to 15 digits.
    Number(String),
    /// 3 to 8 digits, without `+`.
    ShortCode(String),
    Alphanumeric(String),
}

/// Why a text is not a sender Twilio takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SenderIdError {
    #[error(
        "`{0}` is not a sender: write a phone number in E.164 form (`+31970102030`), a short code (digits only), or an alphanumeric sender id of at most {MAX_ALPHANUMERIC} letters, digits, spaces, `-`, `+`, `_` or `&`"
    )]
    Malformed(String),
}

impl SenderId {
    pub fn parse(text: &str) -> Result<SenderId, SenderIdError> {
        let malformed = || SenderIdError::Malformed(text.to_string());
        if let Some(digits) = text.strip_prefix('+') {
            let ok = (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
            return ok
                .then(|| SenderId::Number(text.to_string()))
                .ok_or_else(malformed);
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            return (3..=8)
                .contains(&text.len())
                .then(|| SenderId::ShortCode(text.to_string()))
                .ok_or_else(malformed);
        }
        let allowed =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '+' | '_' | '&');
        let ok = text.chars().count() <= MAX_ALPHANUMERIC
            && text.chars().all(allowed)
            && text.chars().any(|c| c.is_ascii_alphabetic())
            && text.trim() == text;
        ok.then(|| SenderId::Alphanumeric(text.to_string()))
            .ok_or_else(malformed)
    }

    /// The value of Twilio's `From`.
    pub fn as_str(&self) -> &str {
        match self {
            SenderId::Number(text) | SenderId::ShortCode(text) | SenderId::Alphanumeric(text) => {
                text
            }
        }
    }

    pub fn is_alphanumeric(&self) -> bool {
        matches!(self, SenderId::Alphanumeric(_))
    }

    /// Whether messages from this sender reach people in `country` (ISO 3166-1 alpha-2).
    pub fn allowed_in(&self, country: &str) -> bool {
        !(self.is_alphanumeric() && ALPHANUMERIC_FORBIDDEN.contains(&country))
    }
}

impl fmt::Display for SenderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_by_form() {
        assert_eq!(
            SenderId::parse("+31970102030"),
            Ok(SenderId::Number("+31970102030".into()))
        );
        assert_eq!(
            SenderId::parse("12345"),
            Ok(SenderId::ShortCode("12345".into()))
        );
        assert_eq!(
            SenderId::parse("NL Info"),
            Ok(SenderId::Alphanumeric("NL Info".into()))
        );
        assert_eq!(
            SenderId::parse("A&B_C-D+E"),
            Ok(SenderId::Alphanumeric("A&B_C-D+E".into()))
        );
        for bad in [
            "",
            "+31",
            "+3197010203040506",
            "+31a70102030",
            "123456789",
            "TWELVELETTER",
            "Info!",
            "Gemeënte",
            " Info",
            "12",
        ] {
            assert!(SenderId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn alphanumeric_senders_stop_at_the_countries_that_refuse_them() {
        let name = SenderId::parse("NLINFO").unwrap();
        let number = SenderId::parse("+15005550006").unwrap();
        for country in ["US", "CA", "CN", "PR"] {
            assert!(!name.allowed_in(country), "{country}");
            assert!(number.allowed_in(country), "{country}");
        }
        for country in ["NL", "FR", "DE", "SY", "AF", "ER"] {
            assert!(name.allowed_in(country), "{country}");
        }
    }
}
